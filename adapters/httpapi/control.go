package httpapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// Deleter removes domains and contacts. *curation.Deleter implements it.
type Deleter interface {
	DeleteDomains(ctx context.Context, ids []uuid.UUID) (curation.DeleteResult, error)
	DeleteContact(ctx context.Context, id uuid.UUID) error
}

// SuppressionManager edits the do-not-contact list.
// *suppression.Manager implements it.
type SuppressionManager interface {
	Add(ctx context.Context, raw []string) (suppression.AddResult, error)
	List(ctx context.Context) ([]suppression.Entry, error)
	Remove(ctx context.Context, raw []string) ([]string, error)
}

// StatusCounter counts domains by the value of every status column.
type StatusCounter interface {
	CountStatuses(ctx context.Context) ([]core.StatusCount, error)
}

type (
	deleteDomainsRequest struct {
		DomainIDs *[]*string `json:"domain_ids"`
	}
	deleteDomainsResponse struct {
		DeletedCount int         `json:"deleted_count"`
		NotFoundIDs  []uuid.UUID `json:"not_found_ids"`
	}
	deleteContactResponse struct {
		DeletedCount int `json:"deleted_count"`
	}
	suppressionsRequest struct {
		Values *[]*string `json:"values"`
	}
	suppressionList struct {
		Items []suppression.Entry `json:"items"`
	}
	addSuppressionsResponse struct {
		AddedCount      int                 `json:"added_count"`
		Added           []suppression.Entry `json:"added"`
		ContactsRemoved int                 `json:"contacts_removed"`
	}
	removeSuppressionsResponse struct {
		RemovedCount int      `json:"removed_count"`
		Removed      []string `json:"removed"`
	}
)

// pathID parses the :id path parameter as a UUID; what names the entity in
// the detail.
func pathID(c *fiber.Ctx, what string) (uuid.UUID, error) {
	// c.Params points into a reused buffer; the copy may outlive the
	// handler in an error's detail.
	raw := utils.CopyString(c.Params("id"))
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, unprocessable("%s id %s is not a UUID", what, echo(raw))
	}
	return id, nil
}

func (s *Server) deleteDomain(c *fiber.Ctx) error {
	id, err := pathID(c, "domain")
	if err != nil {
		return err
	}
	res, err := s.deps.Deleter.DeleteDomains(c.UserContext(), []uuid.UUID{id})
	if err != nil {
		return fmt.Errorf("delete domain: %w", err)
	}
	if res.Deleted == 0 {
		return newHTTPError(fiber.StatusNotFound, "domain %s not found", id)
	}
	return c.JSON(deleteDomainsResponse{DeletedCount: res.Deleted, NotFoundIDs: []uuid.UUID{}})
}

func (s *Server) deleteDomains(c *fiber.Ctx) error {
	var req deleteDomainsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ids, err := parseDomainIDs(req.DomainIDs)
	if err != nil {
		return err
	}
	res, err := s.deps.Deleter.DeleteDomains(c.UserContext(), ids)
	if err != nil {
		return fmt.Errorf("delete domains: %w", err)
	}
	return c.JSON(deleteDomainsResponse{DeletedCount: res.Deleted, NotFoundIDs: nonNil(res.NotFound)})
}

// parseDomainIDs validates a domain_ids member: 1 to curation.MaxBatch UUIDs.
func parseDomainIDs(rawIDs *[]*string) ([]uuid.UUID, error) {
	if rawIDs == nil {
		return nil, unprocessable("domain_ids is required: an array of 1 to %d domain UUIDs", curation.MaxBatch)
	}
	if len(*rawIDs) == 0 {
		return nil, unprocessable("domain_ids is empty: give at least one domain UUID")
	}
	if n := len(*rawIDs); n > curation.MaxBatch {
		return nil, unprocessable("domain_ids has %d IDs; at most %d are allowed per request", n, curation.MaxBatch)
	}
	ids := make([]uuid.UUID, len(*rawIDs))
	for i, raw := range *rawIDs {
		if raw == nil {
			return nil, unprocessable("domain_ids[%d] is null; want a UUID", i)
		}
		id, err := uuid.Parse(*raw)
		if err != nil {
			return nil, unprocessable("domain_ids[%d] = %s is not a UUID", i, echo(*raw))
		}
		ids[i] = id
	}
	return ids, nil
}

func (s *Server) deleteContact(c *fiber.Ctx) error {
	id, err := pathID(c, "contact")
	if err != nil {
		return err
	}
	err = s.deps.Deleter.DeleteContact(c.UserContext(), id)
	if errors.Is(err, core.ErrNotFound) {
		return newHTTPError(fiber.StatusNotFound, "contact %s not found", id)
	}
	if err != nil {
		return fmt.Errorf("delete contact: %w", err)
	}
	return c.JSON(deleteContactResponse{DeletedCount: 1})
}

func (s *Server) listSuppressions(c *fiber.Ctx) error {
	items, err := s.deps.Suppressions.List(c.UserContext())
	if err != nil {
		return fmt.Errorf("list suppressions: %w", err)
	}
	if items == nil {
		items = []suppression.Entry{}
	}
	return c.JSON(suppressionList{Items: items})
}

