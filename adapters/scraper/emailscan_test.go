package scraper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core/scan"
)

func TestEmailScannerPartialOnBudget(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="/contact">Contact</a> <a href="/hang">x</a> info@acme-widgets.com`)
		case "/contact":
			fmt.Fprint(w, `sales@acme-widgets.com`)
		case "/hang":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := DefaultConfig()
	cfg.AllowPrivateNetworks = true
	cfg.RequestsPerSecond = 100
	cfg.Concurrency = 1
	s := NewEmailScanner(New(cfg))
	site := strings.TrimPrefix(srv.URL, "http://")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rep, err := s.Scan(ctx, site, nil)
	require.NoError(t, err, "a crawl cut by its budget keeps what it found")
	require.NoError(t, ctx.Err(), "the budget ends before the job's deadline")
	var emails []string
	for _, p := range rep.Pages {
		for _, f := range p.Emails {
			emails = append(emails, f.Email)
		}
	}
	require.ElementsMatch(t, []string{"info@acme-widgets.com", "sales@acme-widgets.com"}, emails)
}

func TestEmailScannerTimeoutBeforeFirstPage(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.AllowPrivateNetworks = true
	s := NewEmailScanner(New(cfg))
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := s.Scan(ctx, strings.TrimPrefix(srv.URL, "http://"), nil)
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	require.True(t, e.Transient())
	require.Contains(t, err.Error(), "timeout")
}

// linkedSite serves n pages, each linking to the next, each with one
// address.
func linkedSite(t *testing.T, n int) *testSite {
	return newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if r.URL.Path != "/" {
			if _, err := fmt.Sscanf(r.URL.Path, "/p%d", &i); err != nil || i >= n {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<p>p%d@acme-widgets.com</p>`, i)
		if i+1 < n {
			fmt.Fprintf(w, `<a href="/p%d">next</a>`, i+1)
		}
	}))
}

func TestEmailScannerPageCapAndProgress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		pages    int
		maxPages int
		capped   bool
	}{
		{"more pages than the cap", 8, 3, true},
		{"exactly the cap", 3, 3, false},
		{"fewer pages than the cap", 2, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			site := linkedSite(t, tc.pages)
			cfg := DefaultConfig()
			cfg.AllowPrivateNetworks = true
			cfg.RequestsPerSecond = 0
			cfg.MaxPages = tc.maxPages
			s := NewEmailScanner(New(cfg))
			var seen []string
			rep, err := s.Scan(context.Background(), site.host(), func(_ context.Context, p scan.PageResult) error {
				seen = append(seen, p.URL)
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, tc.capped, rep.PageCapReached)
			require.Len(t, rep.Pages, min(tc.pages, tc.maxPages))
			var urls []string
			for _, p := range rep.Pages {
				urls = append(urls, p.URL)
			}
			require.Equal(t, urls, seen, "every page of the report went to onPage, in order")
		})
	}
}

func TestEmailScannerOnPageErrorStopsTheCrawl(t *testing.T) {
	t.Parallel()
	site := linkedSite(t, 8)
	cfg := DefaultConfig()
	cfg.AllowPrivateNetworks = true
	cfg.RequestsPerSecond = 0
	cfg.Concurrency = 1
	s := NewEmailScanner(New(cfg))
	stop := errors.New("claim gone")
	n := 0
	_, err := s.Scan(context.Background(), site.host(), func(context.Context, scan.PageResult) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	require.ErrorIs(t, err, stop)
	require.Equal(t, 2, n)
	require.Less(t, len(site.requests()), 8, "the crawl stopped early")
}
