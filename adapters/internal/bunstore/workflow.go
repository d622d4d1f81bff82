package bunstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// ErrUnknownWorkflow means a core.Workflow has a Name the stores do not
// map to columns. Only the columns of workflowColumns ever become SQL
// identifiers, so a Workflow value can never name an arbitrary one.
var ErrUnknownWorkflow = errors.New("unknown workflow")

// columns are the domains columns of one workflow: its two statuses, the
// secondary's error, and the summary of its latest run that listings show
// (the run's attempt and times, and when a waiting run is due; the run
// itself is a jobs row).
type columns struct {
	primary, secondary, errorCol, attempts, started, finished, next string
}

// workflowColumns maps each workflow the stores serve to its columns: the
// one place where a workflow meets SQL identifiers.
var workflowColumns = map[string]columns{
	core.EmailScan.Name: {
		primary: "email_scan_status", secondary: "page_scrape_status", errorCol: "page_scrape_error",
		attempts: "page_scrape_attempts", started: "page_scrape_started_at", finished: "page_scrape_finished_at",
		next: "page_scrape_next_attempt_at",
	},
	core.SitemapCuration.Name: {
		primary: "sitemap_curation_status", secondary: "sitemap_analysis_status", errorCol: "sitemap_analysis_error",
		attempts: "sitemap_analysis_attempts", started: "sitemap_analysis_started_at", finished: "sitemap_analysis_finished_at",
		next: "sitemap_analysis_next_attempt_at",
	},
}

// QueueArgs are the named arguments (?name) of the queue's statements: the
// workflow's name, columns (as identifiers) and status values, and the
// call's values. Named arguments keep statements that mention a column
// three times readable; Bun renders each value as a literal and each
// bun.Ident quoted. A statement ignores the arguments it does not name.
type QueueArgs struct {
	Workflow  string    `bun:"workflow"`
	Primary   bun.Ident `bun:"primary"`
	Secondary bun.Ident `bun:"secondary"`
	ErrorCol  bun.Ident `bun:"error_col"`
	Attempts  bun.Ident `bun:"attempts"`
	Started   bun.Ident `bun:"started"`
	Finished  bun.Ident `bun:"finished"`
	// Next is the domain's copy of its waiting run's next_attempt_at:
	// Retry sets it, the claim and queueing clear it. (Release, Fail,
	// Rescue and the finishing writes start from a claimed row, where it
	// is already NULL.)
	Next bun.Ident `bun:"next"`
	// QueuedIndex is the workflow's partial index of queued domains, in
	// claim order (SQLite's claim names it).
	QueuedIndex bun.Ident `bun:"queued_index"`

	Queued    string `bun:"queued"`
	Running   string `bun:"running"`
	Done      string `bun:"done"`
	Failed    string `bun:"failed"`
	Cancelled string `bun:"cancelled"`

	ID          uuid.UUID `bun:"id"`
	RunID       uuid.UUID `bun:"run_id"`
	ClaimToken  uuid.UUID `bun:"claim_token"`
	Now         time.Time `bun:"now"`
	Until       time.Time `bun:"until"`
	At          time.Time `bun:"at"`
	Msg         string    `bun:"msg"`
	Detail      string    `bun:"detail"`
	Limit       int       `bun:"limit"`
	MaxAttempts int       `bun:"max_attempts"`

	// Picked lists claimed domains as (domain id, new run id, token)
	// tuples (SQLite's claim).
	Picked schema.QueryAppender `bun:"picked"`

	PagesScanned   int  `bun:"pages_scanned"`
	ContactsFound  int  `bun:"contacts_found"`
	PageCapReached bool `bun:"page_cap_reached"`
}

// ArgsFor looks wf up in the column map and returns its columns and status
// values, or an error wrapping ErrUnknownWorkflow.
func ArgsFor(wf core.Workflow) (QueueArgs, error) {
	c, ok := workflowColumns[wf.Name]
	if !ok || wf.Queued == nil || wf.Running == nil || wf.Done == nil || wf.Failed == nil || wf.Cancelled == nil {
		return QueueArgs{}, fmt.Errorf("%w: %q", ErrUnknownWorkflow, wf.Name)
	}
	return QueueArgs{
		Workflow:    wf.Name,
		Primary:     bun.Ident(c.primary),
		Secondary:   bun.Ident(c.secondary),
		ErrorCol:    bun.Ident(c.errorCol),
		Attempts:    bun.Ident(c.attempts),
		Started:     bun.Ident(c.started),
		Finished:    bun.Ident(c.finished),
		Next:        bun.Ident(c.next),
		QueuedIndex: bun.Ident("domains_" + c.secondary[:len(c.secondary)-len("_status")] + "_queued_idx"),
		Queued:      wf.Queued.String(),
		Running:     wf.Running.String(),
		Done:        wf.Done.String(),
		Failed:      wf.Failed.String(),
		Cancelled:   wf.Cancelled.String(),
	}, nil
}

