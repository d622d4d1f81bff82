package httpapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
)

// SitemapLister reads the sitemap files the last analysis of a domain found.
type SitemapLister interface {
	SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]analysis.File, error)
}

// sitemapsResponse is the answer of GET /api/v3/domains/{id}/sitemaps.
type sitemapsResponse struct {
	Items []analysis.File `json:"items"`
}

// listSitemaps answers with a domain's sitemap files; 404 for an unknown
// domain, so that "no sitemaps yet" and "no such domain" differ.
func (s *Server) listSitemaps(c *fiber.Ctx) error {
	raw := utils.CopyString(c.Params("id"))
	id, err := uuid.Parse(raw)
	if err != nil {
		return unprocessable("domain id %s is not a UUID", echo(raw))
	}
	if _, err := s.deps.Domains.GetDomain(c.UserContext(), id); errors.Is(err, core.ErrNotFound) {
		return notFound("domain %s", id)
	} else if err != nil {
		return fmt.Errorf("get domain: %w", err)
	}
	files, err := s.deps.Sitemaps.SitemapFiles(c.UserContext(), id)
	if err != nil {
		return fmt.Errorf("list sitemap files: %w", err)
	}
	if files == nil {
		files = []analysis.File{}
	}
	return c.JSON(sitemapsResponse{Items: files})
}
