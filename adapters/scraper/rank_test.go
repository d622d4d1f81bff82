package scraper

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRankURLOrder(t *testing.T) {
	t.Parallel()
	// Each link ranks strictly above the next one.
	order := []struct{ href, text string }{
		{"/contact-us", ""},
		{"/impressum", ""},
		{"/our-team", ""},
		{"/standorte", ""},
		{"/about", ""},
		{"/presse", ""},
		{"/datenschutz", ""},
		{"/careers", ""},
		{"/hilfe", ""},
		{"/terms", ""},
		{"/gallery", "Gallery"},
		{"/gallery/summer", ""},
		{"/blog/2024/05/hello", ""},
		{"/products/oak-desk", "Oak desk"},
		{"/blog/page/3", ""},
		{"/blog/tag/wood", ""},
		{"/cart?add=oak", "Add to cart"},
	}
	for i := 1; i < len(order); i++ {
		a, b := order[i-1], order[i]
		ra, rb := rankURL(mustURL(t, a.href), a.text, 0), rankURL(mustURL(t, b.href), b.text, 0)
		require.Greater(t, ra, rb, "%s (%d) before %s (%d)", a.href, ra, b.href, rb)
	}
}

func TestRankURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		href, text string
		inherit    int
		want       int
	}{
		{"/", "", 0, 0},
		{"/contact", "", 0, 100},
		{"/mentions-legales", "", 0, 95},
		{"/nous-contacter", "", 0, 100},
		{"/contacto", "", 0, 100},
		{"/nosotros/equipo", "", 0, 85},
		{"/quienes-somos", "", 0, 90},
		{"/de/Kontakt", "", 0, 95},
		{"/ueber-uns", "Impressum", 0, 95},
		{"/%C3%BCber-uns", "", 0, 80},
		{"/x", "About us", 0, 80},
		{"/pages/contact", "", 0, 95},          // Shopify: "pages" is no pagination
		{"/wordpress-tips", "", 0, 0},          // "press" only at a word's start
		{"/tienda/cork-board", "", 0, -40 - 5}, // a board is not a board of directors
		{"/board-of-directors", "", 0, 90},
		{"/feedback", "", 0, 0},                       // "feed" only as a whole word
		{"/blog?contact=1", "Blog", 0, 100 - 20 - 10}, // a query's words count too
		{"/products", "Products", 0, -40},
		{"/blog/page/2", "", 0, -20 - 40 - 5},
		{"/news?page=2", "", 0, -20 - 40 - 10},
		{"/anna-schmidt", "Anna Schmidt", 75, 75},      // a neutral link inherits
		{"/shop/anna", "Anna", 75, -40 - 5},            // a low-yield one does not
		{"/2024/05/anna", "", 75, -10},                 // nor an archive
		{"/team/anna-schmidt", "", 75, 90 - 5},         // its own rank is higher
		{"/account/login", "Contact", 0, 100 - 80 - 5}, // text raises, the path still lowers
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, rankURL(mustURL(t, tt.href), tt.text, tt.inherit), "%s %q", tt.href, tt.text)
	}
	require.Equal(t, 0, inherited(40), "a page below the floor passes nothing on")
	require.Equal(t, 75, inherited(90))
}

func TestFrontierOrder(t *testing.T) {
	t.Parallel()
	f := newFrontier()
	require.True(t, f.push(mustURL(t, "http://a.com/p1"), 1, 0))
	require.True(t, f.push(mustURL(t, "http://a.com/deep"), 3, 10))
	require.True(t, f.push(mustURL(t, "http://a.com/p2"), 1, 0))
	require.True(t, f.push(mustURL(t, "http://a.com/shallow"), 1, 10))
	require.True(t, f.push(mustURL(t, "http://a.com/low"), 1, -40))
	require.False(t, f.push(mustURL(t, "http://a.com/p2#x"), 2, 0), "seen")
	// Found again with a higher rank, p2 moves up; a lower rank changes
	// nothing.
	require.False(t, f.push(mustURL(t, "http://a.com/p2"), 2, 50))
	require.False(t, f.push(mustURL(t, "http://a.com/shallow"), 2, -100))
	var got []string
	for f.len() > 0 {
		got = append(got, f.pop().u.Path)
	}
	require.Equal(t, []string{"/p2", "/shallow", "/deep", "/p1", "/low"}, got)
	require.False(t, f.push(mustURL(t, "http://a.com/p2"), 1, 100), "a fetched URL is not queued again")
	require.Zero(t, f.len())
}
