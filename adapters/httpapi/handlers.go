package httpapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// The request bodies. Pointers tell a missing or null member from an empty
// one, and element pointers find a null inside an array.
type (
	emailScanRequest struct {
		DomainIDs *[]*string `json:"domain_ids"`
		Status    *string    `json:"email_scan_status"`
	}
	sitemapCurationRequest struct {
		DomainIDs *[]*string `json:"domain_ids"`
		Status    *string    `json:"sitemap_curation_status"`
	}
	directSubmitRequest struct {
		Domains *[]*string `json:"domains"`
	}
)

// The response bodies.
type (
	emailScanResponse struct {
		UpdatedCount       int         `json:"updated_count"`
		QueuedForScanCount int         `json:"queued_for_scan_count"`
		CancelledCount     int         `json:"cancelled_count"`
		NotFoundIDs        []uuid.UUID `json:"not_found_ids"`
	}
	sitemapCurationResponse struct {
		UpdatedCount   int         `json:"updated_count"`
		QueuedCount    int         `json:"queued_count"`
		CancelledCount int         `json:"cancelled_count"`
		NotFoundIDs    []uuid.UUID `json:"not_found_ids"`
	}
	directSubmitResponse struct {
		Created           int         `json:"created"`
		Existing          int         `json:"existing"`
		SubmittedCount    int         `json:"submitted_count"`
		DomainIDs         []uuid.UUID `json:"domain_ids"`
		NormalizedDomains []string    `json:"normalized_domains"`
	}
	healthResponse struct {
		Status           string `json:"status"`
		Store            string `json:"store,omitempty"`
		MigrationVersion string `json:"migration_version,omitempty"`
	}
)

// maxEcho bounds how much of a client's value an error detail repeats.
const maxEcho = 64

func (s *Server) health(c *fiber.Ctx) error {
	return c.JSON(healthResponse{Status: "ok"})
}

func (s *Server) healthDB(c *fiber.Ctx) error {
	if s.deps.DB != nil {
		if err := s.deps.DB.Ping(c.UserContext()); err != nil {
			s.log.ErrorContext(c.UserContext(), "database ping failed", "request_id", ensureRequestID(c), "error", err)
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds)
			return c.Status(fiber.StatusServiceUnavailable).JSON(healthResponse{Status: "unavailable"})
		}
	}
	res := healthResponse{Status: "ok", Store: s.cfg.StoreKind}
	if v, ok := s.deps.DB.(SchemaVersioner); ok {
		version, err := v.SchemaVersion(c.UserContext())
		if err != nil {
			s.log.ErrorContext(c.UserContext(), "reading the migration version failed", "request_id", ensureRequestID(c), "error", err)
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds)
			return c.Status(fiber.StatusServiceUnavailable).JSON(healthResponse{Status: "unavailable"})
		}
		res.MigrationVersion = version
	}
	return c.JSON(res)
}

func (s *Server) emailScanStatus(c *fiber.Ctx) error {
	var req emailScanRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := updateInput(c, req.DomainIDs, "email_scan_status", req.Status)
	if err != nil {
		return err
	}
	res, err := s.deps.EmailScan.Update(c.UserContext(), in)
	if err != nil {
		return fmt.Errorf("update email scan status: %w", err)
	}
	return c.JSON(emailScanResponse{
		UpdatedCount:       res.Updated,
		QueuedForScanCount: res.Queued,
		CancelledCount:     res.Cancelled,
		NotFoundIDs:        nonNil(res.NotFound),
	})
}

func (s *Server) sitemapCurationStatus(c *fiber.Ctx) error {
	var req sitemapCurationRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in, err := updateInput(c, req.DomainIDs, "sitemap_curation_status", req.Status)
	if err != nil {
		return err
	}
	res, err := s.deps.SitemapCuration.Update(c.UserContext(), in)
	if err != nil {
		return fmt.Errorf("update sitemap curation status: %w", err)
	}
	return c.JSON(sitemapCurationResponse{
		UpdatedCount:   res.Updated,
		QueuedCount:    res.Queued,
		CancelledCount: res.Cancelled,
		NotFoundIDs:    nonNil(res.NotFound),
	})
}

