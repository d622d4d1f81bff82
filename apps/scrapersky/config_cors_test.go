package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLoadConfigCORSOrigins(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	require.NoError(t, err)
	require.Empty(t, c.CORSOrigins, "CORS is off by default")

	c, err = loadConfig(env(map[string]string{"SCRAPERSKY_CORS_ORIGINS": "https://app.example.com, http://localhost:3000"}))
	require.NoError(t, err)
	require.Equal(t, []string{"https://app.example.com", "http://localhost:3000"}, c.CORSOrigins)

	_, err = loadConfig(env(map[string]string{"SCRAPERSKY_CORS_ORIGINS": "app.example.com"}))
	require.ErrorContains(t, err, "SCRAPERSKY_CORS_ORIGINS")
}
