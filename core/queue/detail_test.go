package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// TestFailureKeepsItsDetail: when a handler's error has a public text
// (queue.StoreError), the worker records that text as the error users read
// and the whole error, cause included, as the run's detail.
func TestFailureKeepsItsDetail(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	wf := core.EmailScan
	id := storetest.QueueDomains(t, s, wf, "detail", 1)[0]
	cause := &queue.StoreError{Err: errors.New("write contacts: constraint contacts_email_check violated")}
	h := queue.HandlerFunc(func(context.Context, queue.Job) error { return cause })
	w, err := queue.NewWorker(s, wf, h, fastConfig(), core.SystemClock{}, nil, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	var runs []queue.Run
	require.Eventually(t, func() bool {
		runs, _, err = s.Runs(context.Background(), wf, id, 1, 0)
		require.NoError(t, err)
		return len(runs) == 1 && runs[0].State == queue.RunFailed
	}, 5*time.Second, 5*time.Millisecond)
	stop()
	require.Equal(t, queue.StoreFailedMessage, runs[0].Error)
	require.Equal(t, cause.Error(), runs[0].ErrorDetail)
	_, msg := storetest.SecondaryOf(t, s, wf, id)
	require.Equal(t, queue.StoreFailedMessage, msg, "the domain gets the public text only")
}
