-- Cancel: moving a domain's primary status away from Selected while its
-- work is Queued or Running sets the secondary to Cancelled and ends the
-- open run as 'cancelled' (core.Workflow.ShouldCancel). The email scan's
-- page_scrape_status allowed 'Cancelled' from migration 1; the sitemap
-- analysis gains it (core.AnalysisCancelled), and runs gain the state
-- (queue.RunCancelled), a finished one: it has its end time and no claim.

ALTER TABLE domains
    DROP CONSTRAINT domains_sitemap_analysis_status_check,
    ADD CONSTRAINT domains_sitemap_analysis_status_check CHECK (
        sitemap_analysis_status IN ('Queued', 'Processing', 'Completed', 'Error', 'Cancelled'));

ALTER TABLE jobs
    DROP CONSTRAINT jobs_state_check,
    ADD CONSTRAINT jobs_state_check CHECK (
        state IN ('running', 'waiting', 'completed', 'failed', 'cancelled')),
    DROP CONSTRAINT jobs_finished_check,
    ADD CONSTRAINT jobs_finished_check CHECK (
        (state IN ('completed', 'failed', 'cancelled')) = (finished_at IS NOT NULL));
