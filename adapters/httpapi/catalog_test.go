package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/contact"
	"github.com/scrapersky/scrapersky-go/core/scan"
)

// addDomains stores ds behind the spy's back.
func (e *env) addDomains(t *testing.T, ds ...core.Domain) {
	t.Helper()
	_, err := e.store.Store.AddDomains(context.Background(), ds)
	require.NoError(t, err)
}

// addContacts stores contacts for a new domain host as a finished scan
// does, and returns the domain.
func (e *env) addContacts(t *testing.T, host string, cs ...contact.Contact) core.Domain {
	t.Helper()
	ctx := context.Background()
	d := core.NewDomain(host, seedTime)
	d.PageScrapeStatus = ptr(core.TaskQueued)
	e.addDomains(t, d)
	jobs, err := e.store.Claim(ctx, core.EmailScan, 100, time.Minute, testNow)
	require.NoError(t, err)
	found := false
	for _, j := range jobs {
		if j.DomainID != d.ID {
			require.NoError(t, e.store.Release(ctx, core.EmailScan, j, testNow))
			continue
		}
		found = true
		for i := range cs {
			cs[i].DomainID = d.ID
		}
		require.NoError(t, e.store.FinishScan(ctx, j, scan.Outcome{Contacts: cs, FinishedAt: testNow}))
	}
	require.True(t, found)
	return d
}

func mkContact(email string, typ contact.Type, ctxText string) contact.Contact {
	return contact.Contact{ID: uuid.New(), Email: email, Type: typ, HasGmail: strings.HasSuffix(email, "@gmail.com"),
		Context: ctxText, SourceURL: "http://site.example.com/contact", FirstSeenAt: seedTime, LastSeenAt: testNow}
}

func pageOf(t *testing.T, res response) (items []map[string]any, total, page, size, pages int) {
	t.Helper()
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	for _, it := range res.jsonObj["items"].([]any) {
		items = append(items, it.(map[string]any))
	}
	n := func(k string) int { return int(res.jsonObj[k].(float64)) }
	return items, n("total"), n("page"), n("size"), n("pages")
}

func hosts(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["domain"].(string))
	}
	return out
}

