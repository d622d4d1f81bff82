//go:build !race

package sitemap_test

// raceEnabled reports whether the race detector is on.
const raceEnabled = false