// ShouldQueueSQL is the queueing rule in SQL, core.Workflow.ShouldQueue for
// a row of domains: true when the batch sets the trigger (?trigger_set) and
// the secondary status is NULL or not one of the active values (?active, a
// Dialect.OneOf list). A NULL status counts as not active: "NULL <> ALL(...)"
// and "NULL NOT IN (...)" are NULL, not true, hence the explicit IS NULL.
// The stores' status statements embed it once, each evaluating it on the
// row as the batch before left it (PostgreSQL: after taking the row lock in
// ID order; SQLite: under the write lock). Queueing writes no jobs row: the
// next claim starts the run.
const ShouldQueueSQL = `(?trigger_set AND (?secondary IS NULL OR NOT (?secondary ?active)))`

// ShouldCancelSQL is the cancelling rule in SQL, core.Workflow.ShouldCancel
// for a row of domains: true when the batch does not set the trigger and
// the secondary status is the queued or the running value. A NULL status
// is not cancelled (NULL IN (...) is NULL, hence the IS NOT NULL, which
// also keeps the result a plain boolean). The status statements embed it
// beside ShouldQueueSQL, evaluated on the same locked row.
const ShouldCancelSQL = `(NOT ?trigger_set AND ?secondary IS NOT NULL AND ?secondary IN (?queued, ?running))`

// StatusArgs are the named arguments of a store's status statement: the
// queue's, the batch, the new primary value, and the rule's.
type StatusArgs struct {
	QueueArgs
	IDs        schema.QueryAppender `bun:"ids"`
	Status     string               `bun:"status"`
	TriggerSet bool                 `bun:"trigger_set"`
	Active     schema.QueryAppender `bun:"active"`
	// QueueIDs and CancelIDs list the IDs to queue and to cancel (SQLite's
	// second statement).
	QueueIDs  schema.QueryAppender `bun:"queue_ids"`
	CancelIDs schema.QueryAppender `bun:"cancel_ids"`
}

// StatusArgsFor checks wf and returns the arguments of a status statement
// setting status on ids at now; oneOf is the store's Dialect.OneOf.
func StatusArgsFor(wf core.Workflow, ids []uuid.UUID, status core.CurationStatus, now time.Time,
	oneOf func(any) schema.QueryAppender,
) (StatusArgs, error) {
	a, err := ArgsFor(wf)
	if err != nil {
		return StatusArgs{}, err
	}
	// An empty list renders as NULL, and "x NOT IN (NULL)" is never true:
	// a workflow with no active values would queue nothing. Refuse one
	// rather than get the rule wrong.
	if len(wf.Active) == 0 {
		return StatusArgs{}, fmt.Errorf("%w: %q has no active statuses", ErrUnknownWorkflow, wf.Name)
	}
	active := make([]string, len(wf.Active))
	for i, v := range wf.Active {
		active[i] = v.String()
	}
	// Msg is the error a cancelled run shows.
	a.Now, a.Msg = now, queue.CancelledMessage
	return StatusArgs{QueueArgs: a, IDs: oneOf(ids), Status: string(status),
		TriggerSet: status == wf.Trigger, Active: oneOf(active)}, nil
}

// StatusRow is one row a status statement returns: the domain and whether
// it was queued or cancelled.
type StatusRow struct {
	ID     uuid.UUID `bun:"id"`
	Queue  bool      `bun:"queue"`
	Cancel bool      `bun:"cancel"`
}

// SplitStatus returns the IDs of rows, of those queued and of those
// cancelled.
func SplitStatus(rows []StatusRow) (updated, queued, cancelled []uuid.UUID) {
	updated = make([]uuid.UUID, len(rows))
	for i, r := range rows {
		updated[i] = r.ID
		if r.Queue {
			queued = append(queued, r.ID)
		}
		if r.Cancel {
			cancelled = append(cancelled, r.ID)
		}
	}
	return updated, queued, cancelled
}

