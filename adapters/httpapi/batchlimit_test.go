package httpapi

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/scrapersky/scrapersky-go/core/curation"
)

// TestStatusUpdateTakesExactlyMaxBatch sends the largest status update the
// API allows, curation.MaxBatch IDs, on both routes: it is accepted (the
// IDs are unknown, so all come back as not found); one ID more is
// refused at the edge (see TestBadRequests).
func TestStatusUpdateTakesExactlyMaxBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ids := make([]string, curation.MaxBatch)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	for path, member := range map[string]string{
		"/api/v3/domains/email-scan/status":       "email_scan_status",
		"/api/v3/domains/sitemap-curation/status": "sitemap_curation_status",
	} {
		res := e.do(t, request{method: "PUT", path: path, token: userToken(t, "u1"),
			body: jsonBody(t, map[string]any{"domain_ids": ids, member: "Selected"})})
		require.Equal(t, 200, res.status, "%s: %s", path, res.raw)
		require.Len(t, res.jsonObj["not_found_ids"], curation.MaxBatch, path)
	}
}
