package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
)

// Config tunes a Worker. Zero fields take the defaults of DefaultConfig.
type Config struct {
	// Concurrency is how many jobs one worker runs at once: its slots. One
	// poller fills them, claiming up to the free slots in one statement.
	// Jobs spend most of their time waiting on the sites' rate limits, not
	// on the CPU, so the default is high (see DefaultConcurrency).
	Concurrency int
	// PollInterval is how long an idle worker waits before claiming again.
	PollInterval time.Duration
	// Lease is how long a claim holds before the rescuer may take it back;
	// the worker extends it every Lease/3 while the job runs.
	Lease time.Duration
	// JobTimeout bounds one job (the crawl deadline). It must be shorter
	// than Lease.
	JobTimeout time.Duration
	// MaxAttempts is how many claims a domain gets before it fails.
	MaxAttempts int
	// BackoffBase and BackoffMax bound the exponential retry delay.
	BackoffBase, BackoffMax time.Duration
	// RescueInterval is how often the rescuer runs; 0 disables it.
	RescueInterval time.Duration
	// ShutdownTimeout is how long running jobs may finish after Run's
	// context ends; then they are cancelled and released.
	ShutdownTimeout time.Duration
	// CheckInterval is how often a worker running jobs asks the store, in
	// one Queue.Held call for all of them, whether it still holds them,
	// and stops those it does not (cancelled, deleted, taken back). An
	// idle worker does not ask.
	CheckInterval time.Duration
}

// DefaultConcurrency is the default number of slots of a worker. A crawl
// of a small site is mostly idle (its per-site rate limit paces it), so a
// process can run a thousand at once on two cores; memory is what bounds it
// (the README's sizing section has the measurements).
const DefaultConcurrency = 1000

// DefaultConfig returns production defaults.
func DefaultConfig() Config {
	return Config{
		Concurrency:     DefaultConcurrency,
		PollInterval:    2 * time.Second,
		Lease:           5 * time.Minute,
		JobTimeout:      3 * time.Minute,
		MaxAttempts:     3,
		BackoffBase:     30 * time.Second,
		BackoffMax:      30 * time.Minute,
		RescueInterval:  time.Minute,
		ShutdownTimeout: 20 * time.Second,
		CheckInterval:   2 * time.Second,
	}
}

// ErrInvalidConfig means a Config cannot work as given.
var ErrInvalidConfig = errors.New("invalid worker configuration")

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Concurrency <= 0 {
		c.Concurrency = d.Concurrency
	}
	if c.PollInterval <= 0 {
		c.PollInterval = d.PollInterval
	}
	if c.Lease <= 0 {
		c.Lease = d.Lease
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = d.JobTimeout
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = d.MaxAttempts
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = d.BackoffBase
	}
	if c.BackoffMax <= 0 {
		c.BackoffMax = d.BackoffMax
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.CheckInterval <= 0 {
		c.CheckInterval = d.CheckInterval
	}
	return c
}

// Validate refuses configurations that would let a healthy job lose its
// lease: the lease must outlast the job deadline.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.Lease <= c.JobTimeout {
		return fmt.Errorf("%w: lease %s must be longer than the job timeout %s", ErrInvalidConfig, c.Lease, c.JobTimeout)
	}
	if c.BackoffMax < c.BackoffBase {
		return fmt.Errorf("%w: maximum backoff %s is below the base %s", ErrInvalidConfig, c.BackoffMax, c.BackoffBase)
	}
	return nil
}

// Hooks observe the loop, for metrics. Nil fields are skipped.
type Hooks struct {
	Claimed  func(wf core.Workflow, n int)
	Finished func(wf core.Workflow, outcome string)
}

// Worker runs Handler on the jobs of one workflow.
type Worker struct {
	q     Queue
	wf    core.Workflow
	h     Handler
	cfg   Config
	clock core.Clock
	log   *slog.Logger
	hooks Hooks
	wake  chan struct{}
	// held are the jobs running now, checked every CheckInterval.
	held holds
}

// NewWorker returns a worker, or an error if cfg is invalid.
func NewWorker(q Queue, wf core.Workflow, h Handler, cfg Config, clock core.Clock, log *slog.Logger, hooks Hooks) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{q: q, wf: wf, h: h, cfg: cfg.withDefaults(), clock: clock, log: log.With("workflow", wf.Name), hooks: hooks,
		wake: make(chan struct{}, 1)}, nil
}

