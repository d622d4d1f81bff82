package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

// apiKeyRow is the api_keys table (migration 7) as Bun sees it.
type apiKeyRow struct {
	bun.BaseModel `bun:"table:api_keys,alias:k"`

	ID        uuid.UUID  `bun:"id,pk"`
	Name      string     `bun:"name,notnull"`
	Hint      string     `bun:"hint,notnull"`
	Hash      []byte     `bun:"hash,notnull"`
	CreatedAt time.Time  `bun:"created_at,notnull"`
	RevokedAt *time.Time `bun:"revoked_at"`
}

func (r apiKeyRow) key() apikey.Key {
	k := apikey.Key{ID: r.ID, Name: r.Name, Hint: r.Hint, Hash: r.Hash, CreatedAt: r.CreatedAt.UTC()}
	if r.RevokedAt != nil {
		t := r.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return k
}

// CreateAPIKey stores k.
func (c Common) CreateAPIKey(ctx context.Context, k apikey.Key) error {
	row := apiKeyRow{ID: k.ID, Name: k.Name, Hint: k.Hint, Hash: k.Hash, CreatedAt: k.CreatedAt.UTC()}
	err := c.D.Exclusive(ctx, func() error {
		_, err := c.D.DB.NewInsert().Model(&row).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("insert API key: %w", err)
	}
	return nil
}

// ListAPIKeys returns every key, oldest first.
func (c Common) ListAPIKeys(ctx context.Context) ([]apikey.Key, error) {
	var rows []apiKeyRow
	if err := c.D.DB.NewSelect().Model(&rows).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	out := make([]apikey.Key, len(rows))
	for i, r := range rows {
		out[i] = r.key()
	}
	return out, nil
}

// RevokeAPIKey sets revoked_at once (COALESCE keeps the first revocation)
// and returns the key, or an error wrapping core.ErrNotFound.
func (c Common) RevokeAPIKey(ctx context.Context, id uuid.UUID, at time.Time) (apikey.Key, error) {
	var row apiKeyRow
	err := c.D.Exclusive(ctx, func() error {
		return c.D.DB.NewUpdate().Model(&row).
			Set("revoked_at = COALESCE(revoked_at, ?)", at.UTC()).
			Where("id = ?", id).
			Returning("*").
			Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return apikey.Key{}, fmt.Errorf("API key %s: %w", id, core.ErrNotFound)
	}
	if err != nil {
		return apikey.Key{}, fmt.Errorf("revoke API key: %w", err)
	}
	return row.key(), nil
}

// ActiveAPIKeyByHash returns the unrevoked key with hash (the unique
// index api_keys_hash_key serves the lookup), or an error wrapping
// core.ErrNotFound.
func (c Common) ActiveAPIKeyByHash(ctx context.Context, hash []byte) (apikey.Key, error) {
	var row apiKeyRow
	err := c.D.DB.NewSelect().Model(&row).Where("hash = ?", hash).Where("revoked_at IS NULL").Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return apikey.Key{}, fmt.Errorf("API key: %w", core.ErrNotFound)
	}
	if err != nil {
		return apikey.Key{}, fmt.Errorf("look up API key: %w", err)
	}
	return row.key(), nil
}
