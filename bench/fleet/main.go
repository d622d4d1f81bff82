// Command fleet is the helper of bench/fleet.sh: "fleet sites" serves many
// small local web sites, each on its own loopback address; "fleet drive"
// submits them to a running scrapersky serve, selects them all for the
// email scan and waits until every scan has finished, printing the wall
// time and the ideal one.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: fleet sites|drive [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sites":
		err = sites(os.Args[2:])
	case "drive":
		err = drive(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

// sites serves n sites on 127.0.0.2, 127.0.0.3, … 127.0.0.251, then
// 127.0.1.2, … (all of 127.0.0.0/8 is loopback on Linux), the same port each, and writes their hosts to -hosts
// once every listener is up. Every response waits -latency first.
func sites(args []string) error {
	fs := flag.NewFlagSet("sites", flag.ExitOnError)
	n := fs.Int("n", 120, "number of sites")
	pages := fs.Int("pages", 10, "pages per site, the home page included")
	latency := fs.Duration("latency", 50*time.Millisecond, "delay before every response")
	port := fs.Int("port", 18080, "port of every site")
	hostsFile := fs.String("hosts", "", "file to write the hosts to, one per line")
	_ = fs.Parse(args)
	if *n < 1 || *n > 250*250 {
		return errors.New("-n must be 1..62500 (one loopback address each)")
	}
	var hits atomic.Int64
	var hosts []string
	var servers []*http.Server
	for i := range *n {
		addr := fmt.Sprintf("127.0.%d.%d:%d", i/250, i%250+2, *port)
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", addr, err)
		}
		srv := &http.Server{Handler: site(addr, *pages, *latency, &hits), ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go func() { _ = srv.Serve(ln) }()
		hosts = append(hosts, addr)
	}
	if *hostsFile != "" {
		if err := os.WriteFile(*hostsFile, []byte(strings.Join(hosts, "\n")+"\n"), 0o644); err != nil {
			return fmt.Errorf("write hosts: %w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	for _, s := range servers {
		_ = s.Close()
	}
	fmt.Fprintf(os.Stderr, "fleet sites: %d requests served\n", hits.Load())
	return nil
}

// site is one small site: a home page linking to pages-1 others, each
// with an address on it, and a robots.txt that allows everything.
func site(host string, pages int, latency time.Duration, hits *atomic.Int64) http.Handler {
	name := "site" + strings.ReplaceAll(strings.Split(host, ":")[0], ".", "-")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		time.Sleep(latency)
		if r.URL.Path == "/robots.txt" {
			fmt.Fprint(w, "User-agent: *\nAllow: /\n")
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var b strings.Builder
		b.WriteString("<html><body><nav>")
		for p := 1; p < pages; p++ {
			fmt.Fprintf(&b, `<a href="/p%d">page %d</a> `, p, p)
		}
		fmt.Fprintf(&b, "</nav><main><p>Write to person%s@%s.example.com</p></main></body></html>", strings.TrimPrefix(r.URL.Path, "/"), name)
		fmt.Fprint(w, b.String())
	})
}

// drive submits the hosts, selects them all with one PUT and polls GET
// /api/v3/domains/stats until none is queued or running. It prints
// "key=value" lines the script reads.
func drive(args []string) error {
	fs := flag.NewFlagSet("drive", flag.ExitOnError)
	api := fs.String("api", "http://127.0.0.1:18000", "base URL of scrapersky serve")
	token := fs.String("token", "scraper_sky_2024", "bearer token")
	hostsFile := fs.String("hosts", "", "file with one host per line")
	pages := fs.Int("pages", 10, "pages per site")
	rate := fs.Float64("rate", 2, "the per-site request rate the service uses (SCRAPERSKY_CRAWL_RATE)")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after this long")
	_ = fs.Parse(args)

	raw, err := os.ReadFile(*hostsFile)
	if err != nil {
		return fmt.Errorf("read hosts: %w", err)
	}
	var hosts []string
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if h := strings.TrimSpace(sc.Text()); h != "" {
			hosts = append(hosts, h)
		}
	}
	c := client{base: *api, token: *token}
	if err := c.waitHealthy(30 * time.Second); err != nil {
		return err
	}
	var sub struct {
		DomainIDs []string `json:"domain_ids"`
	}
	if err := c.do("POST", "/api/v3/domains/direct-submit", map[string]any{"domains": hosts}, &sub); err != nil {
		return err
	}
	start := time.Now()
	var put struct {
		Queued int `json:"queued_for_scan_count"`
	}
	if err := c.do("PUT", "/api/v3/domains/email-scan/status",
		map[string]any{"domain_ids": sub.DomainIDs, "email_scan_status": "Selected"}, &put); err != nil {
		return err
	}
	if put.Queued != len(hosts) {
		return fmt.Errorf("queued %d of %d domains", put.Queued, len(hosts))
	}
	var st struct {
		Page map[string]int `json:"page_scrape_status"`
	}
	for {
		if time.Since(start) > *timeout {
			return fmt.Errorf("not finished after %s: %v", *timeout, st.Page)
		}
		time.Sleep(200 * time.Millisecond)
		if err := c.do("GET", "/api/v3/domains/stats", nil, &st); err != nil {
			return err
		}
		if st.Page["Queued"]+st.Page["InProgress"] == 0 {
			break
		}
	}
	seen := time.Since(start) // when the stats showed it: what a user polling them sees
	ideal := time.Duration(float64(*pages) / *rate * float64(time.Second))
	scanned := 0
	var last time.Time // the last scan's end, as the service recorded it
	for p := 1; ; p++ {
		var page struct {
			Items []struct {
				Pages    int        `json:"pages_scanned"`
				Finished *time.Time `json:"page_scrape_finished_at"`
			} `json:"items"`
			Pages int `json:"pages"`
		}
		if err := c.do("GET", fmt.Sprintf("/api/v3/domains?size=100&page=%d", p), nil, &page); err != nil {
			return err
		}
		for _, it := range page.Items {
			scanned += it.Pages
			if it.Finished != nil && it.Finished.After(last) {
				last = *it.Finished
			}
		}
		if p >= page.Pages {
			break
		}
	}
	// The wall time is from the PUT to the last scan's end (same machine,
	// same clock); the stats, shared by all pollers, show it up to about a
	// second later (seen_s).
	wall := last.Sub(start)
	fmt.Printf("sites=%d\ncompleted=%d\nerrors=%d\npages_scanned=%d\nwall_s=%.2f\nseen_s=%.2f\nideal_s=%.2f\nratio=%.2f\n",
		len(hosts), st.Page["Completed"], st.Page["Error"], scanned, wall.Seconds(), seen.Seconds(), ideal.Seconds(), wall.Seconds()/ideal.Seconds())
	return nil
}

type client struct{ base, token string }

func (c client) waitHealthy(d time.Duration) error {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		resp, err := http.Get(c.base + "/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s/health did not answer within %s", c.base, d)
}

func (c client) do(method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode: %w", method, path, err)
	}
	return nil
}
