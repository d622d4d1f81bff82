-- The work queue of the two processing workflows and the email scan's
-- results, SQLite's version of postgres/20260101000002. Each workflow
-- (core.Workflow.Prefix) gets the same queue columns on domains; its
-- secondary status column from migration 1 stays the state of the job.
--
-- SQLite adds one column per ALTER TABLE and cannot add a table
-- constraint to an existing table, so the CHECKs that PostgreSQL keeps at
-- table level are column constraints here (domains_scan_counts_check
-- becomes one check per count).

-- Claims since the domain was last queued by a user; Release gives one
-- back, the rescuer fails the domain when they run out.
ALTER TABLE domains ADD COLUMN page_scrape_attempts INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_page_scrape_attempts_check CHECK (page_scrape_attempts >= 0);
-- The fencing token of the current claim: every write of a worker must
-- present it, so a worker whose lease was taken away writes nothing.
ALTER TABLE domains ADD COLUMN page_scrape_claim_token TEXT NULL
    CONSTRAINT domains_page_scrape_claim_token_check CHECK (length(page_scrape_claim_token) = 36);
ALTER TABLE domains ADD COLUMN page_scrape_lease_expires_at TEXT NULL;
-- Set by Retry for backoff; NULL means due at once.
ALTER TABLE domains ADD COLUMN page_scrape_next_attempt_at TEXT NULL;
ALTER TABLE domains ADD COLUMN page_scrape_started_at TEXT NULL;
ALTER TABLE domains ADD COLUMN page_scrape_finished_at TEXT NULL;

ALTER TABLE domains ADD COLUMN sitemap_analysis_attempts INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_sitemap_analysis_attempts_check CHECK (sitemap_analysis_attempts >= 0);
ALTER TABLE domains ADD COLUMN sitemap_analysis_claim_token TEXT NULL
    CONSTRAINT domains_sitemap_analysis_claim_token_check CHECK (length(sitemap_analysis_claim_token) = 36);
ALTER TABLE domains ADD COLUMN sitemap_analysis_lease_expires_at TEXT NULL;
ALTER TABLE domains ADD COLUMN sitemap_analysis_next_attempt_at TEXT NULL;
ALTER TABLE domains ADD COLUMN sitemap_analysis_started_at TEXT NULL;
ALTER TABLE domains ADD COLUMN sitemap_analysis_finished_at TEXT NULL;

-- The counts of the last finished email scan.
ALTER TABLE domains ADD COLUMN pages_scanned INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_pages_scanned_check CHECK (pages_scanned >= 0);
ALTER TABLE domains ADD COLUMN contacts_found INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_contacts_found_check CHECK (contacts_found >= 0);

-- The claim polls queued rows in (next_attempt_at NULLS FIRST, updated_at,
-- id) order. These partial indexes hold only the queued rows, in exactly
-- that order (SQLite sorts NULLs first in ascending order, and its CREATE
-- INDEX takes no NULLS FIRST), so a claim reads the first LIMIT entries
-- and stops; they replace migration 1's (updated_at, id) ones.
DROP INDEX domains_page_scrape_queued_idx;
DROP INDEX domains_sitemap_analysis_queued_idx;
CREATE INDEX domains_page_scrape_claim_idx
    ON domains (page_scrape_next_attempt_at, updated_at, id)
    WHERE page_scrape_status = 'Queued';
CREATE INDEX domains_sitemap_analysis_claim_idx
    ON domains (sitemap_analysis_next_attempt_at, updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';

-- The rescuer looks for running rows whose lease expired; only running
-- rows are in these.
CREATE INDEX domains_page_scrape_rescue_idx
    ON domains (page_scrape_lease_expires_at)
    WHERE page_scrape_status = 'InProgress';
CREATE INDEX domains_sitemap_analysis_rescue_idx
    ON domains (sitemap_analysis_lease_expires_at)
    WHERE sitemap_analysis_status = 'Processing';

-- One row per distinct email address found on a domain. A rescan keeps the
-- row (its id and first_seen_at) and moves last_seen_at. The foreign keys
-- hold because every connection turns foreign_keys on.
CREATE TABLE contacts (
    id            TEXT    NOT NULL PRIMARY KEY,
    domain_id     TEXT    NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,
    email_type    TEXT    NOT NULL,
    has_gmail     INTEGER NOT NULL,
    context       TEXT    NOT NULL DEFAULT '',
    source_url    TEXT    NOT NULL,
    first_seen_at TEXT    NOT NULL,
    last_seen_at  TEXT    NOT NULL,

    CONSTRAINT contacts_id_check CHECK (length(id) = 36),
    -- SQLite has no boolean type: Bun writes TRUE and FALSE, which are 1
    -- and 0.
    CONSTRAINT contacts_has_gmail_check CHECK (has_gmail IN (0, 1)),
    -- The upsert's conflict target. Its index, led by domain_id, also
    -- serves listing a domain's contacts by email and the cascade from
    -- domains, so there is no separate domain_id index.
    CONSTRAINT contacts_domain_id_email_key UNIQUE (domain_id, email),
    -- Mirrors contact.Type.
    CONSTRAINT contacts_email_type_check CHECK (
        email_type IN ('service', 'corporate', 'free', 'unknown')),
    -- Mirrors scan.MaxContextLength; length counts characters, as
    -- PostgreSQL's char_length does.
    CONSTRAINT contacts_context_length_check CHECK (length(context) <= 200)
) STRICT;

-- Lists of contacts of one type across domains.
CREATE INDEX contacts_email_type_idx ON contacts (email_type, email);

-- One row per page fetched by the scans of a domain; a rescan overwrites
-- the pages it fetched again. The primary key serves listing by domain.
CREATE TABLE pages (
    domain_id    TEXT    NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    url          TEXT    NOT NULL,
    http_status  INTEGER NOT NULL,
    emails_found INTEGER NOT NULL DEFAULT 0,
    fetched_at   TEXT    NOT NULL,

    CONSTRAINT pages_pkey PRIMARY KEY (domain_id, url),
    CONSTRAINT pages_emails_found_check CHECK (emails_found >= 0)
) STRICT;
