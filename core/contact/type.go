package contact

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"

	"github.com/scrapersky/scrapersky-go/core"
)

// Type is the kind of mailbox an email address is, as stored in the
// contacts table's email_type column.
type Type string

// The contact types, spelled exactly as stored and sent on the wire.
const (
	// TypeService is a role mailbox such as info@ or support@.
	TypeService Type = "service"
	// TypeCorporate is a personal mailbox on the site's own domain.
	TypeCorporate Type = "corporate"
	// TypeFree is a mailbox at a free-mail provider such as gmail.com.
	TypeFree Type = "free"
	// TypeUnknown is any other address.
	TypeUnknown Type = "unknown"
)

// Types lists every valid Type.
var Types = []Type{TypeService, TypeCorporate, TypeFree, TypeUnknown}

// Valid reports whether t is one of the defined contact types.
func (t Type) Valid() bool {
	switch t {
	case TypeService, TypeCorporate, TypeFree, TypeUnknown:
		return true
	}
	return false
}

// String returns the wire string.
func (t Type) String() string { return string(t) }

// ParseType returns the Type spelled exactly s, or an error wrapping
// core.ErrInvalidStatus.
func ParseType(s string) (Type, error) {
	if t := Type(s); t.Valid() {
		return t, nil
	}
	return "", fmt.Errorf("%w: %q is not a contact type (want service, corporate, free or unknown)", core.ErrInvalidStatus, s)
}

// serviceLocals are role mailboxes: whoever answers them, they do not name a
// person.
var serviceLocals = set(
	"info", "support", "sales", "contact", "help", "admin", "webmaster",
	"service", "hello", "office", "enquiries", "inquiries", "billing", "team",
	"press", "media", "jobs", "careers", "hr", "privacy", "legal", "marketing",
)

// freeDomains are free-mail providers matched by the whole domain.
var freeDomains = set(
	"gmail.com", "googlemail.com", "outlook.com", "live.com", "msn.com",
	"aol.com", "icloud.com", "me.com", "mac.com", "protonmail.com",
	"protonmail.ch", "proton.me", "pm.me", "gmx.de", "gmx.net", "gmx.at",
	"gmx.ch", "gmx.com", "web.de", "yandex.ru", "yandex.com", "ya.ru",
	"mail.ru", "bk.ru", "list.ru", "inbox.ru", "rambler.ru", "mail.com",
	"ymail.com", "rocketmail.com", "zoho.com", "zohomail.com",
	"tutanota.com", "tuta.io", "fastmail.com", "qq.com", "163.com", "126.com",
	"naver.com", "hanmail.net", "t-online.de", "libero.it", "laposte.net",
	"orange.fr", "free.fr", "seznam.cz", "wp.pl", "o2.pl", "interia.pl",
)

// freeBrands are free-mail providers that operate the same brand under many
// public suffixes (yahoo.co.uk, hotmail.fr, outlook.de, live.co.uk).
var freeBrands = set("yahoo", "hotmail", "outlook", "live")

// Classify returns the kind of mailbox email is for a page of site. The rules
// apply in order: a role local part (before any "+") is TypeService; an
// address on the site's registrable domain or one of its subdomains is
// TypeCorporate; a free-mail provider is TypeFree; anything else, including
// an address without "@", is TypeUnknown. site may be a bare host, carry a
// port and "www.", or be a whole URL. Internationalised domains compare by
// their A-labels, so info@münchen.de is corporate for xn--mnchen-3ya.de.
func Classify(email, site string) Type {
	local, domain, ok := split(email)
	if !ok {
		return TypeUnknown
	}
	if plus := strings.IndexByte(local, '+'); plus >= 0 {
		local = local[:plus]
	}
	if _, ok := serviceLocals[local]; ok {
		return TypeService
	}
	domain = asciiHost(domain)
	if reg := registrable(asciiHost(siteHost(site))); reg != "" && (domain == reg || strings.HasSuffix(domain, "."+reg)) {
		return TypeCorporate
	}
	if isFree(domain) {
		return TypeFree
	}
	return TypeUnknown
}

// HasGmail reports whether email is a Google Mail address (gmail.com or
// googlemail.com), the original's has_gmail flag.
func HasGmail(email string) bool {
	_, domain, ok := split(email)
	return ok && (domain == "gmail.com" || domain == "googlemail.com")
}

func isFree(domain string) bool {
	if _, ok := freeDomains[domain]; ok {
		return true
	}
	suffix, icann := publicsuffix.PublicSuffix(domain)
	if !icann || len(domain) <= len(suffix) {
		return false
	}
	_, ok := freeBrands[strings.TrimSuffix(domain, "."+suffix)]
	return ok
}

// split lowercases email and splits it at its last "@". It fails when either
// side is empty.
func split(email string) (local, domain string, ok bool) {
	e := strings.ToLower(strings.TrimSpace(email))
	at := strings.LastIndexByte(e, '@')
	if at <= 0 || at == len(e)-1 {
		return "", "", false
	}
	return e[:at], strings.TrimSuffix(e[at+1:], "."), true
}

// siteHost reduces a site given as a host, host:port or URL to a lowercase
// host name without "www.".
func siteHost(site string) string {
	s := strings.ToLower(strings.TrimSpace(site))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	s = strings.Trim(s, "[]")
	s = strings.TrimSuffix(s, ".")
	return strings.TrimPrefix(s, "www.")
}

// asciiHost returns host's IDNA A-label form, or host itself when it is not
// a valid internationalised name (classification then compares it as is).
func asciiHost(host string) string {
	if isASCII(host) && !strings.Contains(host, "xn--") {
		return host
	}
	if a, err := idna.Lookup.ToASCII(host); err == nil {
		return a
	}
	return host
}

// registrable returns the eTLD+1 of host; host itself when it has none
// because it is an IP literal or lies outside the public suffix list
// (localhost); and "" for a bare public suffix such as co.uk, which must not
// make every address under it corporate.
func registrable(host string) string {
	if host == "" {
		return ""
	}
	if reg, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return reg
	}
	if net.ParseIP(host) != nil {
		return host
	}
	if _, icann := publicsuffix.PublicSuffix(host); !icann && !strings.Contains(host, ".") {
		return host
	}
	return ""
}

func set(vs ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(vs))
	for _, v := range vs {
		m[v] = struct{}{}
	}
	return m
}