func (s *Server) addSuppressions(c *fiber.Ctx) error {
	values, err := s.suppressionValues(c)
	if err != nil {
		return err
	}
	res, err := s.deps.Suppressions.Add(c.UserContext(), values)
	if err != nil {
		return fmt.Errorf("add suppressions: %w", err)
	}
	if res.Added == nil {
		res.Added = []suppression.Entry{}
	}
	return c.Status(fiber.StatusCreated).JSON(addSuppressionsResponse{
		AddedCount: len(res.Added), Added: res.Added, ContactsRemoved: res.ContactsRemoved,
	})
}

func (s *Server) removeSuppressions(c *fiber.Ctx) error {
	values, err := s.suppressionValues(c)
	if err != nil {
		return err
	}
	removed, err := s.deps.Suppressions.Remove(c.UserContext(), values)
	if err != nil {
		return fmt.Errorf("remove suppressions: %w", err)
	}
	if removed == nil {
		removed = []string{}
	}
	return c.JSON(removeSuppressionsResponse{RemovedCount: len(removed), Removed: removed})
}

// suppressionValues decodes and validates {"values": [...]}: 1 to
// suppression.MaxBatch addresses or email domains.
func (s *Server) suppressionValues(c *fiber.Ctx) ([]string, error) {
	var req suppressionsRequest
	if err := decodeJSON(c, &req); err != nil {
		return nil, err
	}
	if req.Values == nil {
		return nil, unprocessable("values is required: an array of 1 to %d email addresses or email domains", suppression.MaxBatch)
	}
	if len(*req.Values) == 0 {
		return nil, unprocessable("values is empty: give at least one email address or email domain")
	}
	if n := len(*req.Values); n > suppression.MaxBatch {
		return nil, unprocessable("values has %d entries; at most %d are allowed per request", n, suppression.MaxBatch)
	}
	out := make([]string, len(*req.Values))
	for i, v := range *req.Values {
		if v == nil {
			return nil, unprocessable("values[%d] is null; want an email address or an email domain", i)
		}
		if _, _, err := suppression.Parse(*v); err != nil {
			return nil, unprocessable("values[%d] = %s is not an email address or an email domain", i, echo(*v))
		}
		out[i] = *v
	}
	return out, nil
}

// statsResponse counts domains per value of every status column. Every
// value of each enum is present, zeros included; "null" counts the domains
// whose processing status was never set.
type statsResponse struct {
	Total                 int            `json:"total"`
	EmailScanStatus       map[string]int `json:"email_scan_status"`
	PageScrapeStatus      map[string]int `json:"page_scrape_status"`
	SitemapCurationStatus map[string]int `json:"sitemap_curation_status"`
	SitemapAnalysisStatus map[string]int `json:"sitemap_analysis_status"`
}

// invalidateStats drops the cached status counts after every request
// that may write (anything but GET and HEAD), whatever its answer: a
// refused write costs one count, a missed one would show stale counts.
func (s *Server) invalidateStats(c *fiber.Ctx) error {
	err := c.Next()
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		if inv, ok := s.deps.Stats.(interface{ Invalidate() }); ok {
			inv.Invalidate()
		}
	}
	return err
}

func (s *Server) domainStats(c *fiber.Ctx) error {
	counts, err := s.deps.Stats.CountStatuses(c.UserContext())
	if err != nil {
		return fmt.Errorf("count statuses: %w", err)
	}
	zeros := func(values ...string) map[string]int {
		m := make(map[string]int, len(values))
		for _, v := range values {
			m[v] = 0
		}
		return m
	}
	var curations, tasks, analyses []string
	for _, v := range core.CurationStatuses {
		curations = append(curations, string(v))
	}
	for _, v := range core.TaskStatuses {
		tasks = append(tasks, string(v))
	}
	for _, v := range core.AnalysisStatuses {
		analyses = append(analyses, string(v))
	}
	res := statsResponse{
		EmailScanStatus:       zeros(curations...),
		PageScrapeStatus:      zeros(append(tasks, "null")...),
		SitemapCurationStatus: zeros(curations...),
		SitemapAnalysisStatus: zeros(append(analyses, "null")...),
	}
	byField := map[core.Field]map[string]int{
		core.FieldEmailScanStatus:       res.EmailScanStatus,
		core.FieldPageScrapeStatus:      res.PageScrapeStatus,
		core.FieldSitemapCurationStatus: res.SitemapCurationStatus,
		core.FieldSitemapAnalysisStatus: res.SitemapAnalysisStatus,
	}
	for _, sc := range counts {
		m, ok := byField[sc.Field]
		if !ok {
			continue
		}
		key := sc.Status
		if key == "" {
			key = "null"
		}
		m[key] += sc.Count
		if sc.Field == core.FieldEmailScanStatus {
			res.Total += sc.Count
		}
	}
	return c.JSON(res)
}
