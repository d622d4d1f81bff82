package jsrun

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/stretchr/testify/require"
)

// A panic inside the interpreter costs only the script it happened in: what the script wrote
// before stays, and the next script runs in a fresh runtime.
func TestPanicInsideGojaEndsOnlyItsScript(t *testing.T) {
	t.Parallel()
	lim := Limits{}.withDefaults()
	p := &page{lim: lim, rec: newRecorder(lim.Output, lim.ScriptOutput)}
	p.pageEnd = time.Now().Add(time.Hour)
	sb, err := newSandbox(lim, p.rec, &p.callbacks)
	require.NoError(t, err)
	// A native that panics with a plain Go value, as a bug inside goja would.
	require.NoError(t, sb.vm.Set("boom", func(goja.FunctionCall) goja.Value { panic("interpreter bug") }))
	p.sb = sb
	stop := make(chan struct{})
	defer close(stop)
	go p.watch(context.Background(), stop)

	require.True(t, p.script(`document.write('before' + '@' + 'panic.com'); boom(); document.write('never' + '@' + 'panic.com')`))
	require.Nil(t, p.sb, "the runtime that panicked is dropped")
	require.True(t, p.script(`document.write('after' + '@' + 'panic.com'); typeof boom === 'undefined' && document.write('fresh')`))
	out := strings.Join(p.rec.fragments(), " ")
	require.Equal(t, "before@panic.com after@panic.com fresh", out)
}
