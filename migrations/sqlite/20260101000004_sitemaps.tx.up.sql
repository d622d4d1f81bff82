-- The sitemap analysis results (core/sitemap), SQLite's version of
-- postgres/20260101000004: the totals of the last finished analysis on
-- domains, and one row per sitemap file it found.
--
-- SQLite cannot add a table constraint to an existing table, so
-- PostgreSQL's domains_sitemap_counts_check is one column check per count,
-- as migration 2 does for the scan counts.

-- The files and the page URLs (index entries excluded) of the last
-- finished analysis.
ALTER TABLE domains ADD COLUMN sitemap_count INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_sitemap_count_check CHECK (sitemap_count >= 0);
ALTER TABLE domains ADD COLUMN sitemap_url_count INTEGER NOT NULL DEFAULT 0
    CONSTRAINT domains_sitemap_url_count_check CHECK (sitemap_url_count >= 0);

-- One row per sitemap file of a domain. An analysis replaces the domain's
-- set: a file found again keeps its row (and id) and takes the new values,
-- a file no longer found is deleted. last_modified is a time in Bun's UTC
-- text layout (see migration 1).
CREATE TABLE sitemap_files (
    id            TEXT    NOT NULL PRIMARY KEY,
    domain_id     TEXT    NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    url           TEXT    NOT NULL,
    type          TEXT    NOT NULL,
    discovery     TEXT    NOT NULL,
    -- For an index, the sitemaps it lists; for a urlset, its page URLs.
    url_count     INTEGER NOT NULL DEFAULT 0,
    last_modified TEXT    NULL,
    -- Empty, or why the file was cut short or rejected.
    error         TEXT    NOT NULL DEFAULT '',

    CONSTRAINT sitemap_files_id_check CHECK (length(id) = 36),
    -- The upsert's conflict target. Its index, led by domain_id, also
    -- serves listing a domain's files by URL and the cascade from domains,
    -- so there is no separate domain_id index.
    CONSTRAINT sitemap_files_domain_id_url_key UNIQUE (domain_id, url),
    -- These mirror sitemap.FileType and sitemap.Discovery.
    CONSTRAINT sitemap_files_type_check CHECK (
        type IN ('index', 'standard', 'image', 'video', 'news')),
    CONSTRAINT sitemap_files_discovery_check CHECK (
        discovery IN ('robots_txt', 'common_path', 'html_link', 'sitemap_index')),
    CONSTRAINT sitemap_files_url_count_check CHECK (url_count >= 0)
) STRICT;
