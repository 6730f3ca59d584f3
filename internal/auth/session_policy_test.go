package auth_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/models"
)

// TestPolicyCoversEveryMethod: every exported method of the sign-in service
// has a row in its policy.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, auth.SessionPolicy, &auth.Service{})
}

// TestServiceAuthorizationTable calls every operation of the sign-in
// service directly (no GraphQL, no directive) as every role, anonymous
// included: their credential is in the input, so every caller is admitted;
// a refused credential (an unknown refresh token) changes no table. Not
// parallel: refused calls compare the whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Auth
	tb := w.Table(auth.SessionPolicy)
	ok := authztest.Always(authztest.OK)
	// session signs up a fresh patient and returns its session.
	session := func() *auth.Session {
		ss, err := svc.Register(context.Background(), models.RegisterInput{Email: "table-" + uuid.NewString()[:12] + "@example.test",
			Password: "a long enough passphrase", DisplayName: "Table"})
		if err != nil {
			t.Fatal(err)
		}
		return ss
	}
	tb.Matrix("Register", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := svc.Register(ctx, models.RegisterInput{Email: "table-" + uuid.NewString()[:12] + "@example.test",
				Password: "a long enough passphrase", DisplayName: "Table"})
			return err
		}
	})
	tb.Matrix("Login", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		email := session().User.Email
		return func(ctx context.Context) error {
			_, err := svc.Login(ctx, email, "a long enough passphrase")
			return err
		}
	})
	tb.Matrix("Refresh", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		tok := session().RefreshToken
		return func(ctx context.Context) error {
			_, err := svc.Refresh(ctx, tok)
			return err
		}
	})
	tb.Add("Refresh", models.RolePatient, authztest.Other, models.EUNAUTHENTICATED, func(ctx context.Context) error {
		_, err := svc.Refresh(ctx, "not-a-refresh-token")
		return err
	})
	tb.Matrix("Logout", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		tok := session().RefreshToken
		return func(ctx context.Context) error { return svc.Logout(ctx, tok) }
	})
	// A request whose access token was refused still signs in, refreshes
	// and signs out: the credential is in the input.
	refused := auth.WithAuthError(context.Background(), models.ErrUnauthenticated)
	if _, err := svc.Refresh(refused, session().RefreshToken); err != nil {
		t.Errorf("refresh with a refused access token: %v", err)
	}
	t.Logf("%d rows", tb.Run(t))
}
