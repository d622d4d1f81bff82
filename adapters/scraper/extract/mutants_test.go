package extract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// emailsOf lists the addresses of found, in order.
func emailsOf(found []Found) []string {
	var out []string
	for _, f := range found {
		out = append(out, f.Email)
	}
	return out
}

// TestOverlongLocalPartYieldsNothing: a local part longer than RFC 5321's
// 64 octets is not an address, and its last 64 characters are not one
// either (whole or nothing); 64 octets are fine.
func TestOverlongLocalPartYieldsNothing(t *testing.T) {
	t.Parallel()
	ok := strings.Repeat("a", 64) + "@acme.com"
	long := strings.Repeat("b", 65) + "@acme.com"
	for _, extract := range []func(string) []Found{
		func(s string) []Found { return Text([]byte(s)) },
		func(s string) []Found { return HTML([]byte("<p>"+s+"</p>"), "") },
	} {
		require.Equal(t, []string{ok}, emailsOf(extract("Mail "+ok+" today")))
		require.Empty(t, emailsOf(extract("Mail "+long+" today")))
	}
}

// TestSpelledAddressCueInEarlierElement: the cue that lets a spelled-out
// address through may sit in the text just before the address's own
// element ("Email:" in a label, the address in the next cell).
func TestSpelledAddressCueInEarlierElement(t *testing.T) {
	t.Parallel()
	page := `<table><tr><td>Email</td><td>sales at acme dot com</td></tr></table>`
	require.Equal(t, []string{"sales@acme.com"}, emailsOf(HTML([]byte(page), "")))
	// No cue anywhere near: prose stays prose.
	page = `<table><tr><td>Meet</td><td>sales at acme dot com</td></tr></table>`
	require.Empty(t, emailsOf(HTML([]byte(page), "")))
}
