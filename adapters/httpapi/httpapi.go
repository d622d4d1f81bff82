// Package httpapi is ScraperSky's HTTP adapter: a Fiber v2 application that
// serves the curation API under /api/v3, health checks and its own OpenAPI
// document. Handlers parse and validate input at the edge, pass only valid
// values and a request-scoped context with a deadline into core, and map
// core's sentinel errors to status codes in one table (errors.go).
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/google/uuid"

	"github.com/scrapersky/scrapersky-go/core"
	"github.com/scrapersky/scrapersky-go/core/curation"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultReadTimeout bounds reading one request, headers and body.
	DefaultReadTimeout = 15 * time.Second
	// DefaultWriteTimeout bounds writing one response.
	DefaultWriteTimeout = 60 * time.Second
	// DefaultIdleTimeout closes keep-alive connections left unused.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultRequestTimeout is the deadline of the context handed to core.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultBodyLimit is 1 MiB: 10,000 UUIDs take about 400 KiB.
	DefaultBodyLimit = 1 << 20
	// DefaultJWTMaxTTL is a day: Supabase issues hour-long access tokens,
	// and a token that claims to live longer was not issued by it.
	DefaultJWTMaxTTL = 24 * time.Hour
)

// DevUserID is the user ID given to requests authenticated with the
// development token.
const DevUserID = "dev-user"

// Config configures the HTTP server. Zero durations and a zero BodyLimit take
// the Default values.
type Config struct {
	// ReadTimeout, WriteTimeout and IdleTimeout bound the connection; they
	// are the server's defence against slow clients.
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// RequestTimeout is the deadline of the context handed to core.
	RequestTimeout time.Duration
	// BodyLimit is the largest request body accepted, in bytes.
	BodyLimit int
	// JWTSecret verifies HS256 bearer tokens; empty disables JWTs.
	JWTSecret []byte
	// JWTMaxTTL is the longest lifetime a JWT may claim: exp - iat, or
	// exp - now without iat. Zero takes DefaultJWTMaxTTL.
	JWTMaxTTL time.Duration
	// DevToken is a static bearer token accepted only when AllowDevToken.
	DevToken string
	// AllowDevToken turns the development token on.
	AllowDevToken bool
	// Logger receives access logs and the causes of 500s; nil discards.
	Logger *slog.Logger
	// StoreKind names the store in GET /health/db, e.g. "postgres";
	// empty reports "unknown".
	StoreKind string
	// Observe, when set, is told about every request once it is answered:
	// the route pattern (not the raw path, to keep metric labels few), the
	// status and the duration.
	Observe func(method, route string, status int, d time.Duration)
	// CORSOrigins are the origins whose pages may call the API from a
	// browser (see ParseCORSOrigins); empty turns CORS off.
	CORSOrigins []string
}

// StatusUpdater sets a workflow's primary status on a batch of domains.
// *curation.SecondaryStateUpdater implements it.
type StatusUpdater interface {
	Update(ctx context.Context, in curation.UpdateInput) (curation.UpdateResult, error)
}

// DomainSubmitter normalizes and stores submitted domains.
// *curation.Submitter implements it.
type DomainSubmitter interface {
	SubmitCounted(ctx context.Context, raw []string) (curation.Submission, error)
}

// DomainGetter reads one domain; it returns an error wrapping
// core.ErrNotFound when there is none.
type DomainGetter interface {
	GetDomain(ctx context.Context, id uuid.UUID) (core.Domain, error)
}

// SchemaVersioner reports the store's newest applied migration; a DB
// that implements it adds the version to GET /health/db.
type SchemaVersioner interface {
	SchemaVersion(ctx context.Context) (string, error)
}

// Pinger checks that the store answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are the use cases the handlers call. DB may be nil for a store that
// has nothing to ping (memory): /health/db then always reports ok.
type Deps struct {
	// EmailScan serves PUT /api/v3/domains/email-scan/status.
	EmailScan StatusUpdater
	// SitemapCuration serves PUT /api/v3/domains/sitemap-curation/status.
	SitemapCuration StatusUpdater
	// Submitter serves POST /api/v3/domains/direct-submit.
	Submitter DomainSubmitter
	// Domains serves GET /api/v3/domains/{id}.
	Domains DomainGetter
	// DB serves GET /health/db; nil always reports ok.
	DB Pinger
	// Catalog serves GET /api/v3/domains, /api/v3/domains/{id}/contacts,
	// /api/v3/contacts and /api/v3/contacts.csv; nil leaves those routes
	// out.
	Catalog Catalog
	// Importer serves POST /api/v3/domains/import; nil leaves it out.
	Importer DomainImporter
	// Sitemaps serves GET /api/v3/domains/{id}/sitemaps; nil leaves it out.
	Sitemaps SitemapLister
	// Scans serves GET /api/v3/domains/{id}/scans; nil leaves it out.
	Scans RunLister
	// Deleter serves DELETE /api/v3/domains/{id}, POST
	// /api/v3/domains/delete and DELETE /api/v3/contacts/{id}; nil leaves
	// them out.
	Deleter Deleter
	// Suppressions serves GET, POST and DELETE /api/v3/suppressions; nil
	// leaves them out.
	Suppressions SuppressionManager
	// Stats serves GET /api/v3/domains/stats; nil leaves it out. When it
	// has an Invalidate method (catalog.StatsCache), every write request
	// through the API calls it, so a count read after a write sees it.
	Stats StatusCounter
	// APIKeys serves /api/v3/api-keys and accepts its keys as bearer
	// tokens; nil leaves both out.
	APIKeys APIKeys
}

