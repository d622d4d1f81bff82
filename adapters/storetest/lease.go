package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

// testExtendMovesLease pins where Extend puts the lease: at the time it is
// given, not at the claim's expiry the job still carries. Rescues probe
// the stored lease from both sides: one between the claim's expiry and the
// new one takes nothing, one just after the new one takes the job. A
// second extension moves the lease again.
func testExtendMovesLease(t *testing.T, s QueueStore, wf core.Workflow) {
	ctx := context.Background()
	ids := QueueDomains(t, s, wf, "ext", 1)
	now := time.Now().UTC().Truncate(time.Second)
	jobs, err := s.Claim(ctx, wf, 1, time.Minute, now)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	job := jobs[0]
	require.WithinDuration(t, now.Add(time.Minute), job.LeaseExpiresAt, time.Second)

	first := now.Add(time.Hour)
	require.NoError(t, s.Extend(ctx, wf, job, first))
	n, err := s.Rescue(ctx, wf, 5, now.Add(30*time.Minute))
	require.NoError(t, err)
	require.Zero(t, n, "a rescue between the claim's expiry and the extended one took the job: Extend did not move the lease")
	n, err = s.Rescue(ctx, wf, 5, first.Add(-time.Second))
	require.NoError(t, err)
	require.Zero(t, n, "a rescue a second before the extended expiry took the job")

	// The job value still carries the claim's expiry; the store must not care.
	second := first.Add(time.Hour)
	require.NoError(t, s.Extend(ctx, wf, job, second))
	n, err = s.Rescue(ctx, wf, 5, first.Add(time.Minute))
	require.NoError(t, err)
	require.Zero(t, n, "the second extension did not move the lease")
	st, _ := SecondaryOf(t, s, wf, ids[0])
	require.Equal(t, wf.Running, st)

	n, err = s.Rescue(ctx, wf, 5, second.Add(time.Second))
	require.NoError(t, err)
	require.Equal(t, 1, n, "once the extended lease expired the rescuer takes the job")
	st, _ = SecondaryOf(t, s, wf, ids[0])
	require.Equal(t, wf.Queued, st)
}
