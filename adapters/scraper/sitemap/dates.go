package sitemap

import (
	"strings"
	"time"
)

// dateLayouts are the <lastmod> spellings met in the wild: the W3C
// Datetime profile the protocol asks for (any precision, with or without
// fractional seconds), and the common deviations (no zone, a space instead
// of the T, a zone without colon, RFC 1123).
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
	"2006-01",
	"2006",
	time.RFC1123Z,
	time.RFC1123,
}

// parseDate returns s as a UTC time (a time without zone is taken as
// UTC), or nil when no layout fits or the year is before the web.
func parseDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 {
				return nil
			}
			u := t.UTC()
			return &u
		}
	}
	return nil
}
