package web_test

import (
	"cmp"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// fakeSitemap is one item of GET /api/v3/domains/{id}/sitemaps.
type fakeSitemap struct {
	ID           string  `json:"id"`
	DomainID     string  `json:"domain_id"`
	URL          string  `json:"url"`
	Type         string  `json:"type"`
	Discovery    string  `json:"discovery"`
	URLCount     int     `json:"url_count"`
	LastModified *string `json:"last_modified"`
	Error        string  `json:"error"`
}

// curationRoutes adds the contacts across domains and the sitemap files.
func (f *fakeAPI) curationRoutes(api fiber.Router) {
	api.Get("/v3/contacts", f.allContacts)
	api.Get("/v3/domains/:id/sitemaps", f.sitemapFiles)
}

// contactRow is a contact with its domain's name, as the export lists it.
type contactRow struct {
	fakeContact
	domain string
}

// filteredContacts lists the contacts matching q (a substring of the
// address) and email_type, by address. f.mu is held.
func (f *fakeAPI) filteredContacts(q url.Values) []contactRow {
	var out []contactRow
	for _, d := range f.domains {
		for _, ct := range d.contacts {
			if t := q.Get("email_type"); t != "" && ct.EmailType != t {
				continue
			}
			if !strings.Contains(ct.Email, strings.ToLower(q.Get("q"))) {
				continue
			}
			out = append(out, contactRow{ct, d.Domain})
		}
	}
	slices.SortFunc(out, func(a, b contactRow) int { return cmp.Or(cmp.Compare(a.Email, b.Email), cmp.Compare(a.ID, b.ID)) })
	return out
}

func (f *fakeAPI) allContacts(c *fiber.Ctx) error {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return detail(c, fiber.StatusBadRequest, "bad query")
	}
	page := max(1, c.QueryInt("page", 1))
	size := max(1, c.QueryInt("size", 20))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contactQueries = append(f.contactQueries, q)
	rows := f.filteredContacts(q)
	from := min((page-1)*size, len(rows))
	to := min(from+size, len(rows))
	items := []fakeContact{}
	for _, r := range rows[from:to] {
		items = append(items, r.fakeContact)
	}
	return c.JSON(fiber.Map{"items": items, "total": len(rows), "page": page, "size": size, "pages": (len(rows) + size - 1) / size})
}

// csvAll is the export across domains. f.mu is held.
func (f *fakeAPI) csvAll(c *fiber.Ctx) error {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return detail(c, fiber.StatusBadRequest, "bad query")
	}
	f.csvQueries = append(f.csvQueries, q)
	var b strings.Builder
	b.WriteString("email,email_type,domain,context\n")
	for _, r := range f.filteredContacts(q) {
		fmt.Fprintf(&b, "%s,%s,%s,%q\n", r.Email, r.EmailType, r.domain, r.Context)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	return c.SendString(b.String())
}

func (f *fakeAPI) sitemapFiles(c *fiber.Ctx) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.domains[c.Params("id")]
	if !ok {
		return detail(c, fiber.StatusNotFound, "domain not found")
	}
	return c.JSON(fiber.Map{"items": nonNilSlice(d.sitemaps)})
}
