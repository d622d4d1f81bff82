package queue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestJobDoneLogsNotesAndDuration: what a handler notes ends up on the
// "job done" line, with the job's duration in milliseconds.
func TestJobDoneLogsNotesAndDuration(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "note", 1)
	h := queue.HandlerFunc(func(ctx context.Context, j queue.Job) error {
		queue.Note(ctx, "pages", 7, "contacts", 3)
		time.Sleep(5 * time.Millisecond)
		return s.Fail(ctx, core.EmailScan, j, queue.Failure{Public: "noted"}, time.Now()) // leaves the queue; the worker sees success
	})
	logs := &lockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	w, err := queue.NewWorker(s, core.EmailScan, h, fastConfig(), core.SystemClock{}, log, queue.Hooks{})
	require.NoError(t, err)
	stop := start(t, w)
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), `"msg":"job done"`) }, 5*time.Second, 5*time.Millisecond)
	stop()
	var done map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec))
		if rec["msg"] == "job done" {
			done = rec
		}
	}
	require.Equal(t, ids[0].String(), done["domain_id"])
	require.Equal(t, float64(7), done["pages"])
	require.Equal(t, float64(3), done["contacts"])
	require.GreaterOrEqual(t, done["duration_ms"], float64(5))

	queue.Note(context.Background(), "outside", "a job") // does nothing, does not panic
}
