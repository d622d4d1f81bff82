package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestScanStoresEveryForm: the worker stores the addresses of issue 9's
// forms (stray cells, attributes, spelled-out words, IDN and accented local
// parts, reversed text) as contacts, in canonical form, with their types.
func TestScanStoresEveryForm(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		dsn := b.dsn(t)
		web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, `<td>Sales</td><td>sales@münchen-bäckerei.de</td>
<span data-email="jürgen.weiß@gmx.de">Jürgen</span>
<p>Email: lieferung at xn--mnchen-bckerei-dib09a dot de</p>
<span style="unicode-bidi: bidi-override; direction: rtl">ed.oidutsarret@ofni</span>
<p>müller@firma-linden.de</p>`)
		}))
		t.Cleanup(web.Close)
		p := startProc(t, workerEnv(dsn), "serve")
		db := b.open(t, dsn)

		id := submit(t, p.URL, web.URL).DomainIDs[0]
		require.Equal(t, http.StatusOK, call(t, "PUT", p.URL+"/api/v3/domains/email-scan/status",
			map[string]any{"domain_ids": []string{id}, "email_scan_status": "Selected"}, nil))
		var d domainView
		waitFor(t, 60*time.Second, "the scan to finish", func() bool { d = domainOf(t, p.URL, id); return settled(d) })
		require.Equal(t, "Completed", *d.Status, "error: %v", d.Error)

		cs := contactsOf(t, db, id)
		want := map[string]string{
			"sales@münchen-bäckerei.de":     "service",
			"jürgen.weiß@gmx.de":            "free",
			"lieferung@münchen-bäckerei.de": "unknown",
			"info@terrastudio.de":           "service",
			"müller@firma-linden.de":        "unknown",
		}
		got := map[string]string{}
		for email, c := range cs {
			got[email] = c.Type
		}
		require.Equal(t, want, got)
		p.stop(t)
	})
}
