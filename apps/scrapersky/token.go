package main

import (
	"context"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/scrapersky/scrapersky-go/adapters/httpapi"
)

const tokenHelp = `Mint a bearer token for the API and the curation page: an HS256 JWT signed
with SCRAPERSKY_JWT_SECRET, audience "authenticated", subject --sub, issued
now and expiring after --ttl. It is printed on stdout, nothing else:

  TOKEN=$(scrapersky token --sub alice --ttl 24h)
  curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v3/domains

The server must run with the same SCRAPERSKY_JWT_SECRET. For service
clients that need no expiry, prefer an API key (scrapersky apikey create).`

// maxTokenTTL bounds --ttl: a bearer token is not a long-lived credential.
const maxTokenTTL = 366 * 24 * time.Hour

// tokenCmd is `scrapersky token --sub USER --ttl 24h`.
func tokenCmd(_ context.Context, c cli, args []string) error {
	f := newFlags("token", "--sub USER [--ttl DURATION]", tokenHelp)
	sub := f.String("sub", "", "the user ID the token stands for (the JWT's sub; logged as user_id)")
	ttl := f.Duration("ttl", 24*time.Hour, "how long the token is valid, such as 30m, 24h or 720h")
	pos, err := f.parse(args, c.stdout)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return misuse("token", "takes no arguments, got %q (did you mean --sub %s?)", pos[0], pos[0])
	case *sub == "":
		return misuse("token", "--sub USER is required")
	case *ttl <= 0 || *ttl > maxTokenTTL:
		return misuse("token", "--ttl %s: must be positive and at most %s", *ttl, maxTokenTTL)
	}
	secret := c.getenv("SCRAPERSKY_JWT_SECRET")
	if secret == "" {
		return fmt.Errorf("SCRAPERSKY_JWT_SECRET is not set: the token must be signed with the server's secret")
	}
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
		Subject:   *sub,
		Audience:  jwt.ClaimStrings{httpapi.Audience},
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(*ttl)),
	}).SignedString([]byte(secret))
	if err != nil {
		return fmt.Errorf("sign token: %w", err)
	}
	fmt.Fprintln(c.stdout, tok)
	return nil
}
