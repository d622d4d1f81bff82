package migrations_test

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/migrations"
)

func TestPostgresDiscovered(t *testing.T) {
	t.Parallel()
	sorted := migrations.Postgres.Sorted()
	require.NotEmpty(t, sorted)
	require.Equal(t, "20260101000001", sorted[0].Name)
	require.Equal(t, "domains", sorted[0].Comment)

	version := regexp.MustCompile(`^\d{14}$`)
	for i, m := range sorted {
		require.Regexp(t, version, m.Name, "version of %s", m)
		require.NotNil(t, m.Up, "%s has an up migration", m)
		require.NotNil(t, m.Down, "%s has a down migration", m)
		if i > 0 {
			require.Less(t, sorted[i-1].Name, m.Name, "versions are unique and ordered")
		}
	}
}