func TestListDomains(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	// 25 more domains, updated a minute apart, after the seeded ones.
	var extra []core.Domain
	for i := range 25 {
		d := core.NewDomain(fmt.Sprintf("list%02d.example.org", i), seedTime)
		d.UpdatedAt = seedTime.Add(time.Duration(i+1) * time.Minute)
		d.ContactsFound = i % 3
		if i%5 == 0 {
			d.EmailScanStatus = core.CurationSelected
			d.PageScrapeStatus = ptr(core.TaskCompleted)
		}
		extra = append(extra, d)
	}
	extra[7].Domain = "fifty%off.example.org"
	extra[8].Domain = "fiftyxoff.example.org"
	e.addDomains(t, extra...)
	get := func(query string) response {
		return e.do(t, request{method: "GET", path: "/api/v3/domains" + query, token: tok})
	}

	// The default: page 1 of 20, newest update first.
	items, total, page, size, pages := pageOf(t, get(""))
	require.Equal(t, []int{30, 1, 20, 2}, []int{total, page, size, pages})
	require.Len(t, items, 20)
	require.Equal(t, "list24.example.org", items[0]["domain"])
	require.Equal(t, "list05.example.org", items[19]["domain"])
	var d core.Domain
	raw, err := json.Marshal(items[0])
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(raw, &d))
	require.Equal(t, extra[24], d, "items are whole domains")

	// The second page holds the rest; past it nothing, with the same total.
	items, total, page, _, pages = pageOf(t, get("?page=2"))
	require.Equal(t, []int{30, 2, 2}, []int{total, page, pages})
	require.Len(t, items, 10)
	items, total, _, _, _ = pageOf(t, get("?page=9&size=5"))
	require.Empty(t, items)
	require.Equal(t, 30, total)
	require.Equal(t, "[]", string(mustJSON(t, get("?page=9").jsonObj["items"])), "items is [], not null")

	// Paging in sevens, ascending, covers every domain once, in order.
	var walked []string
	for p := 1; p <= 5; p++ {
		items, _, _, _, pages := pageOf(t, get(fmt.Sprintf("?page=%d&size=7&sort_by=domain&sort_desc=false", p)))
		require.Equal(t, 5, pages)
		walked = append(walked, hosts(items)...)
	}
	require.Len(t, walked, 30)
	require.True(t, slices.IsSorted(walked), "%v", walked)

	// Filters, alone and combined.
	cases := []struct {
		query string
		want  []string // in order
	}{
		{"?email_scan_status=Selected&sort_by=domain&sort_desc=false", []string{"list00.example.org", "list05.example.org", "list10.example.org", "list15.example.org", "list20.example.org"}},
		{"?email_scan_status=Selected&page_scrape_status=Completed&domain_filter=LIST1&sort_desc=true", []string{"list15.example.org", "list10.example.org"}},
		{"?page_scrape_status=Error", []string{"scan-failed.example.com"}},
		{"?page_scrape_status=Queued", []string{"scan-queued.example.com"}},
		{"?sitemap_analysis_status=Processing", []string{"analysis-run.example.com"}},
		{"?sitemap_curation_status=Maybe", nil},
		{"?domain_filter=fifty%25off", []string{"fifty%off.example.org"}},
		{"?domain_filter=%25", []string{"fifty%off.example.org"}},
		{"?domain_filter=fifty_off", nil},
		{"?domain_filter=", nil}, // empty means absent: checked by count below
	}
	for _, tc := range cases[:len(cases)-1] {
		items, total, _, _, _ := pageOf(t, get(tc.query))
		require.Equal(t, tc.want, hosts(items), tc.query)
		require.Equal(t, len(tc.want), total, tc.query)
	}
	_, total, _, _, _ = pageOf(t, get("?domain_filter=&page_scrape_status="))
	require.Equal(t, 30, total, "empty values are absent")

	// null selects the domains whose processing never started.
	items, total, _, _, _ = pageOf(t, get("?page_scrape_status=null&size=100"))
	require.Equal(t, 30-5-2, total, "five Completed, one Queued, one Error")
	for _, it := range items {
		require.Nil(t, it["page_scrape_status"])
	}
	_, total, _, _, _ = pageOf(t, get("?sitemap_analysis_status=null"))
	require.Equal(t, 28, total)

	// Each direction of a sort with ties: contacts_found, then id.
	for _, desc := range []string{"true", "false"} {
		items, _, _, _, _ := pageOf(t, get("?size=100&sort_by=contacts_found&sort_desc="+desc))
		require.Len(t, items, 30)
		require.True(t, slices.IsSortedFunc(items, func(a, b map[string]any) int {
			c := int(a["contacts_found"].(float64)) - int(b["contacts_found"].(float64))
			if c == 0 {
				c = strings.Compare(uuidBytes(a["id"]), uuidBytes(b["id"]))
			}
			if desc == "true" {
				return -c
			}
			return c
		}), "sort_desc=%s", desc)
	}
}

