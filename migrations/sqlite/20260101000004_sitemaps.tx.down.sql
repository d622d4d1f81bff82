-- Reverts migration 4: the files table goes, and the domains' totals with
-- their checks.
DROP TABLE sitemap_files;

ALTER TABLE domains DROP COLUMN sitemap_url_count;
ALTER TABLE domains DROP COLUMN sitemap_count;
