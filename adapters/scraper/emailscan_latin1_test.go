package scraper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestEmailScannerLatin1 is issue 9's stored-wrong-address bug through the
// worker's path: a latin-1 page, converted to UTF-8 by the crawler, gives
// the whole address with its accents, never the ASCII tail.
func TestEmailScannerLatin1(t *testing.T) {
	t.Parallel()
	// "Kontakt: müller@firma.de, josé.garcía@acme.es" in ISO-8859-1.
	page := "<html><body><p>Kontakt: m\xfcller@firma.de, jos\xe9.garc\xeda@acme.es, o'brien@firma.de</p></body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		if r.URL.Path == "/" {
			_, _ = w.Write([]byte(page))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	cfg := DefaultConfig()
	cfg.AllowPrivateNetworks = true
	cfg.RequestsPerSecond = 100
	s := NewEmailScanner(New(cfg))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := s.Scan(ctx, strings.TrimPrefix(srv.URL, "http://"), nil)
	require.NoError(t, err)
	var emails []string
	for _, p := range rep.Pages {
		for _, f := range p.Emails {
			emails = append(emails, f.Email)
		}
	}
	require.ElementsMatch(t, []string{"müller@firma.de", "josé.garcía@acme.es", "o'brien@firma.de"}, emails)
}
