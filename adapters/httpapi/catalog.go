package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
)

// Catalog serves the listings of the curation UI. *catalog.Lister
// implements it.
type Catalog interface {
	ListDomains(ctx context.Context, q catalog.DomainQuery) (catalog.Page[core.Domain], error)
	ListContacts(ctx context.Context, q catalog.ContactQuery) (catalog.Page[contact.Contact], error)
	DomainContacts(ctx context.Context, id uuid.UUID, q catalog.ContactQuery) (catalog.Page[contact.Contact], error)
	StreamContacts(ctx context.Context, f catalog.ContactFilter, fn func(catalog.ContactRow) error) error
}

// DomainImporter stores the domains of a CSV file. *catalog.Importer
// implements it.
type DomainImporter interface {
	Import(ctx context.Context, r io.Reader) (catalog.ImportResult, error)
}

// The query parameters each listing accepts.
var (
	domainListParams   = []string{"page", "size", "sort_by", "sort_desc", "sitemap_curation_status", "email_scan_status", "page_scrape_status", "sitemap_analysis_status", "q", "domain_filter"}
	contactListParams  = []string{"domain_id", "email_type", "q", "page", "size"}
	domainContactParam = []string{"email_type", "q", "page", "size"}
	contactCSVParams   = []string{"domain_id", "email_type", "q"}
)

// nullParam is the value of a secondary status filter that selects the
// domains whose processing never started (the column is NULL).
const nullParam = "null"

// csvHeader names the export's columns.
var csvHeader = []string{"email", "email_type", "has_gmail", "domain", "source_url", "context", "first_seen_at", "last_seen_at"}

// importFileField is the multipart field that carries an import's file.
const importFileField = "file"

// importResponse is the body of a successful import.
type importResponse struct {
	Created   int                       `json:"created"`
	Existing  int                       `json:"existing"`
	Rejected  []catalog.ImportRejection `json:"rejected"`
	DomainIDs []uuid.UUID               `json:"domain_ids"`
}

// queryParams returns the request's query parameters by name. A name not in
// allowed, or given twice, is a 422: a misspelt filter must not silently
// list everything. An empty value is returned as given; the parsers below
// treat it as absent.
func queryParams(c *fiber.Ctx, allowed []string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range c.Context().QueryArgs().All() {
		name := string(k) // string() copies out of fasthttp's buffer
		switch {
		case !slices.Contains(allowed, name):
			return nil, unprocessable("unknown query parameter %s; allowed: %s", echo(name), strings.Join(allowed, ", "))
		case hasKey(out, name):
			return nil, unprocessable("query parameter %s is given more than once", name)
		}
		out[name] = string(v)
	}
	return out, nil
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// intParam parses a whole-number parameter; absent or empty gives def. The
// range is core's to check.
func intParam(p map[string]string, name string, def int) (int, error) {
	v := p[name]
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, unprocessable("%s must be a whole number, not %s", name, echo(v))
	}
	return n, nil
}

// curationParam parses a primary status filter.
func curationParam(p map[string]string, name string) (*core.CurationStatus, error) {
	v := p[name]
	if v == "" {
		return nil, nil
	}
	st, err := core.ParseCurationStatus(v)
	if err != nil {
		return nil, unprocessable("%s %s is not a curation status; allowed: %s", name, echo(v), allowedStatuses())
	}
	return &st, nil
}

// secondaryParam parses a nullable status filter: a status, or "null".
func secondaryParam[T ~string](p map[string]string, name string, parse func(string) (T, error), values []T) (*catalog.Match[T], error) {
	v := p[name]
	switch v {
	case "":
		return nil, nil
	case nullParam:
		return catalog.IsNull[T](), nil
	}
	st, err := parse(v)
	if err != nil {
		quoted := make([]string, len(values))
		for i, s := range values {
			quoted[i] = strconv.Quote(string(s))
		}
		return nil, unprocessable("%s %s is not a valid status; allowed: %s or null", name, echo(v), strings.Join(quoted, ", "))
	}
	return catalog.Is(st), nil
}

