package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

var _ apikey.Store = (*APIKeys)(nil)

// APIKeys is an apikey.Store in memory, safe for concurrent use. It is a
// type of its own, beside Store, because keys take no part in the domains'
// units of work.
type APIKeys struct {
	mu   sync.Mutex
	keys []apikey.Key
}

// NewAPIKeys returns an empty key store.
func NewAPIKeys() *APIKeys { return &APIKeys{} }

func cloneKey(k apikey.Key) apikey.Key {
	k.Hash = slices.Clone(k.Hash)
	if k.RevokedAt != nil {
		t := *k.RevokedAt
		k.RevokedAt = &t
	}
	return k
}

// CreateAPIKey stores k; a duplicate ID or hash is refused, as the SQL
// stores' constraints do.
func (s *APIKeys) CreateAPIKey(_ context.Context, k apikey.Key) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.keys {
		if have.ID == k.ID || bytes.Equal(have.Hash, k.Hash) {
			return fmt.Errorf("insert API key: duplicate id or hash")
		}
	}
	s.keys = append(s.keys, cloneKey(k))
	return nil
}

// ListAPIKeys returns every key, oldest first.
func (s *APIKeys) ListAPIKeys(context.Context) ([]apikey.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]apikey.Key, len(s.keys))
	for i, k := range s.keys {
		out[i] = cloneKey(k)
	}
	slices.SortStableFunc(out, func(a, b apikey.Key) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

// RevokeAPIKey marks the key revoked once.
func (s *APIKeys) RevokeAPIKey(_ context.Context, id uuid.UUID, at time.Time) (apikey.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.keys {
		if s.keys[i].ID == id {
			if s.keys[i].RevokedAt == nil {
				t := at.UTC()
				s.keys[i].RevokedAt = &t
			}
			return cloneKey(s.keys[i]), nil
		}
	}
	return apikey.Key{}, fmt.Errorf("API key %s: %w", id, core.ErrNotFound)
}

// ActiveAPIKeyByHash returns the unrevoked key with hash.
func (s *APIKeys) ActiveAPIKeyByHash(_ context.Context, hash []byte) (apikey.Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range s.keys {
		if k.RevokedAt == nil && bytes.Equal(k.Hash, hash) {
			return cloneKey(k), nil
		}
	}
	return apikey.Key{}, fmt.Errorf("API key: %w", core.ErrNotFound)
}
