// Command soak drives a running scrapersky serve on loopback: concurrent
// status PUTs, domain listings and, in a second phase, /metrics scrapes,
// and prints p50/p99 and error counts per route and phase. bench/soak.sh
// creates the database, starts the service and runs it; see there.
//
// The PUTs select only domains whose hosts are local sites this command
// serves on 127.0.0.1, so the service's workers crawl nothing else.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8000", "the service's base URL (loopback only)")
	token := flag.String("token", "scraper_sky_2024", "bearer token")
	idsFile := flag.String("ids", "", "file of seeded domain IDs, one a line")
	phase := flag.Duration("phase", 60*time.Second, "duration of each phase")
	putters := flag.Int("putters", 4, "concurrent PUT clients")
	listers := flag.Int("listers", 4, "concurrent listing clients")
	scrapers := flag.Int("scrapers", 4, "concurrent /metrics scrapers in the second phase")
	sites := flag.Int("sites", 20, "local sites for the workers to crawl")
	scrapeEvery := flag.Duration("scrape-every", 100*time.Millisecond, "pause of each scraper between scrapes")
	flag.Parse()
	if !strings.HasPrefix(*base, "http://127.0.0.1:") {
		log.Fatal("soak: -url must be http://127.0.0.1:<port>")
	}
	seeded := readIDs(*idsFile)
	c := &client{base: *base, token: *token, http: &http.Client{Timeout: 60 * time.Second}}
	local := c.localSites(*sites)

	var mu sync.Mutex
	type key struct{ phase, route string }
	lat := map[key][]time.Duration{}
	errs := map[key]int{}
	record := func(ph, route string, d time.Duration, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		k := key{ph, route}
		lat[k] = append(lat[k], d)
		if !ok {
			errs[k]++
		}
	}

	run := func(ph string, withScrapes bool) {
		ctx, cancel := context.WithTimeout(context.Background(), *phase)
		defer cancel()
		var wg sync.WaitGroup
		loop := func(n int, f func() (string, bool)) {
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for ctx.Err() == nil {
						start := time.Now()
						route, ok := f()
						record(ph, route, time.Since(start), ok)
					}
				}()
			}
		}
		loop(*putters, func() (string, bool) {
			if rand.IntN(4) == 0 { // queue a few local sites for the workers
				return "PUT status (Selected, local)", c.put(pick(local, 3), "Selected")
			}
			return "PUT status (Maybe, 100 seeded)", c.put(pick(seeded, 100), []string{"Maybe", "New", "Not a Fit"}[rand.IntN(3)])
		})
		loop(*listers, func() (string, bool) {
			q := []string{
				"sort_by=domain&size=50&page=" + fmt.Sprint(1+rand.IntN(200)),
				"email_scan_status=Selected&size=50",
				"page_scrape_status=Completed&sort_by=updated_at&sort_desc=true&size=50",
				"domain_filter=soak-1&size=50",
			}[rand.IntN(4)]
			return "GET /api/v3/domains", c.get("/api/v3/domains?"+q, true)
		})
		if withScrapes {
			loop(*scrapers, func() (string, bool) {
				time.Sleep(*scrapeEvery)
				return "GET /metrics", c.get("/metrics", false)
			})
		}
		wg.Wait()
	}
	run("1 without scrapes", false)
	run("2 with /metrics", true)

	keys := make([]key, 0, len(lat))
	for k := range lat {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int { return strings.Compare(a.phase+a.route, b.phase+b.route) })
	fmt.Printf("%-18s %-32s %8s %9s %9s %7s\n", "phase", "route", "requests", "p50 ms", "p99 ms", "errors")
	for _, k := range keys {
		ds := lat[k]
		slices.Sort(ds)
		fmt.Printf("%-18s %-32s %8d %9.1f %9.1f %7d\n", k.phase, k.route, len(ds), ms(pct(ds, 0.50)), ms(pct(ds, 0.99)), errs[k])
	}
}

type client struct {
	base, token string
	http        *http.Client
}

func (c *client) do(method, path string, body any, auth bool, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if out != nil {
		return res.StatusCode, json.NewDecoder(res.Body).Decode(out)
	}
	_, err = io.Copy(io.Discard, res.Body)
	return res.StatusCode, err
}

func (c *client) put(ids []string, status string) bool {
	code, err := c.do("PUT", "/api/v3/domains/email-scan/status", map[string]any{"domain_ids": ids, "email_scan_status": status}, true, nil)
	return err == nil && code == http.StatusOK
}

func (c *client) get(path string, auth bool) bool {
	code, err := c.do("GET", path, nil, auth, nil)
	return err == nil && code == http.StatusOK
}

// localSites serves n small sites on 127.0.0.1, submits them and returns
// their domain IDs.
func (c *client) localSites(n int) []string {
	var hosts []string
	for i := range n {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			if r.URL.Path == "/" {
				fmt.Fprint(w, `<a href="/contact">Contact</a>`)
				return
			}
			fmt.Fprintf(w, `<p>info@soak-site%d-widgets.com</p>`, i)
		}))
		hosts = append(hosts, strings.TrimPrefix(srv.URL, "http://"))
	}
	var res struct {
		IDs []string `json:"domain_ids"`
	}
	code, err := c.do("POST", "/api/v3/domains/direct-submit", map[string]any{"domains": hosts}, true, &res)
	if err != nil || code != http.StatusCreated {
		log.Fatalf("soak: submitting the local sites: %d %v", code, err)
	}
	return res.IDs
}

func readIDs(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatalf("soak: -ids: %v", err)
	}
	ids := strings.Fields(string(b))
	if len(ids) < 100 {
		log.Fatalf("soak: -ids holds %d IDs; want at least 100", len(ids))
	}
	return ids
}

func pick(ids []string, n int) []string {
	out := make([]string, 0, n)
	for range min(n, len(ids)) {
		out = append(out, ids[rand.IntN(len(ids))])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func pct(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