func domainQuery(c *fiber.Ctx) (catalog.DomainQuery, error) {
	p, err := queryParams(c, domainListParams)
	if err != nil {
		return catalog.DomainQuery{}, err
	}
	q := catalog.NewDomainQuery()
	if q.Page, err = intParam(p, "page", q.Page); err != nil {
		return q, err
	}
	if q.Size, err = intParam(p, "size", q.Size); err != nil {
		return q, err
	}
	if v := p["sort_by"]; v != "" {
		if q.SortBy, err = catalog.ParseSortKey(v); err != nil {
			return q, err
		}
		q.SortDesc = q.SortBy.DescendingByDefault()
	}
	if v := p["sort_desc"]; v != "" {
		if q.SortDesc, err = strconv.ParseBool(v); err != nil {
			return q, unprocessable("sort_desc must be true or false, not %s", echo(v))
		}
	}
	if q.SitemapCurationStatus, err = curationParam(p, "sitemap_curation_status"); err != nil {
		return q, err
	}
	if q.EmailScanStatus, err = curationParam(p, "email_scan_status"); err != nil {
		return q, err
	}
	if q.PageScrapeStatus, err = secondaryParam(p, "page_scrape_status", core.ParseTaskStatus, core.TaskStatuses); err != nil {
		return q, err
	}
	if q.SitemapAnalysisStatus, err = secondaryParam(p, "sitemap_analysis_status", core.ParseAnalysisStatus, core.AnalysisStatuses); err != nil {
		return q, err
	}
	// q is the search parameter of every listing; domain_filter, its older
	// name here, still works.
	q.DomainFilter = p["q"]
	if old := p["domain_filter"]; old != "" {
		if q.DomainFilter != "" && q.DomainFilter != old {
			return q, unprocessable("give the domain filter once: q (or its older name domain_filter), not both")
		}
		q.DomainFilter = old
	}
	return q, q.Validate()
}

// contactFilter parses the contact filters of p; domain_id only if allowed.
func contactFilter(p map[string]string) (catalog.ContactFilter, error) {
	var f catalog.ContactFilter
	if v := p["domain_id"]; v != "" {
		id, err := uuid.Parse(v)
		if err != nil {
			return f, unprocessable("domain_id %s is not a UUID", echo(v))
		}
		f.DomainID = &id
	}
	if v := p["email_type"]; v != "" {
		t, err := contact.ParseType(v)
		if err != nil {
			return f, unprocessable("email_type %s is not a contact type; allowed: %s", echo(v), contactTypes())
		}
		f.EmailType = &t
	}
	f.Q = p["q"]
	return f, f.Validate()
}

func contactQuery(c *fiber.Ctx, allowed []string) (catalog.ContactQuery, error) {
	p, err := queryParams(c, allowed)
	if err != nil {
		return catalog.ContactQuery{}, err
	}
	q := catalog.NewContactQuery()
	if q.Page, err = intParam(p, "page", q.Page); err != nil {
		return q, err
	}
	if q.Size, err = intParam(p, "size", q.Size); err != nil {
		return q, err
	}
	if q.ContactFilter, err = contactFilter(p); err != nil {
		return q, err
	}
	return q, q.Validate()
}

func contactTypes() string {
	quoted := make([]string, len(contact.Types))
	for i, t := range contact.Types {
		quoted[i] = strconv.Quote(string(t))
	}
	return strings.Join(quoted, ", ")
}

func (s *Server) listDomains(c *fiber.Ctx) error {
	q, err := domainQuery(c)
	if err != nil {
		return err
	}
	p, err := s.deps.Catalog.ListDomains(c.UserContext(), q)
	if err != nil {
		return fmt.Errorf("list domains: %w", err)
	}
	return c.JSON(p)
}

func (s *Server) listContacts(c *fiber.Ctx) error {
	q, err := contactQuery(c, contactListParams)
	if err != nil {
		return err
	}
	p, err := s.deps.Catalog.ListContacts(c.UserContext(), q)
	if err != nil {
		return fmt.Errorf("list contacts: %w", err)
	}
	return c.JSON(p)
}

