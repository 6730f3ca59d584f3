package auth

import (
	"net/http"
	"strings"

	"mlp/models"
)

// Middleware reads "Authorization: Bearer <token>", verifies it and puts the
// caller in the request context. A request without a token goes on as
// anonymous; one with a refused token goes on marked as refused, so that every
// operation needing a caller answers UNAUTHENTICATED and nothing is read.
func (s *Service) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		token, ok := BearerToken(h)
		if !ok {
			next.ServeHTTP(w, r.WithContext(WithAuthError(ctx, models.ErrUnauthenticated)))
			return
		}
		p, err := s.Authenticate(ctx, token)
		if err != nil {
			next.ServeHTTP(w, r.WithContext(WithAuthError(ctx, err)))
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(ctx, p)))
	})
}

// BearerToken extracts the token of an "Authorization: Bearer" value.
func BearerToken(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}
