package extract

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// label is one page of testdata/corpus with its sidecar: the addresses that
// must be found, with their source, and the decoys that must not be.
type label struct {
	page   string
	class  string
	want   map[string]Source
	decoys []string
}

// tagRE matches an HTML tag, to glue the text around it.
var tagRE = regexp.MustCompile(`<[^>]*>`)

func readLabels(t *testing.T) []label {
	t.Helper()
	sidecars, err := filepath.Glob(filepath.Join("testdata", "corpus", "*.want.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, sidecars)
	var out []label
	for _, sc := range sidecars {
		base := strings.TrimSuffix(sc, ".want.txt")
		l := label{class: filepath.Base(base), want: map[string]Source{}}
		for _, ext := range []string{".html", ".txt"} {
			if _, err := os.Stat(base + ext); err == nil {
				l.page = base + ext
			}
		}
		require.NotEmpty(t, l.page, "%s has no page beside it", sc)
		f, err := os.Open(sc)
		require.NoError(t, err)
		lines := bufio.NewScanner(f)
		for lines.Scan() {
			line := strings.TrimSpace(lines.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			fields := strings.Fields(line)
			switch {
			case fields[0] == "find" && len(fields) == 3:
				_, dup := l.want[fields[1]]
				require.False(t, dup, "%s lists %s twice", sc, fields[1])
				l.want[fields[1]] = Source(fields[2])
			case fields[0] == "class" && len(fields) == 2:
				l.class = fields[1]
			case fields[0] == "not" && len(fields) == 2:
				l.decoys = append(l.decoys, fields[1])
			default:
				t.Fatalf("%s: bad line %q", sc, line)
			}
		}
		require.NoError(t, lines.Err())
		require.NoError(t, f.Close())
		out = append(out, l)
	}
	return out
}

func extractFile(t *testing.T, path string) []Found {
	t.Helper()
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	if strings.HasSuffix(path, ".txt") {
		return Text(body)
	}
	site := "https://www.acme-tools.com/contact"
	if strings.HasSuffix(path, "people.html") {
		site = "https://www.brightlane-legal.com/team"
	}
	return Extractor{Scripts: writerRunner{}}.HTML(context.Background(), body, site)
}

// tally is one class's row of the corpus table.
type tally struct{ want, found, correct int }

func (t tally) recall() float64 {
	if t.want == 0 {
		return 1
	}
	return float64(t.correct) / float64(t.want)
}

func (t tally) precision() float64 {
	if t.found == 0 {
		return 1
	}
	return float64(t.correct) / float64(t.found)
}

// TestCorpus measures recall and precision over the labelled pages, per
// class of page: every address the labels list must be found with its
// source, and nothing else may be.
func TestCorpus(t *testing.T) {
	t.Parallel()
	classes := map[string]*tally{}
	sources := map[Source]bool{}
	for _, l := range readLabels(t) {
		body, err := os.ReadFile(l.page)
		require.NoError(t, err)
		lower := bytes.ToLower(body)
		glued := tagRE.ReplaceAll(lower, nil)
		got := extractFile(t, l.page)
		byEmail := map[string]Found{}
		for _, f := range got {
			byEmail[f.Email] = f
		}
		c := classes[l.class]
		if c == nil {
			c = &tally{}
			classes[l.class] = c
		}
		c.want += len(l.want)
		c.found += len(got)
		for email, src := range l.want {
			f, ok := byEmail[email]
			if !ok {
				t.Errorf("%s: missed %s", l.page, email)
				continue
			}
			if f.Source != src {
				t.Errorf("%s: %s found as %s, labelled %s (context %q)", l.page, email, f.Source, src, f.Context)
				continue
			}
			c.correct++
			sources[src] = true
		}
		for _, f := range got {
			if _, ok := l.want[f.Email]; !ok {
				t.Errorf("%s: false positive %s (%s, context %q)", l.page, f.Email, f.Source, f.Context)
			}
		}
		for _, d := range l.decoys {
			// A decoy label must name something the page really contains
			// (literally, or once tags are removed and neighbours glued), or
			// it would pass without testing anything.
			in := bytes.Contains(lower, []byte(d)) || bytes.Contains(glued, []byte(d))
			require.True(t, in, "%s: decoy %s is not in the page", l.page, d)
			_, ok := byEmail[d]
			require.False(t, ok, "%s: found decoy %s", l.page, d)
		}
	}
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	var table strings.Builder
	var all tally
	fmt.Fprintf(&table, "\n%-12s %8s %6s %8s %7s %9s\n", "class", "labelled", "found", "correct", "recall", "precision")
	for _, n := range names {
		c := classes[n]
		fmt.Fprintf(&table, "%-12s %8d %6d %8d %7.3f %9.3f\n", n, c.want, c.found, c.correct, c.recall(), c.precision())
		all.want += c.want
		all.found += c.found
		all.correct += c.correct
	}
	fmt.Fprintf(&table, "%-12s %8d %6d %8d %7.3f %9.3f", "all", all.want, all.found, all.correct, all.recall(), all.precision())
	t.Log(table.String())
	for _, n := range names {
		require.Equal(t, 1.0, classes[n].recall(), "recall of %s", n)
		require.Equal(t, 1.0, classes[n].precision(), "precision of %s", n)
	}
	for _, n := range []string{"glued", "attributes", "spelled", "script", "idn", "boundary", "people", "reversed"} {
		require.NotNil(t, classes[n], "the corpus has no %s class", n)
		require.Positive(t, classes[n].want, "class %s has no positive case", n)
	}
	for _, s := range []Source{SourceText, SourceEntity, SourceObfuscated, SourceMailto, SourceCFEmail, SourceJSONLD, SourceInput, SourceMeta,
		SourceAttribute, SourceReversed, SourceROT13, SourceScript} {
		require.True(t, sources[s], "the corpus has no %s example", s)
	}
}
