package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/catalog"
	"github.com/scrapersky/scrapersky-go/core/curation"
	"github.com/scrapersky/scrapersky-go/core/suppression"
)

// internalDetail is the whole body of every 500: the cause goes to the log.
const internalDetail = "internal error"

// errorBody is the JSON of every error response.
type errorBody struct {
	Detail   string      `json:"detail"`
	Rejected []rejection `json:"rejected,omitempty"`
}

// rejection is one rejected input of a direct submit or an import; only an
// import's has a row.
type rejection struct {
	Row    int    `json:"row,omitempty"`
	Input  string `json:"input"`
	Reason string `json:"reason"`
}

// httpError is a problem found at the edge, with the status and the detail
// to send as they are.
type httpError struct {
	status int
	detail string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.detail) }

func newHTTPError(status int, format string, args ...any) *httpError {
	return &httpError{status: status, detail: fmt.Sprintf(format, args...)}
}

// sentinelStatus is the one table from core's sentinel errors to HTTP. The
// detail is fixed: the error's own text may carry a store's wording, and
// handlers that know more validate at the edge and answer with an httpError.
// Two kinds of error carry a detail written for the client, which replaces
// the row's (see rowDetail): a *catalog.QueryError and a *notFoundError.
var sentinelStatus = []struct {
	err    error
	status int
	detail string
}{
	{core.ErrNotFound, fiber.StatusNotFound, "not found"},
	{core.ErrInvalidStatus, fiber.StatusUnprocessableEntity, "invalid status"},
	{core.ErrEmptyBatch, fiber.StatusUnprocessableEntity, "empty batch: give at least one item"},
	{core.ErrBatchTooLarge, fiber.StatusUnprocessableEntity, "batch too large"},
	{core.ErrInvalidDomain, fiber.StatusUnprocessableEntity, "invalid domain"},
	{catalog.ErrInvalidQuery, fiber.StatusUnprocessableEntity, "invalid query"},
	{core.ErrUnavailable, fiber.StatusServiceUnavailable, "the database is unavailable; retry shortly"},
	{suppression.ErrInvalidEntry, fiber.StatusUnprocessableEntity, "not an email address or an email domain"},
}

// retryAfterSeconds is the Retry-After of every 503: outages and timeouts
// of the database are expected to pass within seconds.
const retryAfterSeconds = "5"

// handleError is Fiber's ErrorHandler and the access log's: it writes the
// JSON error response for err. Causes of 5xx answers are logged, never sent.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	// Fiber answers some errors (an oversized body, a malformed request)
	// before any middleware runs: then this is the only place to log them.
	_, viaChain := c.Locals(localRequestID).(string)
	reqID := ensureRequestID(c)
	status, body := s.classify(c, err)
	if !viaChain {
		s.log.LogAttrs(c.UserContext(), slog.LevelInfo, "http request",
			slog.String("method", c.Method()),
			slog.String("path", c.Path()),
			slog.Int("status", status),
			slog.String("request_id", reqID),
			slog.String("user_id", ""),
		)
	}
	if status >= fiber.StatusInternalServerError {
		s.log.LogAttrs(c.UserContext(), slog.LevelError, "request failed",
			slog.Int("status", status),
			slog.String("method", c.Method()),
			slog.String("path", c.Path()),
			slog.String("request_id", reqID),
			slog.String("error", err.Error()),
		)
	}
	if status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, retryAfterSeconds)
	}
	if err := c.Status(status).JSON(body); err != nil {
		return fmt.Errorf("write error response: %w", err)
	}
	return nil
}

