package chromium_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/adapters/internal/chromium"
)

func TestFindPrefersTheVariable(t *testing.T) {
	t.Setenv("SCRAPERSKY_CHROMIUM", "/opt/chrome/chrome")
	p, err := chromium.Find()
	require.NoError(t, err)
	require.Equal(t, "/opt/chrome/chrome", p)
}

func TestFindWithoutAnyBrowser(t *testing.T) {
	t.Setenv("SCRAPERSKY_CHROMIUM", "")
	t.Setenv("PATH", t.TempDir())
	_, err := chromium.Find()
	if err == nil {
		t.Skip("/usr/bin/chromium exists on this machine")
	}
	require.ErrorIs(t, err, chromium.ErrNotFound)
}
