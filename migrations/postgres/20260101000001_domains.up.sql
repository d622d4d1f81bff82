-- The domains table: one row per curated web site, with the two workflow
-- pairs of a primary (user-set) status and a secondary (processing) status.
-- pgdriver sends this file as one simple-protocol query, which PostgreSQL
-- runs as a single implicit transaction: either everything below exists
-- afterwards or nothing does.

CREATE TABLE domains (
    id                      uuid        PRIMARY KEY,
    domain                  text        NOT NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),

    sitemap_curation_status text        NOT NULL DEFAULT 'New',
    sitemap_analysis_status text        NULL,
    sitemap_analysis_error  text        NULL,

    email_scan_status       text        NOT NULL DEFAULT 'New',
    page_scrape_status      text        NULL,
    page_scrape_error       text        NULL,

    -- Hosts are stored normalized (core.NormalizeDomain), so equality is
    -- the right uniqueness.
    CONSTRAINT domains_domain_key UNIQUE (domain),
    CONSTRAINT domains_domain_not_empty CHECK (domain <> ''),

    -- These mirror core.CurationStatus, core.AnalysisStatus and
    -- core.TaskStatus, spelled exactly as on the wire.
    CONSTRAINT domains_sitemap_curation_status_check CHECK (
        sitemap_curation_status IN ('New', 'Selected', 'Maybe', 'Not a Fit', 'Archived')),
    CONSTRAINT domains_sitemap_analysis_status_check CHECK (
        sitemap_analysis_status IN ('Queued', 'Processing', 'Completed', 'Error')),
    CONSTRAINT domains_email_scan_status_check CHECK (
        email_scan_status IN ('New', 'Selected', 'Maybe', 'Not a Fit', 'Archived')),
    CONSTRAINT domains_page_scrape_status_check CHECK (
        page_scrape_status IN ('Queued', 'InProgress', 'Completed', 'Error', 'Cancelled'))
);

-- Curation lists filter on the primaries.
CREATE INDEX domains_sitemap_curation_status_idx ON domains (sitemap_curation_status);
CREATE INDEX domains_email_scan_status_idx ON domains (email_scan_status);

-- Workers poll for queued rows, oldest first. Partial indexes stay small:
-- only the rows waiting for work are in them.
CREATE INDEX domains_sitemap_analysis_queued_idx ON domains (updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';
CREATE INDEX domains_page_scrape_queued_idx ON domains (updated_at, id)
    WHERE page_scrape_status = 'Queued';
