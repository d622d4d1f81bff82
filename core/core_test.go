package core_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

func TestParseEnums(t *testing.T) {
	t.Parallel()
	for _, s := range core.CurationStatuses {
		got, err := core.ParseCurationStatus(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
		require.Equal(t, string(s), got.String())
	}
	require.Equal(t, "Not a Fit", string(core.CurationNotAFit))
	require.Equal(t, "Queued", string(core.TaskQueued), "TaskStatus.PENDING is spelled Queued")
	for _, s := range core.TaskStatuses {
		got, err := core.ParseTaskStatus(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	for _, s := range core.AnalysisStatuses {
		got, err := core.ParseAnalysisStatus(string(s))
		require.NoError(t, err)
		require.Equal(t, s, got)
	}
	for _, bad := range []string{"", "selected", "NotAFit", "Not a fit", " New", "Processing"} {
		_, err := core.ParseCurationStatus(bad)
		require.ErrorIs(t, err, core.ErrInvalidStatus, bad)
	}
	for _, bad := range []string{"", "queued", "Pending", "Processing"} {
		_, err := core.ParseTaskStatus(bad)
		require.ErrorIs(t, err, core.ErrInvalidStatus, bad)
	}
	for _, bad := range []string{"", "InProgress", "cancelled"} {
		_, err := core.ParseAnalysisStatus(bad)
		require.ErrorIs(t, err, core.ErrInvalidStatus, bad)
	}
}

func TestShouldQueue(t *testing.T) {
	t.Parallel()
	cases := []struct {
		wf      core.Workflow
		target  core.CurationStatus
		current core.Secondary
		want    bool
	}{
		{core.EmailScan, core.CurationSelected, nil, true},
		{core.EmailScan, core.CurationSelected, core.TaskCompleted, true},
		{core.EmailScan, core.CurationSelected, core.TaskError, true},
		{core.EmailScan, core.CurationSelected, core.TaskCancelled, true},
		{core.EmailScan, core.CurationSelected, core.TaskQueued, false},
		{core.EmailScan, core.CurationSelected, core.TaskInProgress, false},
		{core.EmailScan, core.CurationMaybe, nil, false},
		{core.EmailScan, core.CurationNew, core.TaskCompleted, false},
		{core.SitemapCuration, core.CurationSelected, core.AnalysisProcessing, false},
		{core.SitemapCuration, core.CurationSelected, core.AnalysisQueued, false},
		{core.SitemapCuration, core.CurationSelected, core.AnalysisError, true},
		{core.SitemapCuration, core.CurationArchived, nil, false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.wf.ShouldQueue(c.target, c.current), "%s %s %v", c.wf.Name, c.target, c.current)
	}
}

func TestShouldCancel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		wf      core.Workflow
		target  core.CurationStatus
		current core.Secondary
		want    bool
	}{
		{core.EmailScan, core.CurationNotAFit, core.TaskQueued, true},
		{core.EmailScan, core.CurationNew, core.TaskInProgress, true},
		{core.EmailScan, core.CurationArchived, core.TaskQueued, true},
		{core.EmailScan, core.CurationSelected, core.TaskQueued, false},
		{core.EmailScan, core.CurationSelected, core.TaskInProgress, false},
		{core.EmailScan, core.CurationNotAFit, nil, false},
		{core.EmailScan, core.CurationNotAFit, core.TaskCompleted, false},
		{core.EmailScan, core.CurationNotAFit, core.TaskError, false},
		{core.EmailScan, core.CurationNotAFit, core.TaskCancelled, false},
		{core.SitemapCuration, core.CurationMaybe, core.AnalysisQueued, true},
		{core.SitemapCuration, core.CurationMaybe, core.AnalysisProcessing, true},
		{core.SitemapCuration, core.CurationSelected, core.AnalysisProcessing, false},
		{core.SitemapCuration, core.CurationMaybe, core.AnalysisCancelled, false},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.wf.ShouldCancel(c.target, c.current), "%s %s %v", c.wf.Name, c.target, c.current)
	}
	// A cancelled domain is not active: selecting it again queues it.
	for _, wf := range core.Workflows {
		require.True(t, wf.ShouldQueue(wf.Trigger, wf.Cancelled), wf.Name)
	}
}

