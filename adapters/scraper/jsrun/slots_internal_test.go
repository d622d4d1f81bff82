package jsrun

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A Runner evaluates at most Limits.Pages pages at once: a page that finds
// every slot taken waits, and gives up when its context ends first.
func TestPagesWaitForASlot(t *testing.T) {
	t.Parallel()
	r := New(Limits{Pages: 1, ScriptTime: 2 * time.Second, PageTime: 2 * time.Second})
	require.Equal(t, 1, cap(r.slots))
	busy := []string{`var e = 'slow' + '@' + 'busy.com'; for (;;) {}`}
	quick := []string{`document.write('quick' + '@' + 'wait.com')`}

	done := make(chan []string, 1)
	go func() { done <- r.Run(context.Background(), busy) }()
	require.Eventually(t, func() bool { return len(r.slots) == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	require.Empty(t, r.Run(ctx, quick), "the slot is taken: the page waits, then gives up with its context")
	require.Equal(t, 1, len(r.slots), "the busy page still holds the only slot")

	<-done // the busy page ends at its script budget
	require.Contains(t, r.Run(context.Background(), quick), "quick@wait.com")
	require.Zero(t, len(r.slots), "slots are given back")
}

func TestPagesDefaultsToTheProcessors(t *testing.T) {
	t.Parallel()
	require.Equal(t, runtime.GOMAXPROCS(0), New(Limits{}).Limits().Pages)
	require.Equal(t, 3, New(Limits{Pages: 3}).Limits().Pages)
}
