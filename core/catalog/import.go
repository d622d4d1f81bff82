package catalog

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// Import limits.
const (
	// MaxImportRows is the largest number of data rows (header excluded)
	// one import accepts.
	MaxImportRows = 10_000
	// maxEchoRunes bounds how much of a rejected cell a rejection repeats.
	maxEchoRunes = 200
)

// ErrInvalidFile means an import's file is not CSV text, such as a
// spreadsheet uploaded as it is. The error's text says where, and repeats
// nothing of the file.
var ErrInvalidFile = errors.New("invalid CSV file")

// headerNames are the first cells that mark the first row as a header.
// Several of them ("domain", "url") are valid single-label host names, so
// without this they would be imported as domains.
var headerNames = map[string]bool{
	"domain": true, "domains": true, "domain name": true, "domain_name": true,
	"url": true, "urls": true, "website": true, "websites": true, "website url": true,
	"site": true, "host": true, "hostname": true,
}

// ImportRejection is one row of an import that is not a domain.
type ImportRejection struct {
	// Row is the line of the file the row starts on, counting from 1 with
	// the header.
	Row int `json:"row"`
	// Input is the row's first cell, cut to 200 characters.
	Input string `json:"input"`
	// Reason says why the cell is not a domain.
	Reason string `json:"reason"`
}

// ImportResult counts what an import did.
type ImportResult struct {
	// Created counts the hosts that were not stored before.
	Created int
	// Existing counts the hosts that were already stored; they keep their
	// IDs and statuses.
	Existing int
	// Rejected lists the rows that are not domains, in file order.
	Rejected []ImportRejection
	// DomainIDs holds one ID per distinct host, in first-seen order.
	DomainIDs []uuid.UUID
}

// NoValidRowsError means an import had rows but none of them is a domain, so
// nothing was stored. It wraps core.ErrInvalidDomain.
type NoValidRowsError struct {
	Rejected []ImportRejection
}

func (e *NoValidRowsError) Error() string {
	return fmt.Sprintf("none of the %d row(s) is a valid domain, first on line %d: %s", len(e.Rejected), e.Rejected[0].Row, e.Rejected[0].Reason)
}

// Unwrap makes errors.Is(err, core.ErrInvalidDomain) true.
func (e *NoValidRowsError) Unwrap() error { return core.ErrInvalidDomain }

// Importer adds the domains of a CSV file.
type Importer struct {
	store curation.DomainAdder
	clock core.Clock
}

// NewImporter returns the import use case.
func NewImporter(store curation.DomainAdder, clock core.Clock) *Importer {
	return &Importer{store: store, clock: clock}
}

// Import reads a CSV file with one domain per row in the first column (other
// columns are ignored; a first row whose first cell names the column, such as
// "domain", "url" or "website", is a header and skipped). Every cell is
// normalized as a direct submission is (core.NormalizeDomain) and duplicates
// are collapsed.
//
// Unlike a direct submission, an import stores the valid rows and reports
// the others: a file of thousands of rows with one typo should not fail as a
// whole. It fails, storing nothing, when the file is not CSV (ErrInvalidFile),
// holds no row (core.ErrEmptyBatch), more than MaxImportRows rows
// (core.ErrBatchTooLarge) or no valid row (*NoValidRowsError).
//
// The hosts are stored in batches of curation.MaxSubmit, each its own
// statement; if one fails, the batches before it stay stored, and importing
// the file again completes the import (those hosts then count as existing).
func (im *Importer) Import(ctx context.Context, r io.Reader) (ImportResult, error) {
	rows, err := readRows(r)
	if err != nil {
		return ImportResult{}, fmt.Errorf("import domains: %w", err)
	}
	if len(rows) == 0 {
		return ImportResult{}, fmt.Errorf("import domains: %w: the file holds no domain", core.ErrEmptyBatch)
	}
	now := im.clock.Now()
	seen := make(map[string]bool, len(rows))
	var domains []core.Domain
	res := ImportResult{Rejected: []ImportRejection{}, DomainIDs: []uuid.UUID{}}
	for _, row := range rows {
		if !utf8.ValidString(row.cell) {
			res.Rejected = append(res.Rejected, ImportRejection{Row: row.line, Input: cut(strings.ToValidUTF8(row.cell, "\uFFFD")),
				Reason: "not UTF-8 text; save the file as UTF-8"})
			continue
		}
		host, err := core.NormalizeDomain(row.cell)
		if err != nil {
			res.Rejected = append(res.Rejected, ImportRejection{Row: row.line, Input: cut(row.cell), Reason: reason(err)})
			continue
		}
		if seen[host] {
			continue
		}
		seen[host] = true
		domains = append(domains, core.NewDomain(host, now))
	}
	if len(domains) == 0 {
		return ImportResult{}, fmt.Errorf("import domains: %w", &NoValidRowsError{Rejected: res.Rejected})
	}
	for start := 0; start < len(domains); start += curation.MaxSubmit {
		batch := domains[start:min(start+curation.MaxSubmit, len(domains))]
		stored, err := im.store.AddDomains(ctx, batch)
		if err != nil {
			return ImportResult{}, fmt.Errorf("import domains: %w", err)
		}
		if len(stored) != len(batch) {
			return ImportResult{}, fmt.Errorf("import domains: the store returned %d domains for %d", len(stored), len(batch))
		}
		for i, d := range stored {
			// The store returns the row that holds the host: ours, with the
			// fresh random ID we generated, or the one stored before.
			if d.ID == batch[i].ID {
				res.Created++
			} else {
				res.Existing++
			}
			res.DomainIDs = append(res.DomainIDs, d.ID)
		}
	}
	return res, nil
}

// row is the first cell of one data row and the line it starts on.
type row struct {
	line int
	cell string
}

// readRows returns the first cell of every data row. Rows may have any
// number of columns, quotes are read leniently (a stray quote makes a bad
// cell, not a bad file), and empty lines are skipped; a UTF-8 byte order
// mark, which spreadsheets write, is dropped. A NUL byte anywhere means the
// file is binary, not CSV.
func readRows(r io.Reader) ([]row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	var rows []row
	for first := true; ; first = false {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: line %d, column %d: %v", ErrInvalidFile, pe.StartLine, pe.Column, pe.Err)
		}
		if err != nil {
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for _, f := range rec {
			if strings.IndexByte(f, 0) >= 0 {
				return nil, fmt.Errorf("%w: line %d holds binary data (a NUL byte); export the sheet as CSV", ErrInvalidFile, line)
			}
		}
		cell := rec[0]
		if first {
			cell = strings.TrimPrefix(cell, "\uFEFF")
			if headerNames[strings.ToLower(strings.TrimSpace(cell))] {
				continue
			}
		}
		if len(rows) == MaxImportRows {
			return nil, fmt.Errorf("%w: more than %d rows; split the file", core.ErrBatchTooLarge, MaxImportRows)
		}
		rows = append(rows, row{line: line, cell: strings.Clone(cell)})
	}
}

// reason strips the sentinel's prefix from a normalization error.
func reason(err error) string {
	return strings.TrimPrefix(err.Error(), core.ErrInvalidDomain.Error()+": ")
}

// cut shortens a rejected cell for the response, on a rune boundary.
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxEchoRunes {
		return s
	}
	return string([]rune(s)[:maxEchoRunes]) + "..."
}
