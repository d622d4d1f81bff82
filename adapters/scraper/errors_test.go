package scraper

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	urlErr := func(err error) error { return &url.Error{Op: "Get", URL: "https://acme.com/", Err: err} }
	dial := func(errno syscall.Errno) error {
		return urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)})
	}
	tests := []struct {
		name      string
		err       error
		msg       string
		transient bool
	}{
		{"no such host", urlErr(&net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}), "no such host", false},
		{"dns timeout", urlErr(&net.DNSError{Err: "i/o timeout", IsTimeout: true}), "timeout", true},
		{"dns failure", urlErr(&net.DNSError{Err: "server misbehaving"}), "DNS lookup failed", true},
		{"refused", dial(syscall.ECONNREFUSED), "connection refused", true},
		{"reset", dial(syscall.ECONNRESET), "connection reset", true},
		{"unreachable", dial(syscall.EHOSTUNREACH), "host unreachable", true},
		{"blocked", urlErr(&net.OpError{Op: "dial", Err: fmt.Errorf("%w: denied", errBlocked)}), "blocked: address is not public (SSRF guard)", false},
		{"unknown authority", urlErr(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), "TLS handshake failed", false},
		{"hostname mismatch", urlErr(x509.HostnameError{Certificate: &x509.Certificate{}, Host: "acme.com"}), "TLS handshake failed", false},
		{"plain http on 443", urlErr(http.ErrSchemeMismatch), "TLS handshake failed", false},
		{"deadline", urlErr(context.DeadlineExceeded), "timeout", true},
		{"net timeout", urlErr(&net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}), "timeout", true},
		{"eof", urlErr(io.ErrUnexpectedEOF), "connection closed by the server", true},
		{"canceled", urlErr(context.Canceled), "canceled", true},
		{"redirects", urlErr(fmt.Errorf("%w: more than 5", errTooManyRedirects)), "too many redirects", false},
		{"no time for the rate limit", fmt.Errorf("rate limit: %w", errNoTime), "timeout: the crawl rate leaves no time before the deadline", true},
		{"503", &statusError{code: 503}, "HTTP 503", true},
		{"429", &statusError{code: 429}, "HTTP 429", true},
		{"403", &statusError{code: 403}, "HTTP 403", false},
		{"already classified", fmt.Errorf("wrap: %w", &Error{Msg: "robots.txt disallows /"}), "robots.txt disallows /", false},
		{"unknown", urlErr(errors.New("malformed HTTP response")), "fetch failed: malformed HTTP response", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := classify(tt.err)
			require.Equal(t, tt.msg, e.Error())
			require.Equal(t, tt.transient, e.Transient())
			var pre *Error
			if !errors.As(tt.err, &pre) {
				require.ErrorIs(t, e, tt.err, "the cause stays reachable")
			}
		})
	}
}

func TestWithAttempts(t *testing.T) {
	t.Parallel()
	retry := &Error{Msg: "HTTP 503", Retryable: true}
	require.Equal(t, "HTTP 503 after 3 attempts", withAttempts(retry, 3).Error())
	require.Equal(t, "HTTP 503", withAttempts(retry, 1).Error())
	perm := &Error{Msg: "HTTP 404"}
	require.Equal(t, "HTTP 404", withAttempts(perm, 3).Error())
}

func TestCanFallBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", &net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"dial timeout", &net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}, true},
		{"tls", tls.RecordHeaderError{}, true},
		{"plain http", http.ErrSchemeMismatch, true},
		{"no such host", &net.OpError{Op: "dial", Err: &net.DNSError{IsNotFound: true}}, false},
		{"blocked", &net.OpError{Op: "dial", Err: errBlocked}, false},
		{"header timeout", context.DeadlineExceeded, false},
		{"status", &statusError{code: 503}, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, canFallBack(tt.err), tt.name)
	}
}
