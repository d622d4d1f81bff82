package scraper

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"code.dny.dev/ssrf"
	"github.com/stretchr/testify/require"
)

const blockedMsg = "blocked: address is not public (SSRF guard)"

// TestSSRFDefaultConfig crawls and fetches local servers with the
// production configuration: every attempt is refused before a connection
// is opened.
func TestSSRFDefaultConfig(t *testing.T) {
	t.Parallel()
	site := newTestSite(t, pages(map[string]string{"/": html("secret admin panel")}))
	port := site.host()[strings.LastIndex(site.host(), ":")+1:]
	c := New(DefaultConfig())

	crawls := []string{site.host(), "localhost:" + port, "[::ffff:127.0.0.1]:" + port}
	for _, s := range crawls {
		_, err := c.Crawl(context.Background(), s, func(context.Context, Page) error {
			t.Error("visit must not be called")
			return nil
		})
		require.EqualError(t, err, blockedMsg, s)
		var e *Error
		require.ErrorAs(t, err, &e)
		require.False(t, e.Transient(), "the guard's refusal is permanent")
	}
	fetches := []string{site.url("/"), "http://localhost:" + port + "/", "http://[::ffff:7f00:1]:" + port + "/"}
	for _, u := range fetches {
		_, err := c.Fetch(context.Background(), u)
		require.EqualError(t, err, blockedMsg, u)
	}
	require.Zero(t, site.conns.Load(), "no connection reaches the server")
}

func TestSSRFGuardAddresses(t *testing.T) {
	t.Parallel()
	c := New(DefaultConfig())
	tests := []struct {
		addr    string
		blocked bool
	}{
		{"127.0.0.1:80", true},
		{"10.1.2.3:443", true},
		{"172.16.0.1:80", true},
		{"192.168.1.1:8080", true},
		{"169.254.169.254:80", true},
		{"100.64.0.1:80", true},
		{"0.0.0.0:80", true},
		{"[::1]:80", true},
		{"[fe80::1]:80", true},
		{"[fd00::1]:80", true},
		{"[::ffff:127.0.0.1]:80", true},
		{"93.184.215.14:443", false},
		{"93.184.215.14:8080", false},
		{"[2606:4700:4700::1111]:443", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			t.Parallel()
			ap := netip.MustParseAddrPort(tt.addr)
			network := "tcp4"
			if ap.Addr().Is6() {
				network = "tcp6"
			}
			err := c.checkDial(network, tt.addr, nil)
			if tt.blocked {
				require.ErrorIs(t, err, errBlocked)
				require.Equal(t, blockedMsg, classify(err).Msg)
			} else {
				require.NoError(t, err)
			}
		})
	}
	require.ErrorIs(t, c.checkDial("udp4", "93.184.215.14:53", nil), errBlocked)
	require.NoError(t, New(testConfig()).checkDial("tcp4", "127.0.0.1:80", nil), "AllowPrivateNetworks lifts the guard")
}

// TestSSRFRedirectAndLinkBlocked uses the guard seam to allow exactly one
// local server and block another, then shows that neither a redirect nor
// a link gets a request through to the blocked one.
func TestSSRFRedirectAndLinkBlocked(t *testing.T) {
	t.Parallel()
	blocked := newTestSite(t, pages(map[string]string{"/": html("internal"), "/landing": html("internal")}))
	var allowedPort uint16
	allowed := newTestSite(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		port := blocked.host()[strings.LastIndex(blocked.host(), ":")+1:]
		switch r.URL.Path {
		case "/":
			_, _ = fmt.Fprint(w, html("Home",
				"/go", "Redirect by IP", "/go-by-name", "Redirect by name",
				blocked.url("/landing"), "Contact (link by IP)", "http://localhost:"+port+"/landing", "About (link by name)",
				"/ok", "OK"))
		case "/ok":
			_, _ = fmt.Fprint(w, html("OK"))
		case "/go":
			http.Redirect(w, r, blocked.url("/landing"), http.StatusFound)
		case "/go-by-name":
			http.Redirect(w, r, "http://localhost:"+port+"/landing", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	allowedPort = netip.MustParseAddrPort(allowed.host()).Port()
	guard := func(ap netip.AddrPort) error {
		if ap.Port() == allowedPort {
			return nil
		}
		return fmt.Errorf("%w: port %d", ssrf.ErrProhibitedPort, ap.Port())
	}
	cfg := testConfig()
	cfg.AllowPrivateNetworks = false
	c := newCrawler(cfg, withGuard(guard))

	for _, path := range []string{"/go", "/go-by-name"} {
		_, err := c.Fetch(context.Background(), allowed.url(path))
		require.EqualError(t, err, blockedMsg, path)
		require.True(t, errors.Is(err, ssrf.ErrProhibitedPort), "the guard's cause is kept")
	}

	rec := &recorder{}
	st, err := c.Crawl(context.Background(), allowed.host(), rec.visit)
	require.NoError(t, err)
	require.Equal(t, []string{"/", "/ok"}, rec.paths(t))
	require.Equal(t, 2, st.PagesFailed+st.PagesSkipped, "both redirects stopped")
	require.Equal(t, 2, allowed.hitsOf("/go"), "one Fetch, one crawl; the hop never leaves")
	require.Zero(t, blocked.conns.Load(), "no connection reaches the blocked server")
}
