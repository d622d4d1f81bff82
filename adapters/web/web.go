// Package web serves the curation page: one HTML document, a small ES module
// and a style sheet, embedded in the binary and mounted on the API's Fiber
// application. The page talks only to the JSON API under /api/v3 with the
// bearer token the user signs in with, so these routes carry no
// authentication of their own: they hold nothing but public assets and, in
// development, the development token's hint.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"
)

//go:embed static
var staticFS embed.FS

// ContentSecurityPolicy is sent with every response of Mount. Everything
// comes from this origin; no inline script or style is allowed, so API data
// that somehow reached markup could still not run, and the page cannot be
// framed.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Options configures Mount.
type Options struct {
	// DevToken is the development bearer token the sign-in form suggests.
	// Leave it empty outside development: it is published to anyone who
	// loads /ui/config.json.
	DevToken string
}

// asset is one embedded file, ready to send.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// contentTypes maps the extensions shipped under static/ to their media
// types. An asset with another extension is refused at Mount, so a new kind
// of file cannot go out with a guessed type.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// Mount registers the page's routes on app: GET / (the page), GET /static/*
// (its assets) and GET /ui/config.json (what the page needs to know about
// this deployment). It panics if the embedded assets are unusable, which is
// a build defect, not a runtime condition.
func Mount(app *fiber.App, opts Options) {
	mount(app, opts, staticFS)
}

// mount is Mount with the assets read from the static directory of fsys.
func mount(app *fiber.App, opts Options, fsys fs.FS) {
	assets, err := loadAssets(fsys, "static")
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	index, ok := assets["index.html"]
	if !ok {
		panic("web: static/index.html is missing")
	}
	config, err := configJSON(opts)
	if err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}

	app.Get("/", func(c *fiber.Ctx) error {
		return send(c, index)
	})
	app.Get("/static/*", func(c *fiber.Ctx) error {
		// Only the exact names loaded at Mount are served: no path from the
		// request ever reaches a file system, so ".." cannot escape.
		a, ok := assets[c.Params("*")]
		if !ok {
			return fiber.ErrNotFound
		}
		return send(c, a)
	})
	app.Get("/ui/config.json", func(c *fiber.Ctx) error {
		setSecurityHeaders(c)
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Send(config)
	})
}

// send writes an asset, or 304 when the client's copy is current. Assets are
// revalidated on every use (no-cache) so a new binary's page is picked up at
// once; the ETag keeps that to a header exchange.
func send(c *fiber.Ctx, a asset) error {
	setSecurityHeaders(c)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, a.etag)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && etagMatches(match, a.etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, a.contentType)
	return c.Send(a.body)
}

func setSecurityHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, ContentSecurityPolicy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "no-referrer")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
}

// etagMatches reports whether an If-None-Match header lists etag (or "*").
func etagMatches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}

// loadAssets reads every file under dir of fsys into memory, keyed by its
// path relative to dir.
func loadAssets(fsys fs.FS, dir string) (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("asset %s: no content type for %q", p, path.Ext(p))
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read asset %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		out[strings.TrimPrefix(p, dir+"/")] = asset{
			body:        body,
			contentType: ct,
			etag:        `"` + hex.EncodeToString(sum[:8]) + `"`,
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load assets: %w", err)
	}
	return out, nil
}

// uiConfig is the body of GET /ui/config.json.
type uiConfig struct {
	// DevToken is null outside development, so the page shows no hint.
	DevToken *string `json:"dev_token"`
}

func configJSON(opts Options) ([]byte, error) {
	var cfg uiConfig
	if opts.DevToken != "" {
		cfg.DevToken = &opts.DevToken
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encode ui config: %w", err)
	}
	return b, nil
}
