// Package suppression is the do-not-contact list: email addresses and whole
// email domains that are never stored as contacts again and are removed
// where they are stored now. An address entry matches that address; a
// domain entry matches every address whose domain (the part after the last
// "@") is exactly that domain, not its subdomains.
package suppression

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/scrapersky/scrapersky-go/core"
)

// MaxBatch is the largest number of entries one request adds or removes.
const MaxBatch = 1_000

// MaxLength is the longest entry accepted (an email address's limit).
const MaxLength = 254

// ErrInvalidEntry means a string is neither an email address nor an email
// domain.
var ErrInvalidEntry = errors.New("invalid suppression entry")

// Kind says what an entry matches.
type Kind string

// The kinds of entries, spelled as on the wire and in the CHECK constraint.
const (
	// KindAddress matches one email address.
	KindAddress Kind = "address"
	// KindDomain matches every address at one email domain.
	KindDomain Kind = "domain"
)

// Entry is one line of the list.
type Entry struct {
	// Value is the lowercase address, or the lowercase domain in punycode.
	Value     string    `json:"value"`
	Kind      Kind      `json:"kind"`
	CreatedAt time.Time `json:"created_at"`
}

// domainProfile accepts letters, digits and hyphens only (so a value can
// never hold a LIKE wildcard), as core.NormalizeDomain does.
var domainProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
	idna.Transitional(false),
)

// Parse turns user input into an entry's value and kind: "Jane@Acme.com"
// is the address "jane@acme.com"; "acme.com" or "@acme.com" is the domain
// "acme.com". Anything else is an error wrapping ErrInvalidEntry that says
// why.
func Parse(raw string) (value string, kind Kind, err error) {
	s := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case s == "":
		return "", "", fmt.Errorf("%w: empty", ErrInvalidEntry)
	case !utf8.ValidString(s):
		return "", "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidEntry)
	case len(s) > MaxLength:
		return "", "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidEntry, MaxLength)
	}
	if d, ok := strings.CutPrefix(s, "@"); ok {
		s = d
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		d, err := emailDomain(s)
		if err != nil {
			return "", "", err
		}
		return d, KindDomain, nil
	}
	local, domain := s[:at], s[at+1:]
	if local == "" || len(local) > 64 || strings.ContainsAny(local, " \t\r\n\"<>(),;:[]\\@") {
		return "", "", fmt.Errorf("%w: %q is not an email address", ErrInvalidEntry, raw)
	}
	d, err := emailDomain(domain)
	if err != nil {
		return "", "", err
	}
	return local + "@" + d, KindAddress, nil
}

// emailDomain validates an email domain and returns it in punycode.
func emailDomain(s string) (string, error) {
	if !strings.Contains(s, ".") {
		return "", fmt.Errorf("%w: %q is not an email address or a domain with a dot", ErrInvalidEntry, s)
	}
	d, err := domainProfile.ToASCII(s)
	if err != nil || strings.ContainsAny(d, ":/ ") || strings.HasSuffix(d, ".") {
		return "", fmt.Errorf("%w: %q is not a valid email domain", ErrInvalidEntry, s)
	}
	return d, nil
}

// Keys returns the list values that would suppress email: the address
// itself and its domain, lowercase.
func Keys(email string) []string {
	e := strings.ToLower(email)
	at := strings.LastIndexByte(e, '@')
	if at < 0 {
		return []string{e}
	}
	return []string{e, e[at+1:]}
}

// Listed reports whether any of email's Keys is set in on: the keys a
// look-up found on the list.
func Listed(email string, on map[string]bool) bool {
	for _, k := range Keys(email) {
		if on[k] {
			return true
		}
	}
	return false
}

// Matches reports whether the entry (value, kind) suppresses email. It is
// the rule the stores' statements implement in SQL.
func Matches(value string, kind Kind, email string) bool {
	k := Keys(email)
	if kind == KindAddress {
		return k[0] == value
	}
	return len(k) == 2 && k[1] == value
}

// Store keeps the list.
type Store interface {
	// AddSuppressions stores the entries not stored yet and, in the same
	// transaction, deletes every stored contact they match. It returns the
	// entries it added and how many contacts it deleted.
	AddSuppressions(ctx context.Context, entries []Entry) (added []Entry, removedContacts int, err error)
	// ListSuppressions returns every entry, ordered by value.
	ListSuppressions(ctx context.Context) ([]Entry, error)
	// DeleteSuppressions removes the entries with these values and returns
	// the values it removed.
	DeleteSuppressions(ctx context.Context, values []string) ([]string, error)
}

// AddResult is the outcome of Manager.Add.
type AddResult struct {
	// Added are the entries that were not on the list yet.
	Added []Entry
	// ContactsRemoved counts the stored contacts the new entries matched.
	ContactsRemoved int
}

// Manager is the use case that edits the list.
type Manager struct {
	store Store
	clock core.Clock
}

// NewManager returns the list's use case.
func NewManager(store Store, clock core.Clock) *Manager {
	return &Manager{store: store, clock: clock}
}

// Add parses raw and adds the entries; one invalid entry adds nothing.
func (m *Manager) Add(ctx context.Context, raw []string) (AddResult, error) {
	if err := checkBatch(raw); err != nil {
		return AddResult{}, err
	}
	now := m.clock.Now()
	seen := map[string]bool{}
	var entries []Entry
	for i, r := range raw {
		v, k, err := Parse(r)
		if err != nil {
			return AddResult{}, fmt.Errorf("entry %d: %w", i, err)
		}
		if seen[v] {
			continue
		}
		seen[v] = true
		entries = append(entries, Entry{Value: v, Kind: k, CreatedAt: now})
	}
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Value, b.Value) })
	added, n, err := m.store.AddSuppressions(ctx, entries)
	if err != nil {
		return AddResult{}, fmt.Errorf("add suppressions: %w", err)
	}
	return AddResult{Added: added, ContactsRemoved: n}, nil
}

// List returns every entry, ordered by value.
func (m *Manager) List(ctx context.Context) ([]Entry, error) {
	es, err := m.store.ListSuppressions(ctx)
	if err != nil {
		return nil, fmt.Errorf("list suppressions: %w", err)
	}
	return es, nil
}

// Remove parses raw and removes those entries; it returns the values
// removed (values not on the list are not an error).
func (m *Manager) Remove(ctx context.Context, raw []string) ([]string, error) {
	if err := checkBatch(raw); err != nil {
		return nil, err
	}
	var values []string
	for i, r := range raw {
		v, _, err := Parse(r)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		values = append(values, v)
	}
	slices.Sort(values)
	values = slices.Compact(values)
	removed, err := m.store.DeleteSuppressions(ctx, values)
	if err != nil {
		return nil, fmt.Errorf("delete suppressions: %w", err)
	}
	return removed, nil
}

func checkBatch(raw []string) error {
	if len(raw) == 0 {
		return core.ErrEmptyBatch
	}
	if len(raw) > MaxBatch {
		return fmt.Errorf("%w: %d entries, at most %d", core.ErrBatchTooLarge, len(raw), MaxBatch)
	}
	return nil
}
