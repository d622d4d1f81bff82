package bunstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/analysis"
	"github.com/scrapersky/scrapersky-go/core/queue"
)

// finishAnalysisRunSQL is the fenced write that completes a sitemap
// analysis's run (see fenceSQL), finishAnalysisDomainSQL its domain half:
// Completed, the totals, the finish time.
const (
	finishAnalysisRunSQL = `UPDATE jobs SET state = 'completed', error = NULL, error_detail = NULL, finished_at = ?now,
	claim_token = NULL, lease_expires_at = NULL ` + fenceSQL
	finishAnalysisDomainSQL = `UPDATE domains SET
	?secondary = ?done, ?error_col = NULL,
	sitemap_count = ?sitemap_count, sitemap_url_count = ?sitemap_url_count,
	?finished = ?now, updated_at = ?now
WHERE id = ?id`
)

// deleteStaleFilesSQL removes the domain's files this analysis did not find
// again; deleteAllFilesSQL, for an analysis that found none, all of them.
// Two statements because an empty list or array renders as NULL, and
// "url NOT IN (NULL)" would keep every file.
//
// Arguments: the domain's id, and Dialect.OneOf of the URLs to keep.
const (
	deleteStaleFilesSQL = `DELETE FROM sitemap_files WHERE domain_id = ? AND NOT (url ?)`
	deleteAllFilesSQL   = `DELETE FROM sitemap_files WHERE domain_id = ?`
)

// analysisArgs are finishAnalysisSQL's named arguments: the queue's, and
// the totals.
type analysisArgs struct {
	QueueArgs

	SitemapCount    int `bun:"sitemap_count"`
	SitemapURLCount int `bun:"sitemap_url_count"`
}

// sitemapFileRow is the sitemap_files table as Bun sees it.
type sitemapFileRow struct {
	bun.BaseModel `bun:"table:sitemap_files,alias:sf"`

	ID           uuid.UUID  `bun:"id,pk"`
	DomainID     uuid.UUID  `bun:"domain_id,notnull"`
	URL          string     `bun:"url,notnull"`
	Type         string     `bun:"type,notnull"`
	Discovery    string     `bun:"discovery,notnull"`
	URLCount     int        `bun:"url_count,notnull"`
	LastModified *time.Time `bun:"last_modified"`
	Error        string     `bun:"error,notnull"`
}

// FinishAnalysis stores a finished sitemap analysis in one transaction:
// the fenced domain update first (Completed, totals, finish time), then
// every file in one upsert, then the deletion of the domain's files out no
// longer lists. A file found again keeps its ID. If the job lost its lease
// nothing is written and the error wraps core.ErrLeaseLost.
//
// The files are stored under job.DomainID, the domain the fence checked,
// whatever DomainID they carry. A URL listed twice is stored once, its
// first record winning as in analysis.Build; sitemap_count counts the
// distinct URLs. A file with an invalid type, discovery or a negative URL
// count (or a negative total) is rejected, before anything is written,
// with an error wrapping core.ErrInvalidStatus.
func (c Common) FinishAnalysis(ctx context.Context, job queue.Job, out analysis.Outcome) error {
	d := c.D
	qa, err := ArgsFor(core.SitemapCuration)
	if err != nil {
		return err
	}
	if out.TotalURLs < 0 {
		return fmt.Errorf("finish analysis %s: %w: negative URL total %d", job.DomainID, core.ErrInvalidStatus, out.TotalURLs)
	}
	rows, err := sitemapFileRows(job.DomainID, out.Files)
	if err != nil {
		return fmt.Errorf("finish analysis %s: %w", job.DomainID, err)
	}
	a := analysisArgs{QueueArgs: qa, SitemapCount: len(rows), SitemapURLCount: out.TotalURLs}
	a.ID, a.RunID, a.ClaimToken, a.Now = job.DomainID, job.RunID, job.Token, out.FinishedAt
	urls := make([]string, len(rows))
	for i, r := range rows {
		urls[i] = r.URL
	}

	err = d.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := FencedExec(ctx, tx, finishAnalysisRunSQL, finishAnalysisDomainSQL, &a); err != nil {
			return err
		}
		// Bun renders an empty slice as no VALUES at all: skip the statement.
		if len(rows) > 0 {
			// Every column but id takes the new value: a re-found file
			// keeps its identity and nothing else.
			if _, err := tx.NewInsert().Model(&rows).
				On("CONFLICT (domain_id, url) DO UPDATE").
				Set("type = EXCLUDED.type").
				Set("discovery = EXCLUDED.discovery").
				Set("url_count = EXCLUDED.url_count").
				Set("last_modified = EXCLUDED.last_modified").
				Set("error = EXCLUDED.error").
				Exec(ctx); err != nil {
				return fmt.Errorf("upsert sitemap files: %w", err)
			}
		}
		del := tx.NewRaw(deleteAllFilesSQL, job.DomainID)
		if len(urls) > 0 {
			del = tx.NewRaw(deleteStaleFilesSQL, job.DomainID, d.OneOf(urls))
		}
		if _, err := del.Exec(ctx); err != nil {
			return fmt.Errorf("delete stale sitemap files: %w", err)
		}
		return nil
	})
	if err != nil {
		// A lost lease comes back as "finish analysis <id>: lease lost".
		return fmt.Errorf("finish analysis %s: %w", job.DomainID, err)
	}
	return nil
}