// cancelRunsSQL ends the open runs (running or waiting) of the cancelled
// domains (?cancel_ids) as cancelled. Clearing the claim token fences the
// running job's worker out: its next write fails with core.ErrLeaseLost,
// and its Held check stops it. The status statement runs it after the
// domains are locked and written, in the same transaction and as a
// statement of its own: on PostgreSQL a new statement takes a new
// snapshot, so it also sees a run a claim started while the status
// statement waited for the domain's lock.
const cancelRunsSQL = `UPDATE jobs SET state = 'cancelled', error = ?msg, error_detail = NULL,
	finished_at = ?now, claim_token = NULL, lease_expires_at = NULL, next_attempt_at = NULL
WHERE workflow = ?workflow AND finished_at IS NULL AND domain_id ?cancel_ids`

// CancelRuns runs cancelRunsSQL for the cancelled domains of a status
// statement, inside its transaction; nothing when none was cancelled.
func CancelRuns(ctx context.Context, db bun.IDB, a *StatusArgs, cancelled []uuid.UUID, oneOf func(any) schema.QueryAppender) error {
	if len(cancelled) == 0 {
		return nil
	}
	a.CancelIDs = oneOf(cancelled)
	if _, err := db.NewRaw(cancelRunsSQL, a).Exec(ctx); err != nil {
		return fmt.Errorf("cancel runs: %w", err)
	}
	return nil
}

// A fenced write changes a run only while it is running under the job's
// token (fenceSQL is the condition), and returns the run's domain; no row
// back means the lease was lost (expired and rescued, claimed again, or
// finished). The write to the run comes first, in the same transaction as
// the domain's: on PostgreSQL it takes the run's row lock, so a rescuer
// passes over it (SKIP LOCKED) until the commit; on SQLite the
// transaction holds the write lock. Both databases run these as they are.
const fenceSQL = `WHERE id = ?run_id AND state = 'running' AND claim_token = ?claim_token
RETURNING domain_id`

const (
	// extendSQL moves the lease of a running run; the domain is untouched.
	extendSQL = `UPDATE jobs SET lease_expires_at = ?until ` + fenceSQL

	// releaseRunSQL puts a run back in the queue, due at once, and gives
	// its attempt back: the worker is shutting down, the domain did
	// nothing wrong. releaseDomainSQL is its domain half.
	releaseRunSQL = `UPDATE jobs SET state = 'waiting', attempt = attempt - 1,
	claim_token = NULL, lease_expires_at = NULL, next_attempt_at = NULL ` + fenceSQL
	releaseDomainSQL = `UPDATE domains SET ?secondary = ?queued, ?attempts = ?attempts - 1, updated_at = ?now
WHERE id = ?id`

	// retryRunSQL puts a run back in the queue, due at ?at, recording the
	// error and its detail (the run's only). The attempt stays counted.
	retryRunSQL = `UPDATE jobs SET state = 'waiting', error = ?msg, error_detail = NULLIF(?detail, ''),
	claim_token = NULL, lease_expires_at = NULL, next_attempt_at = ?at ` + fenceSQL
	retryDomainSQL = `UPDATE domains SET ?secondary = ?queued, ?error_col = ?msg, ?next = ?at, updated_at = ?now
WHERE id = ?id`

	// failRunSQL finishes a run as failed.
	failRunSQL = `UPDATE jobs SET state = 'failed', error = ?msg, error_detail = NULLIF(?detail, ''), finished_at = ?now,
	claim_token = NULL, lease_expires_at = NULL ` + fenceSQL
	failDomainSQL = `UPDATE domains SET ?secondary = ?failed, ?error_col = ?msg, ?finished = ?now, updated_at = ?now
WHERE id = ?id`
)

// FencedExec runs the fenced statement runSQL on db and, if it found the
// run, domainSQL (when not empty) with the same arguments; it returns
// core.ErrLeaseLost if the run is no longer the job's. Run it inside a
// transaction when domainSQL is set. Its errors do not name the operation;
// the caller's wrapping does.
func FencedExec(ctx context.Context, db bun.IDB, runSQL, domainSQL string, a any) error {
	var ids []uuid.UUID
	if err := db.NewRaw(runSQL, a).Scan(ctx, &ids); err != nil {
		return err
	}
	if len(ids) == 0 {
		return core.ErrLeaseLost
	}
	if domainSQL == "" {
		return nil
	}
	if _, err := db.NewRaw(domainSQL, a).Exec(ctx); err != nil {
		return fmt.Errorf("update domain: %w", err)
	}
	return nil
}

