-- Progress and retry times on the domain, SQLite's version of
-- postgres/20260101000009: page_cap_reached (0 or 1) says the latest email
-- scan stopped at the page cap with pages of the site still waiting (on the
-- domain and on the run); <prefix>_next_attempt_at (a time in Bun's UTC text
-- layout, see migration 1) is when a domain waiting for its next attempt is
-- due. Retry sets it, every other write of the workflow clears it.

ALTER TABLE domains ADD COLUMN page_cap_reached INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_page_cap_reached_check CHECK (page_cap_reached IN (0, 1));
ALTER TABLE domains ADD COLUMN page_scrape_next_attempt_at TEXT NULL;
ALTER TABLE domains ADD COLUMN sitemap_analysis_next_attempt_at TEXT NULL;

ALTER TABLE jobs ADD COLUMN page_cap_reached INTEGER NOT NULL DEFAULT 0
    CONSTRAINT jobs_page_cap_reached_check CHECK (page_cap_reached IN (0, 1));

-- The domains waiting for a retry now: their run's due time.
UPDATE domains SET page_scrape_next_attempt_at = (
    SELECT j.next_attempt_at FROM jobs AS j
    WHERE j.domain_id = domains.id AND j.workflow = 'email_scan' AND j.state = 'waiting')
WHERE page_scrape_status = 'Queued';
UPDATE domains SET sitemap_analysis_next_attempt_at = (
    SELECT j.next_attempt_at FROM jobs AS j
    WHERE j.domain_id = domains.id AND j.workflow = 'sitemap_curation' AND j.state = 'waiting')
WHERE sitemap_analysis_status = 'Queued';
