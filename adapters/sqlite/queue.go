package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

var _ queue.Queue = (*Store)(nil)

// queueWorkflows allowlists the workflows the queue serves: a workflow's
// Prefix must be one of these and name its own secondary and error columns,
// so that a Workflow value can never turn into an arbitrary identifier.
var queueWorkflows = map[string]struct{ secondary, errorField core.Field }{
	core.EmailScan.Prefix:       {core.FieldPageScrapeStatus, core.FieldPageScrapeError},
	core.SitemapCuration.Prefix: {core.FieldSitemapAnalysisStatus, core.FieldSitemapAnalysisError},
}

// queueArgs are the named arguments (?name) of the queue's statements: the
// workflow's columns as identifiers, its status values, and the call's
// values. Named arguments keep statements that mention a column three times
// readable; Bun renders each value as a literal and each bun.Ident quoted.
type queueArgs struct {
	Secondary bun.Ident `bun:"secondary"`
	ErrorCol  bun.Ident `bun:"error_col"`
	Attempts  bun.Ident `bun:"attempts"`
	Token     bun.Ident `bun:"token"`
	Lease     bun.Ident `bun:"lease"`
	NextAt    bun.Ident `bun:"next_at"`
	Started   bun.Ident `bun:"started"`
	Finished  bun.Ident `bun:"finished"`
	// ClaimIndex and RescueIndex are the workflow's partial indexes of
	// queued and of running rows (migration 2).
	ClaimIndex  bun.Ident `bun:"claim_index"`
	RescueIndex bun.Ident `bun:"rescue_index"`

	Queued  string `bun:"queued"`
	Running string `bun:"running"`
	Done    string `bun:"done"`
	Failed  string `bun:"failed"`

	ID          uuid.UUID `bun:"id"`
	ClaimToken  uuid.UUID `bun:"claim_token"`
	Now         time.Time `bun:"now"`
	Until       time.Time `bun:"until"`
	At          time.Time `bun:"at"`
	Msg         string    `bun:"msg"`
	Limit       int       `bun:"limit"`
	MaxAttempts int       `bun:"max_attempts"`

	// Picked lists the claimed rows as (id, token) tuples.
	Picked schema.QueryAppender `bun:"picked"`

	PagesScanned  int `bun:"pages_scanned"`
	ContactsFound int `bun:"contacts_found"`
}

// argsFor checks wf against the allowlist and returns its columns and
// status values.
func argsFor(wf core.Workflow) (queueArgs, error) {
	want, ok := queueWorkflows[wf.Prefix]
	if !ok {
		return queueArgs{}, fmt.Errorf("%w: %q is not a queue prefix", ErrUnknownColumn, wf.Prefix)
	}
	if wf.Secondary != want.secondary || wf.ErrorField != want.errorField {
		return queueArgs{}, fmt.Errorf("%w: queue %q uses %s and %s, not %q and %q",
			ErrUnknownColumn, wf.Prefix, want.secondary, want.errorField, wf.Secondary, wf.ErrorField)
	}
	p := wf.Prefix
	return queueArgs{
		Secondary: bun.Ident(wf.Secondary),
		ErrorCol:  bun.Ident(wf.ErrorField),
		Attempts:  bun.Ident(p + "_attempts"),
		Token:     bun.Ident(p + "_claim_token"),
		Lease:     bun.Ident(p + "_lease_expires_at"),
		NextAt:    bun.Ident(p + "_next_attempt_at"),
		Started:   bun.Ident(p + "_started_at"),
		Finished:  bun.Ident(p + "_finished_at"),
		Queued:    wf.Queued,
		Running:   wf.Running,
		Done:      wf.Done,
		Failed:    wf.Failed,

		ClaimIndex:  bun.Ident("domains_" + p + "_claim_idx"),
		RescueIndex: bun.Ident("domains_" + p + "_rescue_idx"),
	}, nil
}

// A claim is two statements in one write transaction: claimPickSQL
// chooses the rows, claimSQL moves them to running with a token each.
//
// PostgreSQL needs FOR UPDATE SKIP LOCKED so that concurrent claimers pass
// over each other's rows. SQLite has no row locks and needs none: the
// transaction begins IMMEDIATE inside the Store's writer slot, so it holds
// the database's only write lock from before the pick until the commit. No
// other claim, rescue or fenced write can run in between, and the next
// claimer sees these rows running. The tokens are made in Go (SQLite has
// no UUID function) once the rows are known, one per row, which is why the
// pick is a statement of its own.

