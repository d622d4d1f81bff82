package web_test

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/web"
)

// fakeAPI is a hand-written, in-memory implementation of the listing and
// curation contract of /api/v3, enough to drive the page in a browser
// without PostgreSQL. A fake worker moves queued domains along on every
// request: Queued → InProgress → Completed (or Error for hosts containing
// "broken") after step each.
type fakeAPI struct {
	mu      sync.Mutex
	token   string
	step    time.Duration
	domains map[string]*fakeDomain
	queries []url.Values // of GET /api/v3/domains, in order
	puts    []map[string]any

	contactQueries []url.Values // of GET /api/v3/contacts, in order
	csvQueries     []url.Values // of GET /api/v3/contacts.csv across domains
}

type fakeDomain struct {
	ID                    string     `json:"id"`
	Domain                string     `json:"domain"`
	CreatedAt             time.Time  `json:"created_at"`
	UpdatedAt             time.Time  `json:"updated_at"`
	SitemapCurationStatus string     `json:"sitemap_curation_status"`
	SitemapAnalysisStatus *string    `json:"sitemap_analysis_status"`
	SitemapAnalysisError  *string    `json:"sitemap_analysis_error"`
	EmailScanStatus       string     `json:"email_scan_status"`
	PageScrapeStatus      *string    `json:"page_scrape_status"`
	PageScrapeError       *string    `json:"page_scrape_error"`
	PageScrapeAttempts    int        `json:"page_scrape_attempts"`
	PageScrapeStartedAt   *time.Time `json:"page_scrape_started_at"`
	PageScrapeFinishedAt  *time.Time `json:"page_scrape_finished_at"`
	PagesScanned          int        `json:"pages_scanned"`
	ContactsFound         int        `json:"contacts_found"`
	PageCapReached        bool       `json:"page_cap_reached"`
	// The next attempt times of a domain waiting for a retry.
	PageScrapeNextAttemptAt      *time.Time `json:"page_scrape_next_attempt_at"`
	SitemapAnalysisNextAttemptAt *time.Time `json:"sitemap_analysis_next_attempt_at"`

	contacts []fakeContact
	scans    []map[string]any // GET /api/v3/domains/{id}/scans items, newest first
	sitemaps []fakeSitemap
	movedAt  time.Time // of the last status change of either workflow
}

type fakeContact struct {
	ID          string    `json:"id"`
	DomainID    string    `json:"domain_id"`
	Email       string    `json:"email"`
	EmailType   string    `json:"email_type"`
	HasGmail    bool      `json:"has_gmail"`
	Context     string    `json:"context"`
	SourceURL   string    `json:"source_url"`
	FirstSeenAt time.Time `json:"first_seen_at"`
	LastSeenAt  time.Time `json:"last_seen_at"`
}

func ptr[T any](v T) *T { return &v }

// startFake serves the page and the fake API on 127.0.0.1 and returns the
// fake and the page's URL.
func startFake(t *testing.T, token string) (*fakeAPI, string) {
	t.Helper()
	f := &fakeAPI{token: token, step: time.Second, domains: map[string]*fakeDomain{}}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	web.Mount(app, web.Options{DevToken: token})
	f.routes(app)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.Shutdown() })
	return f, "http://" + ln.Addr().String() + "/"
}

// add stores a domain directly, as an earlier session would have.
func (f *fakeAPI) add(name string, age time.Duration, edit func(d *fakeDomain)) *fakeDomain {
	f.mu.Lock()
	defer f.mu.Unlock()
	at := time.Now().Add(-age).UTC()
	d := &fakeDomain{
		ID: uuid.NewString(), Domain: name, CreatedAt: at, UpdatedAt: at,
		SitemapCurationStatus: "New", EmailScanStatus: "New", movedAt: at,
	}
	if edit != nil {
		edit(d)
	}
	f.domains[d.ID] = d
	return d
}

func (f *fakeAPI) remove(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.domains, id)
}

func (f *fakeAPI) setToken(token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.token = token
}

func (f *fakeAPI) domainQueries() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.queries)
}

func (f *fakeAPI) lastPut() map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.puts) == 0 {
		return nil
	}
	return f.puts[len(f.puts)-1]
}

