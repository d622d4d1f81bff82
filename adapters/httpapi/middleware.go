package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/google/uuid"
)

// ctxKey keys the values this package puts into request contexts.
type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyUserID
)

// localKey keys the values this package keeps in Fiber's per-request locals.
type localKey int

const (
	localRequestID localKey = iota
	localUserID
)

// maxRequestIDLength bounds an incoming X-Request-ID that is honoured.
const maxRequestIDLength = 128

// RequestID returns the request ID carried by a context that a handler of
// this package passed into core, or "" if there is none.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

// UserID returns the authenticated user ID carried by a context that a
// handler of this package passed into core, or "" if there is none.
func UserID(ctx context.Context) string {
	id, _ := ctx.Value(keyUserID).(string)
	return id
}

// requestID gives every request an ID: a sane incoming X-Request-ID is kept
// so that a proxy's ID follows the request through the logs; anything else
// is replaced by a fresh UUID. The ID is echoed in the response.
func (s *Server) requestID(c *fiber.Ctx) error {
	ensureRequestID(c)
	return c.Next()
}

// ensureRequestID returns the request's ID, assigning it on first use. The
// error handler calls it too, because Fiber answers some errors (such as an
// oversized body) without running any middleware.
func ensureRequestID(c *fiber.Ctx) string {
	if id, ok := c.Locals(localRequestID).(string); ok {
		return id
	}
	id := c.Get(fiber.HeaderXRequestID)
	if saneRequestID(id) {
		// The header value points into a buffer fasthttp reuses.
		id = utils.CopyString(id)
	} else {
		id = uuid.NewString()
	}
	c.Locals(localRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	c.SetUserContext(context.WithValue(c.UserContext(), keyRequestID, id))
	return id
}

// saneRequestID accepts 1 to 128 characters of letters, digits and ._:-,
// which keeps log lines and response headers free of injected content.
func saneRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		b := id[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9', b == '.', b == '_', b == ':', b == '-':
		default:
			return false
		}
	}
	return true
}

// accessLog writes one line per request. It turns an error returned down the
// chain into its response here, so that the status it logs is the one sent.
func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	if err := c.Next(); err != nil {
		if herr := s.handleError(c, err); herr != nil {
			s.log.ErrorContext(c.UserContext(), "write error response", "error", herr)
			c.Status(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	if s.cfg.Observe != nil {
		// Copies: Observe may keep the strings (metric labels do), and
		// c.Method() points into a buffer fasthttp reuses.
		s.cfg.Observe(utils.CopyString(c.Method()), routeOf(c, status), status, time.Since(start))
	}
	userID, _ := c.Locals(localUserID).(string)
	s.log.LogAttrs(c.UserContext(), accessLevel(c.Method(), status), "http request",
		slog.String("method", utils.CopyString(c.Method())),
		slog.String("path", utils.CopyString(c.Path())),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
		slog.String("request_id", ensureRequestID(c)),
		slog.String("user_id", userID),
	)
	return nil
}

// accessLevel is the level of a request's log line: successful reads
// (static assets, the page's polling, health checks) at debug, so that info
// shows what changed; writes and refused requests at info; server errors at
// warn.
func accessLevel(method string, status int) slog.Level {
	switch {
	case status >= fiber.StatusInternalServerError:
		return slog.LevelWarn
	case status < fiber.StatusBadRequest && (method == fiber.MethodGet || method == fiber.MethodHead || method == fiber.MethodOptions):
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// recoverPanic turns a panic in a handler into an error, which becomes a 500
// whose cause, stack included, is logged and never sent.
func (s *Server) recoverPanic(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return c.Next()
}

// deadline gives the request context a deadline. Fiber's user context is not
// cancelled when the client goes away, so without this a stuck store call
// would hold its connection forever; handlers pass only this context on.
func (s *Server) deadline(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// routeOf names the matched route for metrics: its pattern, or "unmatched"
// for a 404/405 so that scanners cannot grow the label set.
func routeOf(c *fiber.Ctx, status int) string {
	if status == fiber.StatusNotFound || status == fiber.StatusMethodNotAllowed {
		if r := c.Route(); r == nil || r.Path == "/" || r.Path == "" {
			return "unmatched"
		}
	}
	if r := c.Route(); r != nil {
		return utils.CopyString(r.Path)
	}
	return "unmatched"
}
