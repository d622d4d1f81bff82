package httpapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/apikey"
)

// APIKeys creates, lists, revokes and verifies API keys.
// *apikey.Service implements it.
type APIKeys interface {
	Create(ctx context.Context, name string) (apikey.Key, string, error)
	List(ctx context.Context) ([]apikey.Key, error)
	Revoke(ctx context.Context, id uuid.UUID) (apikey.Key, error)
	Verify(ctx context.Context, secret string) (apikey.Key, error)
}

// APIKeyUserPrefix starts the user ID of a request authenticated with an
// API key: "apikey:" and the key's name, as the access log shows it.
const APIKeyUserPrefix = "apikey:"

type (
	createAPIKeyRequest struct {
		Name *string `json:"name"`
	}
	// createdAPIKey is the key with its secret, sent once.
	createdAPIKey struct {
		apikey.Key
		Secret string `json:"key"`
	}
	apiKeyList struct {
		Items []apikey.Key `json:"items"`
	}
)

// userIDOf returns the user a bearer token stands for: an API key's name
// when the token has a key's shape and keys are configured, otherwise what
// the JWT or development token check says. A non-empty detail refuses the
// token; err is a store failure.
func (s *Server) userIDOf(c *fiber.Ctx, token string) (userID, detail string, err error) {
	if s.deps.APIKeys == nil || !apikey.LooksLikeKey(token) {
		userID, detail = s.auth.userID(token)
		return userID, detail, nil
	}
	k, err := s.deps.APIKeys.Verify(c.UserContext(), token)
	if errors.Is(err, core.ErrNotFound) {
		return "", "invalid token: unknown or revoked API key", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("verify API key: %w", err)
	}
	return APIKeyUserPrefix + k.Name, "", nil
}

func (s *Server) createAPIKey(c *fiber.Ctx) error {
	var req createAPIKeyRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Name == nil {
		return unprocessable("name is required: 1 to %d characters naming the client", apikey.MaxNameLength)
	}
	k, secret, err := s.deps.APIKeys.Create(c.UserContext(), *req.Name)
	if errors.Is(err, apikey.ErrInvalidName) {
		return unprocessable("name must have 1 to %d characters", apikey.MaxNameLength)
	}
	if err != nil {
		return fmt.Errorf("create API key: %w", err)
	}
	userID, _ := c.Locals(localUserID).(string)
	s.log.InfoContext(c.UserContext(), "API key created", "key_id", k.ID, "key_name", k.Name, "user_id", userID)
	c.Location("/api/v3/api-keys/" + k.ID.String())
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(fiber.StatusCreated).JSON(createdAPIKey{Key: k, Secret: secret})
}

func (s *Server) listAPIKeys(c *fiber.Ctx) error {
	ks, err := s.deps.APIKeys.List(c.UserContext())
	if err != nil {
		return fmt.Errorf("list API keys: %w", err)
	}
	if ks == nil {
		ks = []apikey.Key{}
	}
	return c.JSON(apiKeyList{Items: ks})
}

func (s *Server) revokeAPIKey(c *fiber.Ctx) error {
	raw := utils.CopyString(c.Params("id"))
	id, err := uuid.Parse(raw)
	if err != nil {
		return unprocessable("API key id %s is not a UUID", echo(raw))
	}
	k, err := s.deps.APIKeys.Revoke(c.UserContext(), id)
	if errors.Is(err, core.ErrNotFound) {
		return newHTTPError(fiber.StatusNotFound, "API key %s not found", id)
	}
	if err != nil {
		return fmt.Errorf("revoke API key: %w", err)
	}
	userID, _ := c.Locals(localUserID).(string)
	s.log.InfoContext(c.UserContext(), "API key revoked", "key_id", k.ID, "key_name", k.Name, "user_id", userID)
	return c.JSON(k)
}
