//go:build unix

package extract

import (
	"syscall"
	"testing"
	"time"
)

// loopCPU runs fn in b's loop and reports throughput per second of CPU time
// the process used ("MB/cpu-s"): on a machine shared with other work the
// wall-clock MB/s measures the neighbours, CPU time measures the code.
func loopCPU(b *testing.B, size int, fn func()) {
	b.Helper()
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	for b.Loop() {
		fn()
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := rtime(after.Utime) + rtime(after.Stime) - rtime(before.Utime) - rtime(before.Stime)
	if cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}

func rtime(tv syscall.Timeval) time.Duration {
	return time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
}
