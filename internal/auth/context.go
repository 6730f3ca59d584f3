package auth

import (
	"context"

	"mlp/internal/i18n"
	"mlp/models"
)

// Principal is the verified caller of a request (models.Principal: a domain
// type, so that every door hands the services the same caller).
type Principal = models.Principal

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
