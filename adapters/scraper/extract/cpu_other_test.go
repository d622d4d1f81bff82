//go:build !unix

package extract

import "testing"

// loopCPU runs fn in b's loop; CPU time is only measured on Unix.
func loopCPU(b *testing.B, _ int, fn func()) {
	b.Helper()
	for b.Loop() {
		fn()
	}
}
