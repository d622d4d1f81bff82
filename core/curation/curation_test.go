package curation_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

func TestUpdateRejectsBadInput(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	u := curation.NewSecondaryStateUpdater(store, core.EmailScan, core.SystemClock{}, nil)
	ctx := context.Background()

	_, err := u.Update(ctx, curation.UpdateInput{Status: core.CurationSelected})
	require.ErrorIs(t, err, core.ErrEmptyBatch)

	_, err = u.Update(ctx, curation.UpdateInput{IDs: make([]uuid.UUID, curation.MaxBatch+1), Status: core.CurationSelected})
	require.ErrorIs(t, err, core.ErrBatchTooLarge)

	_, err = u.Update(ctx, curation.UpdateInput{IDs: []uuid.UUID{uuid.New()}, Status: "Chosen"})
	require.ErrorIs(t, err, core.ErrInvalidStatus)
}

func TestUpdateLogs(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	ds, err := store.AddDomains(context.Background(), []core.Domain{core.NewDomain("a.example.org", core.SystemClock{}.Now())})
	require.NoError(t, err)
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	u := curation.NewSecondaryStateUpdater(store, core.EmailScan, core.SystemClock{}, log)
	_, err = u.Update(context.Background(), curation.UpdateInput{IDs: []uuid.UUID{ds[0].ID}, Status: core.CurationSelected, UserID: "user-7"})
	require.NoError(t, err)
	out := buf.String()
	require.Contains(t, out, "batch status update started")
	require.Contains(t, out, "user_id=user-7")
	require.Contains(t, out, "domain status changed")
	require.Contains(t, out, ds[0].ID.String())
	require.Contains(t, out, "queued_count=1")
	require.Equal(t, 3, strings.Count(out, "workflow=email_scan"))
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	store := memory.NewStore()
	s := curation.NewSubmitter(store, core.SystemClock{})
	ctx := context.Background()

	got, err := s.Submit(ctx, []string{"https://www.Example.org/about", "b.example.org", "EXAMPLE.org"})
	require.NoError(t, err)
	require.Len(t, got, 2, "duplicates after normalization collapse")
	require.Equal(t, "example.org", got[0].Domain)
	require.Equal(t, "b.example.org", got[1].Domain)

	again, err := s.Submit(ctx, []string{"b.example.org"})
	require.NoError(t, err)
	require.Equal(t, got[1].ID, again[0].ID, "an existing domain keeps its ID")

	_, err = s.Submit(ctx, []string{"c.example.org", "ftp://bad", "exa mple.org"})
	var inv *curation.InvalidDomainsError
	require.ErrorAs(t, err, &inv)
	require.ErrorIs(t, err, core.ErrInvalidDomain)
	require.Len(t, inv.Rejected, 2)
	require.Equal(t, "ftp://bad", inv.Rejected[0].Input)
	require.Contains(t, inv.Rejected[0].Reason, "scheme")
	require.NotContains(t, inv.Rejected[0].Reason, "invalid domain:")

	_, err = s.Submit(ctx, nil)
	require.ErrorIs(t, err, core.ErrEmptyBatch)
	_, err = s.Submit(ctx, make([]string, curation.MaxSubmit+1))
	require.ErrorIs(t, err, core.ErrBatchTooLarge)
}
