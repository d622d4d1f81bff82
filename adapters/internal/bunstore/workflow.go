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

// ErrUnknownColumn means a core.Workflow names a column the stores do not
// know. Workflow fields become SQL identifiers, so only the columns of the
// allowlists are accepted.
var ErrUnknownColumn = errors.New("unknown column")

// Role is the part a column plays in a workflow, and the allowlist of the
// columns that may play it.
type Role struct {
	name    string
	allowed map[core.Field]bool
}

// The roles a workflow's columns play.
var (
	// Primary is the curation status a user sets.
	Primary = Role{"primary status", map[core.Field]bool{
		core.FieldEmailScanStatus:       true,
		core.FieldSitemapCurationStatus: true,
	}}
	// Secondary is the status of the job the curation queues.
	Secondary = Role{"secondary status", map[core.Field]bool{
		core.FieldPageScrapeStatus:      true,
		core.FieldSitemapAnalysisStatus: true,
	}}
	// ErrorField is the job's error message.
	ErrorField = Role{"error", map[core.Field]bool{
		core.FieldPageScrapeError:      true,
		core.FieldSitemapAnalysisError: true,
	}}
)

// Column returns f as an identifier if it may play role, or an error
// wrapping ErrUnknownColumn.
func Column(f core.Field, role Role) (bun.Ident, error) {
	if !role.allowed[f] {
		return "", fmt.Errorf("%w: %q is not a %s column", ErrUnknownColumn, f, role.name)
	}
	return bun.Ident(f), nil
}

// queueWorkflows allowlists the workflows the queue serves: a workflow's
// Prefix must be one of these and name its own secondary and error columns,
// so that a Workflow value can never turn into an arbitrary identifier.
var queueWorkflows = map[string]struct{ secondary, errorField core.Field }{
	core.EmailScan.Prefix:       {core.FieldPageScrapeStatus, core.FieldPageScrapeError},
	core.SitemapCuration.Prefix: {core.FieldSitemapAnalysisStatus, core.FieldSitemapAnalysisError},
}

// QueueArgs are the named arguments (?name) of the queue's statements: the
// workflow's columns as identifiers, its status values, and the call's
// values. Named arguments keep statements that mention a column three times
// readable; Bun renders each value as a literal and each bun.Ident quoted.
// A statement ignores the arguments it does not name.
type QueueArgs struct {
	Secondary bun.Ident `bun:"secondary"`
	ErrorCol  bun.Ident `bun:"error_col"`
	Attempts  bun.Ident `bun:"attempts"`
	Token     bun.Ident `bun:"token"`
	Lease     bun.Ident `bun:"lease"`
	NextAt    bun.Ident `bun:"next_at"`
	Started   bun.Ident `bun:"started"`
	Finished  bun.Ident `bun:"finished"`
	// ClaimIndex and RescueIndex are the workflow's partial indexes of
	// queued and of running rows (SQLite's migration 2 names them).
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

	// Picked lists claimed rows as (id, token) tuples (SQLite's claim).
	Picked schema.QueryAppender `bun:"picked"`

	PagesScanned  int `bun:"pages_scanned"`
	ContactsFound int `bun:"contacts_found"`
}

