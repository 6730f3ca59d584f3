package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"mlp/models"
)

// Token settings.
const (
	Issuer          = "mlp-backend"
	Audience        = "mlp-apps"
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 30 * 24 * time.Hour
)

// Claims are the claims of an access token.
type Claims struct {
	Role models.Role `json:"role"`
	Org  string      `json:"org,omitempty"`
	// SID is the session (refresh-token family) the token was issued in.
	SID string `json:"sid"`
	jwt.RegisteredClaims
}

// Tokens issues and verifies HS256 access tokens.
type Tokens struct {
	secret []byte
	// previous, when set, also verifies tokens (never signs): the secret
	// before a rotation, for the grace period of the tokens it signed.
	previous []byte
	now      func() time.Time
}

// AcceptPrevious makes t also accept tokens signed with previous, the secret
// in use before JWT_SECRET was rotated, so that signed-in users are not
// signed out by the rotation; new tokens are signed with the current secret
// only. Such tokens still expire as theirs do (AccessTokenTTL), so once that
// long has passed since the rotation, the previous secret can be dropped.
// It returns t.
func (t *Tokens) AcceptPrevious(previous []byte) *Tokens {
	t.previous = previous
	return t
}

// NewTokens returns a token issuer with the given secret and clock.
func NewTokens(secret []byte, now func() time.Time) *Tokens {
	return &Tokens{secret: secret, now: now}
}

// Issue returns a signed access token for u in session sid and its expiry.
func (t *Tokens) Issue(u *models.User, sid uuid.UUID) (string, time.Time, error) {
	now := t.now().UTC().Truncate(time.Second)
	exp := now.Add(AccessTokenTTL)
	c := Claims{
		Role: u.Role,
		SID:  sid.String(),
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   u.ID.String(),
			Issuer:    Issuer,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp),
			ID:        uuid.NewString(),
		},
	}
	if u.OrganizationID != nil {
		c.Org = u.OrganizationID.String()
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
	return s, exp, err
}

// Parse verifies an access token: HS256 only, signature, issuer, audience and
// expiry (required). Any failure is models.ErrUnauthenticated.
func (t *Tokens) Parse(token string) (*Claims, error) {
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, t.key,
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
		// one token, one spelling: no second encoding of the same
		// signature (padding bits) is accepted
		jwt.WithStrictDecoding(),
	)
	if err != nil {
		return nil, models.ErrUnauthenticated
	}
	if _, err := uuid.Parse(c.Subject); err != nil {
		return nil, models.ErrUnauthenticated
	}
	if _, err := uuid.Parse(c.SID); err != nil {
		return nil, models.ErrUnauthenticated
	}
	return &c, nil
}

// key is the verification key of a token: the current secret, and during a
// rotation the previous one too.
func (t *Tokens) key(*jwt.Token) (any, error) {
	if len(t.previous) == 0 {
		return t.secret, nil
	}
	return jwt.VerificationKeySet{Keys: []jwt.VerificationKey{t.secret, t.previous}}, nil
}

// newRefreshToken returns a random refresh token (32 bytes, base64url) and the
// hash under which it is stored.
func newRefreshToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	s := base64.RawURLEncoding.EncodeToString(b)
	return s, hashRefreshToken(s), nil
}

func hashRefreshToken(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}
