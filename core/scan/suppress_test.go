package scan_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// listFake is the do-not-contact list: the keys it holds, the keys it was
// asked about.
type listFake struct {
	on    map[string]bool
	asked []string
	err   error
}

func (l *listFake) Suppressed(_ context.Context, keys []string) ([]string, error) {
	l.asked = append(l.asked, keys...)
	var out []string
	for _, k := range keys {
		if l.on[k] {
			out = append(out, k)
		}
	}
	return out, l.err
}

// resultsFake records the outcome it is asked to store, and the progress
// writes (pages, contacts) before it.
type resultsFake struct {
	out      *scan.Outcome
	progress [][2]int
}

func (r *resultsFake) Progress(_ context.Context, _ queue.Job, pages, contacts int) error {
	r.progress = append(r.progress, [2]int{pages, contacts})
	return nil
}

func (r *resultsFake) FinishScan(_ context.Context, _ queue.Job, out scan.Outcome) error {
	r.out = &out
	return nil
}

type nowClock struct{}

func (nowClock) Now() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

func TestSuppressionsFilterTheReport(t *testing.T) {
	t.Parallel()
	rep := scan.Report{Pages: []scan.PageResult{
		{URL: "https://acme.io/", Status: 200, Emails: []scan.Found{{Email: "jane@gmail.com"}, {Email: "info@acme.io"}}},
		{URL: "https://acme.io/team", Status: 200, Emails: []scan.Found{{Email: "bob@spam.example"}, {Email: "jane@gmail.com"}, {Email: "x@mail.spam.example"}}},
	}}
	list := &listFake{on: map[string]bool{"jane@gmail.com": true, "spam.example": true}}
	res := &resultsFake{}
	h := scan.NewHandler(&fakeScanner{rep: rep}, res, nowClock{}).WithSuppressions(list)
	require.NoError(t, h.Handle(context.Background(), queue.Job{DomainID: uuid.New(), Domain: "acme.io"}))

	var emails []string
	for _, c := range res.out.Contacts {
		emails = append(emails, c.Email)
	}
	require.Equal(t, []string{"info@acme.io", "x@mail.spam.example"}, emails, "an address, and a domain but not its subdomains")
	require.Equal(t, 1, res.out.Pages[0].EmailsFound)
	require.Equal(t, 1, res.out.Pages[1].EmailsFound, "the page counts leave suppressed addresses out too")
	require.ElementsMatch(t, []string{"jane@gmail.com", "gmail.com", "info@acme.io", "acme.io", "bob@spam.example", "spam.example",
		"x@mail.spam.example", "mail.spam.example"}, list.asked, "one look-up, each key once")

	// A list that cannot be read stores nothing.
	list.err = errors.New("database gone")
	res.out = nil
	err := h.Handle(context.Background(), queue.Job{DomainID: uuid.New(), Domain: "acme.io"})
	require.ErrorIs(t, err, list.err)
	require.Nil(t, res.out)
}

// flakyList is a do-not-contact list whose store is down for its first
// fails calls.
type flakyList struct {
	fails int
	calls int
}

func (l *flakyList) Suppressed(_ context.Context, keys []string) ([]string, error) {
	l.calls++
	if l.calls <= l.fails {
		return nil, fmt.Errorf("read: %w", core.ErrUnavailable)
	}
	return nil, nil
}

// A database blip while the list is read after the crawl is retried in
// place, like storing the results: the crawl is not thrown away and
// repeated as a job retry.
func TestSuppressionsReadRetriedInPlace(t *testing.T) {
	t.Parallel()
	rep := scan.Report{Pages: []scan.PageResult{
		{URL: "https://acme.io/", Status: 200, Emails: []scan.Found{{Email: "info@acme.io"}}},
	}}
	res := &resultsFake{}
	list := &flakyList{fails: 2}
	h := scan.NewHandler(&fakeScanner{rep: rep}, res, nowClock{}).WithSuppressions(list).
		WithStoreRetry(queue.StoreRetry{Attempts: 5, Base: time.Millisecond, Max: time.Millisecond})
	require.NoError(t, h.Handle(context.Background(), queue.Job{DomainID: uuid.New(), Domain: "acme.io"}))
	require.Equal(t, 3, list.calls)
	require.NotNil(t, res.out)
	require.Len(t, res.out.Contacts, 1)
}
