-- API keys of service clients (core/apikey). Only the SHA-256 hash of a
-- key's secret is stored; the secret is shown once, when it is created.
CREATE TABLE api_keys (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    -- The secret's first characters, to tell keys apart in a list.
    hint       text        NOT NULL,
    hash       bytea       NOT NULL,
    created_at timestamptz NOT NULL,
    -- NULL while the key is accepted.
    revoked_at timestamptz NULL,

    CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_hash_check CHECK (octet_length(hash) = 32),
    -- Every request authenticated with a key looks it up by hash.
    CONSTRAINT api_keys_hash_key UNIQUE (hash)
);