// Server is the configured Fiber application.
type Server struct {
	app  *fiber.App
	cfg  Config
	deps Deps
	log  *slog.Logger
	auth *authenticator
}

// New validates cfg and deps and returns a server with every route
// registered. It fails if a use case is missing or no way to authenticate is
// configured.
func New(cfg Config, deps Deps) (*Server, error) {
	if deps.EmailScan == nil || deps.SitemapCuration == nil || deps.Submitter == nil || deps.Domains == nil {
		return nil, errors.New("httpapi: Deps needs EmailScan, SitemapCuration, Submitter and Domains")
	}
	if len(cfg.JWTSecret) == 0 && (!cfg.AllowDevToken || cfg.DevToken == "") {
		return nil, errors.New("httpapi: no JWTSecret and no allowed DevToken: nobody could authenticate")
	}
	cfg = withDefaults(cfg)
	s := &Server{
		cfg:  cfg,
		deps: deps,
		log:  cfg.Logger,
		auth: &authenticator{secret: cfg.JWTSecret, maxTTL: cfg.JWTMaxTTL, devToken: []byte(cfg.DevToken), allowDev: cfg.AllowDevToken && cfg.DevToken != ""},
	}
	s.app = fiber.New(fiber.Config{
		AppName:               "scrapersky",
		ErrorHandler:          s.handleError,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		BodyLimit:             cfg.BodyLimit,
		DisableStartupMessage: true,
		// A multipart body on a JSON endpoint must reach the handler to be
		// answered 415; parsed up front, a malformed one would be a 400.
		// The import endpoint parses its form itself.
		DisablePreParseMultipartForm: true,
	})
	s.routes()
	return s, nil
}

func withDefaults(cfg Config) Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.ReadTimeout, DefaultReadTimeout)
	def(&cfg.WriteTimeout, DefaultWriteTimeout)
	def(&cfg.IdleTimeout, DefaultIdleTimeout)
	def(&cfg.RequestTimeout, DefaultRequestTimeout)
	def(&cfg.JWTMaxTTL, DefaultJWTMaxTTL)
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = DefaultBodyLimit
	}
	if cfg.StoreKind == "" {
		cfg.StoreKind = "unknown"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// routes registers the middleware chain and every endpoint. The order of the
// middleware matters: the access log sits outside recover so that it sees
// the 500 a panic becomes, and the deadline is set before any handler runs.
func (s *Server) routes() {
	if len(s.cfg.CORSOrigins) > 0 {
		s.app.Use(corsMiddleware(s.cfg.CORSOrigins))
	}
	s.app.Use(s.requestID, s.accessLog, s.recoverPanic, s.deadline)

	s.app.Get("/health", s.health)
	s.app.Get("/health/db", s.healthDB)
	s.app.Get("/openapi.json", serveOpenAPI)
	s.app.Get("/docs", serveDocs)
	s.app.Get("/docs/docs.js", serveDocs)
	s.app.Get("/docs/docs.css", serveDocs)

	api := s.app.Group("/api", s.authenticate, s.invalidateStats)
	v3 := api.Group("/v3/domains")
	v3.Put("/email-scan/status", s.emailScanStatus)
	v3.Put("/sitemap-curation/status", s.sitemapCurationStatus)
	v3.Post("/direct-submit", s.directSubmit)
	if s.deps.Stats != nil {
		v3.Get("/stats", s.domainStats) // before /:id, which would take "stats"
	}
	v3.Get("/:id", s.getDomain)
	if s.deps.Deleter != nil {
		v3.Delete("/:id", s.deleteDomain)
		v3.Post("/delete", s.deleteDomains)
		api.Delete("/v3/contacts/:id", s.deleteContact)
	}
	if s.deps.Suppressions != nil {
		api.Get("/v3/suppressions", s.listSuppressions)
		api.Post("/v3/suppressions", s.addSuppressions)
		api.Delete("/v3/suppressions", s.removeSuppressions)
	}
	if s.deps.Importer != nil {
		v3.Post("/import", s.importDomains)
	}
	if s.deps.Sitemaps != nil {
		v3.Get("/:id/sitemaps", s.listSitemaps)
	}
	if s.deps.Scans != nil {
		v3.Get("/:id/scans", s.listScans)
	}
	if s.deps.APIKeys != nil {
		api.Post("/v3/api-keys", s.createAPIKey)
		api.Get("/v3/api-keys", s.listAPIKeys)
		api.Delete("/v3/api-keys/:id", s.revokeAPIKey)
	}
	if s.deps.Catalog != nil {
		v3.Get("", s.listDomains)
		v3.Get("/:id/contacts", s.listDomainContacts)
		api.Get("/v3/contacts", s.listContacts)
		api.Get("/v3/contacts.csv", s.exportContacts)
	}
}

// App returns the Fiber application, for app.Test in tests and for mounting.
func (s *Server) App() *fiber.App { return s.app }

// Listen serves on addr until Shutdown.
func (s *Server) Listen(addr string) error {
	if err := s.app.Listen(addr); err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return nil
}

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if err := s.app.Listener(ln); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting connections and waits for in-flight requests
// until ctx is done.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.app.ShutdownWithContext(ctx); err != nil {
		return fmt.Errorf("shutdown http server: %w", err)
	}
	return nil
}
