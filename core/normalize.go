package core

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// MaxDomainLength is the longest host name accepted (RFC 1035).
const MaxDomainLength = 253

var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
	idna.Transitional(false),
)

// NormalizeDomain turns user input such as "https://www.Example.com/about"
// into the stored form of a domain: a lowercase host without scheme, path,
// query or a leading "www.", internationalized names in punycode, and an
// explicit port kept. IP literals (with an optional port) are accepted; the
// crawler's SSRF guard decides later whether they may be fetched. Anything
// else is an error wrapping ErrInvalidDomain that says why. Single-label
// names such as "localhost" are accepted too: whether a host may be fetched
// is the crawler's SSRF guard's decision, not the submission's.
func NormalizeDomain(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidDomain)
	}
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidDomain)
	}
	if i := strings.Index(s, "://"); i >= 0 {
		scheme := strings.ToLower(s[:i])
		if scheme != "http" && scheme != "https" {
			return "", fmt.Errorf("%w: scheme %q is not http or https", ErrInvalidDomain, s[:i])
		}
		s = s[i+3:]
	} else {
		s = strings.TrimPrefix(s, "//") // scheme-relative
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if strings.Contains(s, "@") {
		return "", fmt.Errorf("%w: credentials are not allowed in a domain", ErrInvalidDomain)
	}
	if s == "" {
		return "", fmt.Errorf("%w: no host", ErrInvalidDomain)
	}

	host, port, err := splitHostPort(s)
	if err != nil {
		return "", err
	}
	if addr, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if addr.Zone() != "" {
			return "", fmt.Errorf("%w: IPv6 zones are not allowed", ErrInvalidDomain)
		}
		h := addr.Unmap().String()
		if addr.Unmap().Is6() {
			h = "[" + h + "]"
		}
		return withPort(h, port), nil
	}
	if strings.HasPrefix(host, "[") {
		return "", fmt.Errorf("%w: %q is not an IP address", ErrInvalidDomain, host)
	}

	host = strings.TrimSuffix(host, ".") // the DNS root
	if host == "" || strings.HasSuffix(host, ".") {
		return "", fmt.Errorf("%w: %q has an empty label", ErrInvalidDomain, raw)
	}
	ascii, err := idnaProfile.ToASCII(host)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not a valid host name", ErrInvalidDomain, host)
	}
	ascii = strings.ToLower(ascii)
	// The stored form must normalize to itself: a label the IDNA mapping
	// turned into punycode that does not decode back is refused.
	if again, err := idnaProfile.ToASCII(ascii); err != nil || again != ascii {
		return "", fmt.Errorf("%w: %q is not a valid host name", ErrInvalidDomain, host)
	}
	ascii = strings.TrimPrefix(ascii, "www.")
	if len(ascii) > MaxDomainLength {
		return "", fmt.Errorf("%w: longer than %d characters", ErrInvalidDomain, MaxDomainLength)
	}
	if allDigitsAndDots(ascii) {
		return "", fmt.Errorf("%w: %q is not a valid IP address", ErrInvalidDomain, host)
	}
	return withPort(ascii, port), nil
}

// splitHostPort separates an optional ":port" and validates it.
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", fmt.Errorf("%w: unclosed IPv6 bracket", ErrInvalidDomain)
		}
		host, rest := s[:end+1], s[end+1:]
		if rest == "" {
			return host, "", nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("%w: unexpected %q after IPv6 address", ErrInvalidDomain, rest)
		}
		port, err := checkPort(rest[1:])
		return host, port, err
	}
	switch strings.Count(s, ":") {
	case 0:
		return s, "", nil
	case 1:
		h, p, _ := net.SplitHostPort(s)
		port, err := checkPort(p)
		return h, port, err
	default:
		// A bare IPv6 address without brackets cannot carry a port.
		return s, "", nil
	}
}

func checkPort(p string) (string, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 || strings.HasPrefix(p, "+") {
		return "", fmt.Errorf("%w: port %q is not a number from 1 to 65535", ErrInvalidDomain, p)
	}
	return strconv.Itoa(n), nil
}

func withPort(host, port string) string {
	if port == "" {
		return host
	}
	return host + ":" + port
}

func allDigitsAndDots(s string) bool {
	for _, r := range s {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}