func uuidBytes(v any) string {
	id := uuid.MustParse(v.(string))
	return string(id[:])
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestListingBadQueries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	cases := []struct {
		path   string
		detail []string
	}{
		{"/api/v3/domains?pgae=2", []string{`unknown query parameter "pgae"`, "allowed: page, size"}},
		{"/api/v3/domains?page=1&page=2", []string{"page is given more than once"}},
		{"/api/v3/domains?page=0", []string{"page 0 is out of range"}},
		{"/api/v3/domains?page=-3", []string{"page -3 is out of range"}},
		{"/api/v3/domains?page=two", []string{`page must be a whole number, not "two"`}},
		{"/api/v3/domains?page=99999999999999999999", []string{"page must be a whole number"}},
		{"/api/v3/domains?size=101", []string{"size 101 is out of range: 1 to 100"}},
		{"/api/v3/domains?size=0", []string{"size 0 is out of range"}},
		{"/api/v3/domains?sort_by=id", []string{`sort_by "id" is not a sort key`, "contacts_found"}},
		{"/api/v3/domains?sort_by=domain%20DESC", []string{"sort_by"}},
		{"/api/v3/domains?sort_desc=maybe", []string{"sort_desc must be true or false"}},
		{"/api/v3/domains?email_scan_status=selected", []string{`email_scan_status "selected" is not a curation status`, `"Not a Fit"`}},
		{"/api/v3/domains?sitemap_curation_status=Queued", []string{"sitemap_curation_status"}},
		{"/api/v3/domains?email_scan_status=null", []string{"email_scan_status"}},
		{"/api/v3/domains?page_scrape_status=Processing", []string{"page_scrape_status", `"InProgress"`, "or null"}},
		{"/api/v3/domains?sitemap_analysis_status=InProgress", []string{"sitemap_analysis_status", `"Processing"`}},
		{"/api/v3/domains?page_scrape_status=NULL", []string{"page_scrape_status"}},
		{"/api/v3/domains?domain_filter=" + strings.Repeat("a", 255), []string{"domain_filter is 255 bytes long"}},
		{"/api/v3/contacts?domain_id=42", []string{`domain_id "42" is not a UUID`}},
		{"/api/v3/contacts?email_type=personal", []string{"email_type", `"corporate"`}},
		{"/api/v3/contacts?size=1000", []string{"size 1000 is out of range"}},
		{"/api/v3/contacts?sort_by=email", []string{`unknown query parameter "sort_by"`}},
		{"/api/v3/contacts?q=" + strings.Repeat("x", 300), []string{"q is 300 bytes long"}},
		{"/api/v3/domains/" + uuid.NewString() + "/contacts?domain_id=" + uuid.NewString(), []string{`unknown query parameter "domain_id"`}},
		{"/api/v3/domains/not-a-uuid/contacts", []string{`domain id "not-a-uuid" is not a UUID`}},
		{"/api/v3/contacts.csv?page=2", []string{`unknown query parameter "page"`}},
		{"/api/v3/contacts.csv?email_type=x", []string{"email_type"}},
	}
	for _, tc := range cases {
		res := e.do(t, request{method: "GET", path: tc.path, token: tok})
		require.Equal(t, http.StatusUnprocessableEntity, res.status, "%s: %s", tc.path, res.raw)
		for _, want := range tc.detail {
			require.Contains(t, res.jsonObj["detail"], want, tc.path)
		}
	}
	for _, path := range []string{"/api/v3/domains", "/api/v3/contacts", "/api/v3/contacts.csv", "/api/v3/domains/" + uuid.NewString() + "/contacts"} {
		res := e.do(t, request{method: "GET", path: path})
		require.Equal(t, http.StatusUnauthorized, res.status, path)
	}
}

func TestContacts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	acme := e.addContacts(t, "acme.example.com",
		mkContact("info@acme.example.com", contact.TypeService, "write to info"),
		mkContact("jane_doe@acme.example.com", contact.TypeCorporate, "Jane"),
		mkContact("Jane.Roe@gmail.com", contact.TypeFree, "Jane R"),
	)
	beta := e.addContacts(t, "beta.example.com",
		mkContact("sales@beta.example.com", contact.TypeService, "sales"),
		mkContact("info@acme.example.com", contact.TypeService, "a partner"),
	)
	get := func(path string) response { return e.do(t, request{method: "GET", path: path, token: tok}) }
	emails := func(items []map[string]any) []string {
		var out []string
		for _, it := range items {
			out = append(out, it["email"].(string))
		}
		return out
	}

	items, total, _, _, pages := pageOf(t, get("/api/v3/domains/"+acme.ID.String()+"/contacts"))
	require.Equal(t, []string{"Jane.Roe@gmail.com", "info@acme.example.com", "jane_doe@acme.example.com"}, emails(items), "byte order")
	require.Equal(t, []int{3, 1}, []int{total, pages})
	require.Equal(t, acme.ID.String(), items[0]["domain_id"])
	require.Equal(t, true, items[0]["has_gmail"])
	require.Equal(t, "free", items[0]["email_type"])

	items, total, page, size, pages := pageOf(t, get("/api/v3/domains/"+acme.ID.String()+"/contacts?page=2&size=2&q=A"))
	require.Equal(t, []string{"jane_doe@acme.example.com"}, emails(items))
	require.Equal(t, []int{3, 2, 2, 2}, []int{total, page, size, pages})

	items, _, _, _, _ = pageOf(t, get("/api/v3/domains/"+beta.ID.String()+"/contacts?email_type=service"))
	require.Equal(t, []string{"info@acme.example.com", "sales@beta.example.com"}, emails(items))

	// A domain without contacts is an empty page; an unknown one a 404.
	items, total, _, _, pages = pageOf(t, get("/api/v3/domains/"+e.seed.fresh.ID.String()+"/contacts"))
	require.Empty(t, items)
	require.Equal(t, []int{0, 0}, []int{total, pages})
	missing := uuid.New()
	res := get("/api/v3/domains/" + missing.String() + "/contacts")
	require.Equal(t, http.StatusNotFound, res.status)
	require.Contains(t, res.jsonObj["detail"], missing.String())

	// Across domains.
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"Jane.Roe@gmail.com", "info@acme.example.com", "info@acme.example.com", "jane_doe@acme.example.com", "sales@beta.example.com"}},
		{"?domain_id=" + beta.ID.String(), []string{"info@acme.example.com", "sales@beta.example.com"}},
		{"?domain_id=" + missing.String(), nil},
		{"?email_type=corporate", []string{"jane_doe@acme.example.com"}},
		{"?q=JANE", []string{"Jane.Roe@gmail.com", "jane_doe@acme.example.com"}},
		{"?q=_", []string{"jane_doe@acme.example.com"}},
		{"?q=%25", nil},
		{"?q=info&email_type=service&domain_id=" + acme.ID.String(), []string{"info@acme.example.com"}},
	}
	for _, tc := range cases {
		items, total, _, _, _ := pageOf(t, get("/api/v3/contacts"+tc.query))
		require.Equal(t, tc.want, emails(items), tc.query)
		require.Equal(t, len(tc.want), total, tc.query)
	}
	items, total, _, _, pages = pageOf(t, get("/api/v3/contacts?size=2&page=3"))
	require.Equal(t, []string{"sales@beta.example.com"}, emails(items))
	require.Equal(t, []int{5, 3}, []int{total, pages})
}

