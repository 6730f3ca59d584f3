package auth

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mlp/internal/i18n"
	"mlp/models"
)

// Principal is the verified caller of a request.
type Principal struct {
	ID             uuid.UUID
	Role           models.Role
	OrganizationID *uuid.UUID
	SessionID      uuid.UUID
	// ExpiresAt is when the access token ends; long-lived streams
	// (subscriptions) end then too.
	ExpiresAt time.Time
	// Language is the user's preferredLanguage, the language of the texts
	// written for them in the request.
	Language string
}

// Is reports whether the caller has one of roles.
func (p *Principal) Is(roles ...models.Role) bool {
	if p == nil {
		return false
	}
	for _, r := range roles {
		if p.Role == r {
			return true
		}
	}
	return false
}

// InOrganization reports whether the caller belongs to organization id.
func (p *Principal) InOrganization(id *uuid.UUID) bool {
	return p != nil && id != nil && p.OrganizationID != nil && *p.OrganizationID == *id
}

type principalKey struct{}

type authState struct {
	p   *Principal
	err error
}

// WithPrincipal returns ctx carrying the caller p, and p's language as the
// reader's (package i18n).
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	if p != nil && p.Language != "" {
		ctx = i18n.WithUserLanguage(ctx, p.Language)
	}
	return context.WithValue(ctx, principalKey{}, authState{p: p})
}

// WithAuthError returns ctx marking that a token was presented and refused
// with err: every operation that needs a caller answers err.
func WithAuthError(ctx context.Context, err error) context.Context {
	return context.WithValue(ctx, principalKey{}, authState{err: err})
}

// UserFrom returns the caller of the request. It returns (nil, nil) for an
// anonymous request and (nil, ErrUnauthenticated) when the request carried a
// token that was refused.
func UserFrom(ctx context.Context) (*Principal, error) {
	s, _ := ctx.Value(principalKey{}).(authState)
	return s.p, s.err
}

// Require returns the caller, or models.ErrUnauthenticated when there is none.
func Require(ctx context.Context) (*Principal, error) {
	p, err := UserFrom(ctx)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, models.ErrUnauthenticated
	}
	return p, nil
}

// RequireRole returns the caller when it has one of roles; UNAUTHENTICATED
// without a caller, FORBIDDEN for another role.
func RequireRole(ctx context.Context, roles ...models.Role) (*Principal, error) {
	p, err := Require(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Is(roles...) {
		return nil, models.ErrForbidden
	}
	return p, nil
}
