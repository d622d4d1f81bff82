-- Reverts migration 8. Cancelled runs become failed runs (their error,
-- "cancelled", stays), and a Cancelled sitemap analysis an Error with the
-- same text, so every row meets the older constraints. A cancelled email
-- scan stays Cancelled: migration 1 allows it.
UPDATE jobs SET state = 'failed' WHERE state = 'cancelled';
UPDATE domains SET sitemap_analysis_status = 'Error',
    sitemap_analysis_error = coalesce(sitemap_analysis_error, 'cancelled')
WHERE sitemap_analysis_status = 'Cancelled';

ALTER TABLE jobs
    DROP CONSTRAINT jobs_finished_check,
    ADD CONSTRAINT jobs_finished_check CHECK (
        (state IN ('completed', 'failed')) = (finished_at IS NOT NULL)),
    DROP CONSTRAINT jobs_state_check,
    ADD CONSTRAINT jobs_state_check CHECK (state IN ('running', 'waiting', 'completed', 'failed'));

ALTER TABLE domains
    DROP CONSTRAINT domains_sitemap_analysis_status_check,
    ADD CONSTRAINT domains_sitemap_analysis_status_check CHECK (
        sitemap_analysis_status IN ('Queued', 'Processing', 'Completed', 'Error'));