// claimPickSQL picks up to ?limit due queued domains in polling order: fresh
// work (NULL next attempt; SQLite sorts NULLs first) and retries that are
// due, then oldest update first, then id. The order is the claim index's,
// so SQLite reads the first ?limit entries of that partial index and stops.
//
// INDEXED BY pins that index. Without statistics SQLite's planner prefers
// an equality on the status column, which migration 3's listing index
// (status, updated_at, id) offers, and then sorts every queued row in a
// temporary b-tree: the queue's hottest query would slow down as the
// queue grows. INDEXED BY is SQLite's documented guard against a new
// index changing a time-critical plan: were the index ever unusable, the
// claim would fail loudly rather than sort.
const claimPickSQL = `SELECT id FROM domains INDEXED BY ?claim_index
WHERE ?secondary = ?queued AND (?next_at IS NULL OR ?next_at <= ?now)
ORDER BY ?next_at, updated_at, id
LIMIT ?limit`

// claimSQL moves the picked rows to running with their fresh fencing
// token, a lease and one more attempt, and returns the jobs. The status
// check repeats the pick's: under the write lock it cannot fail, but the
// statement does not rely on that. SQLite's RETURNING names only the
// updated table's columns, unqualified, and shows the row as updated, so
// attempt is the new count.
const claimSQL = `WITH picked(id, token) AS (VALUES ?picked)
UPDATE domains AS d SET
	?secondary = ?running,
	?attempts = d.?attempts + 1,
	?token = picked.token,
	?lease = ?until,
	?started = ?now,
	?finished = NULL,
	updated_at = ?now
FROM picked WHERE d.id = picked.id AND d.?secondary = ?queued
RETURNING id, domain, ?attempts AS attempt, ?token AS token, ?lease AS lease_expires_at`

// The fenced statements change a row only while it is running under the
// job's token, and return its id; no row back means the lease was lost
// (expired and rescued, claimed again, or already finished).

// extendSQL moves the lease of a running job.
const extendSQL = `UPDATE domains SET ?lease = ?until
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

// releaseSQL puts a job back in the queue, due at once, and gives its
// attempt back: the worker is shutting down, the domain did nothing wrong.
const releaseSQL = `UPDATE domains SET
	?secondary = ?queued, ?attempts = ?attempts - 1,
	?token = NULL, ?lease = NULL, ?next_at = NULL, updated_at = ?now
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

// retrySQL puts a job back in the queue, due at ?at, recording the error.
// The attempt stays counted.
const retrySQL = `UPDATE domains SET
	?secondary = ?queued, ?error_col = ?msg,
	?token = NULL, ?lease = NULL, ?next_at = ?at, updated_at = ?now
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

// failSQL finishes a job as failed.
const failSQL = `UPDATE domains SET
	?secondary = ?failed, ?error_col = ?msg, ?finished = ?now,
	?token = NULL, ?lease = NULL, updated_at = ?now
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

// rescueSQL takes back the running rows whose lease expired before ?now:
// their worker died or lost the database. A row with attempts left goes
// back to the queue, due at once; the others fail. Clearing the token
// fences the lost worker out should it come back. Every SET expression
// reads the row as it was before the statement. PostgreSQL's version skips
// rows a worker is finishing at that moment; here that worker's write
// either committed before this statement (the row is no longer running)
// or runs after it (and finds itself fenced out).
//
// INDEXED BY pins the rescue index, which holds only the running rows in
// lease order, for the reason claimPickSQL gives: left alone, the planner
// takes the listing index's equality on the status instead.
const rescueSQL = `UPDATE domains INDEXED BY ?rescue_index SET
	?secondary = CASE WHEN ?attempts >= ?max_attempts THEN ?failed ELSE ?queued END,
	?error_col = CASE WHEN ?attempts >= ?max_attempts
		THEN 'lease expired after ' || ?attempts || ' attempts'
		ELSE 'lease expired (worker lost)' END,
	?finished = CASE WHEN ?attempts >= ?max_attempts THEN ?now ELSE ?finished END,
	?token = NULL, ?lease = NULL, ?next_at = NULL, updated_at = ?now
WHERE ?secondary = ?running AND ?lease < ?now`

// claimRow is one row of claimSQL's RETURNING.
type claimRow struct {
	ID             uuid.UUID `bun:"id"`
	Domain         string    `bun:"domain"`
	Attempt        int       `bun:"attempt"`
	Token          uuid.UUID `bun:"token"`
	LeaseExpiresAt time.Time `bun:"lease_expires_at"`
}

