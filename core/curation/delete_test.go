package curation_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// remover is a hand-written fake that deletes the IDs it knows.
type remover struct {
	known map[uuid.UUID]bool
	asked []uuid.UUID
}

func (r *remover) DeleteDomains(_ context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	r.asked = ids
	var out []uuid.UUID
	for _, id := range ids {
		if r.known[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

func (r *remover) DeleteContact(_ context.Context, id uuid.UUID) error {
	if !r.known[id] {
		return core.ErrNotFound
	}
	return nil
}

func TestDeleter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	b := uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	c := uuid.MustParse("00000000-0000-0000-0000-00000000000c")
	r := &remover{known: map[uuid.UUID]bool{a: true, c: true}}
	d := curation.NewDeleter(r)

	res, err := d.DeleteDomains(ctx, []uuid.UUID{c, b, a, c})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{a, b, c}, r.asked, "sorted and distinct: the stores lock in this order")
	require.Equal(t, 2, res.Deleted)
	require.Equal(t, []uuid.UUID{b}, res.NotFound)

	r.asked = nil
	_, err = d.DeleteDomains(ctx, nil)
	require.ErrorIs(t, err, core.ErrEmptyBatch)
	_, err = d.DeleteDomains(ctx, make([]uuid.UUID, curation.MaxBatch+1))
	require.ErrorIs(t, err, core.ErrBatchTooLarge)
	require.Nil(t, r.asked, "refused batches reach no store")

	require.NoError(t, d.DeleteContact(ctx, a))
	require.ErrorIs(t, d.DeleteContact(ctx, b), core.ErrNotFound)
}
