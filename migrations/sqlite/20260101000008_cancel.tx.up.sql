-- Cancel, SQLite's version of postgres/20260101000008: the sitemap
-- analysis gains the status 'Cancelled' and runs the finished state
-- 'cancelled'. SQLite (3.51 and later, bundled by modernc.org/sqlite)
-- replaces a named CHECK constraint in place, so no table is rebuilt
-- (rebuilding domains would cascade-delete its contacts, pages and runs,
-- since every connection enforces foreign keys). Adding a constraint
-- checks the existing rows.

ALTER TABLE domains DROP CONSTRAINT domains_sitemap_analysis_status_check;
ALTER TABLE domains ADD CONSTRAINT domains_sitemap_analysis_status_check CHECK (
    sitemap_analysis_status IN ('Queued', 'Processing', 'Completed', 'Error', 'Cancelled'));

ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (
    state IN ('running', 'waiting', 'completed', 'failed', 'cancelled'));
ALTER TABLE jobs DROP CONSTRAINT jobs_finished_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_finished_check CHECK (
    (state IN ('completed', 'failed', 'cancelled')) = (finished_at IS NOT NULL));
