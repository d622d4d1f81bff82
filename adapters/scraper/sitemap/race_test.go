//go:build race

package sitemap_test

// raceEnabled reports whether the race detector is on: it slows the XML
// tokenizer about twentyfold, too much for the 50 MB test.
const raceEnabled = true
