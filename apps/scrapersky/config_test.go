package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	require.NoError(t, err)
	require.Equal(t, ":8000", c.Addr)
	require.Equal(t, "production", c.Env)
	require.Equal(t, "scraper_sky_2024", c.DevToken)
	require.Equal(t, 1000, c.Workers, "scan slots: the README's sizing is written for this default")
	require.Equal(t, 20, c.SitemapWorkers)
	require.Empty(t, c.Render, "no browser unless asked")
	require.False(t, c.AllowPrivateNetworks)
	require.Error(t, c.checkServe(), "production without a JWT secret is refused")

	c, err = loadConfig(env(map[string]string{"SCRAPERSKY_ENV": "development"}))
	require.NoError(t, err)
	require.NoError(t, c.checkServe())
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"SCRAPERSKY_ENV":                    {"SCRAPERSKY_ENV": "staging"},
		"SCRAPERSKY_WORKERS":                {"SCRAPERSKY_WORKERS": "two"},
		"SCRAPERSKY_RENDER":                 {"SCRAPERSKY_RENDER": "firefox"},
		"SCRAPERSKY_LEASE":                  {"SCRAPERSKY_LEASE": "1m", "SCRAPERSKY_SCAN_TIMEOUT": "2m"},
		"SCRAPERSKY_LOG_LEVEL":              {"SCRAPERSKY_LOG_LEVEL": "loud"},
		"SCRAPERSKY_READ_TIMEOUT":           {"SCRAPERSKY_READ_TIMEOUT": "-1s"},
		"SCRAPERSKY_ALLOW_PRIVATE_NETWORKS": {"SCRAPERSKY_ALLOW_PRIVATE_NETWORKS": "maybe"},
	}
	for name, m := range cases {
		_, err := loadConfig(env(m))
		require.Error(t, err, name)
		require.Contains(t, err.Error(), name)
	}
	c, err := loadConfig(env(map[string]string{"SCRAPERSKY_LEASE": "10m", "SCRAPERSKY_SCAN_TIMEOUT": "9m", "SCRAPERSKY_WORKERS": "0"}))
	require.NoError(t, err)
	require.Equal(t, 10*time.Minute, c.Lease)
	require.Equal(t, 0, c.Workers)
}

func TestShortJWTSecretRefusedInProduction(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(map[string]string{"SCRAPERSKY_JWT_SECRET": "x"}))
	require.NoError(t, err)
	require.ErrorContains(t, c.checkServe(), "at least 32")
	c, err = loadConfig(env(map[string]string{"SCRAPERSKY_JWT_SECRET": "0123456789abcdef0123456789abcdef"}))
	require.NoError(t, err)
	require.NoError(t, c.checkServe())
	require.Equal(t, 24*time.Hour, c.JWTMaxTTL)
	c, err = loadConfig(env(map[string]string{"SCRAPERSKY_ENV": "development", "SCRAPERSKY_JWT_SECRET": "x"}))
	require.NoError(t, err)
	require.NoError(t, c.checkServe(), "development accepts a short secret")
	_, err = loadConfig(env(map[string]string{"SCRAPERSKY_JWT_MAX_TTL": "forever"}))
	require.ErrorContains(t, err, "SCRAPERSKY_JWT_MAX_TTL")
}