// fenced runs a fenced write for job in one transaction, after set has
// filled in the call's values, and maps "no row" to core.ErrLeaseLost.
func fenced(ctx context.Context, d Dialect, op string, runSQL, domainSQL string, wf core.Workflow, job queue.Job, set func(*QueueArgs)) error {
	a, err := ArgsFor(wf)
	if err != nil {
		return err
	}
	a.ID, a.RunID, a.ClaimToken = job.DomainID, job.RunID, job.Token
	set(&a)
	if domainSQL == "" {
		err = d.Exclusive(ctx, func() error { return FencedExec(ctx, d.DB, runSQL, "", &a) })
	} else {
		err = d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error { return FencedExec(ctx, tx, runSQL, domainSQL, &a) })
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, job.DomainID, err)
	}
	return nil
}

// ClaimRow is one row of a claim's RETURNING.
type ClaimRow struct {
	ID             uuid.UUID `bun:"id"`
	Domain         string    `bun:"domain"`
	RunID          uuid.UUID `bun:"run_id"`
	Attempt        int       `bun:"attempt"`
	Token          uuid.UUID `bun:"token"`
	LeaseExpiresAt time.Time `bun:"lease_expires_at"`
}

// Jobs converts claimed rows to jobs, in the rows' order.
func Jobs(rows []ClaimRow) []queue.Job {
	jobs := make([]queue.Job, len(rows))
	for i, r := range rows {
		jobs[i] = queue.Job{DomainID: r.ID, Domain: r.Domain, RunID: r.RunID, Attempt: r.Attempt, Token: r.Token, LeaseExpiresAt: r.LeaseExpiresAt.UTC()}
	}
	return jobs
}

// rescueRunsSQL takes back the running runs of ?workflow whose lease
// expired before ?now: their worker died or lost the database. A run with
// attempts left goes back to waiting, due at once; the others fail.
// Clearing the token fences the lost worker out should it come back; the
// error detail names that token, for matching the worker's log. It
// returns each run's domain and new state for rescueDomainsSQL. The
// dialect's lock clause (PostgreSQL: SKIP LOCKED, so a run a worker is
// finishing right now is passed over and seen again next time if that
// write rolls back) comes in as ?lock.
const rescueRunsSQL = `UPDATE jobs SET
	state = CASE WHEN attempt >= ?max_attempts THEN 'failed' ELSE 'waiting' END,
	error = CASE WHEN attempt >= ?max_attempts
		THEN 'lease expired after ' || attempt || ' attempts'
		ELSE 'lease expired (worker lost)' END,
	error_detail = 'lease of claim ' || claim_token || ' expired',
	finished_at = CASE WHEN attempt >= ?max_attempts THEN ?now ELSE finished_at END,
	claim_token = NULL, lease_expires_at = NULL, next_attempt_at = NULL
WHERE id IN (SELECT id FROM jobs WHERE workflow = ?workflow AND state = 'running' AND lease_expires_at < ?now ?lock)
RETURNING domain_id, state, error`

// rescued is one row of rescueRunsSQL's RETURNING.
type rescued struct {
	DomainID uuid.UUID `bun:"domain_id"`
	State    string    `bun:"state"`
	Error    string    `bun:"error"`
}

// rescueDomainSQL mirrors one rescued run on its domain.
const rescueDomainSQL = `UPDATE domains SET
	?secondary = CASE WHEN ?failed_run THEN ?failed ELSE ?queued END,
	?error_col = ?msg,
	?finished = CASE WHEN ?failed_run THEN ?now ELSE ?finished END,
	updated_at = ?now
WHERE id = ?id`

// Rescue takes back wf's running runs whose lease expired before now (see
// rescueRunsSQL), or fails those that used maxAttempts, in one
// transaction, and returns how many it moved.
func (c Common) Rescue(ctx context.Context, wf core.Workflow, maxAttempts int, now time.Time) (int, error) {
	d, lock := c.D, c.RescueLock
	a, err := ArgsFor(wf)
	if err != nil {
		return 0, err
	}
	a.MaxAttempts, a.Now = maxAttempts, now
	var n int
	err = d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var rows []rescued
		if err := tx.NewRaw(rescueRunsSQL, &struct {
			QueueArgs
			Lock bun.Safe `bun:"lock"`
		}{a, bun.Safe(lock)}).Scan(ctx, &rows); err != nil {
			return err
		}
		n = len(rows)
		for _, r := range rows {
			b := struct {
				QueueArgs
				FailedRun bool `bun:"failed_run"`
			}{a, r.State == string(queue.RunFailed)}
			b.ID, b.Msg = r.DomainID, r.Error
			if _, err := tx.NewRaw(rescueDomainSQL, &b).Exec(ctx); err != nil {
				return fmt.Errorf("update domain: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rescue %s: %w", wf.Name, err)
	}
	return n, nil
}
