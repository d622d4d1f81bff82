-- Runs as records: one row per run of a workflow on a domain (queued once,
-- claimed one or more times, finished once) in a jobs table, instead of one
-- set of queue columns per workflow on domains that each run overwrote.
-- The queue's bookkeeping (claim token, lease, next attempt) moves here;
-- domains keeps what its listings and the seed's API show: the secondary
-- status and error, and the latest run's attempt and times
-- (<prefix>_attempts, _started_at, _finished_at) and the email scan's
-- counts. Every worker write changes both in one transaction.
-- Like migration 1, this file runs as one implicit transaction.

CREATE TABLE jobs (
    id               uuid        PRIMARY KEY,
    -- core.Workflow.Name.
    workflow         text        NOT NULL,
    domain_id        uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    -- queue.RunState.
    state            text        NOT NULL,
    -- Claims of this run; Release gives one back, the rescuer fails the
    -- run when they run out.
    attempt          int         NOT NULL DEFAULT 0,
    -- The fencing token of the current claim: every write of a worker must
    -- present it, so a worker whose lease was taken away writes nothing.
    claim_token      uuid        NULL,
    lease_expires_at timestamptz NULL,
    -- Set by Retry for backoff; NULL means due at once.
    next_attempt_at  timestamptz NULL,
    started_at       timestamptz NOT NULL,
    finished_at      timestamptz NULL,
    -- The email scan's counts; contacts_new counts the contacts this run
    -- stored first (contacts.first_seen_run).
    pages_scanned    int         NOT NULL DEFAULT 0,
    contacts_found   int         NOT NULL DEFAULT 0,
    contacts_new     int         NOT NULL DEFAULT 0,
    -- The last error, meant for users.
    error            text        NULL,
    -- Its full cause, for operators: the log's text, never served to
    -- users.
    error_detail     text        NULL,

    CONSTRAINT jobs_workflow_check CHECK (workflow IN ('email_scan', 'sitemap_curation')),
    CONSTRAINT jobs_state_check CHECK (state IN ('running', 'waiting', 'completed', 'failed')),
    CONSTRAINT jobs_attempt_check CHECK (attempt >= 0),
    CONSTRAINT jobs_counts_check CHECK (pages_scanned >= 0 AND contacts_found >= 0 AND contacts_new >= 0),
    -- A running run has a claim; nothing else has one.
    CONSTRAINT jobs_claim_check CHECK (
        (state = 'running') = (claim_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
    -- A finished run has its end time; an open one has none.
    CONSTRAINT jobs_finished_check CHECK (
        (state IN ('completed', 'failed')) = (finished_at IS NOT NULL))
);

-- A domain has at most one open run per workflow: the claim's upsert
-- target, and the lookup of a waiting run's next attempt.
CREATE UNIQUE INDEX jobs_open_key ON jobs (workflow, domain_id) WHERE finished_at IS NULL;
-- The rescuer looks for running runs whose lease expired.
CREATE INDEX jobs_rescue_idx ON jobs (workflow, lease_expires_at) WHERE state = 'running';
-- A domain's history, newest first; also serves the cascade from domains.
CREATE INDEX jobs_history_idx ON jobs (domain_id, workflow, started_at DESC, id DESC);

-- The run that first stored a contact (NULL for contacts stored before
-- runs were recorded).
ALTER TABLE contacts ADD COLUMN first_seen_run uuid NULL;

-- Move the live state. A running domain gets a running run with its
-- claim, so its worker's fenced writes still find it; a queued domain that
-- was tried before (attempts or a retry time) a waiting run; a finished
-- domain a finished run with its counts. A queued domain never tried gets
-- none: its first claim starts one.
-- The domains kept only the public error (the cause went to the log), so
-- a moved run's error_detail is NULL rather than a copy.
INSERT INTO jobs (id, workflow, domain_id, state, attempt, claim_token, lease_expires_at,
    next_attempt_at, started_at, finished_at, pages_scanned, contacts_found, error)
SELECT gen_random_uuid(), 'email_scan', id,
    CASE page_scrape_status
        WHEN 'InProgress' THEN 'running' WHEN 'Queued' THEN 'waiting'
        WHEN 'Completed' THEN 'completed' ELSE 'failed' END,
    page_scrape_attempts,
    CASE WHEN page_scrape_status = 'InProgress' THEN coalesce(page_scrape_claim_token, gen_random_uuid()) END,
    CASE WHEN page_scrape_status = 'InProgress' THEN coalesce(page_scrape_lease_expires_at, updated_at) END,
    CASE WHEN page_scrape_status = 'Queued' THEN page_scrape_next_attempt_at END,
    coalesce(page_scrape_started_at, page_scrape_finished_at, updated_at),
    CASE WHEN page_scrape_status IN ('Completed', 'Error') THEN coalesce(page_scrape_finished_at, updated_at) END,
    CASE WHEN page_scrape_status = 'Completed' THEN pages_scanned ELSE 0 END,
    CASE WHEN page_scrape_status = 'Completed' THEN contacts_found ELSE 0 END,
    page_scrape_error
FROM domains
WHERE page_scrape_status IN ('InProgress', 'Completed', 'Error')
   OR (page_scrape_status = 'Queued'
       AND (page_scrape_attempts > 0 OR page_scrape_next_attempt_at IS NOT NULL));

INSERT INTO jobs (id, workflow, domain_id, state, attempt, claim_token, lease_expires_at,
    next_attempt_at, started_at, finished_at, error)
SELECT gen_random_uuid(), 'sitemap_curation', id,
    CASE sitemap_analysis_status
        WHEN 'Processing' THEN 'running' WHEN 'Queued' THEN 'waiting'
        WHEN 'Completed' THEN 'completed' ELSE 'failed' END,
    sitemap_analysis_attempts,
    CASE WHEN sitemap_analysis_status = 'Processing' THEN coalesce(sitemap_analysis_claim_token, gen_random_uuid()) END,
    CASE WHEN sitemap_analysis_status = 'Processing' THEN coalesce(sitemap_analysis_lease_expires_at, updated_at) END,
    CASE WHEN sitemap_analysis_status = 'Queued' THEN sitemap_analysis_next_attempt_at END,
    coalesce(sitemap_analysis_started_at, sitemap_analysis_finished_at, updated_at),
    CASE WHEN sitemap_analysis_status IN ('Completed', 'Error') THEN coalesce(sitemap_analysis_finished_at, updated_at) END,
    sitemap_analysis_error
FROM domains
WHERE sitemap_analysis_status IN ('Processing', 'Completed', 'Error')
   OR (sitemap_analysis_status = 'Queued'
       AND (sitemap_analysis_attempts > 0 OR sitemap_analysis_next_attempt_at IS NOT NULL));

-- The claim now polls the queued domains oldest update first (a waiting
-- run that is not due yet is passed over through jobs_open_key), so the
-- claim indexes become migration 1's (updated_at, id) ones again.
DROP INDEX domains_page_scrape_claim_idx;
DROP INDEX domains_sitemap_analysis_claim_idx;
DROP INDEX domains_page_scrape_rescue_idx;
DROP INDEX domains_sitemap_analysis_rescue_idx;
CREATE INDEX domains_page_scrape_queued_idx ON domains (updated_at, id)
    WHERE page_scrape_status = 'Queued';
CREATE INDEX domains_sitemap_analysis_queued_idx ON domains (updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';

ALTER TABLE domains
    DROP COLUMN page_scrape_claim_token,
    DROP COLUMN page_scrape_lease_expires_at,
    DROP COLUMN page_scrape_next_attempt_at,
    DROP COLUMN sitemap_analysis_claim_token,
    DROP COLUMN sitemap_analysis_lease_expires_at,
    DROP COLUMN sitemap_analysis_next_attempt_at;
