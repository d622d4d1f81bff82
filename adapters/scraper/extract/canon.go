package extract

import (
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// canonical returns the one stored form of an address: lowercase, Unicode
// NFC, the domain spelled with U-labels (münchen-bäckerei.de, not
// xn--mnchen-bckerei-dib09a.de). The form is for display and uniqueness;
// core/contact checks and classifies an address by its A-label domain, so
// both spellings are judged alike. A domain that is not valid IDNA is only
// lowercased; Plausible rejects it later.
func canonical(email string) string {
	e := strings.ToLower(email)
	if isASCIIString(e) && !strings.Contains(e, "xn--") {
		return e
	}
	e = norm.NFC.String(e)
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return e
	}
	if u, err := idna.Display.ToUnicode(e[at+1:]); err == nil {
		e = e[:at+1] + strings.ToLower(u)
	}
	return e
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
