package queue

import (
	"context"
	"sync"
)

// noteKey keys the job's notes in its context.
type noteKey struct{}

// notes are the key-value pairs a handler adds to its job's "job done"
// line.
type notes struct {
	mu   sync.Mutex
	args []any
}

// Note adds key-value pairs (as slog takes them: "pages", 12, ...) to the
// "job done" log line of the job ctx belongs to, so that the line says what
// the job did. Outside a worker's job it does nothing.
func Note(ctx context.Context, args ...any) {
	n, ok := ctx.Value(noteKey{}).(*notes)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.args = append(n.args, args...)
}

// withNotes returns a context whose handler can Note, and the notes.
func withNotes(ctx context.Context) (context.Context, *notes) {
	n := &notes{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// list returns the notes so far.
func (n *notes) list() []any {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]any(nil), n.args...)
}
