package httpapi

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPI is the API's OpenAPI 3.0.3 description; a test keeps it in step
// with the registered routes and the handlers' JSON.
//
//go:embed openapi.json
var openAPI []byte

// OpenAPI returns a copy of the embedded OpenAPI document.
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

func serveOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(openAPI)
}
