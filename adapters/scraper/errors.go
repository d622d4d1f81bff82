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
	"strconv"
	"strings"
	"syscall"
)

// Error is a failure worded for the user who reads it in page_scrape_error.
// Msg is that wording ("connection refused", "HTTP 503 after 3 attempts");
// Err keeps the cause for logs and errors.Is. Retryable says whether trying
// the site again later may succeed: timeouts, 5xx and refused or reset
// connections are retryable; a missing host, robots.txt, the SSRF guard and a
// 4xx home page are not.
type Error struct {
	Msg       string
	Retryable bool
	Err       error
}

// Error returns Msg.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Transient reports Retryable. It is the method the queue worker looks for
// (core/queue.Transient) to decide between a retry and a final failure.
func (e *Error) Transient() bool { return e.Retryable }

// Causes the crawler creates itself; classify turns them into messages.
var (
	errBlocked          = errors.New("address is not public")
	errTooManyRedirects = errors.New("too many redirects")
	errRedirectScheme   = errors.New("redirect to a non-HTTP URL")
	errOffSite          = errors.New("redirect leaves the site")
	errInvalidURL       = errors.New("invalid URL")
	// errNoTime means the rate limit (or Crawl-delay) would hold a request
	// past the context's deadline.
	errNoTime = errors.New("no time left for another request before the deadline")
)

// statusError is an HTTP status the crawler treats as a failure.
type statusError struct{ code int }

func (e *statusError) Error() string { return "HTTP " + strconv.Itoa(e.code) }

func (e *statusError) retryable() bool {
	return e.code == 429 || e.code >= 500
}

// classify maps any fetch error to an *Error with a user-facing message.
func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var (
		se  *statusError
		dns *net.DNSError
		ne  net.Error
	)
	switch {
	case errors.As(err, &se):
		return &Error{Msg: se.Error(), Retryable: se.retryable(), Err: err}
	case errors.Is(err, errBlocked):
		return &Error{Msg: "blocked: address is not public (SSRF guard)", Err: err}
	case errors.Is(err, errTooManyRedirects), errors.Is(err, errRedirectScheme),
		errors.Is(err, errOffSite), errors.Is(err, errInvalidURL):
		return &Error{Msg: rootMessage(err), Err: err}
	case errors.Is(err, errNoTime):
		return &Error{Msg: "timeout: the crawl rate leaves no time before the deadline", Retryable: true, Err: err}
	case errors.Is(err, context.Canceled):
		return &Error{Msg: "canceled", Retryable: true, Err: err}
	case errors.As(err, &dns):
		switch {
		case dns.IsNotFound:
			return &Error{Msg: "no such host", Err: err}
		case dns.IsTimeout:
			return &Error{Msg: "timeout", Retryable: true, Err: err}
		default:
			return &Error{Msg: "DNS lookup failed", Retryable: true, Err: err}
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Msg: "connection refused", Retryable: true, Err: err}
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return &Error{Msg: "connection reset", Retryable: true, Err: err}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return &Error{Msg: "host unreachable", Retryable: true, Err: err}
	case isTLSError(err):
		return &Error{Msg: "TLS handshake failed", Err: err}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return &Error{Msg: "timeout", Retryable: true, Err: err}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Msg: "connection closed by the server", Retryable: true, Err: err}
	default:
		return &Error{Msg: "fetch failed: " + rootMessage(err), Retryable: true, Err: err}
	}
}

// isTLSError reports whether err comes from the TLS handshake or the
// certificate check.
func isTLSError(err error) bool {
	var (
		rh   tls.RecordHeaderError
		ae   tls.AlertError
		cve  *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		he   x509.HostnameError
		ci   x509.CertificateInvalidError
		echr *tls.ECHRejectionError
	)
	if errors.Is(err, http.ErrSchemeMismatch) || errors.As(err, &rh) || errors.As(err, &ae) || errors.As(err, &cve) || errors.As(err, &ua) ||
		errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &echr) {
		return true
	}
	// Alerts received from the peer are an unexported type; their text is
	// stable ("remote error: tls: ...").
	return strings.Contains(err.Error(), "tls: ")
}

// rootMessage is the text of the innermost error, without the URL and
// operation prefixes net/http adds.
func rootMessage(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// withAttempts appends the attempt count to a retryable failure's message.
func withAttempts(e *Error, attempts int) *Error {
	if attempts <= 1 || !e.Retryable {
		return e
	}
	return &Error{Msg: fmt.Sprintf("%s after %d attempts", e.Msg, attempts), Retryable: true, Err: e.Err}
}
