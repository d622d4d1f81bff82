package suppression_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

func TestParse(t *testing.T) {
	t.Parallel()
	ok := []struct {
		in, value string
		kind      suppression.Kind
	}{
		{"Jane@Example.COM", "jane@example.com", suppression.KindAddress},
		{"  jane.doe+news@example.com ", "jane.doe+news@example.com", suppression.KindAddress},
		{"example.com", "example.com", suppression.KindDomain},
		{"@Example.com", "example.com", suppression.KindDomain},
		{"mail.example.co.uk", "mail.example.co.uk", suppression.KindDomain},
		{"bücher.de", "xn--bcher-kva.de", suppression.KindDomain},
		{"info@bücher.de", "info@xn--bcher-kva.de", suppression.KindAddress},
	}
	for _, c := range ok {
		v, k, err := suppression.Parse(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.value, v, c.in)
		require.Equal(t, c.kind, k, c.in)
	}
	bad := []string{"", "   ", "@", "localhost", "jane@", "@@example.com", "a b@example.com", "jane@exa mple.com",
		"exa_mple.com", "50%.example.com", "example.com/path", "example.com:80", "jane@localhost", "\xff.com",
		string(make([]byte, 300))}
	for _, in := range bad {
		_, _, err := suppression.Parse(in)
		require.ErrorIs(t, err, suppression.ErrInvalidEntry, "%q", in)
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	require.True(t, suppression.Matches("jane@example.com", suppression.KindAddress, "Jane@Example.com"))
	require.False(t, suppression.Matches("jane@example.com", suppression.KindAddress, "john@example.com"))
	require.True(t, suppression.Matches("example.com", suppression.KindDomain, "john@example.com"))
	require.False(t, suppression.Matches("example.com", suppression.KindDomain, "john@mail.example.com"), "subdomains are not included")
	require.False(t, suppression.Matches("example.com", suppression.KindDomain, "john@notexample.com"))
	require.Equal(t, []string{"a@b.io", "b.io"}, suppression.Keys("A@B.io"))
}

// listStore is a hand-written fake of the list's port.
type listStore struct {
	added   []suppression.Entry
	removed []string
	fail    error
}

func (s *listStore) AddSuppressions(_ context.Context, es []suppression.Entry) ([]suppression.Entry, int, error) {
	s.added = es
	return es, 2, s.fail
}

func (s *listStore) ListSuppressions(context.Context) ([]suppression.Entry, error) {
	return s.added, s.fail
}

func (s *listStore) DeleteSuppressions(_ context.Context, values []string) ([]string, error) {
	s.removed = values
	return values, s.fail
}

type clock struct{ t time.Time }

func (c clock) Now() time.Time { return c.t }

func TestManager(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &listStore{}
	m := suppression.NewManager(s, clock{now})

	res, err := m.Add(ctx, []string{"b.example.org", "A@b.example.org", "a@B.example.org", "@b.example.org"})
	require.NoError(t, err)
	require.Equal(t, []suppression.Entry{
		{Value: "a@b.example.org", Kind: suppression.KindAddress, CreatedAt: now},
		{Value: "b.example.org", Kind: suppression.KindDomain, CreatedAt: now},
	}, s.added, "normalized, distinct, sorted")
	require.Equal(t, 2, res.ContactsRemoved)

	s.added = nil
	_, err = m.Add(ctx, []string{"ok@example.org", "not valid"})
	require.ErrorIs(t, err, suppression.ErrInvalidEntry)
	require.Nil(t, s.added, "one invalid entry adds nothing")
	_, err = m.Add(ctx, nil)
	require.ErrorIs(t, err, core.ErrEmptyBatch)
	many := make([]string, suppression.MaxBatch+1)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.org", i)
	}
	_, err = m.Add(ctx, many)
	require.ErrorIs(t, err, core.ErrBatchTooLarge)

	got, err := m.Remove(ctx, []string{"B.example.org", "b.example.org"})
	require.NoError(t, err)
	require.Equal(t, []string{"b.example.org"}, got)
	_, err = m.Remove(ctx, []string{"?"})
	require.ErrorIs(t, err, suppression.ErrInvalidEntry)

	s.fail = errors.New("disk full")
	_, err = m.List(ctx)
	require.ErrorIs(t, err, s.fail)
}

func TestListed(t *testing.T) {
	t.Parallel()
	on := map[string]bool{"jane@gmail.com": true, "spam.example": true}
	require.True(t, suppression.Listed("Jane@Gmail.com", on), "the address, any case")
	require.True(t, suppression.Listed("bob@spam.example", on), "its domain")
	require.False(t, suppression.Listed("bob@mail.spam.example", on), "not a subdomain")
	require.False(t, suppression.Listed("jim@gmail.com", on))
	require.False(t, suppression.Listed("info@acme.io", nil))
}
