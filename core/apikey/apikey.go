// Package apikey is the API keys of service clients: created with a name,
// shown once, stored only as a SHA-256 hash, accepted as bearer tokens until
// revoked.
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
)

// SecretPrefix starts every key, so a leaked key is recognisable (and
// scanners can look for it) and never mistaken for a JWT.
const SecretPrefix = "ssk_"

// MaxNameLength bounds a key's name, in characters.
const MaxNameLength = 100

// ErrInvalidName means a key name is empty or too long.
var ErrInvalidName = errors.New("invalid API key name")

// Key is a stored API key: everything but the secret, of which only the
// hash is kept.
type Key struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	// Hint is the secret's first characters, to tell keys apart in a list.
	Hint      string     `json:"hint"`
	Hash      []byte     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Store keeps API keys. Lookups by hash must not match revoked keys.
type Store interface {
	// CreateAPIKey stores k.
	CreateAPIKey(ctx context.Context, k Key) error
	// ListAPIKeys returns every key, revoked ones included, oldest first.
	ListAPIKeys(ctx context.Context) ([]Key, error)
	// RevokeAPIKey marks the key revoked at at; revoking a revoked key keeps
	// its first time. It returns an error wrapping core.ErrNotFound when
	// there is no such key.
	RevokeAPIKey(ctx context.Context, id uuid.UUID, at time.Time) (Key, error)
	// ActiveAPIKeyByHash returns the unrevoked key whose hash is hash, or an
	// error wrapping core.ErrNotFound.
	ActiveAPIKeyByHash(ctx context.Context, hash []byte) (Key, error)
}

// Service creates, lists, revokes and verifies keys.
type Service struct {
	store Store
	clock core.Clock
}

// NewService returns the API key use cases over store.
func NewService(store Store, clock core.Clock) *Service {
	return &Service{store: store, clock: clock}
}

// Create makes a key named name and returns it with its secret, which is
// never stored and cannot be shown again.
func (s *Service) Create(ctx context.Context, name string) (Key, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength {
		return Key{}, "", fmt.Errorf("%w: a name of 1 to %d characters is required", ErrInvalidName, MaxNameLength)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Key{}, "", fmt.Errorf("create API key: %w", err)
	}
	secret := SecretPrefix + base64.RawURLEncoding.EncodeToString(raw)
	k := Key{
		ID:        uuid.New(),
		Name:      name,
		Hint:      secret[:len(SecretPrefix)+6],
		Hash:      Hash(secret),
		CreatedAt: s.clock.Now().UTC(),
	}
	if err := s.store.CreateAPIKey(ctx, k); err != nil {
		return Key{}, "", fmt.Errorf("create API key: %w", err)
	}
	return k, secret, nil
}

// List returns every key, revoked ones included.
func (s *Service) List(ctx context.Context) ([]Key, error) {
	ks, err := s.store.ListAPIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list API keys: %w", err)
	}
	return ks, nil
}

// Revoke revokes the key id; it is refused from then on.
func (s *Service) Revoke(ctx context.Context, id uuid.UUID) (Key, error) {
	k, err := s.store.RevokeAPIKey(ctx, id, s.clock.Now().UTC())
	if err != nil {
		return Key{}, fmt.Errorf("revoke API key: %w", err)
	}
	return k, nil
}

// Verify returns the active key whose secret is secret, or an error
// wrapping core.ErrNotFound. Only strings that look like keys reach the
// store.
func (s *Service) Verify(ctx context.Context, secret string) (Key, error) {
	if !LooksLikeKey(secret) {
		return Key{}, fmt.Errorf("verify API key: %w", core.ErrNotFound)
	}
	k, err := s.store.ActiveAPIKeyByHash(ctx, Hash(secret))
	if err != nil {
		return Key{}, fmt.Errorf("verify API key: %w", err)
	}
	return k, nil
}

// LooksLikeKey reports whether token has the shape of a key's secret.
func LooksLikeKey(token string) bool {
	return strings.HasPrefix(token, SecretPrefix) && len(token) == len(SecretPrefix)+43
}

// Hash is the stored form of a secret: SHA-256. The secret is 32 random
// bytes, so a fast unsalted hash is enough: there is nothing to guess.
func Hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
