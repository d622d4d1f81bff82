package curation_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/memory"
	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

func TestSubmitCountedTellsNewFromExisting(t *testing.T) {
	t.Parallel()
	s := curation.NewSubmitter(memory.NewStore(), core.SystemClock{})
	ctx := context.Background()

	first, err := s.SubmitCounted(ctx, []string{"a.example.org", "b.example.org", "A.example.org"})
	require.NoError(t, err)
	require.Equal(t, 2, first.Created)
	require.Zero(t, first.Existing)

	again, err := s.SubmitCounted(ctx, []string{"b.example.org", "c.example.org", "a.example.org"})
	require.NoError(t, err)
	require.Equal(t, 1, again.Created)
	require.Equal(t, 2, again.Existing)
	require.Equal(t, first.Domains[1].ID, again.Domains[0].ID)
	require.Equal(t, "c.example.org", again.Domains[1].Domain)
	require.Equal(t, []bool{false, true, false}, again.New)

	all, err := s.SubmitCounted(ctx, []string{"c.example.org"})
	require.NoError(t, err)
	require.Equal(t, curation.Submission{Domains: all.Domains, Created: 0, Existing: 1, New: []bool{false}}, all)
}
