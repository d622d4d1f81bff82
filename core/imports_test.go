package core_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCoreImports keeps core free of adapters and third-party libraries:
// non-test files under core/ may import only the standard library,
// github.com/google/uuid, golang.org/x/net and core's own packages.
func TestCoreImports(t *testing.T) {
	t.Parallel()
	const module = "github.com/scrapersky/scrapersky-go/"
	allowed := func(p string) bool {
		switch {
		case p == "github.com/google/uuid",
			strings.HasPrefix(p, "golang.org/x/net/"),
			strings.HasPrefix(p, module+"core/") || p == module+"core":
			return true
		case strings.HasPrefix(p, module):
			return false
		}
		// Standard library paths have no dot in their first element.
		first, _, _ := strings.Cut(p, "/")
		return !strings.Contains(first, ".")
	}
	for _, p := range []string{"github.com/gofiber/fiber/v2", "github.com/uptrace/bun", module + "adapters/memory", "golang.org/x/time/rate", "github.com/stretchr/testify/require"} {
		require.False(t, allowed(p), "the rule must refuse %s", p)
	}
	for _, p := range []string{"context", "net/netip", "github.com/google/uuid", "golang.org/x/net/idna", module + "core/curation"} {
		require.True(t, allowed(p), "the rule must allow %s", p)
	}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			require.True(t, allowed(p), "%s imports %s: core may use only the standard library, google/uuid and golang.org/x/net", path, p)
		}
		checked++
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, checked, 3, "the walk found core's files")
}
