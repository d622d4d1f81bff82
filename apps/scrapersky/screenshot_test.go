package main

import (
	"image"
	"image/png"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireScreenshot checks a rendered screenshot: a PNG of width×height
// pixels that shows a page, not one flat colour: at least 16 colours, and
// no colour covering more than 97 % of the picture. (A blank or
// unstyled-error page fails; text on a background passes easily.)
func requireScreenshot(t *testing.T, path string, width, height int) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err, "%s is not a PNG", path)
	require.Equal(t, image.Rect(0, 0, width, height), img.Bounds(), "%s: size", path)
	counts := map[[4]uint32]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			counts[[4]uint32{r, g, bl, a}]++
		}
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	require.GreaterOrEqual(t, len(counts), 16, "%s: only %d colours: a blank page?", path, len(counts))
	require.Less(t, float64(most)/float64(width*height), 0.97, "%s: one colour covers %d of %d pixels: a blank page?", path, most, width*height)
}
