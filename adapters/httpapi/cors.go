package httpapi

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
)

// ParseCORSOrigins reads a comma-separated list of origins
// (scheme://host[:port], or "*" for any) as SCRAPERSKY_CORS_ORIGINS gives
// them. An empty string is no origin: CORS off.
func ParseCORSOrigins(s string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(s, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
				return nil, fmt.Errorf("%q is not an origin such as https://app.example.com or http://localhost:3000", o)
			}
			o = strings.ToLower(o)
		}
		out = append(out, o)
	}
	return out, nil
}

// corsMiddleware lets the browser pages of origins call the API. Bearer
// tokens travel in a header, never in cookies, so credentials stay off and
// "*" is safe. Preflights are answered before authentication.
func corsMiddleware(origins []string) fiber.Handler {
	return cors.New(cors.Config{
		AllowOrigins:  strings.Join(origins, ","),
		AllowMethods:  "GET,POST,PUT,DELETE,HEAD",
		AllowHeaders:  "Authorization,Content-Type,X-Request-ID",
		ExposeHeaders: "X-Request-ID,Location,Content-Disposition",
		MaxAge:        600,
	})
}
