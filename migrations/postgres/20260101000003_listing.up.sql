-- Indexes for the curation UI's listings (core/catalog). A page of domains
-- is "filter on a status, order by a column, LIMIT/OFFSET"; each index below
-- holds the rows in exactly a page's order, so PostgreSQL reads the first
-- OFFSET + LIMIT entries and stops, with no sort over every matching row.
-- Every order ends in id, the tie-breaker that keeps pages stable, and a
-- backward scan serves the descending order.
-- Like the migrations before it, this file runs as one implicit transaction.
-- On a large live table, create these indexes CONCURRENTLY by hand first:
-- CREATE INDEX takes a lock that blocks writes while it builds.

-- domain_filter is a case-insensitive substring (ILIKE '%…%'), which no
-- btree can serve; trigram GIN indexes can. pg_trgm ships with PostgreSQL
-- (contrib) and is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX domains_domain_trgm_idx ON domains USING gin (domain gin_trgm_ops);

-- A status filter in update order, the UI's default screen. They supersede
-- migration 1's single-column primary status indexes, of which they are an
-- extension.
DROP INDEX domains_email_scan_status_idx;
DROP INDEX domains_sitemap_curation_status_idx;
CREATE INDEX domains_email_scan_status_list_idx ON domains (email_scan_status, updated_at, id);
CREATE INDEX domains_sitemap_curation_status_list_idx ON domains (sitemap_curation_status, updated_at, id);
CREATE INDEX domains_page_scrape_status_list_idx ON domains (page_scrape_status, updated_at, id);
CREATE INDEX domains_sitemap_analysis_status_list_idx ON domains (sitemap_analysis_status, updated_at, id);

-- The main sort keys without a filter. The domain sorts in byte order
-- (COLLATE "C") so that every store and locale agree; the queries say
-- COLLATE "C" too, which is what lets them use this index.
CREATE INDEX domains_updated_at_list_idx ON domains (updated_at, id);
CREATE INDEX domains_created_at_list_idx ON domains (created_at, id);
CREATE INDEX domains_domain_list_idx ON domains (domain COLLATE "C", id);

-- Deliberately not indexed: the other sort keys (contacts_found,
-- pages_scanned, the statuses as sort keys) and sorts combined with a filter
-- on another column; those read the matching rows and keep the top (tens of
-- milliseconds at 100,000 domains). Every index costs every status update:
-- updated_at changes, so no update is HOT and each one writes an entry into
-- every index of the table. With the indexes above, a 10,000-domain status
-- change takes about 2.2 times as long as without them (the trigram index
-- is about a third of that).

-- The contact export reads every contact in (email, id) order, a batch at a
-- time, each batch starting after the last row of the one before.
CREATE INDEX contacts_email_list_idx ON contacts (email COLLATE "C", id);
