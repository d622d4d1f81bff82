// Package chromium finds the Chromium binary the adapters drive: the opt-in
// renderer of the scan (adapters/scraper/render) and the browser tests
// (adapters/web/browsertest).
package chromium

import (
	"errors"
	"os"
	"os/exec"
)

// ErrNotFound means no Chromium was found.
var ErrNotFound = errors.New("chromium not found: install it (as root: apt-get update && apt-get install -y chromium) " +
	"or point SCRAPERSKY_CHROMIUM at a Chrome binary")

// Find returns the browser to drive: SCRAPERSKY_CHROMIUM, then chromium,
// chromium-browser or google-chrome on PATH, then /usr/bin/chromium.
func Find() (string, error) {
	if p := os.Getenv("SCRAPERSKY_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}
