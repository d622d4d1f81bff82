-- API keys of service clients (core/apikey), SQLite's version of
-- postgres/20260101000007. Only the SHA-256 hash of a key's secret is
-- stored. Times are in Bun's UTC text layout (see migration 1).
CREATE TABLE api_keys (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL,
    -- The secret's first characters, to tell keys apart in a list.
    hint       TEXT NOT NULL,
    hash       BLOB NOT NULL,
    created_at TEXT NOT NULL,
    -- NULL while the key is accepted.
    revoked_at TEXT NULL,

    CONSTRAINT api_keys_name_check CHECK (length(name) BETWEEN 1 AND 100),
    CONSTRAINT api_keys_hash_check CHECK (length(hash) = 32),
    -- Every request authenticated with a key looks it up by hash.
    CONSTRAINT api_keys_hash_key UNIQUE (hash)
);