// Wake makes an idle worker claim at once instead of at its next poll: call
// it when work was queued in this process (the curation use case's
// OnQueued hook). It never blocks; wakes while one is pending merge.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Outcomes reported to Hooks.Finished.
const (
	OutcomeDone     = "done"
	OutcomeRetry    = "retry"
	OutcomeFailed   = "failed"
	OutcomeReleased = "released"
	OutcomeLost     = "lease_lost"
	// OutcomeCancelled is a job the store ended while it ran (the user
	// cancelled it or deleted its domain): the worker writes nothing.
	OutcomeCancelled = "cancelled"
)

// Run claims and handles jobs until ctx ends, then stops claiming, gives
// running jobs up to ShutdownTimeout to finish, cancels the rest and
// releases them. It returns nil after a clean shutdown.
func (w *Worker) Run(ctx context.Context) error {
	// jobs run on a context that outlives ctx by the shutdown grace period.
	jobsCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()

	var wg sync.WaitGroup
	slots := make(chan struct{}, w.cfg.Concurrency)
	done := make(chan struct{}, w.cfg.Concurrency)

	if w.cfg.RescueInterval > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); w.rescueLoop(ctx) }()
	}

	timer := time.NewTimer(0)
	defer timer.Stop()
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-timer.C:
		case <-done:
		case <-w.wake:
		}
		free := w.cfg.Concurrency - len(slots)
		if free > 0 {
			jobs, err := w.q.Claim(ctx, w.wf, free, w.cfg.Lease, w.clock.Now())
			if err != nil && ctx.Err() == nil {
				w.log.ErrorContext(ctx, "claim failed", "error", err)
			}
			if len(jobs) > 0 && w.hooks.Claimed != nil {
				w.hooks.Claimed(w.wf, len(jobs))
			}
			for _, job := range jobs {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.run(jobsCtx, ctx, job)
					<-slots
					select {
					case done <- struct{}{}:
					default:
					}
				}()
			}
			// A full claim suggests more work: look again at once.
			if len(jobs) == free && len(jobs) > 0 {
				resetTimer(timer, 0)
				continue
			}
		}
		resetTimer(timer, w.cfg.PollInterval)
	}

	w.log.Info("worker stopping", "running", len(slots), "grace_ms", w.cfg.ShutdownTimeout.Milliseconds())
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(w.cfg.ShutdownTimeout):
		cancelJobs()
		<-finished
	}
	return nil
}

func resetTimer(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}

// run handles one job: it extends the lease while the handler runs, then
// records the outcome. parent ends at shutdown; jobsCtx later, when the
// grace period is over.
func (w *Worker) run(jobsCtx, parent context.Context, job Job) {
	log := w.log.With("domain_id", job.DomainID.String(), "domain", job.Domain, "attempt", job.Attempt)
	ctx, cancel := context.WithTimeout(jobsCtx, w.cfg.JobTimeout)
	defer cancel()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	untrack := w.track(job, stop)
	ctx, jobNotes := withNotes(ctx)
	started := time.Now()

	lost := make(chan struct{})
	stopExtend := make(chan struct{})
	var extendWG sync.WaitGroup
	extendWG.Add(1)
	go func() {
		defer extendWG.Done()
		w.extendLoop(ctx, job, cancel, lost, stopExtend, log)
	}()

	log.DebugContext(ctx, "job started")
	err := w.h.Handle(ctx, job)
	untrack()
	close(stopExtend)
	extendWG.Wait()

	// Outcome writes use their own short deadline: the job context may be
	// cancelled already.
	octx, ocancel := context.WithTimeout(context.WithoutCancel(jobsCtx), 10*time.Second)
	defer ocancel()
	now := w.clock.Now()
	outcome := OutcomeDone
	switch {
	case err == nil:
		log.InfoContext(ctx, "job done", append(jobNotes.list(), "duration_ms", time.Since(started).Milliseconds())...)
	case errors.Is(context.Cause(ctx), errCancelled) || (errors.Is(err, core.ErrLeaseLost) && w.wasCancelled(octx, job)):
		// The store ended the run already (cancel, delete): nothing to
		// write.
		outcome = OutcomeCancelled
		log.InfoContext(octx, "job cancelled", "duration_ms", time.Since(started).Milliseconds())
	case errors.Is(err, core.ErrLeaseLost) || isClosed(lost) || errors.Is(context.Cause(ctx), core.ErrLeaseLost):
		outcome = OutcomeLost
		log.WarnContext(octx, "job lost its lease; result discarded", "error", err)
	case jobsCtx.Err() != nil || (parent.Err() != nil && errors.Is(err, context.Canceled)):
		outcome = OutcomeReleased
		if rerr := outcomeRetry.Do(octx, func(ctx context.Context) error { return w.q.Release(ctx, w.wf, job, now) }); rerr != nil {
			log.ErrorContext(octx, "release failed", "error", rerr)
		} else {
			log.InfoContext(octx, "job released at shutdown")
		}
	case isTransient(err) && job.Attempt < w.cfg.MaxAttempts:
		outcome = OutcomeRetry
		at := now.Add(w.backoff(job.Attempt))
		msg := publicMessage(err)
		if msg != err.Error() {
			msg += "; will retry"
		}
		fl := Failure{Public: msg, Detail: err.Error()}
		if rerr := outcomeRetry.Do(octx, func(ctx context.Context) error { return w.q.Retry(ctx, w.wf, job, at, fl, now) }); rerr != nil {
			log.ErrorContext(octx, "retry failed", "error", rerr)
		} else {
			log.WarnContext(octx, "job will retry", "error", err, "next_attempt_at", at, "duration_ms", time.Since(started).Milliseconds())
		}
	default:
		outcome = OutcomeFailed
		msg := publicMessage(err)
		if isTransient(err) {
			msg = fmt.Sprintf("%s; gave up after %s", msg, runs(job.Attempt))
		}
		fl := Failure{Public: msg, Detail: err.Error()}
		if ferr := outcomeRetry.Do(octx, func(ctx context.Context) error { return w.q.Fail(ctx, w.wf, job, fl, now) }); ferr != nil {
			log.ErrorContext(octx, "recording failure failed", "error", ferr)
		} else {
			log.WarnContext(octx, "job failed", "error", err, "message", msg, "duration_ms", time.Since(started).Milliseconds())
		}
	}
	if w.hooks.Finished != nil {
		w.hooks.Finished(w.wf, outcome)
	}
}