func (f *fakeAPI) routes(app *fiber.App) {
	api := app.Group("/api", f.auth)
	api.Get("/v3/domains", f.list)
	api.Put("/v3/domains/email-scan/status", f.emailScan)
	api.Put("/v3/domains/sitemap-curation/status", f.sitemapCuration)
	api.Post("/v3/domains/direct-submit", f.directSubmit)
	api.Post("/v3/domains/import", f.importCSV)
	api.Get("/v3/domains/:id/contacts", f.contacts)
	api.Get("/v3/domains/:id/scans", f.scans)
	api.Get("/v3/domains/:id", f.get)
	api.Get("/v3/contacts.csv", f.csv)
	f.curationRoutes(api)
}

func detail(c *fiber.Ctx, status int, format string, args ...any) error {
	return c.Status(status).JSON(fiber.Map{"detail": fmt.Sprintf(format, args...)})
}

func (f *fakeAPI) auth(c *fiber.Ctx) error {
	f.mu.Lock()
	want := "Bearer " + f.token
	f.mu.Unlock()
	if c.Get(fiber.HeaderAuthorization) != want {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="scrapersky"`)
		return detail(c, fiber.StatusUnauthorized, "invalid token: signature is invalid")
	}
	f.mu.Lock()
	f.advance(time.Now())
	f.mu.Unlock()
	return c.Next()
}

// advance is the fake worker. f.mu is held.
func (f *fakeAPI) advance(now time.Time) {
	for _, d := range f.domains {
		if now.Sub(d.movedAt) < f.step {
			continue
		}
		switch {
		case d.PageScrapeStatus != nil && *d.PageScrapeStatus == "Queued":
			d.PageScrapeStatus = ptr("InProgress")
			d.PageScrapeAttempts++
			d.PageScrapeStartedAt = ptr(now.UTC())
		case d.PageScrapeStatus != nil && *d.PageScrapeStatus == "InProgress":
			d.PageScrapeFinishedAt = ptr(now.UTC())
			if strings.Contains(d.Domain, "broken") {
				d.PageScrapeStatus = ptr("Error")
				d.PageScrapeError = ptr("fetch https://" + d.Domain + "/: connection refused")
				break
			}
			d.PageScrapeStatus = ptr("Completed")
			d.contacts = []fakeContact{
				f.contact(d, "info@"+d.Domain, "service", "/contact"),
				f.contact(d, "mara.lopez@gmail.com", "free", "/team"),
			}
			d.PagesScanned, d.ContactsFound = 7, len(d.contacts)
		case d.SitemapAnalysisStatus != nil && *d.SitemapAnalysisStatus == "Queued":
			d.SitemapAnalysisStatus = ptr("Processing")
		case d.SitemapAnalysisStatus != nil && *d.SitemapAnalysisStatus == "Processing":
			d.SitemapAnalysisStatus = ptr("Completed")
		default:
			continue
		}
		d.movedAt, d.UpdatedAt = now, now.UTC()
	}
}

func (f *fakeAPI) contact(d *fakeDomain, email, typ, path string) fakeContact {
	now := time.Now().UTC()
	return fakeContact{
		ID: uuid.NewString(), DomainID: d.ID, Email: email, EmailType: typ,
		HasGmail: strings.HasSuffix(email, "@gmail.com"), SourceURL: "http://" + d.Domain + path,
		FirstSeenAt: now, LastSeenAt: now,
	}
}

// sortableTime has a fixed width, so its strings sort as the times do.
const sortableTime = "2006-01-02T15:04:05.000000000"

var sortKeys = map[string]func(d *fakeDomain) string{
	"domain":                  func(d *fakeDomain) string { return d.Domain },
	"created_at":              func(d *fakeDomain) string { return d.CreatedAt.Format(sortableTime) },
	"updated_at":              func(d *fakeDomain) string { return d.UpdatedAt.Format(sortableTime) },
	"email_scan_status":       func(d *fakeDomain) string { return d.EmailScanStatus },
	"sitemap_curation_status": func(d *fakeDomain) string { return d.SitemapCurationStatus },
	"page_scrape_status":      func(d *fakeDomain) string { return deref(d.PageScrapeStatus) },
	"sitemap_analysis_status": func(d *fakeDomain) string { return deref(d.SitemapAnalysisStatus) },
	"contacts_found":          func(d *fakeDomain) string { return fmt.Sprintf("%09d", d.ContactsFound) },
	"pages_scanned":           func(d *fakeDomain) string { return fmt.Sprintf("%09d", d.PagesScanned) },
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (f *fakeAPI) list(c *fiber.Ctx) error {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return detail(c, fiber.StatusBadRequest, "bad query")
	}
	page, _ := strconv.Atoi(cmp.Or(q.Get("page"), "1"))
	size, _ := strconv.Atoi(cmp.Or(q.Get("size"), "20"))
	if page < 1 || size < 1 || size > 100 {
		return detail(c, fiber.StatusUnprocessableEntity, "page must be ≥ 1 and size 1 to 100")
	}
	key, ok := sortKeys[cmp.Or(q.Get("sort_by"), "updated_at")]
	if !ok {
		return detail(c, fiber.StatusUnprocessableEntity, "sort_by %q is not sortable", q.Get("sort_by"))
	}
	desc := q.Get("sort_desc") == "true"

	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries = append(f.queries, q)
	var items []*fakeDomain
	for _, d := range f.domains {
		if !matches(q, d) {
			continue
		}
		items = append(items, d)
	}
	slices.SortFunc(items, func(a, b *fakeDomain) int {
		r := cmp.Compare(key(a), key(b))
		if desc {
			r = -r
		}
		return cmp.Or(r, cmp.Compare(a.ID, b.ID))
	})
	total := len(items)
	from := min((page-1)*size, total)
	to := min(from+size, total)
	return c.JSON(fiber.Map{
		"items": nonNilSlice(items[from:to]), "total": total, "page": page, "size": size,
		"pages": (total + size - 1) / size,
	})
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func matches(q url.Values, d *fakeDomain) bool {
	for param, got := range map[string]string{
		"email_scan_status":       d.EmailScanStatus,
		"sitemap_curation_status": d.SitemapCurationStatus,
		"page_scrape_status":      deref(d.PageScrapeStatus),
		"sitemap_analysis_status": deref(d.SitemapAnalysisStatus),
	} {
		want := q.Get(param)
		if want == "null" {
			want = ""
		} else if want == "" {
			continue
		}
		if want != got {
			return false
		}
	}
	return strings.Contains(d.Domain, strings.ToLower(q.Get("domain_filter")))
}

type statusRequest struct {
	DomainIDs       []string `json:"domain_ids"`
	EmailScanStatus string   `json:"email_scan_status"`
	SitemapCuration string   `json:"sitemap_curation_status"`
}

func (f *fakeAPI) decodeStatus(c *fiber.Ctx) (statusRequest, map[string]any, error) {
	var req statusRequest
	var raw map[string]any
	if err := json.Unmarshal(c.Body(), &req); err != nil {
		return req, nil, fmt.Errorf("decode: %w", err)
	}
	if err := json.Unmarshal(c.Body(), &raw); err != nil {
		return req, nil, fmt.Errorf("decode: %w", err)
	}
	return req, raw, nil
}

// update applies a status to the domains of ids; set changes one domain and
// reports whether it was queued. f.mu is held.
// The outcomes of one domain's status change in the fake, as the API's
// rules decide them (core.Workflow.ShouldQueue and ShouldCancel).
const (
	leftAlone = iota
	queuedNow
	cancelledNow
)

func (f *fakeAPI) update(ids []string, set func(d *fakeDomain) int) (updated, queued, cancelled int, notFound []string) {
	now := time.Now()
	for _, id := range ids {
		d, ok := f.domains[id]
		if !ok {
			notFound = append(notFound, id)
			continue
		}
		updated++
		switch set(d) {
		case queuedNow:
			queued++
			d.movedAt = now
		case cancelledNow:
			cancelled++
			d.movedAt = now
		}
		d.UpdatedAt = now.UTC()
	}
	return updated, queued, cancelled, nonNilSlice(notFound)
}

func (f *fakeAPI) emailScan(c *fiber.Ctx) error {
	req, raw, err := f.decodeStatus(c)
	if err != nil || len(req.DomainIDs) == 0 || req.EmailScanStatus == "" {
		return detail(c, fiber.StatusUnprocessableEntity, "domain_ids and email_scan_status are required")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts = append(f.puts, raw)
	updated, queued, cancelled, notFound := f.update(req.DomainIDs, func(d *fakeDomain) int {
		d.EmailScanStatus = req.EmailScanStatus
		s := deref(d.PageScrapeStatus)
		active := s == "Queued" || s == "InProgress"
		switch {
		case req.EmailScanStatus != "Selected" && active:
			d.PageScrapeStatus, d.PageScrapeError = ptr("Cancelled"), nil
			return cancelledNow
		case req.EmailScanStatus != "Selected" || active:
			return leftAlone
		}
		d.PageScrapeStatus, d.PageScrapeError = ptr("Queued"), nil
		return queuedNow
	})
	return c.JSON(fiber.Map{"updated_count": updated, "queued_for_scan_count": queued, "cancelled_count": cancelled, "not_found_ids": notFound})
}

func (f *fakeAPI) sitemapCuration(c *fiber.Ctx) error {
	req, raw, err := f.decodeStatus(c)
	if err != nil || len(req.DomainIDs) == 0 || req.SitemapCuration == "" {
		return detail(c, fiber.StatusUnprocessableEntity, "domain_ids and sitemap_curation_status are required")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts = append(f.puts, raw)
	updated, queued, cancelled, notFound := f.update(req.DomainIDs, func(d *fakeDomain) int {
		d.SitemapCurationStatus = req.SitemapCuration
		s := deref(d.SitemapAnalysisStatus)
		active := s == "Queued" || s == "Processing"
		switch {
		case req.SitemapCuration != "Selected" && active:
			d.SitemapAnalysisStatus, d.SitemapAnalysisError = ptr("Cancelled"), nil
			return cancelledNow
		case req.SitemapCuration != "Selected" || active:
			return leftAlone
		}
		d.SitemapAnalysisStatus, d.SitemapAnalysisError = ptr("Queued"), nil
		return queuedNow
	})
	return c.JSON(fiber.Map{"updated_count": updated, "queued_count": queued, "cancelled_count": cancelled, "not_found_ids": notFound})
}

type rejection struct {
	Row    int    `json:"row,omitempty"`
	Input  string `json:"input"`
	Reason string `json:"reason"`
}

// normalize is a rough stand-in for core.NormalizeDomain.
func normalize(raw string) (string, string) {
	s := strings.ToLower(strings.TrimSpace(raw))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	s = strings.TrimPrefix(s, "www.")
	switch {
	case s == "":
		return "", "empty"
	case strings.ContainsAny(s, " <>\"'"):
		return "", fmt.Sprintf("%q is not a valid host name", s)
	case !strings.ContainsAny(s, ".:"):
		return "", fmt.Sprintf("%q has no dot", s)
	}
	return s, ""
}

// store adds or finds a normalized domain. f.mu is held.
func (f *fakeAPI) store(name string) (*fakeDomain, bool) {
	for _, d := range f.domains {
		if d.Domain == name {
			return d, false
		}
	}
	now := time.Now().UTC()
	d := &fakeDomain{ID: uuid.NewString(), Domain: name, CreatedAt: now, UpdatedAt: now,
		SitemapCurationStatus: "New", EmailScanStatus: "New", movedAt: now}
	f.domains[d.ID] = d
	return d, true
}

func (f *fakeAPI) directSubmit(c *fiber.Ctx) error {
	var req struct {
		Domains []string `json:"domains"`
	}
	if err := json.Unmarshal(c.Body(), &req); err != nil || len(req.Domains) == 0 {
		return detail(c, fiber.StatusUnprocessableEntity, "domains is required")
	}
	var names []string
	var rejected []rejection
	for _, raw := range req.Domains {
		name, reason := normalize(raw)
		if reason != "" {
			rejected = append(rejected, rejection{Input: raw, Reason: reason})
		}
		names = append(names, name)
	}
	if len(rejected) > 0 {
		return c.Status(fiber.StatusUnprocessableEntity).JSON(fiber.Map{
			"detail":   fmt.Sprintf("%d submitted domain(s) are invalid; nothing was stored", len(rejected)),
			"rejected": rejected,
		})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := []string{}
	for _, n := range names {
		d, _ := f.store(n)
		ids = append(ids, d.ID)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"submitted_count": len(ids), "domain_ids": ids, "normalized_domains": names,
	})
}

func (f *fakeAPI) importCSV(c *fiber.Ctx) error {
	fh, err := c.FormFile("file")
	if err != nil {
		return detail(c, fiber.StatusUnprocessableEntity, "a multipart field \"file\" is required")
	}
	file, err := fh.Open()
	if err != nil {
		return detail(c, fiber.StatusBadRequest, "unreadable upload")
	}
	defer file.Close()
	f.mu.Lock()
	defer f.mu.Unlock()
	created, existing := 0, 0
	rejected := []rejection{}
	ids := []string{}
	sc := bufio.NewScanner(file)
	for row := 1; sc.Scan(); row++ {
		field, _, _ := strings.Cut(sc.Text(), ",")
		if row == 1 && strings.EqualFold(strings.TrimSpace(field), "domain") {
			continue
		}
		name, reason := normalize(field)
		if reason != "" {
			rejected = append(rejected, rejection{Row: row, Input: field, Reason: reason})
			continue
		}
		d, isNew := f.store(name)
		ids = append(ids, d.ID)
		if isNew {
			created++
		} else {
			existing++
		}
	}
	status := fiber.StatusOK
	body := fiber.Map{"created": created, "existing": existing, "rejected": rejected, "domain_ids": ids}
	if created+existing == 0 {
		status = fiber.StatusUnprocessableEntity
		body = fiber.Map{"detail": "no valid domain in the file", "rejected": rejected}
	}
	return c.Status(status).JSON(body)
}

func (f *fakeAPI) get(c *fiber.Ctx) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.domains[c.Params("id")]
	if !ok {
		return detail(c, fiber.StatusNotFound, "domain not found")
	}
	return c.JSON(d)
}

func (f *fakeAPI) contacts(c *fiber.Ctx) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.domains[c.Params("id")]
	if !ok {
		return detail(c, fiber.StatusNotFound, "domain not found")
	}
	page := max(1, c.QueryInt("page", 1))
	size := max(1, c.QueryInt("size", 50))
	from := min((page-1)*size, len(d.contacts))
	to := min(from+size, len(d.contacts))
	return c.JSON(fiber.Map{
		"items": nonNilSlice(d.contacts[from:to]), "total": len(d.contacts), "page": page, "size": size,
		"pages": (len(d.contacts) + size - 1) / size,
	})
}

func (f *fakeAPI) scans(c *fiber.Ctx) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.domains[c.Params("id")]
	if !ok {
		return detail(c, fiber.StatusNotFound, "domain not found")
	}
	return c.JSON(fiber.Map{"items": nonNilSlice(d.scans), "total": len(d.scans), "page": 1, "size": 20, "pages": min(1, len(d.scans))})
}

func (f *fakeAPI) csv(c *fiber.Ctx) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.Query("domain_id") == "" {
		return f.csvAll(c)
	}
	d, ok := f.domains[c.Query("domain_id")]
	if !ok {
		return detail(c, fiber.StatusNotFound, "domain not found")
	}
	var b strings.Builder
	b.WriteString("domain,email,email_type,source_url\n")
	for _, ct := range d.contacts {
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", d.Domain, ct.Email, ct.EmailType, ct.SourceURL)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="contacts.csv"`)
	return c.SendString(b.String())
}

