package catalog

import "github.com/google/uuid"

// RunQuery selects one page of a domain's runs of one workflow (its scan
// history), newest first.
type RunQuery struct {
	DomainID uuid.UUID
	// Page counts from 1; Size is 1 to MaxSize.
	Page, Size int
}

// NewRunQuery returns page 1 of DefaultSize of the domain's runs.
func NewRunQuery(domainID uuid.UUID) RunQuery {
	return RunQuery{DomainID: domainID, Page: 1, Size: DefaultSize}
}

// Validate returns a *QueryError for the first invalid parameter of q.
func (q RunQuery) Validate() error { return validatePage(q.Page, q.Size) }

// Offset is the number of rows before the page.
func (q RunQuery) Offset() int { return (q.Page - 1) * q.Size }
