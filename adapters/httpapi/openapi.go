package httpapi

import (
	"embed"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// openAPI is the API's OpenAPI 3.0.3 description; a test keeps it in step
// with the registered routes and the handlers' JSON.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns a copy of the embedded OpenAPI document.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

//go:embed docs
var docsFS embed.FS

// serveDocs serves the readable API page at /docs and its two assets; the
// page renders /openapi.json in the browser.
func serveDocs(c *fiber.Ctx) error {
	name := "docs/index.html"
	switch c.Path() {
	case "/docs/docs.js":
		name = "docs/docs.js"
		c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	case "/docs/docs.css":
		name = "docs/docs.css"
		c.Set(fiber.HeaderContentType, "text/css; charset=utf-8")
	default:
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	}
	b, err := docsFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	c.Set("Content-Security-Policy", "default-src 'self'")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(b)
}

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPI)
}