// sitemapFileRows converts the outcome's files, one row per URL as stored
// (see asStored), the first winning. One INSERT … ON CONFLICT must not
// touch the same row twice, so duplicates are dropped here, and
// sitemap_count counts the rows. A file without an ID gets a fresh one.
func sitemapFileRows(domainID uuid.UUID, fs []analysis.File) ([]sitemapFileRow, error) {
	rows := make([]sitemapFileRow, 0, len(fs))
	seen := make(map[string]bool, len(fs))
	for _, f := range fs {
		f.URL = asStored(f.URL)
		if seen[f.URL] {
			continue
		}
		seen[f.URL] = true
		if !f.Type.Valid() || !f.Discovery.Valid() || f.URLCount < 0 {
			return nil, fmt.Errorf("%w: sitemap file %q: type %q, discovery %q, url count %d",
				core.ErrInvalidStatus, f.URL, f.Type, f.Discovery, f.URLCount)
		}
		id := f.ID
		if id == uuid.Nil {
			id = uuid.New()
		}
		rows = append(rows, sitemapFileRow{
			ID:           id,
			DomainID:     domainID,
			URL:          f.URL,
			Type:         string(f.Type),
			Discovery:    string(f.Discovery),
			URLCount:     f.URLCount,
			LastModified: f.LastModified,
			Error:        f.Error,
		})
	}
	return rows, nil
}

// SitemapFiles returns the sitemap files stored for the domain, ordered by
// URL in byte order; none (not an error) for an unknown domain.
func (c Common) SitemapFiles(ctx context.Context, domainID uuid.UUID) ([]analysis.File, error) {
	d := c.D
	var rows []sitemapFileRow
	if err := d.DB.NewSelect().Model(&rows).
		Where("sf.domain_id = ?", domainID).
		OrderExpr(d.OrderBytes("sf.url")).
		Scan(ctx); err != nil {
		return nil, fmt.Errorf("list sitemap files of %s: %w", domainID, err)
	}
	out := make([]analysis.File, len(rows))
	for i, r := range rows {
		out[i] = analysis.File{
			ID:           r.ID,
			DomainID:     r.DomainID,
			URL:          r.URL,
			Type:         analysis.FileType(r.Type),
			Discovery:    analysis.Discovery(r.Discovery),
			URLCount:     r.URLCount,
			LastModified: UTCPtr(r.LastModified),
			Error:        r.Error,
		}
	}
	return out, nil
}

// asStored returns s as Bun writes it into an SQL literal, in either
// dialect (schema.BaseDialect.AppendString): NUL bytes dropped and every
// byte of invalid UTF-8 replaced by U+FFFD. URLs from a robots.txt may
// carry such bytes; two that differ only there are one URL once stored,
// and must be counted and upserted as one.
func asStored(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r != 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}
