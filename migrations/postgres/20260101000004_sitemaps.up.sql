-- The sitemap analysis results (core/sitemap): the totals of the last
-- finished analysis on domains, and one row per sitemap file it found.
-- Like the migrations before it, this file runs as one implicit transaction.

ALTER TABLE domains
    -- The files and the page URLs (index entries excluded) of the last
    -- finished analysis.
    ADD COLUMN sitemap_count     int NOT NULL DEFAULT 0,
    ADD COLUMN sitemap_url_count int NOT NULL DEFAULT 0,

    ADD CONSTRAINT domains_sitemap_counts_check CHECK (sitemap_count >= 0 AND sitemap_url_count >= 0);

-- One row per sitemap file of a domain. An analysis replaces the domain's
-- set: a file found again keeps its row (and id) and takes the new values,
-- a file no longer found is deleted.
CREATE TABLE sitemap_files (
    id            uuid        PRIMARY KEY,
    domain_id     uuid        NOT NULL REFERENCES domains (id) ON DELETE CASCADE,
    url           text        NOT NULL,
    type          text        NOT NULL,
    discovery     text        NOT NULL,
    -- For an index, the sitemaps it lists; for a urlset, its page URLs.
    url_count     int         NOT NULL DEFAULT 0,
    last_modified timestamptz NULL,
    -- Empty, or why the file was cut short or rejected.
    error         text        NOT NULL DEFAULT '',

    -- The upsert's conflict target. Its index, led by domain_id, also
    -- serves listing a domain's files and the cascade from domains, so
    -- there is no separate domain_id index.
    CONSTRAINT sitemap_files_domain_id_url_key UNIQUE (domain_id, url),
    -- These mirror sitemap.FileType and sitemap.Discovery.
    CONSTRAINT sitemap_files_type_check CHECK (
        type IN ('index', 'standard', 'image', 'video', 'news')),
    CONSTRAINT sitemap_files_discovery_check CHECK (
        discovery IN ('robots_txt', 'common_path', 'html_link', 'sitemap_index')),
    CONSTRAINT sitemap_files_url_count_check CHECK (url_count >= 0)
);
