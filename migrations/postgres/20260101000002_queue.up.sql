-- The work queue of the two processing workflows, and the email scan's
-- results. Each workflow (core.Workflow.Prefix) gets the same queue columns
-- on domains; its secondary status column from migration 1 stays the state
-- of the job (Queued, then Running, then Done or Failed).
-- Like migration 1, this file runs as one implicit transaction.

ALTER TABLE domains
    -- Claims since the domain was last queued by a user; Release gives one
    -- back, the rescuer fails the domain when they run out.
    ADD COLUMN page_scrape_attempts              int         NOT NULL DEFAULT 0,
    -- The fencing token of the current claim: every write of a worker must
    -- present it, so a worker whose lease was taken away writes nothing.
    ADD COLUMN page_scrape_claim_token           uuid        NULL,
    ADD COLUMN page_scrape_lease_expires_at      timestamptz NULL,
    -- Set by Retry for backoff; NULL means due at once.
    ADD COLUMN page_scrape_next_attempt_at       timestamptz NULL,
    ADD COLUMN page_scrape_started_at            timestamptz NULL,
    ADD COLUMN page_scrape_finished_at           timestamptz NULL,

    ADD COLUMN sitemap_analysis_attempts         int         NOT NULL DEFAULT 0,
    ADD COLUMN sitemap_analysis_claim_token      uuid        NULL,
    ADD COLUMN sitemap_analysis_lease_expires_at timestamptz NULL,
    ADD COLUMN sitemap_analysis_next_attempt_at  timestamptz NULL,
    ADD COLUMN sitemap_analysis_started_at       timestamptz NULL,
    ADD COLUMN sitemap_analysis_finished_at      timestamptz NULL,

    -- The counts of the last finished email scan.
    ADD COLUMN pages_scanned                     int         NOT NULL DEFAULT 0,
    ADD COLUMN contacts_found                    int         NOT NULL DEFAULT 0,

    ADD CONSTRAINT domains_page_scrape_attempts_check CHECK (page_scrape_attempts >= 0),
    ADD CONSTRAINT domains_sitemap_analysis_attempts_check CHECK (sitemap_analysis_attempts >= 0),
    ADD CONSTRAINT domains_scan_counts_check CHECK (pages_scanned >= 0 AND contacts_found >= 0);

-- The claim polls queued rows in (next_attempt_at NULLS FIRST, updated_at,
-- id) order. These partial indexes hold only the queued rows, in exactly
-- that order, so a claim reads the first LIMIT entries and stops; they
-- replace migration 1's (updated_at, id) ones, which the claim no longer
-- uses.
DROP INDEX domains_page_scrape_queued_idx;
DROP INDEX domains_sitemap_analysis_queued_idx;
CREATE INDEX domains_page_scrape_claim_idx
    ON domains (page_scrape_next_attempt_at NULLS FIRST, updated_at, id)
    WHERE page_scrape_status = 'Queued';
CREATE INDEX domains_sitemap_analysis_claim_idx
    ON domains (sitemap_analysis_next_attempt_at NULLS FIRST, updated_at, id)
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
-- row (its id and first_seen_at) and moves last_seen_at.
CREATE TABLE contacts (
    id            uuid        PRIMARY KEY,
    domain_id     uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    email         text        NOT NULL,
    email_type    text        NOT NULL,
    has_gmail     boolean     NOT NULL,
    context       text        NOT NULL DEFAULT '',
    source_url    text        NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,

    -- The upsert's conflict target. Its index, led by domain_id, also
    -- serves listing a domain's contacts by email and the cascade from
    -- domains, so there is no separate domain_id index.
    CONSTRAINT contacts_domain_id_email_key UNIQUE (domain_id, email),
    -- Mirrors contact.Type.
    CONSTRAINT contacts_email_type_check CHECK (
        email_type IN ('service', 'corporate', 'free', 'unknown')),
    -- Mirrors scan.MaxContextLength.
    CONSTRAINT contacts_context_length_check CHECK (char_length(context) <= 200)
);

-- Lists of contacts of one type across domains.
CREATE INDEX contacts_email_type_idx ON contacts (email_type, email);

-- One row per page fetched by the scans of a domain; a rescan overwrites
-- the pages it fetched again. The primary key serves listing by domain.
CREATE TABLE pages (
    domain_id    uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    url          text        NOT NULL,
    http_status  int         NOT NULL,
    emails_found int         NOT NULL DEFAULT 0,
    fetched_at   timestamptz NOT NULL,

    CONSTRAINT pages_pkey PRIMARY KEY (domain_id, url),
    CONSTRAINT pages_emails_found_check CHECK (emails_found >= 0)
);
