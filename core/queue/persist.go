package queue

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/scrapersky/scrapersky-go/core"
)

// StoreFailedMessage is what users read when a job's results could not be
// stored. The store's own error goes to the log only: it may quote the
// driver.
const StoreFailedMessage = "could not store results"

// StoreRetry bounds how a handler retries storing a job's results in place
// before the job gives up. A crawl that succeeded is not thrown away because
// the database blinked while its results were written.
type StoreRetry struct {
	// Attempts is how many times the write is tried in all.
	Attempts int
	// Base is the first delay; it doubles up to Max, with ±25% jitter.
	Base, Max time.Duration
}

// DefaultStoreRetry tries 8 times over about 20 seconds: enough to ride out
// a database restart, short against a job's lease.
func DefaultStoreRetry() StoreRetry {
	return StoreRetry{Attempts: 8, Base: 200 * time.Millisecond, Max: 5 * time.Second}
}

// StoreError is a failure to store a job's results. Its Error text carries
// the cause, for the log; Public is the short text users see.
type StoreError struct {
	Err error
}

// Error returns the message with its cause.
func (e *StoreError) Error() string { return StoreFailedMessage + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *StoreError) Unwrap() error { return e.Err }

// Transient reports whether the cause may pass: a store that was
// unavailable, or a cause that says so itself.
func (e *StoreError) Transient() bool { return retryable(e.Err) }

// Public returns the text users see in place of the cause.
func (e *StoreError) Public() string { return StoreFailedMessage }

// Do runs write, the fenced write of a job's results, until it succeeds. A
// failure that may pass (core.ErrUnavailable, or an error whose Transient
// method says so) is retried after a growing delay while attempts are left
// and ctx lives; a lost claim (core.ErrLeaseLost) is returned at once, as
// it is, since the job is no longer ours. Every other failure is returned
// as a *StoreError.
func (p StoreRetry) Do(ctx context.Context, write func(context.Context) error) error {
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	delay := p.Base
	for attempt := 1; ; attempt++ {
		err := write(ctx)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, core.ErrLeaseLost):
			return err
		case !retryable(err) || attempt >= p.Attempts || ctx.Err() != nil:
			return &StoreError{Err: err}
		}
		t := time.NewTimer(jitter(delay))
		select {
		case <-ctx.Done():
			t.Stop()
			return &StoreError{Err: err}
		case <-t.C:
		}
		delay = min(2*delay, max(p.Max, p.Base))
	}
}

// retryable reports whether err may pass on a later try.
func retryable(err error) bool { return isTransient(err) }

// jitter returns d ±25%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
}

// publicMessage is the text users see for err: the Public text of the
// first error in its chain that has one, or else err's own text (the
// handlers' errors are worded for users).
func publicMessage(err error) string {
	var p interface{ Public() string }
	if errors.As(err, &p) {
		return p.Public()
	}
	return err.Error()
}