// seed stores six domains in every state the table shows.
func seed(f *fakeAPI) {
	f.add("acme-widgets.com", 3*time.Hour, func(d *fakeDomain) {
		d.EmailScanStatus = "Selected"
		d.PageScrapeStatus = ptr("Completed")
		d.PagesScanned, d.ContactsFound = 22, 2
		d.PageScrapeAttempts = 1
		now := time.Now().Add(-2 * time.Hour).UTC()
		d.PageScrapeStartedAt, d.PageScrapeFinishedAt = &now, &now
		d.contacts = []fakeContact{f.contact(d, "info@acme-widgets.com", "service", "/contact"), f.contact(d, "mara.lopez@gmail.com", "free", "/team")}
		earlier := now.Add(-24 * time.Hour)
		d.scans = []map[string]any{
			{"id": "run-2", "outcome": "completed", "attempts": 1, "started_at": now.Add(-90 * time.Second), "finished_at": now,
				"duration_ms": 90000, "next_attempt_at": nil, "pages_scanned": 22, "contacts_found": 2, "new_contacts": 1, "error": nil},
			{"id": "run-1", "outcome": "failed", "attempts": 3, "started_at": earlier, "finished_at": earlier.Add(time.Minute),
				"duration_ms": 60000, "next_attempt_at": nil, "pages_scanned": 0, "contacts_found": 0, "new_contacts": 0, "error": "HTTP 503"},
		}
	})
	f.add("broken-site.io", 2*time.Hour, func(d *fakeDomain) {
		d.EmailScanStatus = "Selected"
		d.PageScrapeStatus = ptr("Error")
		d.PageScrapeError = ptr("fetch https://broken-site.io/: dial tcp: connection refused")
	})
	f.add("northwind-traders.com", time.Hour, func(d *fakeDomain) {
		d.EmailScanStatus = "Maybe"
		d.SitemapCurationStatus = "Selected"
		d.SitemapAnalysisStatus = ptr("Completed")
	})
	f.add("contoso.example", 50*time.Minute, func(d *fakeDomain) { d.EmailScanStatus = "Not a Fit" })
	f.add("fabrikam.org", 40*time.Minute, nil)
	f.add("tailspin-toys.net", 30*time.Minute, func(d *fakeDomain) { d.EmailScanStatus = "Archived"; d.SitemapCurationStatus = "Archived" })
}