// ArgsFor checks wf against the allowlist and returns its columns and
// status values.
func ArgsFor(wf core.Workflow) (QueueArgs, error) {
	want, ok := queueWorkflows[wf.Prefix]
	if !ok {
		return QueueArgs{}, fmt.Errorf("%w: %q is not a queue prefix", ErrUnknownColumn, wf.Prefix)
	}
	if wf.Secondary != want.secondary || wf.ErrorField != want.errorField {
		return QueueArgs{}, fmt.Errorf("%w: queue %q uses %s and %s, not %q and %q",
			ErrUnknownColumn, wf.Prefix, want.secondary, want.errorField, wf.Secondary, wf.ErrorField)
	}
	p := wf.Prefix
	return QueueArgs{
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

// The fenced statements change a row only while it is running under the
// job's token, and return its id; no row back means the lease was lost
// (expired and rescued, claimed again, or already finished). Both
// databases run them as they are.
const (
	// ExtendSQL moves the lease of a running job.
	ExtendSQL = `UPDATE domains SET ?lease = ?until
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

	// ReleaseSQL puts a job back in the queue, due at once, and gives its
	// attempt back: the worker is shutting down, the domain did nothing
	// wrong.
	ReleaseSQL = `UPDATE domains SET
	?secondary = ?queued, ?attempts = ?attempts - 1,
	?token = NULL, ?lease = NULL, ?next_at = NULL, updated_at = ?now
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

	// RetrySQL puts a job back in the queue, due at ?at, recording the
	// error. The attempt stays counted.
	RetrySQL = `UPDATE domains SET
	?secondary = ?queued, ?error_col = ?msg,
	?token = NULL, ?lease = NULL, ?next_at = ?at, updated_at = ?now
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`

	// FailSQL finishes a job as failed.
	FailSQL = `UPDATE domains SET
	?secondary = ?failed, ?error_col = ?msg, ?finished = ?now,
	?token = NULL, ?lease = NULL, updated_at = ?now
WHERE id = ?id AND ?secondary = ?running AND ?token = ?claim_token
RETURNING id`
)

// FencedExec runs a fenced statement on db (the pool or a transaction) and
// returns core.ErrLeaseLost if it changed no row. Its errors do not name
// the operation; the caller's wrapping does.
func FencedExec(ctx context.Context, db bun.IDB, query string, a *QueueArgs) error {
	var ids []uuid.UUID
	if err := db.NewRaw(query, a).Scan(ctx, &ids); err != nil {
		return err
	}
	if len(ids) == 0 {
		return core.ErrLeaseLost
	}
	return nil
}

// Fenced runs one of the fenced statements for job, through d.Exclusive,
// after set has filled in the call's values, and maps "no row" to
// core.ErrLeaseLost.
func Fenced(ctx context.Context, d Dialect, op, query string, wf core.Workflow, job queue.Job, set func(*QueueArgs)) error {
	a, err := ArgsFor(wf)
	if err != nil {
		return err
	}
	a.ID, a.ClaimToken = job.DomainID, job.Token
	set(&a)
	err = d.Exclusive(ctx, func() error { return FencedExec(ctx, d.DB, query, &a) })
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, job.DomainID, err)
	}
	return nil
}

// ClaimRow is one row of a claim's RETURNING.
type ClaimRow struct {
	ID             uuid.UUID `bun:"id"`
	Domain         string    `bun:"domain"`
	Attempt        int       `bun:"attempt"`
	Token          uuid.UUID `bun:"token"`
	LeaseExpiresAt time.Time `bun:"lease_expires_at"`
}

// Jobs converts claimed rows to jobs, in the rows' order.
func Jobs(rows []ClaimRow) []queue.Job {
	jobs := make([]queue.Job, len(rows))
	for i, r := range rows {
		jobs[i] = queue.Job{DomainID: r.ID, Domain: r.Domain, Attempt: r.Attempt, Token: r.Token, LeaseExpiresAt: r.LeaseExpiresAt.UTC()}
	}
	return jobs
}

// Rescue runs rescueSQL, the adapter's statement that takes back wf's
// running rows whose lease expired before now, through d.Exclusive, and
// returns how many rows it moved.
func Rescue(ctx context.Context, d Dialect, rescueSQL string, wf core.Workflow, maxAttempts int, now time.Time) (int, error) {
	a, err := ArgsFor(wf)
	if err != nil {
		return 0, err
	}
	a.MaxAttempts, a.Now = maxAttempts, now
	var n int64
	err = d.Exclusive(ctx, func() error {
		res, err := d.DB.NewRaw(rescueSQL, &a).Exec(ctx)
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

// QueueColumns checks wf's secondary and error columns against their
// allowlists, then its queue prefix, and returns the queue's arguments, as
// a repository's QueueSecondary needs them: a.Secondary and a.ErrorCol are
// the checked identifiers.
func QueueColumns(wf core.Workflow) (QueueArgs, error) {
	if _, err := Column(wf.Secondary, Secondary); err != nil {
		return QueueArgs{}, err
	}
	if _, err := Column(wf.ErrorField, ErrorField); err != nil {
		return QueueArgs{}, err
	}
	return ArgsFor(wf)
}
