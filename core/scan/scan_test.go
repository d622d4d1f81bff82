package scan_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/adapters/storetest"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/queue"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

type fakeScanner struct {
	rep  scan.Report
	err  error
	site string
}

// Scan reports each page of rep to onPage, then returns rep and err.
func (f *fakeScanner) Scan(ctx context.Context, site string, onPage scan.OnPage) (scan.Report, error) {
	f.site = site
	for _, p := range f.rep.Pages {
		if onPage == nil {
			break
		}
		if err := onPage(ctx, p); err != nil {
			return scan.Report{}, err
		}
	}
	return f.rep, f.err
}

func TestBuild(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	now := time.Now()
	long := strings.Repeat("é", 300)
	out := scan.Build(id, "www.acme.co.uk", scan.Report{Pages: []scan.PageResult{
		{URL: "https://acme.co.uk/", Status: 200, Emails: []scan.Found{{Email: "jane@acme.co.uk", Context: long}, {Email: "jane@acme.co.uk"}}},
		{URL: "https://acme.co.uk/team", Status: 200, Emails: []scan.Found{{Email: "jane@acme.co.uk"}, {Email: "sales+eu@acme.co.uk"}, {Email: "x@yahoo.co.jp"}, {Email: "y@other.org"}}},
		{URL: "https://acme.co.uk/team", Status: 200},
	}}, now)
	require.Len(t, out.Pages, 2, "a URL is recorded once")
	require.Equal(t, 1, out.Pages[0].EmailsFound)
	require.Equal(t, 4, out.Pages[1].EmailsFound)
	require.Len(t, out.Contacts, 4, "an email is one contact")
	want := map[string]contact.Type{
		"jane@acme.co.uk":     contact.TypeCorporate,
		"sales+eu@acme.co.uk": contact.TypeService,
		"x@yahoo.co.jp":       contact.TypeFree,
		"y@other.org":         contact.TypeUnknown,
	}
	for _, c := range out.Contacts {
		require.Equal(t, want[c.Email], c.Type, c.Email)
		require.Equal(t, id, c.DomainID)
	}
	require.Equal(t, "https://acme.co.uk/", out.Contacts[0].SourceURL, "first page seen wins")
	require.Equal(t, scan.MaxContextLength, len([]rune(out.Contacts[0].Context)))
}

func TestHandlerStoresContacts(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	ids := storetest.QueueDomains(t, s, core.EmailScan, "h", 1)
	jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, time.Now())
	require.NoError(t, err)
	sc := &fakeScanner{rep: scan.Report{Pages: []scan.PageResult{{URL: "https://h0.example.org/", Status: 200, Emails: []scan.Found{{Email: "info@h0.example.org"}}}}}}
	h := scan.NewHandler(sc, s, core.SystemClock{})
	require.NoError(t, h.Handle(context.Background(), jobs[0]))
	require.Equal(t, "h0.example.org", sc.site)
	cs, err := s.Contacts(context.Background(), ids[0])
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, contact.TypeService, cs[0].Type)
	st, _ := storetest.SecondaryOf(t, s, core.EmailScan, ids[0])
	require.Equal(t, core.TaskCompleted, st)
}

func TestHandlerPassesScanErrorsThrough(t *testing.T) {
	t.Parallel()
	s := memory.NewStore()
	storetest.QueueDomains(t, s, core.EmailScan, "e", 1)
	jobs, err := s.Claim(context.Background(), core.EmailScan, 1, time.Minute, time.Now())
	require.NoError(t, err)
	boom := errors.New("no such host")
	h := scan.NewHandler(&fakeScanner{err: boom}, s, core.SystemClock{})
	require.ErrorIs(t, h.Handle(context.Background(), jobs[0]), boom)

	// A finish after the lease was lost reports it.
	_, err = s.Rescue(context.Background(), core.EmailScan, 5, time.Now().Add(time.Hour))
	require.NoError(t, err)
	h = scan.NewHandler(&fakeScanner{}, s, core.SystemClock{})
	require.ErrorIs(t, h.Handle(context.Background(), jobs[0]), core.ErrLeaseLost)
	var _ queue.Handler = h
}
