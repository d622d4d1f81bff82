-- The do-not-contact list (core/suppression), SQLite's version of
-- postgres/20260101000006: email addresses and whole email domains that
-- are never stored as contacts again. created_at is a time in Bun's UTC
-- text layout (see migration 1).

CREATE TABLE suppressions (
    -- The lowercase address, or the lowercase email domain in punycode
    -- (suppression.Parse); the primary key serves the scan's look-up of an
    -- address and its domain.
    value      TEXT NOT NULL PRIMARY KEY,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,

    -- Mirrors suppression.Kind; an address has an "@", a domain none.
    CONSTRAINT suppressions_kind_check CHECK (
        (kind = 'address' AND instr(value, '@') > 1)
        OR (kind = 'domain' AND instr(value, '@') = 0 AND value <> ''))
) STRICT;
