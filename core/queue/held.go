package queue

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// errCancelled is the cause of a job's context when the check found its
// run cancelled or gone.
var errCancelled = errors.New("job cancelled")

// holds are a worker's running jobs, by run ID, with the function that
// stops each. A check loop runs while there is at least one, so an idle
// worker issues no checks.
type holds struct {
	mu   sync.Mutex
	jobs map[uuid.UUID]heldJob
	// stopLoop ends the running check loop; nil when none runs.
	stopLoop context.CancelFunc
}

type heldJob struct {
	job  Job
	stop context.CancelCauseFunc
}

// track adds a running job and starts the check loop if it is the first;
// the returned function removes the job again.
func (w *Worker) track(job Job, stop context.CancelCauseFunc) (untrack func()) {
	h := &w.held
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.jobs == nil {
		h.jobs = map[uuid.UUID]heldJob{}
	}
	h.jobs[job.RunID] = heldJob{job: job, stop: stop}
	if h.stopLoop == nil {
		ctx, cancel := context.WithCancel(context.Background())
		h.stopLoop = cancel
		go w.checkLoop(ctx)
	}
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.removeLocked(job.RunID)
	}
}

// removeLocked forgets a job and ends the check loop with the last one.
func (h *holds) removeLocked(runID uuid.UUID) {
	delete(h.jobs, runID)
	if len(h.jobs) == 0 && h.stopLoop != nil {
		h.stopLoop()
		h.stopLoop = nil
	}
}

// checkLoop checks the worker's running jobs every CheckInterval until ctx
// ends (when the last job does).
func (w *Worker) checkLoop(ctx context.Context) {
	t := time.NewTicker(w.cfg.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			w.check(ctx)
		}
	}
}

// check asks the store once about every running job and stops those it
// no longer holds: a cancelled or deleted run ends with OutcomeCancelled,
// one taken back (lease expired and rescued) with OutcomeLost.
func (w *Worker) check(ctx context.Context) {
	h := &w.held
	h.mu.Lock()
	jobs := make([]Job, 0, len(h.jobs))
	for _, j := range h.jobs {
		jobs = append(jobs, j.job)
	}
	h.mu.Unlock()
	if len(jobs) == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, max(w.cfg.CheckInterval, time.Second))
	defer cancel()
	held, cancelled, err := w.q.Held(cctx, w.wf, jobs)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("checking running jobs failed", "running", len(jobs), "error", err)
		}
		return
	}
	keep := make(map[uuid.UUID]bool, len(held))
	for _, id := range held {
		keep[id] = true
	}
	gone := make(map[uuid.UUID]bool, len(cancelled))
	for _, id := range cancelled {
		gone[id] = true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, j := range jobs {
		if keep[j.RunID] {
			continue
		}
		hj, ok := h.jobs[j.RunID]
		if !ok {
			continue // finished meanwhile
		}
		cause := core.ErrLeaseLost
		if gone[j.RunID] {
			cause = errCancelled
		}
		hj.stop(cause)
		h.removeLocked(j.RunID)
	}
}
