-- Reverts migration 2: the result tables go, the queue columns go, and
-- migration 1's polling indexes come back. SQLite drops a column only
-- once no index mentions it, so the indexes go first; each column's own
-- CHECK goes with it.
DROP TABLE pages;
DROP TABLE contacts;

DROP INDEX domains_page_scrape_claim_idx;
DROP INDEX domains_sitemap_analysis_claim_idx;
DROP INDEX domains_page_scrape_rescue_idx;
DROP INDEX domains_sitemap_analysis_rescue_idx;

ALTER TABLE domains DROP COLUMN page_scrape_attempts;
ALTER TABLE domains DROP COLUMN page_scrape_claim_token;
ALTER TABLE domains DROP COLUMN page_scrape_lease_expires_at;
ALTER TABLE domains DROP COLUMN page_scrape_next_attempt_at;
ALTER TABLE domains DROP COLUMN page_scrape_started_at;
ALTER TABLE domains DROP COLUMN page_scrape_finished_at;
ALTER TABLE domains DROP COLUMN sitemap_analysis_attempts;
ALTER TABLE domains DROP COLUMN sitemap_analysis_claim_token;
ALTER TABLE domains DROP COLUMN sitemap_analysis_lease_expires_at;
ALTER TABLE domains DROP COLUMN sitemap_analysis_next_attempt_at;
ALTER TABLE domains DROP COLUMN sitemap_analysis_started_at;
ALTER TABLE domains DROP COLUMN sitemap_analysis_finished_at;
ALTER TABLE domains DROP COLUMN pages_scanned;
ALTER TABLE domains DROP COLUMN contacts_found;

CREATE INDEX domains_sitemap_analysis_queued_idx ON domains (updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';
CREATE INDEX domains_page_scrape_queued_idx ON domains (updated_at, id)
    WHERE page_scrape_status = 'Queued';
