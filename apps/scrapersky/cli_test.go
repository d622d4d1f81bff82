package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
)

func idsOf(ds []core.Domain) []uuid.UUID {
	out := make([]uuid.UUID, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

func jsonLines(t *testing.T, out string) []emailRow {
	t.Helper()
	var rows []emailRow
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var r emailRow
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		rows = append(rows, r)
	}
	return rows
}

func TestExtractCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	page := filepath.Join(dir, "team.html")
	require.NoError(t, os.WriteFile(page, []byte(`<ul><li>jane@acme-widgets.com</li><li>sales@acme-widgets.com</li>
		<li>x@gmail.com</li><li>jane@acme-widgets.com</li></ul><img src="logo@2x.png">`), 0o600))
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"extract", "--site", "www.acme-widgets.com", "--json", page}, env(nil), nil, &out, &errOut)
	require.NoError(t, err, errOut.String())
	rows := jsonLines(t, out.String())
	require.Len(t, rows, 3, "each email once, decoys dropped")
	types := map[string]string{}
	for _, r := range rows {
		types[r.Email] = r.EmailType
		require.Equal(t, page, r.SourceURL)
		require.Equal(t, "www.acme-widgets.com", r.Domain)
	}
	require.Equal(t, map[string]string{"jane@acme-widgets.com": "corporate", "sales@acme-widgets.com": "service", "x@gmail.com": "free"}, types)

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"extract", page}, env(nil), nil, &out, &errOut))
	require.Contains(t, out.String(), "EMAIL")
	require.Contains(t, out.String(), "x@gmail.com")

	require.ErrorIs(t, run(context.Background(), []string{"extract"}, env(nil), nil, &out, &errOut), errUsage)
	require.Error(t, run(context.Background(), []string{"extract", filepath.Join(dir, "missing.html")}, env(nil), nil, &out, &errOut))
}

func TestCrawlCommand(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/about">About</a> <a href="/team">Team</a> hello@acme-widgets.com`)
		case "/about":
			fmt.Fprint(w, `hello@acme-widgets.com and ceo@acme-widgets.com`)
		case "/team":
			fmt.Fprint(w, `bob@partner-firm.org`)
		}
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"crawl", "--allow-private", "--json", "--site", "acme-widgets.com", srv.URL}, env(nil), nil, &out, &errOut)
	require.NoError(t, err, errOut.String())
	rows := jsonLines(t, out.String())
	got := map[string]string{}
	for _, r := range rows {
		_, dup := got[r.Email]
		require.False(t, dup, "crawl prints each email once")
		got[r.Email] = r.EmailType
	}
	require.Equal(t, map[string]string{"hello@acme-widgets.com": "service", "ceo@acme-widgets.com": "corporate", "bob@partner-firm.org": "unknown"}, got)

	// Without --allow-private the SSRF guard refuses the loopback site.
	out.Reset()
	err = run(context.Background(), []string{"crawl", "--json", srv.URL}, env(nil), nil, &out, &errOut)
	require.Error(t, err)
	require.Contains(t, errOut.String(), "SSRF guard")
	require.Contains(t, errOut.String(), "add --allow-private", "a blocked private address hints at the flag")
	require.Empty(t, jsonLines(t, out.String()))
}
