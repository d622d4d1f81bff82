-- Reverts migration 5: the queue columns come back on domains, filled from
-- each domain's open run (a running run's claim and lease, a waiting run's
-- retry time), so workers and retries carry on; the history goes.
ALTER TABLE domains
    ADD COLUMN page_scrape_claim_token           uuid        NULL,
    ADD COLUMN page_scrape_lease_expires_at      timestamptz NULL,
    ADD COLUMN page_scrape_next_attempt_at       timestamptz NULL,
    ADD COLUMN sitemap_analysis_claim_token      uuid        NULL,
    ADD COLUMN sitemap_analysis_lease_expires_at timestamptz NULL,
    ADD COLUMN sitemap_analysis_next_attempt_at  timestamptz NULL;

UPDATE domains AS d SET
    page_scrape_claim_token = j.claim_token,
    page_scrape_lease_expires_at = j.lease_expires_at,
    page_scrape_next_attempt_at = j.next_attempt_at
FROM jobs AS j
WHERE j.domain_id = d.id AND j.workflow = 'email_scan' AND j.finished_at IS NULL;

UPDATE domains AS d SET
    sitemap_analysis_claim_token = j.claim_token,
    sitemap_analysis_lease_expires_at = j.lease_expires_at,
    sitemap_analysis_next_attempt_at = j.next_attempt_at
FROM jobs AS j
WHERE j.domain_id = d.id AND j.workflow = 'sitemap_curation' AND j.finished_at IS NULL;

DROP INDEX domains_page_scrape_queued_idx;
DROP INDEX domains_sitemap_analysis_queued_idx;
CREATE INDEX domains_page_scrape_claim_idx
    ON domains (page_scrape_next_attempt_at NULLS FIRST, updated_at, id)
    WHERE page_scrape_status = 'Queued';
CREATE INDEX domains_sitemap_analysis_claim_idx
    ON domains (sitemap_analysis_next_attempt_at NULLS FIRST, updated_at, id)
    WHERE sitemap_analysis_status = 'Queued';
CREATE INDEX domains_page_scrape_rescue_idx
    ON domains (page_scrape_lease_expires_at)
    WHERE page_scrape_status = 'InProgress';
CREATE INDEX domains_sitemap_analysis_rescue_idx
    ON domains (sitemap_analysis_lease_expires_at)
    WHERE sitemap_analysis_status = 'Processing';

ALTER TABLE contacts DROP COLUMN first_seen_run;
DROP TABLE jobs;