// readCSV parses an export.
func readCSV(t *testing.T, raw []byte) [][]string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(raw))
	recs, err := r.ReadAll()
	require.NoError(t, err)
	return recs
}

func TestContactsCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := userToken(t, "u")
	const n = 5_000
	bulk := make([]contact.Contact, n)
	for i := range bulk {
		bulk[i] = mkContact(fmt.Sprintf("p%05d@bulk.example.com", i), contact.TypeCorporate, "plain")
	}
	// Values a spreadsheet would run as formulas.
	bulk[0].Email, bulk[0].Context = "=HYPERLINK(\"http://evil\")@x.com", "=1+1"
	bulk[1].Context = "+SUM(A1)"
	bulk[2].Context = "-2+3"
	bulk[3].Context = "@cmd"
	bulk[4].Context = "\tTAB"
	bulk[5].Context = "a, \"quoted\"\nline"
	d := e.addContacts(t, "bulk.example.com", bulk...)
	other := e.addContacts(t, "other.example.com", mkContact("gmailer@gmail.com", contact.TypeFree, "hi"))

	res := e.do(t, request{method: "GET", path: "/api/v3/contacts.csv", token: tok})
	require.Equal(t, http.StatusOK, res.status, "%s", res.raw)
	require.Equal(t, "text/csv; charset=utf-8", res.header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="contacts.csv"`, res.header.Get("Content-Disposition"))
	require.True(t, bytes.HasPrefix(res.raw, []byte("email,email_type,has_gmail,domain,source_url,context,first_seen_at,last_seen_at\r\n")), "header and CRLF")
	recs := readCSV(t, res.raw)
	require.Len(t, recs, 1+n+1, "header and every contact")
	require.Equal(t, csvHeader, recs[0])

	byEmail := map[string][]string{}
	var order []string
	for _, r := range recs[1:] {
		require.Len(t, r, len(csvHeader))
		byEmail[r[0]] = r
		order = append(order, r[0])
	}
	require.True(t, slices.IsSorted(order), "rows in email order")
	require.Equal(t, []string{"gmailer@gmail.com", "free", "true", "other.example.com", "http://site.example.com/contact", "hi",
		seedTime.Format(time.RFC3339), testNow.Format(time.RFC3339)}, byEmail["gmailer@gmail.com"])
	require.Equal(t, "'=1+1", byEmail[`'=HYPERLINK("http://evil")@x.com`][5], "the email and the context are guarded")
	for i, want := range map[int]string{1: "'+SUM(A1)", 2: "'-2+3", 3: "'@cmd", 4: "'\tTAB", 5: "a, \"quoted\"\nline", 6: "plain"} {
		require.Equal(t, want, byEmail[fmt.Sprintf("p%05d@bulk.example.com", i)][5], "row %d", i)
	}

	// Filters apply.
	res = e.do(t, request{method: "GET", path: "/api/v3/contacts.csv?email_type=free&domain_id=" + other.ID.String(), token: tok})
	require.Equal(t, http.StatusOK, res.status)
	require.Len(t, readCSV(t, res.raw), 2)
	res = e.do(t, request{method: "GET", path: "/api/v3/contacts.csv?q=p0499&domain_id=" + d.ID.String(), token: tok})
	require.Len(t, readCSV(t, res.raw), 1+10)

	// Nothing selected: the header alone.
	res = e.do(t, request{method: "GET", path: "/api/v3/contacts.csv?q=nobody", token: tok})
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, "email,email_type,has_gmail,domain,source_url,context,first_seen_at,last_seen_at\r\n", string(res.raw))
}

