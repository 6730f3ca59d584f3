package accounts_test

import (
	"context"
	"testing"

	"mlp/internal/accounts"
	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/page"
	"mlp/models"
)

// TestServiceAuthorizationTable calls every operation of the accounts
// service directly (no GraphQL, no directive) as every role; a refused call
// changes no table. The object of the admin operations is someone else's
// (another organization, another user); the profile operations act on the
// caller only. Not parallel: refused calls compare the whole database
// before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Accounts
	tb := w.Table(accounts.Policy)
	ok := authztest.Always(authztest.OK)
	// fresh gives each signed-in row a user of its own (the row changes
	// that user's password or profile); anonymous rows keep their context.
	fresh := func(role models.Role, fn func(ctx context.Context) error) func(context.Context) error {
		if role == authztest.Anonymous {
			return fn
		}
		org := map[models.Role]*models.Organization{models.RoleClinician: w.Health, models.RoleAdvocate: w.Org, models.RoleEditor: w.Org}[role]
		_, tok := w.S.User(t, role, org)
		p := w.Principal(t, tok)
		return func(context.Context) error { return fn(auth.WithPrincipal(context.Background(), p)) }
	}

	tb.Matrix("CreateOrganization", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.CreateOrganization(ctx, models.CreateOrganizationInput{Name: "Table " + freshEmail("org"), Kind: models.OrgLegalAid,
			ServiceAreas: []string{"CA"}, Categories: []models.LegalCategory{models.CategoryHousing}})
		return err
	}))
	tb.Matrix("CreateStaffUser", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		orgID := w.Org.ID.String()
		_, err := svc.CreateStaffUser(ctx, models.CreateStaffUserInput{Email: freshEmail("staff"), Password: goodPassword,
			DisplayName: "Staff", Role: models.RoleAdvocate, OrganizationID: &orgID})
		return err
	}))
	tb.Matrix("UpdateOrganization", []authztest.Object{authztest.Other}, ok, authztest.Same(func(ctx context.Context) error {
		name := "Renamed " + freshEmail("org")
		_, err := svc.UpdateOrganization(ctx, models.UpdateOrganizationInput{ID: w.OtherOrg.ID.String(), Name: &name})
		return err
	}))
	tb.Matrix("SetDisabled", []authztest.Object{authztest.Other}, ok, func(models.Role, authztest.Object) func(context.Context) error {
		target, _ := w.S.User(t, models.RolePatient, nil)
		return func(ctx context.Context) error {
			_, err := svc.SetDisabled(ctx, target.ID.String(), true)
			return err
		}
	})
	tb.Matrix("Organizations", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.Organizations(ctx, nil)
		return err
	}))
	tb.Matrix("LegalPartners", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.LegalPartners(ctx, nil)
		return err
	}))
	tb.Matrix("Me", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.Me(ctx)
		return err
	}))
	tb.Matrix("UpdateMyProfile", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		return fresh(role, func(ctx context.Context) error {
			name := "Renamed"
			_, err := svc.UpdateMyProfile(ctx, models.UpdateMyProfileInput{DisplayName: &name})
			return err
		})
	})
	tb.Matrix("ChangePassword", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		return fresh(role, func(ctx context.Context) error {
			return svc.ChangePassword(ctx, apptest.Password, goodPassword+" two")
		})
	})
	tb.Matrix("RequestPasswordReset", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		return svc.RequestPasswordReset(ctx, freshEmail("reset"))
	}))
	tb.Matrix("ResetPassword", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		// the token is the authorization: anyone holding one resets
		target, _ := w.S.User(t, models.RolePatient, nil)
		if err := svc.RequestPasswordReset(context.Background(), target.Email); err != nil {
			t.Fatal(err)
		}
		tok := mintedToken(t, w.S, target)
		return func(ctx context.Context) error { return svc.ResetPassword(ctx, tok, goodPassword+" reset") }
	})
	tb.Matrix("Users", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.Users(ctx, &models.UserFilter{OrganizationID: ptr(w.OtherOrg.ID.String())}, page.Args{})
		return err
	}))
	t.Logf("%d rows", tb.Run(t))
}
