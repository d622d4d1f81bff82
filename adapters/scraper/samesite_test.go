package scraper

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// resolveTo makes c dial every name in hosts to the 127.0.0.1 address
// given, and refuse port 443 (so the crawl falls back to http), as if DNS
// pointed those names at local servers. Nothing else is dialled.
func resolveTo(t *testing.T, c *Crawler, hosts map[string]string) {
	t.Helper()
	var d net.Dialer
	c.transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		target, ok := hosts[host]
		if !ok || port == "443" {
			return nil, fmt.Errorf("dial %s: %w", addr, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("connection refused")})
		}
		return d.DialContext(ctx, network, target)
	}
}

// TestCrawlStaysOnSite crawls acme.com, whose pages link and redirect to
// its subdomain www.acme.com (the same site) and to acme.de and
// evil-acme.com (other sites, on a server that must see no connection).
func TestCrawlStaysOnSite(t *testing.T) {
	t.Parallel()
	other := newTestSite(t, pages(map[string]string{
		"/":        html("Other"),
		"/contact": html("Other contact"),
		"/landing": html("Landing"),
	}))
	site := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		switch host + r.URL.Path {
		case "acme.com/robots.txt", "www.acme.com/robots.txt":
			http.NotFound(w, r)
		case "acme.com/":
			_, _ = fmt.Fprint(w, html("Home",
				"http://www.acme.com/team", "Team",
				"http://acme.de/contact", "Contact (Germany)",
				"http://evil-acme.com/contact", "Contact",
				"/go-out", "Partner",
				"/go-www", "Moved"))
		case "acme.com/go-out":
			http.Redirect(w, r, "http://acme.de/landing", http.StatusFound)
		case "acme.com/go-www":
			http.Redirect(w, r, "http://www.acme.com/moved", http.StatusMovedPermanently)
		case "www.acme.com/team", "www.acme.com/moved":
			_, _ = fmt.Fprint(w, html(r.URL.Path, "http://acme.de/", "Sister company"))
		default:
			http.NotFound(w, r)
		}
	}))
	c := New(testConfig())
	resolveTo(t, c, map[string]string{
		"acme.com": site.host(), "www.acme.com": site.host(),
		"acme.de": other.host(), "evil-acme.com": other.host(),
	})
	rec := &recorder{}
	st, err := c.Crawl(context.Background(), "acme.com", rec.visit)
	require.NoError(t, err)

	var visited []string
	for _, p := range rec.pages {
		visited = append(visited, p.URL)
	}
	require.ElementsMatch(t, []string{"http://acme.com/", "http://www.acme.com/team", "http://www.acme.com/moved"}, visited)
	require.Zero(t, other.conns.Load(), "no request reaches another site")
	require.Equal(t, 4, st.LinksIgnored, "acme.de/contact and evil-acme.com/contact on the home page, acme.de/ on each www page")
	require.Equal(t, 1, st.PagesSkipped, "the redirect to acme.de")
	require.Equal(t, 1, site.hitsOf("/go-out"))
}