// wasCancelled asks the store once whether job's run was cancelled or
// deleted, for a job whose own fenced write (a progress write, say) was
// refused before the periodic check noticed: the outcome is then
// "cancelled", not "lease lost".
func (w *Worker) wasCancelled(ctx context.Context, job Job) bool {
	_, cancelled, err := w.q.Held(ctx, w.wf, []Job{job})
	return err == nil && slices.Contains(cancelled, job.RunID)
}

func (w *Worker) extendLoop(ctx context.Context, job Job, cancel context.CancelFunc, lost chan<- struct{}, stop <-chan struct{}, log *slog.Logger) {
	t := time.NewTicker(w.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			err := w.q.Extend(ctx, w.wf, job, w.clock.Now().Add(w.cfg.Lease))
			if errors.Is(err, core.ErrLeaseLost) {
				log.Warn("lease lost while running; cancelling the job")
				close(lost)
				cancel()
				return
			}
			if err != nil && ctx.Err() == nil {
				log.Error("extending the lease failed", "error", err)
			}
		}
	}
}

func (w *Worker) rescueLoop(ctx context.Context) {
	t := time.NewTicker(w.cfg.RescueInterval)
	defer t.Stop()
	for {
		n, err := w.q.Rescue(ctx, w.wf, w.cfg.MaxAttempts, w.clock.Now())
		if err != nil && ctx.Err() == nil {
			w.log.Error("rescue failed", "error", err)
		}
		if n > 0 {
			w.log.Warn("rescued domains with expired leases", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// backoff is BackoffBase·2^(attempt-1), capped at BackoffMax, with up to
// ±25% jitter so that failures of many domains do not retry in step.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.cfg.BackoffBase
	for i := 1; i < attempt && d < w.cfg.BackoffMax; i++ {
		d *= 2
	}
	d = min(d, w.cfg.BackoffMax)
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}

// isTransient reports whether err may pass: the store was unavailable, or
// the error says so itself.
func isTransient(err error) bool {
	if errors.Is(err, core.ErrUnavailable) {
		return true
	}
	var t Transient
	return errors.As(err, &t) && t.Transient()
}

// outcomeRetry bounds the retries of the worker's own outcome writes
// (retry, fail, release) within their 10-second deadline, so that a
// database blip does not leave a job Running until its lease expires.
var outcomeRetry = StoreRetry{Attempts: 6, Base: 200 * time.Millisecond, Max: 2 * time.Second}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// runs spells a count of claims for messages users read: "1 run",
// "3 runs". (The crawler counts its own per-request attempts.)
func runs(n int) string {
	if n == 1 {
		return "1 run"
	}
	return fmt.Sprintf("%d runs", n)
}
