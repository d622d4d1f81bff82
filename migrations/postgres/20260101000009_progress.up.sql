-- Progress and retry times on the domain. page_cap_reached says the latest
-- email scan stopped at the page cap with pages of the site still waiting
-- (on the domain and on the run); <prefix>_next_attempt_at is when a domain
-- waiting for its next attempt is due, kept beside the secondary status so
-- the listings read it from the row. The queue writes it: Retry sets it,
-- every other write of the workflow (claim, release, finish, fail, rescue,
-- queueing) clears it. NULL means not waiting for a due time.
-- Adding columns with constant defaults rewrites nothing.

ALTER TABLE domains
    ADD COLUMN page_cap_reached boolean NOT NULL DEFAULT false,
    ADD COLUMN page_scrape_next_attempt_at timestamptz NULL,
    ADD COLUMN sitemap_analysis_next_attempt_at timestamptz NULL;

ALTER TABLE jobs ADD COLUMN page_cap_reached boolean NOT NULL DEFAULT false;

-- The domains waiting for a retry now: their run's due time.
UPDATE domains AS d SET page_scrape_next_attempt_at = j.next_attempt_at
FROM jobs AS j
WHERE j.domain_id = d.id AND j.workflow = 'email_scan' AND j.state = 'waiting'
    AND j.next_attempt_at IS NOT NULL;
UPDATE domains AS d SET sitemap_analysis_next_attempt_at = j.next_attempt_at
FROM jobs AS j
WHERE j.domain_id = d.id AND j.workflow = 'sitemap_curation' AND j.state = 'waiting'
    AND j.next_attempt_at IS NOT NULL;
