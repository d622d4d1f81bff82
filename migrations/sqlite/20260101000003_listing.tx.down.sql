-- Reverts migration 3: the listing indexes go and migration 1's primary
-- status indexes come back.
DROP INDEX contacts_email_list_idx;
DROP INDEX domains_created_at_list_idx;
DROP INDEX domains_updated_at_list_idx;
DROP INDEX domains_sitemap_analysis_status_list_idx;
DROP INDEX domains_page_scrape_status_list_idx;
DROP INDEX domains_sitemap_curation_status_list_idx;
DROP INDEX domains_email_scan_status_list_idx;

CREATE INDEX domains_sitemap_curation_status_idx ON domains (sitemap_curation_status);
CREATE INDEX domains_email_scan_status_idx ON domains (email_scan_status);
