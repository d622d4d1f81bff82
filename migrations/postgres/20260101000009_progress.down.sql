-- Reverts migration 9: the page cap flags and the domains' retry times go
-- (the runs keep their next_attempt_at).
ALTER TABLE jobs DROP COLUMN page_cap_reached;
ALTER TABLE domains
    DROP COLUMN page_cap_reached,
    DROP COLUMN page_scrape_next_attempt_at,
    DROP COLUMN sitemap_analysis_next_attempt_at;