// Claim moves up to limit due domains of wf's queue to wf.Running in one
// committed transaction and returns them as jobs, in polling order; see
// claimPickSQL and claimSQL.
func (s *Store) Claim(ctx context.Context, wf core.Workflow, limit int, lease time.Duration, now time.Time) ([]queue.Job, error) {
	a, err := argsFor(wf)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	a.Limit, a.Now, a.Until = limit, now, now.Add(lease)
	var picked []uuid.UUID
	var rows []claimRow
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw(claimPickSQL, &a).Scan(ctx, &picked); err != nil {
			return fmt.Errorf("pick: %w", err)
		}
		if len(picked) == 0 {
			return nil
		}
		tuples := make([]bun.TupleValues, len(picked))
		for i, id := range picked {
			tuples[i] = bun.Tuple([]any{id, uuid.New()})
		}
		a.Picked = bun.List(tuples)
		if err := tx.NewRaw(claimSQL, &a).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", wf.Name, err)
	}
	// RETURNING comes in no particular order: give the jobs back in the
	// order they were picked.
	pos := make(map[uuid.UUID]int, len(picked))
	for i, id := range picked {
		pos[id] = i
	}
	slices.SortFunc(rows, func(x, y claimRow) int { return pos[x.ID] - pos[y.ID] })
	jobs := make([]queue.Job, len(rows))
	for i, r := range rows {
		jobs[i] = queue.Job{DomainID: r.ID, Domain: r.Domain, Attempt: r.Attempt, Token: r.Token, LeaseExpiresAt: r.LeaseExpiresAt.UTC()}
	}
	return jobs, nil
}

// Extend moves the job's lease to until, if the job still owns its domain.
func (s *Store) Extend(ctx context.Context, wf core.Workflow, job queue.Job, until time.Time) error {
	return s.fenced(ctx, "extend lease", extendSQL, wf, job, func(a *queueArgs) { a.Until = until })
}

// Release puts the job back in the queue, due at once, and gives its
// attempt back, if the job still owns its domain.
func (s *Store) Release(ctx context.Context, wf core.Workflow, job queue.Job, now time.Time) error {
	return s.fenced(ctx, "release", releaseSQL, wf, job, func(a *queueArgs) { a.Now = now })
}

// Retry puts the job back in the queue, due at at, with msg as its error,
// if the job still owns its domain.
func (s *Store) Retry(ctx context.Context, wf core.Workflow, job queue.Job, at time.Time, msg string, now time.Time) error {
	return s.fenced(ctx, "retry", retrySQL, wf, job, func(a *queueArgs) { a.At, a.Msg, a.Now = at, msg, now })
}

// Fail finishes the job with wf.Failed and msg as its error, if the job
// still owns its domain.
func (s *Store) Fail(ctx context.Context, wf core.Workflow, job queue.Job, msg string, now time.Time) error {
	return s.fenced(ctx, "fail", failSQL, wf, job, func(a *queueArgs) { a.Msg, a.Now = msg, now })
}

// fenced runs one of the fenced statements for job, in the writer slot,
// and maps "no row" to core.ErrLeaseLost.
func (s *Store) fenced(ctx context.Context, op, query string, wf core.Workflow, job queue.Job, set func(*queueArgs)) error {
	a, err := argsFor(wf)
	if err != nil {
		return err
	}
	a.ID, a.ClaimToken = job.DomainID, job.Token
	set(&a)
	err = s.exclusive(ctx, func() error { return fencedExec(ctx, s.db, query, &a) })
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, job.DomainID, err)
	}
	return nil
}

// fencedExec runs a fenced statement on db (the pool or a transaction) and
// returns core.ErrLeaseLost if it changed no row. Its errors do not name
// the operation; the caller's wrapping does.
func fencedExec(ctx context.Context, db bun.IDB, query string, a *queueArgs) error {
	var ids []uuid.UUID
	if err := db.NewRaw(query, a).Scan(ctx, &ids); err != nil {
		return err
	}
	if len(ids) == 0 {
		return core.ErrLeaseLost
	}
	return nil
}

// Rescue puts the running domains of wf whose lease expired before now back
// in the queue, or fails those that used maxAttempts, and returns how many
// it moved; see rescueSQL.
func (s *Store) Rescue(ctx context.Context, wf core.Workflow, maxAttempts int, now time.Time) (int, error) {
	a, err := argsFor(wf)
	if err != nil {
		return 0, err
	}
	a.MaxAttempts, a.Now = maxAttempts, now
	var n int64
	err = s.exclusive(ctx, func() error {
		res, err := s.db.NewRaw(rescueSQL, &a).Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("rescue %s: %w", wf.Name, err)
	}
	return int(n), nil
}
