package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

type fixedKeyClock struct{ t time.Time }

func (c *fixedKeyClock) Now() time.Time { return c.t }

// RunAPIKeys is the contract every apikey.Store passes, through the
// apikey.Service: a created key verifies by its secret and never by
// anything else, the list shows it without the secret, a revoked key stops
// verifying and keeps its first revocation time, and unknown IDs are
// core.ErrNotFound.
func RunAPIKeys(t *testing.T, newStore func(t *testing.T) apikey.Store) {
	t.Helper()
	ctx := context.Background()
	t.Run("create verify list revoke", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		clock := &fixedKeyClock{t: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)}
		svc := apikey.NewService(store, clock)

		a, secretA, err := svc.Create(ctx, "  billing-service ")
		require.NoError(t, err)
		require.Equal(t, "billing-service", a.Name)
		require.True(t, apikey.LooksLikeKey(secretA), secretA)
		require.Equal(t, secretA[:len(a.Hint)], a.Hint)
		clock.t = clock.t.Add(time.Minute)
		b, secretB, err := svc.Create(ctx, "crm-sync")
		require.NoError(t, err)
		require.NotEqual(t, secretA, secretB)

		got, err := svc.Verify(ctx, secretA)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
		require.Equal(t, "billing-service", got.Name)
		for _, wrong := range []string{secretA[:len(secretA)-1] + "x", "ssk_", "", a.Hint, string(a.Hash)} {
			_, err := svc.Verify(ctx, wrong)
			require.ErrorIs(t, err, core.ErrNotFound, wrong)
		}

		list, err := svc.List(ctx)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, []uuid.UUID{a.ID, b.ID}, []uuid.UUID{list[0].ID, list[1].ID}, "oldest first")
		require.True(t, list[0].CreatedAt.Equal(a.CreatedAt))
		require.Nil(t, list[0].RevokedAt)
		require.Equal(t, apikey.Hash(secretA), list[0].Hash, "only the hash is stored")

		clock.t = clock.t.Add(time.Hour)
		revokedAt := clock.t
		r, err := svc.Revoke(ctx, a.ID)
		require.NoError(t, err)
		require.NotNil(t, r.RevokedAt)
		require.True(t, r.RevokedAt.Equal(revokedAt))
		_, err = svc.Verify(ctx, secretA)
		require.ErrorIs(t, err, core.ErrNotFound, "a revoked key is refused")
		_, err = svc.Verify(ctx, secretB)
		require.NoError(t, err, "revoking one key leaves the others")

		clock.t = clock.t.Add(time.Hour)
		r, err = svc.Revoke(ctx, a.ID)
		require.NoError(t, err)
		require.True(t, r.RevokedAt.Equal(revokedAt), "revoking again keeps the first time")

		_, err = svc.Revoke(ctx, uuid.New())
		require.ErrorIs(t, err, core.ErrNotFound)
	})
	t.Run("invalid names store nothing", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		svc := apikey.NewService(store, core.SystemClock{})
		for _, name := range []string{"", "   ", string(make([]rune, apikey.MaxNameLength+1))} {
			_, _, err := svc.Create(ctx, name)
			require.ErrorIs(t, err, apikey.ErrInvalidName)
		}
		list, err := svc.List(ctx)
		require.NoError(t, err)
		require.Empty(t, list)
	})
}