func (s *Server) listDomainContacts(c *fiber.Ctx) error {
	raw := utils.CopyString(c.Params("id"))
	id, err := uuid.Parse(raw)
	if err != nil {
		return unprocessable("domain id %s is not a UUID", echo(raw))
	}
	q, err := contactQuery(c, domainContactParam)
	if err != nil {
		return err
	}
	p, err := s.deps.Catalog.DomainContacts(c.UserContext(), id, q)
	if errors.Is(err, core.ErrNotFound) {
		return notFound("domain %s", id)
	}
	if err != nil {
		return fmt.Errorf("list contacts of a domain: %w", err)
	}
	return c.JSON(p)
}

// exportContacts streams the contacts as CSV, a batch of rows at a time.
//
// The rows are produced by a goroutine that writes into a pipe whose
// reading end is the response body. The handler waits until the first row
// (or the end of an empty export) has been read from the store, so a store
// that fails at once still gets a proper error response. After that the 200
// is committed: a later failure closes the pipe with the error, and fasthttp
// then drops the connection instead of ending the chunked body, so the
// client sees a broken download rather than a short file that looks whole.
// A client that goes away closes the pipe, which stops the goroutine at its
// next write and with it the store's query.
//
// The goroutine outlives the handler, so it gets a context of its own: the
// request's values, without the request deadline (the handler's context is
// cancelled when the handler returns), bounded by the write timeout instead,
// which bounds writing the whole response anyway.
func (s *Server) exportContacts(c *fiber.Ctx) error {
	p, err := queryParams(c, contactCSVParams)
	if err != nil {
		return err
	}
	f, err := contactFilter(p)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), s.cfg.WriteTimeout)
	pr, pw := io.Pipe()
	started := make(chan error, 1)
	go s.writeContactsCSV(ctx, cancel, f, pw, started)

	select {
	case err := <-started:
		if err != nil {
			_ = pr.Close()
			return fmt.Errorf("export contacts: %w", err)
		}
	case <-c.UserContext().Done():
		cancel()
		_ = pr.Close()
		return fmt.Errorf("export contacts: %w", c.UserContext().Err())
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="contacts.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// writeContactsCSV runs the export for exportContacts. It reports on started
// exactly once: nil when the first row arrived or the export ended empty,
// the store's error when it failed before any row. It writes nothing into pw
// before reporting, since nobody reads pw until the handler has returned.
func (s *Server) writeContactsCSV(ctx context.Context, cancel context.CancelFunc, f catalog.ContactFilter, pw *io.PipeWriter, started chan<- error) {
	defer cancel()
	reported := false
	report := func(err error) {
		if !reported {
			reported = true
			started <- err
		}
	}
	w := csv.NewWriter(bufio.NewWriterSize(pw, 32<<10))
	w.UseCRLF = true // RFC 4180, and what spreadsheets expect
	rows := 0
	err := s.deps.Catalog.StreamContacts(ctx, f, func(r catalog.ContactRow) error {
		if !reported {
			report(nil)
			if err := w.Write(csvHeader); err != nil {
				return fmt.Errorf("write CSV: %w", err)
			}
		}
		rows++
		if err := w.Write(csvRecord(r)); err != nil {
			return fmt.Errorf("write CSV: %w", err)
		}
		return nil
	})
	if !reported {
		report(err)
		if err != nil {
			_ = pw.CloseWithError(err)
			return
		}
		err = w.Write(csvHeader)
	}
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	if err != nil {
		level := slog.LevelError
		if errors.Is(err, io.ErrClosedPipe) {
			level = slog.LevelInfo // the client went away
		}
		s.log.Log(ctx, level, "contact export stopped", "request_id", RequestID(ctx), "rows", rows, "error", err)
		_ = pw.CloseWithError(err)
		return
	}
	_ = pw.Close()
}

// csvRecord renders one export row. Times are RFC 3339 in UTC, to the
// second.
func csvRecord(r catalog.ContactRow) []string {
	return []string{
		safeCell(r.Email),
		string(r.Type),
		strconv.FormatBool(r.HasGmail),
		safeCell(r.Domain),
		safeCell(r.SourceURL),
		safeCell(r.Context),
		r.FirstSeenAt.UTC().Format(time.RFC3339),
		r.LastSeenAt.UTC().Format(time.RFC3339),
	}
}

// safeCell guards against CSV injection: a spreadsheet runs a cell that
// starts with =, +, - or @ (or a tab or carriage return, which some strip
// first) as a formula. A leading apostrophe makes it text. The cells come
// from crawled pages, so they are attacker-controlled.
func safeCell(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// importDomains reads a CSV file of domains from a multipart field "file"
// or a text/csv body. Like decodeJSON it reads the raw body: fasthttp has
// already capped it at the body limit, and a compressed body is refused.
func (s *Server) importDomains(c *fiber.Ctx) error {
	if enc := strings.TrimSpace(c.Get(fiber.HeaderContentEncoding)); enc != "" && !strings.EqualFold(enc, "identity") {
		return newHTTPError(fiber.StatusUnsupportedMediaType, "Content-Encoding %s is not supported; send the body uncompressed", echo(enc))
	}
	ct := c.Get(fiber.HeaderContentType)
	mt, params, err := mime.ParseMediaType(ct)
	var body io.Reader
	switch {
	case err != nil || strings.TrimSpace(ct) == "":
		return newHTTPError(fiber.StatusUnsupportedMediaType, "Content-Type %s is not supported; send multipart/form-data with a field %q, or text/csv", echo(ct), importFileField)
	case mt == fiber.MIMEMultipartForm:
		r, closeFile, err := multipartFile(c)
		if err != nil {
			return err
		}
		defer closeFile()
		body = r
	case mt == "text/csv":
		if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			return newHTTPError(fiber.StatusUnsupportedMediaType, "charset %s is not supported; send the CSV as UTF-8", echo(cs))
		}
		body = bytes.NewReader(c.Request().Body())
	default:
		return newHTTPError(fiber.StatusUnsupportedMediaType, "Content-Type %s is not supported; send multipart/form-data with a field %q, or text/csv", echo(ct), importFileField)
	}

	res, err := s.deps.Importer.Import(c.UserContext(), body)
	switch {
	case errors.Is(err, catalog.ErrInvalidFile):
		return unprocessable("%s", strings.TrimPrefix(err.Error(), "import domains: "))
	case errors.Is(err, core.ErrBatchTooLarge):
		return unprocessable("the file has more than %d rows; split it", catalog.MaxImportRows)
	case errors.Is(err, core.ErrEmptyBatch):
		return unprocessable("the file holds no domain: give one domain per row in the first column")
	case err != nil:
		return fmt.Errorf("import domains: %w", err)
	}
	return c.JSON(importResponse{Created: res.Created, Existing: res.Existing, Rejected: res.Rejected, DomainIDs: res.DomainIDs})
}

// multipartFile returns the import's file from a multipart body: the file
// field, or a plain field of that name (what `curl -F file=<x.csv` sends).
func multipartFile(c *fiber.Ctx) (io.Reader, func(), error) {
	form, err := c.MultipartForm()
	if err != nil {
		return nil, nil, newHTTPError(fiber.StatusBadRequest, "malformed multipart/form-data body")
	}
	files, values := form.File[importFileField], form.Value[importFileField]
	switch {
	case len(files)+len(values) == 0:
		return nil, nil, unprocessable("the multipart body has no field %q; send the CSV file in it", importFileField)
	case len(files)+len(values) > 1:
		return nil, nil, unprocessable("the multipart body has %d fields %q; send one file", len(files)+len(values), importFileField)
	case len(values) == 1:
		return strings.NewReader(values[0]), func() {}, nil
	}
	f, err := files[0].Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open the uploaded file: %w", err)
	}
	return f, func() { _ = f.Close() }, nil
}