// updateInput validates a status request's members; statusField names the
// status member in details.
func updateInput(c *fiber.Ctx, rawIDs *[]*string, statusField string, rawStatus *string) (curation.UpdateInput, error) {
	if rawIDs == nil {
		return curation.UpdateInput{}, unprocessable("domain_ids is required: an array of 1 to %d domain UUIDs", curation.MaxBatch)
	}
	if len(*rawIDs) == 0 {
		return curation.UpdateInput{}, unprocessable("domain_ids is empty: give at least one domain UUID")
	}
	if n := len(*rawIDs); n > curation.MaxBatch {
		return curation.UpdateInput{}, unprocessable("domain_ids has %d IDs; at most %d are allowed per request", n, curation.MaxBatch)
	}
	ids := make([]uuid.UUID, len(*rawIDs))
	for i, raw := range *rawIDs {
		if raw == nil {
			return curation.UpdateInput{}, unprocessable("domain_ids[%d] is null; want a UUID", i)
		}
		id, err := uuid.Parse(*raw)
		if err != nil {
			return curation.UpdateInput{}, unprocessable("domain_ids[%d] = %s is not a UUID", i, echo(*raw))
		}
		ids[i] = id
	}
	if rawStatus == nil {
		return curation.UpdateInput{}, unprocessable("%s is required: one of %s", statusField, allowedStatuses())
	}
	status, err := core.ParseCurationStatus(*rawStatus)
	if err != nil {
		return curation.UpdateInput{}, unprocessable("%s %s is not a curation status; allowed: %s", statusField, echo(*rawStatus), allowedStatuses())
	}
	userID, _ := c.Locals(localUserID).(string)
	return curation.UpdateInput{IDs: ids, Status: status, UserID: userID}, nil
}

func (s *Server) directSubmit(c *fiber.Ctx) error {
	var req directSubmitRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Domains == nil {
		return unprocessable("domains is required: an array of 1 to %d domain names or URLs", curation.MaxSubmit)
	}
	if len(*req.Domains) == 0 {
		return unprocessable("domains is empty: give at least one domain")
	}
	if n := len(*req.Domains); n > curation.MaxSubmit {
		return unprocessable("domains has %d entries; at most %d are allowed per request", n, curation.MaxSubmit)
	}
	raw := make([]string, len(*req.Domains))
	for i, d := range *req.Domains {
		if d == nil {
			return unprocessable("domains[%d] is null; want a domain name or URL", i)
		}
		raw[i] = *d
	}
	sub, err := s.deps.Submitter.SubmitCounted(c.UserContext(), raw)
	if err != nil {
		return fmt.Errorf("direct submit: %w", err)
	}
	stored := sub.Domains
	resp := directSubmitResponse{
		Created:           sub.Created,
		Existing:          sub.Existing,
		SubmittedCount:    len(stored),
		DomainIDs:         make([]uuid.UUID, len(stored)),
		NormalizedDomains: make([]string, len(stored)),
	}
	for i, d := range stored {
		resp.DomainIDs[i] = d.ID
		resp.NormalizedDomains[i] = d.Domain
	}
	// Only a submission that created something is a 201; its Location is
	// the first new domain. Submitting known hosts again changes nothing: 200.
	for i, isNew := range sub.New {
		if isNew {
			c.Location("/api/v3/domains/" + stored[i].ID.String())
			return c.Status(fiber.StatusCreated).JSON(resp)
		}
	}
	return c.JSON(resp)
}

func (s *Server) getDomain(c *fiber.Ctx) error {
	// c.Params points into a reused buffer; the copy may outlive the handler
	// in an error's detail.
	raw := utils.CopyString(c.Params("id"))
	id, err := uuid.Parse(raw)
	if err != nil {
		return unprocessable("domain id %s is not a UUID", echo(raw))
	}
	d, err := s.deps.Domains.GetDomain(c.UserContext(), id)
	if errors.Is(err, core.ErrNotFound) {
		return notFound("domain %s", id)
	}
	if err != nil {
		return fmt.Errorf("get domain: %w", err)
	}
	return c.JSON(d)
}

func unprocessable(format string, args ...any) error {
	return newHTTPError(fiber.StatusUnprocessableEntity, format, args...)
}

// echo quotes a client's value for an error detail, cut to maxEcho bytes.
func echo(v string) string {
	if len(v) > maxEcho {
		return fmt.Sprintf("%q...", v[:maxEcho])
	}
	return fmt.Sprintf("%q", v)
}

func allowedStatuses() string {
	quoted := make([]string, len(core.CurationStatuses))
	for i, s := range core.CurationStatuses {
		quoted[i] = fmt.Sprintf("%q", string(s))
	}
	return strings.Join(quoted, ", ")
}

func nonNil(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}
