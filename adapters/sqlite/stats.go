package sqlite

import (
	"context"

	"github.com/scrapersky/scrapersky-go/adapters/internal/bunstore"
	"github.com/scrapersky/scrapersky-go/core"
)

// CountStatuses counts domains by the value of every status column in one
// statement, for metrics. NULL is reported as "".
func (s *Store) CountStatuses(ctx context.Context) ([]core.StatusCount, error) {
	return bunstore.CountStatuses(ctx, s.dialect())
}
