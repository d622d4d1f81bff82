package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunDevListensOnLoopback runs scripts/run-dev.sh (what `make run`
// runs) with a stand-in binary that prints what it was started with: the
// development server must listen on 127.0.0.1:8000 unless told otherwise.
func TestRunDevListensOnLoopback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-scrapersky")
	require.NoError(t, os.WriteFile(fake, []byte("#!/bin/sh\necho \"args=$*\"\necho \"addr=$SCRAPERSKY_ADDR\"\necho \"env=$SCRAPERSKY_ENV\"\n"), 0o700))
	script, err := filepath.Abs("../../scripts/run-dev.sh")
	require.NoError(t, err)

	runScript := func(extra ...string) (string, string) {
		cmd := exec.Command("bash", script)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "SCRAPERSKY_BIN=" + fake}, extra...)
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		require.NoError(t, cmd.Run(), errOut.String())
		return out.String(), errOut.String()
	}
	out, stderr := runScript()
	require.Contains(t, out, "args=serve\n")
	require.Contains(t, out, "addr=127.0.0.1:8000\n")
	require.Contains(t, out, "env=development\n")
	require.Contains(t, out, "http://127.0.0.1:8000/")
	require.Empty(t, stderr)

	out, stderr = runScript("SCRAPERSKY_ADDR=:9000")
	require.Contains(t, out, "addr=:9000\n", "a set SCRAPERSKY_ADDR wins")
	require.Contains(t, stderr, "listens on every interface")
}