// scriptedCatalog streams rows, then waits or fails as told; the listings
// are not used.
type scriptedCatalog struct {
	Catalog
	rows    int
	failAt  int           // fail before row failAt (0: at once); -1 never
	gate    chan struct{} // if set, wait for it before row gateAt
	gateAt  int
	mu      sync.Mutex
	stopped error // what ended the stream
}

func (s *scriptedCatalog) StreamContacts(ctx context.Context, _ catalog.ContactFilter, fn func(catalog.ContactRow) error) (err error) {
	defer func() { s.mu.Lock(); s.stopped = err; s.mu.Unlock() }()
	for i := range s.rows {
		if i == s.failAt {
			return errors.New(`pq: canceling statement due to conflict with recovery`)
		}
		if i == s.gateAt && s.gate != nil {
			select {
			case <-s.gate:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c := mkContact(fmt.Sprintf("r%06d@x.example.com", i), contact.TypeUnknown, strings.Repeat("x", 150))
		if err := fn(catalog.ContactRow{Contact: c, Domain: "x.example.com"}); err != nil {
			return err
		}
	}
	return nil
}

func (s *scriptedCatalog) result() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopped
}

// rawGet sends a GET over a real connection and returns the response with
// its body unread.
func rawGet(t *testing.T, e *env, path string) *http.Response {
	t.Helper()
	addr := e.listen(t)
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+userToken(t, "u"))
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	res, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

func TestContactsCSVStreams(t *testing.T) {
	t.Parallel()
	t.Run("rows arrive before the store is done", func(t *testing.T) {
		t.Parallel()
		// About 250 bytes a row: the first 1,000 rows overflow the 32 KiB
		// write buffer several times before the store holds back the rest.
		sc := &scriptedCatalog{rows: 3_000, failAt: -1, gate: make(chan struct{}), gateAt: 1_000}
		e := newEnv(t, func(_ *Config, d *Deps) { d.Catalog = sc })
		res := rawGet(t, e, "/api/v3/contacts.csv")
		require.Equal(t, http.StatusOK, res.StatusCode)
		// Rows are readable while the store still holds the rest back: the
		// body is not built in memory first.
		br := bufio.NewReader(res.Body)
		done := make(chan int, 1)
		go func() {
			n := 0
			for n < 500 {
				if _, err := br.ReadString('\n'); err != nil {
					break
				}
				n++
			}
			done <- n
		}()
		select {
		case n := <-done:
			require.Equal(t, 500, n)
		case <-time.After(5 * time.Second):
			t.Fatal("no rows arrived while the store held back")
		}
		close(sc.gate)
		rest, err := io.ReadAll(br)
		require.NoError(t, err)
		require.Equal(t, 3_001-500, strings.Count(string(rest), "\r\n"), "every row")
		require.NoError(t, sc.result())
	})
	t.Run("a failure after the first row cuts the connection", func(t *testing.T) {
		t.Parallel()
		sc := &scriptedCatalog{rows: 5_000, failAt: 2_000}
		e := newEnv(t, func(_ *Config, d *Deps) { d.Catalog = sc })
		res := rawGet(t, e, "/api/v3/contacts.csv")
		require.Equal(t, http.StatusOK, res.StatusCode)
		body, err := io.ReadAll(res.Body)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the chunked body never ends")
		require.Greater(t, len(body), 100_000, "rows were sent before the failure")
		var logged map[string]any
		for _, rec := range e.logs.records(t) {
			if rec["msg"] == "contact export stopped" {
				logged = rec
			}
		}
		require.NotNil(t, logged, e.logs.String())
		require.Equal(t, "ERROR", logged["level"])
		require.Contains(t, logged["error"], "conflict with recovery")
		require.Equal(t, res.Header.Get("X-Request-ID"), logged["request_id"])
	})
	t.Run("a failure before the first row is a 500", func(t *testing.T) {
		t.Parallel()
		sc := &scriptedCatalog{rows: 10, failAt: 0}
		e := newEnv(t, func(_ *Config, d *Deps) { d.Catalog = sc })
		res := e.do(t, request{method: "GET", path: "/api/v3/contacts.csv", token: userToken(t, "u")})
		require.Equal(t, http.StatusInternalServerError, res.status)
		require.Equal(t, `{"detail":"internal error"}`, string(res.raw))
		require.Contains(t, e.logs.String(), "conflict with recovery")
	})
	t.Run("a client that leaves stops the store", func(t *testing.T) {
		t.Parallel()
		sc := &scriptedCatalog{rows: 1_000_000, failAt: -1}
		e := newEnv(t, func(_ *Config, d *Deps) { d.Catalog = sc })
		addr := e.listen(t)
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = fmt.Fprintf(conn, "GET /api/v3/contacts.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", userToken(t, "u"))
		require.NoError(t, err)
		buf := make([]byte, 64<<10)
		_, err = io.ReadAtLeast(conn, buf, len(buf))
		require.NoError(t, err)
		require.NoError(t, conn.Close())
		require.Eventually(t, func() bool { return sc.result() != nil }, 10*time.Second, 10*time.Millisecond, "the stream ends")
		require.ErrorIs(t, sc.result(), io.ErrClosedPipe)
	})
}

// TestOpenAPICatalogSchemas keeps the listing and import schemas equal to
// what the code sends and accepts.
func TestOpenAPICatalogSchemas(t *testing.T) {
	t.Parallel()
	schemas := loadSpec(t)["components"].(map[string]any)["schemas"].(map[string]any)
	props := func(name string) []string {
		var out []string
		for k := range schemas[name].(map[string]any)["properties"].(map[string]any) {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	sorted := func(s []string) []string { slices.Sort(s); return s }
	enum := func(name string) []string {
		var out []string
		for _, v := range schemas[name].(map[string]any)["enum"].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	require.Equal(t, sorted(jsonFields(&catalog.Page[core.Domain]{})), props("DomainPage"))
	require.Equal(t, sorted(jsonFields(&catalog.Page[contact.Contact]{})), props("ContactPage"))
	require.Equal(t, sorted(jsonFields(&contact.Contact{})), props("Contact"))
	require.Equal(t, sorted(jsonFields(&importResponse{})), props("ImportResponse"))
	require.Equal(t, sorted(jsonFields(&catalog.ImportRejection{})), props("ImportRejection"))
	require.Equal(t, sorted(jsonFields(&rejection{})), props("Rejection"))

	var keys, types []string
	for _, k := range catalog.SortKeys {
		keys = append(keys, string(k))
	}
	for _, c := range contact.Types {
		types = append(types, string(c))
	}
	require.Equal(t, keys, enum("SortKey"))
	require.Equal(t, types, enum("ContactType"))

	// The documented query parameters are the ones the handlers accept.
	paths := loadSpec(t)["paths"].(map[string]any)
	params := func(path string) []string {
		var out []string
		for _, p := range paths[path].(map[string]any)["get"].(map[string]any)["parameters"].([]any) {
			p := resolve(t, p.(map[string]any))
			if p["in"] == "query" {
				out = append(out, p["name"].(string))
			}
		}
		slices.Sort(out)
		return out
	}
	require.Equal(t, sorted(slices.Clone(domainListParams)), params("/api/v3/domains"))
	require.Equal(t, sorted(slices.Clone(contactListParams)), params("/api/v3/contacts"))
	require.Equal(t, sorted(slices.Clone(domainContactParam)), params("/api/v3/domains/{id}/contacts"))
	require.Equal(t, sorted(slices.Clone(contactCSVParams)), params("/api/v3/contacts.csv"))
}