// classify maps err to a status and a body.
func (s *Server) classify(c *fiber.Ctx, err error) (int, errorBody) {
	var he *httpError
	if errors.As(err, &he) {
		return he.status, errorBody{Detail: he.detail}
	}
	var invalid *curation.InvalidDomainsError
	if errors.As(err, &invalid) {
		rs := make([]rejection, len(invalid.Rejected))
		for i, r := range invalid.Rejected {
			rs[i] = rejection{Input: r.Input, Reason: r.Reason}
		}
		return fiber.StatusUnprocessableEntity, errorBody{
			Detail:   fmt.Sprintf("%d submitted domain(s) are invalid; nothing was stored", len(invalid.Rejected)),
			Rejected: rs,
		}
	}
	var noValid *catalog.NoValidRowsError
	if errors.As(err, &noValid) {
		rs := make([]rejection, len(noValid.Rejected))
		for i, r := range noValid.Rejected {
			rs[i] = rejection{Row: r.Row, Input: r.Input, Reason: r.Reason}
		}
		return fiber.StatusUnprocessableEntity, errorBody{
			Detail:   fmt.Sprintf("none of the %d row(s) holds a valid domain; nothing was stored", len(noValid.Rejected)),
			Rejected: rs,
		}
	}
	for _, m := range sentinelStatus {
		if errors.Is(err, m.err) {
			return m.status, errorBody{Detail: rowDetail(err, m.detail)}
		}
	}
	var fe *fiber.Error
	if errors.As(err, &fe) {
		return fe.Code, errorBody{Detail: s.fiberDetail(c, fe.Code)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fiber.StatusServiceUnavailable, errorBody{Detail: "request timed out"}
	}
	return fiber.StatusInternalServerError, errorBody{Detail: internalDetail}
}

// rowDetail is the detail of a table row for err: the text of a
// *catalog.QueryError (core's sentence naming the parameter) or of a
// *notFoundError (naming what is missing), else the row's fixed detail.
func rowDetail(err error, fixed string) string {
	var qe *catalog.QueryError
	if errors.As(err, &qe) {
		return qe.Error()
	}
	var nf *notFoundError
	if errors.As(err, &nf) {
		return nf.Error()
	}
	return fixed
}

// notFoundError names what a request asked for that does not exist. It
// wraps core.ErrNotFound, so the table answers it with a 404.
type notFoundError struct{ what string }

func (e *notFoundError) Error() string { return e.what + " not found" }

func (e *notFoundError) Unwrap() error { return core.ErrNotFound }

// notFound returns a *notFoundError for the thing format names.
func notFound(format string, args ...any) error {
	return &notFoundError{what: fmt.Sprintf(format, args...)}
}

// fiberDetail words the errors Fiber and fasthttp raise themselves. Their own
// messages echo request bytes, so they are replaced.
func (s *Server) fiberDetail(c *fiber.Ctx, code int) string {
	switch code {
	case fiber.StatusNotFound:
		return fmt.Sprintf("no route for %s %s", c.Method(), c.Path())
	case fiber.StatusMethodNotAllowed:
		allowed := s.allowedMethods(c.Path())
		c.Set(fiber.HeaderAllow, strings.Join(allowed, ", "))
		return fmt.Sprintf("method %s is not allowed on %s; allowed: %s", c.Method(), c.Path(), strings.Join(allowed, ", "))
	case fiber.StatusRequestEntityTooLarge:
		return fmt.Sprintf("request body is larger than the limit of %d bytes", s.cfg.BodyLimit)
	case fiber.StatusBadRequest:
		return "the HTTP request could not be parsed"
	}
	if text := http.StatusText(code); text != "" {
		return strings.ToLower(text)
	}
	return internalDetail
}

// allowedMethods lists the methods registered for path, for the Allow header
// of a 405. Fiber itself only knows that some other method matched.
func (s *Server) allowedMethods(path string) []string {
	var out []string
	for _, r := range s.app.GetRoutes(true) {
		if pathMatches(r.Path, path) && !slices.Contains(out, r.Method) {
			out = append(out, r.Method)
		}
	}
	slices.Sort(out)
	return out
}

// pathMatches reports whether a request path matches a route pattern whose
// ":name" segments match any one non-empty segment. Like the router it
// ignores case and a trailing slash.
func pathMatches(pattern, path string) bool {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], ":") {
			if xs[i] == "" {
				return false
			}
			continue
		}
		if !strings.EqualFold(ps[i], xs[i]) {
			return false
		}
	}
	return true
}
