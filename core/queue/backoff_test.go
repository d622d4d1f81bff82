package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

// samples is how many delays each backoff case draws. The checks below on
// the spread of the delays fail by chance with probability below 2^-190:
// never in practice.
const samples = 200

func newBackoffWorker(t *testing.T, base, maxDelay time.Duration) *Worker {
	t.Helper()
	w, err := NewWorker(nil, core.EmailScan, nil, Config{BackoffBase: base, BackoffMax: maxDelay}, core.SystemClock{}, nil, Hooks{})
	require.NoError(t, err)
	return w
}

// TestBackoffIsJittered guards the ±25 % jitter: domains that fail together
// must not all come back at the same instant. For every attempt, the delays
// stay within ±25 % of the nominal delay, differ from one another, and fall
// on both sides of it, spread over more than half the allowed band.
func TestBackoffIsJittered(t *testing.T) {
	t.Parallel()
	base, maxDelay := 30*time.Second, 30*time.Minute
	w := newBackoffWorker(t, base, maxDelay)
	nominal := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute,
		8 * time.Minute, 16 * time.Minute, 30 * time.Minute, 30 * time.Minute}
	for i, d := range nominal {
		attempt := i + 1
		lo, hi := d-d/4, d+d/4
		seen := map[time.Duration]bool{}
		below, above := 0, 0
		least, most := hi, lo
		for range samples {
			got := w.backoff(attempt)
			require.GreaterOrEqual(t, got, lo, "attempt %d: delay %s below %s−25%%", attempt, got, d)
			require.LessOrEqual(t, got, hi, "attempt %d: delay %s above %s+25%%", attempt, got, d)
			seen[got] = true
			if got < d {
				below++
			}
			if got > d {
				above++
			}
			least, most = min(least, got), max(most, got)
		}
		require.Greater(t, len(seen), samples/2, "attempt %d: %d delays, only %d distinct: retries would come back in step", attempt, samples, len(seen))
		require.Positive(t, below, "attempt %d: no delay below the nominal %s", attempt, d)
		require.Positive(t, above, "attempt %d: no delay above the nominal %s", attempt, d)
		require.Greater(t, most-least, d/4, "attempt %d: delays spread over only %s of the ±25%% band around %s", attempt, most-least, d)
	}
}

// TestBackoffDoublesUpToTheCap guards the growth: each attempt's delay is
// about twice the previous one (within the jitter band) until the maximum,
// where it stays. A constant delay, a missing cap or a cap applied before
// the doubling all fall outside the bands.
func TestBackoffDoublesUpToTheCap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		base, maxDelay time.Duration
		want           []time.Duration // nominal delay of attempts 1, 2, …
	}{
		{"defaults", 30 * time.Second, 30 * time.Minute, []time.Duration{
			30 * time.Second, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
			16 * time.Minute, 30 * time.Minute, 30 * time.Minute, 30 * time.Minute}},
		{"cap between two doublings", 30 * time.Second, 100 * time.Second, []time.Duration{
			30 * time.Second, 60 * time.Second, 100 * time.Second, 100 * time.Second}},
		{"cap equals base", time.Minute, time.Minute, []time.Duration{time.Minute, time.Minute, time.Minute}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newBackoffWorker(t, c.base, c.maxDelay)
			for i, d := range c.want {
				attempt := i + 1
				lo, hi := d-d/4, d+d/4
				var sum time.Duration
				for range samples {
					got := w.backoff(attempt)
					require.GreaterOrEqual(t, got, lo, "attempt %d: delay %s, want %s ±25%%", attempt, got, d)
					require.LessOrEqual(t, got, hi, "attempt %d: delay %s, want %s ±25%%", attempt, got, d)
					sum += got
				}
				// The mean of 200 uniform draws is within 8 % of the
				// nominal delay: its standard deviation is about 1 %.
				mean := sum / samples
				require.InEpsilon(t, float64(d), float64(mean), 0.08, "attempt %d: mean delay %s, want about %s", attempt, mean, d)
			}
			// Far past the cap the delay neither overflows nor grows.
			for range samples {
				got := w.backoff(1000)
				require.GreaterOrEqual(t, got, c.maxDelay-c.maxDelay/4)
				require.LessOrEqual(t, got, c.maxDelay+c.maxDelay/4)
			}
		})
	}
}
