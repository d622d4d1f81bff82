-- Reverts migration 8 (see postgres/20260101000008_cancel.down.sql):
-- cancelled runs become failed, a Cancelled sitemap analysis an Error,
-- then the older constraints come back.
UPDATE jobs SET state = 'failed' WHERE state = 'cancelled';
UPDATE domains SET sitemap_analysis_status = 'Error',
    sitemap_analysis_error = coalesce(sitemap_analysis_error, 'cancelled')
WHERE sitemap_analysis_status = 'Cancelled';

ALTER TABLE jobs DROP CONSTRAINT jobs_finished_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_finished_check CHECK (
    (state IN ('completed', 'failed')) = (finished_at IS NOT NULL));
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check CHECK (state IN ('running', 'waiting', 'completed', 'failed'));

ALTER TABLE domains DROP CONSTRAINT domains_sitemap_analysis_status_check;
ALTER TABLE domains ADD CONSTRAINT domains_sitemap_analysis_status_check CHECK (
    sitemap_analysis_status IN ('Queued', 'Processing', 'Completed', 'Error'));
