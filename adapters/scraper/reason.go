package scraper

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"
)

// The failure reasons Error.Reason reports, a small fixed set fit for a
// metric label.
const (
	ReasonDNS        = "dns"
	ReasonTLS        = "tls"
	ReasonSSRF       = "ssrf"
	ReasonRobots     = "robots"
	ReasonTimeout    = "timeout"
	ReasonConnection = "connection"
	ReasonHTTP4xx    = "http_4xx"
	ReasonHTTP5xx    = "http_5xx"
	ReasonOther      = "other"
)

// Reason names the kind of failure: one of the Reason constants. The cause
// decides when there is one (a robots.txt that cannot be read because the
// name does not resolve is a DNS failure); robots.txt refusing the site is
// ReasonRobots.
func (e *Error) Reason() string {
	var (
		se  *statusError
		dns *net.DNSError
		ne  net.Error
	)
	switch {
	case errors.Is(e, errBlocked):
		return ReasonSSRF
	case errors.As(e, &se):
		if se.code >= 500 {
			return ReasonHTTP5xx
		}
		if se.code >= 400 {
			return ReasonHTTP4xx
		}
		return "http_" + strconv.Itoa(se.code/100) + "xx"
	case errors.As(e, &dns):
		if dns.IsTimeout {
			return ReasonTimeout
		}
		return ReasonDNS
	case e.Err != nil && isTLSError(e.Err):
		return ReasonTLS
	case errors.Is(e, context.DeadlineExceeded), errors.As(e, &ne) && ne.Timeout(), e.Msg == "timeout":
		return ReasonTimeout
	case strings.HasPrefix(e.Msg, "robots.txt"):
		return ReasonRobots
	case errors.Is(e, syscall.ECONNREFUSED), errors.Is(e, syscall.ECONNRESET), errors.Is(e, syscall.EPIPE),
		errors.Is(e, syscall.EHOSTUNREACH), errors.Is(e, syscall.ENETUNREACH):
		return ReasonConnection
	case strings.Contains(e.Msg, "SSRF guard"):
		return ReasonSSRF
	}
	return ReasonOther
}
