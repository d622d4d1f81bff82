-- The do-not-contact list (core/suppression): email addresses and whole
-- email domains that are never stored as contacts again. Like the
-- migrations before it, this file runs as one implicit transaction.

CREATE TABLE suppressions (
    -- The lowercase address, or the lowercase email domain in punycode
    -- (suppression.Parse); the primary key serves the scan's look-up of an
    -- address and its domain.
    value      text        PRIMARY KEY,
    kind       text        NOT NULL,
    created_at timestamptz NOT NULL,

    -- Mirrors suppression.Kind; an address has an "@", a domain none.
    CONSTRAINT suppressions_kind_check CHECK (
        (kind = 'address' AND position('@' in value) > 1)
        OR (kind = 'domain' AND position('@' in value) = 0 AND value <> ''))
);
