-- Reverts migration 2: the result tables go, the queue columns go (their
-- indexes and constraints with them), and migration 1's polling indexes
-- come back.
DROP TABLE pages;
DROP TABLE contacts;

ALTER TABLE domains
    DROP COLUMN page_scrape_attempts,
    DROP COLUMN page_scrape_claim_token,
    DROP COLUMN page_scrape_lease_expires_at,
    DROP COLUMN page_scrape_next_attempt_at,
    DROP COLUMN page_scrape_started_at,
    DROP COLUMN page_scrape_finished_at,
    DROP COLUMN sitemap_analysis_attempts,
    DROP COLUMN sitemap_analysis_claim_token,
    DROP COLUMN sitemap_analysis_lease_expires_at,
    DROP COLUMN sitemap_analysis_next_attempt_at,
    DROP COLUMN sitemap_analysis_started_at,
    DROP COLUMN sitemap_analysis_finished_at,
    DROP COLUMN pages_scanned,
    DROP COLUMN contacts_found;

CREATE INDEX domains_sitemap_analysis_queued_idx ON domains (updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';
CREATE INDEX domains_page_scrape_queued_idx ON domains (updated_at, id)
    WHERE page_scrape_status = 'Queued';
