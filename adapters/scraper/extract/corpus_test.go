package extract

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// label is one page of testdata/corpus with its sidecar: the addresses that
// must be found, with their source, and the decoys that must not be.
type label struct {
	page   string
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
		l := label{want: map[string]Source{}}
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
	return HTML(body, "https://www.acme-tools.com/contact")
}

// TestCorpus measures recall and precision over the labelled pages: every
// address the labels list must be found with its source, and nothing else
// may be.
func TestCorpus(t *testing.T) {
	t.Parallel()
	var want, found, correct int
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
		want += len(l.want)
		found += len(got)
		for email, src := range l.want {
			f, ok := byEmail[email]
			if !ok {
				t.Errorf("%s: missed %s", l.page, email)
				continue
			}
			correct++
			sources[src] = true
			require.Equal(t, src, f.Source, "%s: source of %s (context %q)", l.page, email, f.Context)
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
	recall := float64(correct) / float64(want)
	precision := float64(correct) / float64(found)
	t.Logf("corpus: %d labelled, %d found, %d correct: recall %.3f, precision %.3f", want, found, correct, recall, precision)
	require.Equal(t, 1.0, recall, "recall")
	require.Equal(t, 1.0, precision, "precision")
	for _, s := range []Source{SourceText, SourceEntity, SourceObfuscated, SourceMailto, SourceCFEmail, SourceJSONLD, SourceInput, SourceMeta} {
		require.True(t, sources[s], "the corpus has no %s example", s)
	}
}
