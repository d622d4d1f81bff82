package main

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCancelAndDeleteStopRunningScans runs the binary on each database:
// a PUT of Not a Fit while a slow site is being scanned answers
// cancelled_count 1, the worker stops the crawl within seconds ("job
// cancelled"), the scan history shows the run cancelled and the site sees
// no request after that. Selected again, the domain is scanned anew; a
// DELETE during that scan stops it too.
func TestCancelAndDeleteStopRunningScans(t *testing.T) {
	eachBackend(t, testCancelAndDeleteStopRunningScans)
}

func testCancelAndDeleteStopRunningScans(t *testing.T, b backend) {
	dsn := b.dsn(t)
	web := newSlowSite(t, 300*time.Millisecond)
	p := startProc(t, workerEnv(dsn, "SCRAPERSKY_WORKERS", "1", "SCRAPERSKY_CRAWL_RATE", "100"), "serve")
	id := submit(t, p.URL, web.URL).DomainIDs[0]
	put := func(status string) map[string]any {
		var res map[string]any
		require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
			map[string]any{"domain_ids": []string{id}, "email_scan_status": status}, &res))
		return res
	}
	running := func() bool {
		d := domainOf(t, p.URL, id)
		return web.count() > 0 && d.Status != nil && *d.Status == "InProgress"
	}

	require.Equal(t, 1.0, put("Selected")["queued_for_scan_count"])
	waitFor(t, 30*time.Second, "the scan to start", running)
	res := put("Not a Fit")
	require.Equal(t, map[string]any{"updated_count": 1.0, "queued_for_scan_count": 0.0, "cancelled_count": 1.0, "not_found_ids": []any{}}, res)
	require.Equal(t, "Cancelled", *domainOf(t, p.URL, id).Status)
	waitFor(t, 15*time.Second, "the worker to stop the job", func() bool {
		return regexpCount(`msg="job cancelled"`, p.logs.String()) == 1
	})
	seen := web.count()
	time.Sleep(time.Second)
	require.Equal(t, seen, web.count(), "no request after the cancel settled")
	d := domainOf(t, p.URL, id)
	require.Equal(t, "Cancelled", *d.Status)
	require.Zero(t, d.ContactsFound)
	var scans struct {
		Items []struct {
			Outcome string `json:"outcome"`
			Error   string `json:"error"`
		} `json:"items"`
	}
	require.Equal(t, http.StatusOK, call(t, "GET", p.URL+"/api/v3/domains/"+id+"/scans", nil, &scans))
	require.Len(t, scans.Items, 1)
	require.Equal(t, "cancelled", scans.Items[0].Outcome)

	// Selected again: a new scan starts; deleting the domain stops it.
	require.Equal(t, 1.0, put("Selected")["queued_for_scan_count"])
	before := web.count()
	waitFor(t, 30*time.Second, "the second scan to start", func() bool { return web.count() > before && running() })
	require.Equal(t, http.StatusOK, call(t, "DELETE", p.URL+"/api/v3/domains/"+id, nil, nil))
	waitFor(t, 15*time.Second, "the worker to stop the deleted domain's job", func() bool {
		return regexpCount(`msg="job cancelled"`, p.logs.String()) == 2
	})
	seen = web.count()
	time.Sleep(time.Second)
	require.Equal(t, seen, web.count(), "no request after the delete settled")
	require.NotContains(t, p.logs.String(), "level=ERROR")
	p.stop(t)
}

// regexpCount counts the matches of pattern in s.
func regexpCount(pattern, s string) int {
	return len(regexp.MustCompile(pattern).FindAllStringIndex(s, -1))
}
