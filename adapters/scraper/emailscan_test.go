package scraper

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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
