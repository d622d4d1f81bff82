-- The domains table, SQLite's version of postgres/20260101000001: the same
-- columns, names and constraints. STRICT makes SQLite enforce the declared
-- types instead of storing whatever arrives.
--
-- UUIDs are TEXT in the 36-character form uuid.UUID writes. Times are TEXT
-- in the form Bun's sqlitedialect writes, always UTC with microseconds and
-- trailing zeros trimmed ('2026-01-02 03:04:05.123456+00:00'); in that form
-- text order is time order, so the queue compares and sorts times as text.
-- The column defaults use the same layout; the application always sets the
-- times itself.

CREATE TABLE domains (
    id                      TEXT NOT NULL PRIMARY KEY,
    domain                  TEXT NOT NULL,
    created_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),
    updated_at              TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f+00:00', 'now')),

    sitemap_curation_status TEXT NOT NULL DEFAULT 'New',
    sitemap_analysis_status TEXT NULL,
    sitemap_analysis_error  TEXT NULL,

    email_scan_status       TEXT NOT NULL DEFAULT 'New',
    page_scrape_status      TEXT NULL,
    page_scrape_error       TEXT NULL,

    CONSTRAINT domains_id_check CHECK (length(id) = 36),
    -- Hosts are stored normalized (core.NormalizeDomain), so equality is
    -- the right uniqueness.
    CONSTRAINT domains_domain_key UNIQUE (domain),
    CONSTRAINT domains_domain_not_empty CHECK (domain <> ''),

    -- These mirror core.CurationStatus, core.AnalysisStatus and
    -- core.TaskStatus, spelled exactly as on the wire. A NULL secondary
    -- passes, as in PostgreSQL.
    CONSTRAINT domains_sitemap_curation_status_check CHECK (
        sitemap_curation_status IN ('New', 'Selected', 'Maybe', 'Not a Fit', 'Archived')),
    CONSTRAINT domains_sitemap_analysis_status_check CHECK (
        sitemap_analysis_status IN ('Queued', 'Processing', 'Completed', 'Error')),
    CONSTRAINT domains_email_scan_status_check CHECK (
        email_scan_status IN ('New', 'Selected', 'Maybe', 'Not a Fit', 'Archived')),
    CONSTRAINT domains_page_scrape_status_check CHECK (
        page_scrape_status IN ('Queued', 'InProgress', 'Completed', 'Error', 'Cancelled'))
) STRICT;

-- Curation lists filter on the primaries.
CREATE INDEX domains_sitemap_curation_status_idx ON domains (sitemap_curation_status);
CREATE INDEX domains_email_scan_status_idx ON domains (email_scan_status);

-- Workers poll for queued rows, oldest first. Partial indexes stay small:
-- only the rows waiting for work are in them.
CREATE INDEX domains_sitemap_analysis_queued_idx ON domains (updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';
CREATE INDEX domains_page_scrape_queued_idx ON domains (updated_at, id)
    WHERE page_scrape_status = 'Queued';
