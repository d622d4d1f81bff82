package scraper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReasonOfClassifiedErrors(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://acme.com/", Err: err} }
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"no such host", urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}), ReasonDNS},
		{"dns failure", urlErr(&net.DNSError{Err: "server misbehaving"}), ReasonDNS},
		{"dns timeout", urlErr(&net.DNSError{Err: "i/o timeout", IsTimeout: true}), ReasonTimeout},
		{"refused", urlErr(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), ReasonConnection},
		{"blocked", urlErr(&net.OpError{Op: "dial", Err: fmt.Errorf("%w: denied", errBlocked)}), ReasonSSRF},
		{"tls", urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), ReasonTLS},
		{"deadline", urlErr(context.DeadlineExceeded), ReasonTimeout},
		{"503", &statusError{code: 503}, ReasonHTTP5xx},
		{"404", &statusError{code: 404}, ReasonHTTP4xx},
		{"robots", &Error{Msg: "robots.txt disallows /"}, ReasonRobots},
		{"unknown", urlErr(errors.New("malformed HTTP response")), ReasonOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, classify(tt.err).Reason())
		})
	}
}

// TestReasonOfRealCrawls crawls local sites that fail in the ways a local
// server can stage and checks the reason the crawl's error names (DNS and
// TLS failures are covered by the table above).
func TestReasonOfRealCrawls(t *testing.T) {
	t.Parallel()
	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.Listener.Addr().String()
	}
	robots := serve(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nDisallow: /\n")
			return
		}
		fmt.Fprint(w, "hello")
	})
	status := func(code int) string {
		return serve(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
		})
	}

	cases := []struct {
		name, site string
		guard      bool
		want       string
	}{
		{"robots", robots, false, ReasonRobots},
		{"404", status(404), false, ReasonHTTP4xx},
		{"503", status(503), false, ReasonHTTP5xx},
		{"ssrf", robots, true, ReasonSSRF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			cfg.AllowPrivateNetworks = !tc.guard
			_, err := New(cfg).Crawl(context.Background(), tc.site, func(context.Context, Page) error { return nil })
			require.Error(t, err)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.want, e.Reason(), "%v", err)
		})
	}
}