func TestWorkflowStatuses(t *testing.T) {
	t.Parallel()
	for _, wf := range core.Workflows {
		all := wf.Statuses()
		for _, v := range append([]core.Secondary{wf.Queued, wf.Running, wf.Done, wf.Failed, wf.Cancelled}, wf.Active...) {
			require.True(t, v.Valid(), "%s %v", wf.Name, v)
			require.Contains(t, all, v, "%s", wf.Name)
		}
	}
}

func TestNormalizeDomain(t *testing.T) {
	t.Parallel()
	ok := []struct{ in, want string }{
		{"https://www.Example.com/about", "example.com"},
		{"b.io", "b.io"},
		{"  HTTP://Sub.Example.co.uk/x?y#z  ", "sub.example.co.uk"},
		{"example.com.", "example.com"},
		{"www.example.com:8443", "example.com:8443"},
		{"https://example.com:443/", "example.com:443"},
		{"127.0.0.1:8080", "127.0.0.1:8080"},
		{"http://127.0.0.1:8080/page", "127.0.0.1:8080"},
		{"10.0.0.1", "10.0.0.1"},
		{"[::1]:9000", "[::1]:9000"},
		{"[2001:DB8::1]", "[2001:db8::1]"},
		{"2001:db8::1", "[2001:db8::1]"},
		{"bücher.de", "xn--bcher-kva.de"},
		{"https://www.Bücher.DE/kontakt", "xn--bcher-kva.de"},
		{"//cdn.example.org/lib.js", "cdn.example.org"},
		{"wwwexample.com", "wwwexample.com"},
		{"xn--bcher-kva.de", "xn--bcher-kva.de"},
		{"localhost:8080", "localhost:8080"},
		{"LOCALHOST", "localhost"},
	}
	for _, c := range ok {
		got, err := core.NormalizeDomain(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"ftp://example.com", "scheme"},
		{"javascript:alert(1)", "port"},
		{"https://", "no host"},
		{"user:pass@example.com", "credentials"},
		{"example.com:0", "port"},
		{"example.com:99999", "port"},
		{"example.com:abc", "port"},
		{"exa mple.com", "valid host"},
		{"-bad-.com", "valid host"},
		{"999.1.1.1", "IP address"},
		{"[::1", "bracket"},
		{"[fe80::1%eth0]", "zone"},
		{"a..b.com", "valid host"},
		{"12345", "IP address"},
		{"\xff", "UTF-8"},
		{"A..", "empty label"},
		{"example.com..", "empty label"},
		{"ex\xffample.com", "UTF-8"},
		{"example.com/<script>", ""},
	}
	for _, c := range bad {
		got, err := core.NormalizeDomain(c.in)
		if c.reason == "" {
			// Paths are stripped, so this one is fine; make sure nothing of the path survives.
			require.NoError(t, err)
			require.Equal(t, "example.com", got)
			continue
		}
		require.Error(t, err, "%q gave %q", c.in, got)
		require.True(t, errors.Is(err, core.ErrInvalidDomain), c.in)
		require.Contains(t, err.Error(), c.reason, c.in)
	}
}

func FuzzNormalizeDomain(f *testing.F) {
	for _, s := range []string{"https://www.Example.com/about", "127.0.0.1:8080", "bücher.de", "[::1]:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := core.NormalizeDomain(in)
		if err != nil {
			return
		}
		// Normalizing is idempotent.
		again, err := core.NormalizeDomain(out)
		require.NoError(t, err, "%q -> %q", in, out)
		require.Equal(t, out, again)
	})
}
