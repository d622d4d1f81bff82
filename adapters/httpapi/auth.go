package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/golang-jwt/jwt/v5"
)

// Audience is the JWT audience accepted, as Supabase issues it.
const Audience = "authenticated"

// clockSkew is how far in the future a token's iat may lie: the issuer's
// clock may run a little ahead of ours.
const clockSkew = time.Minute

// authenticator checks bearer tokens: HS256 JWTs signed with secret, and the
// development token when allowDev.
type authenticator struct {
	secret   []byte
	maxTTL   time.Duration
	devToken []byte
	allowDev bool
}

// authenticate requires a valid bearer token on every /api request and puts
// the user ID into the locals (for the access log) and the context (for core).
func (s *Server) authenticate(c *fiber.Ctx) error {
	header := c.Get(fiber.HeaderAuthorization)
	if strings.TrimSpace(header) == "" {
		return unauthorized(c, false, "missing Authorization header: send Authorization: Bearer <token>")
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return unauthorized(c, false, "Authorization scheme must be Bearer")
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return unauthorized(c, false, "missing bearer token after \"Bearer\"")
	}
	userID, detail, err := s.userIDOf(c, token)
	if err != nil {
		return err
	}
	if detail != "" {
		return unauthorized(c, true, detail)
	}
	c.Locals(localUserID, userID)
	c.SetUserContext(context.WithValue(c.UserContext(), keyUserID, userID))
	return c.Next()
}

// unauthorized answers 401 with the RFC 6750 challenge; error="invalid_token"
// is added only when the client did present a token.
func unauthorized(c *fiber.Ctx, tokenGiven bool, detail string) error {
	challenge := `Bearer realm="scrapersky"`
	if tokenGiven {
		challenge += `, error="invalid_token"`
	}
	c.Set(fiber.HeaderWWWAuthenticate, challenge)
	return newHTTPError(fiber.StatusUnauthorized, "%s", detail)
}

// userID returns the user a token stands for, or a non-empty detail saying
// why the token is refused. The detail names the problem but never echoes
// the token.
func (a *authenticator) userID(token string) (string, string) {
	if a.allowDev && a.isDevToken(token) {
		return DevUserID, ""
	}
	if len(a.secret) == 0 {
		// An empty HMAC key would verify tokens anyone can sign.
		return "", "invalid token: JWT authentication is not configured"
	}
	claims := &jwt.RegisteredClaims{}
	parsed, err := jwt.ParseWithClaims(token, claims,
		func(*jwt.Token) (any, error) { return a.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
	)
	if err != nil {
		if parsed != nil && parsed.Method != nil && parsed.Method.Alg() != jwt.SigningMethodHS256.Alg() {
			return "", "invalid token: signing algorithm " + quoteAlg(parsed.Method.Alg()) + " is not HS256"
		}
		return "", "invalid token: " + jwtProblem(err)
	}
	if claims.Subject == "" {
		return "", "invalid token: no subject (sub) claim"
	}
	if detail := a.checkLifetime(claims, time.Now()); detail != "" {
		return "", "invalid token: " + detail
	}
	return claims.Subject, ""
}

// checkLifetime refuses a token issued in the future (beyond clockSkew) or
// claiming a lifetime above maxTTL: exp - iat, or exp - now without iat. A
// leaked token that lives for years is refused even if correctly signed.
func (a *authenticator) checkLifetime(claims *jwt.RegisteredClaims, now time.Time) string {
	from := now
	if claims.IssuedAt != nil {
		iat := claims.IssuedAt.Time
		if iat.After(now.Add(clockSkew)) {
			return "token was issued in the future (iat)"
		}
		from = iat
	}
	if claims.ExpiresAt.Sub(from) > a.maxTTL {
		return fmt.Sprintf("token lifetime exceeds the maximum of %s", a.maxTTL)
	}
	return ""
}

// isDevToken compares in constant time. Hashing first makes the comparison
// independent of the tokens' lengths as well.
func (a *authenticator) isDevToken(token string) bool {
	got := sha256.Sum256([]byte(token))
	want := sha256.Sum256(a.devToken)
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// jwtProblem names what is wrong with a refused JWT.
func jwtProblem(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed JWT"
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return "signing algorithm is not supported, want HS256"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "signature does not verify"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "a required claim (exp) is missing"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token has expired"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "audience is not \"" + Audience + "\""
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token is not valid yet (nbf)"
	default:
		return "token is not valid"
	}
}

// quoteAlg quotes an algorithm name taken from a client's token, cut short so
// that a hostile header cannot flood the response.
func quoteAlg(alg string) string {
	const maxLen = 16
	if len(alg) > maxLen {
		alg = alg[:maxLen] + "..."
	}
	return strconv.Quote(alg)
}
