package privacy_test

import (
	"context"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/page"
	"mlp/internal/privacy"
	"mlp/models"
)

// TestServiceAuthorizationTable calls every operation of the privacy
// service directly (no GraphQL, no directive) as every role, on the
// caller's own case or user and another's; a refused or hidden call changes
// no table (an erasure with a wrong password erases nothing). Not parallel:
// those rows compare the whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Privacy
	tb := w.Table(privacy.Policy)
	ok := authztest.Always(authztest.OK)
	for _, u := range []*models.User{w.Patient, w.OtherPatient} {
		if err := w.S.DB.Exec(`UPDATE users SET safe_contact_channels = '{SMS}' WHERE id = ?`, u.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	user := func(u *models.User) *models.User {
		var got models.User
		if err := w.S.DB.Take(&got, "id = ?", u.ID).Error; err != nil {
			t.Fatal(err)
		}
		return &got
	}
	hiddenNil := func(sc *models.SafeContact, err error) error {
		if err == nil && sc == nil {
			return models.NotFound("SafeContact")
		}
		return err
	}
	// advocateOnly: the advocates of the case's organization see a safe
	// contact, nobody else (ADMINs neither).
	advocateOnly := func(role models.Role, obj authztest.Object) models.ErrorCode {
		if role == models.RoleAdvocate && obj == authztest.Own {
			return authztest.OK
		}
		return models.ENOTFOUND
	}
	onCase := func(status models.CaseStatus, fn func(ctx context.Context, c *models.Case) error) func(models.Role, authztest.Object) func(context.Context) error {
		return func(_ models.Role, obj authztest.Object) func(context.Context) error {
			c := w.CaseFor(t, obj, status)
			return func(ctx context.Context) error { return fn(ctx, c) }
		}
	}

	tb.Matrix("AccessLogs", authztest.OwnOther, func(role models.Role, obj authztest.Object) models.ErrorCode {
		if role == models.RoleAdmin {
			return authztest.OK
		}
		return authztest.OwnOnly(role, obj)
	}, onCase(models.CaseReceived, func(ctx context.Context, c *models.Case) error {
		_, errs := svc.AccessLogs(ctx, []page.Key{{Of: c.ID, First: -1}})
		return errs[0]
	}))
	tb.Matrix("ExportMyData", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := svc.ExportMyData(ctx)
			return err
		}
	})
	// Each patient row erases a patient of its own.
	tb.Matrix("DeleteMyAccount", authztest.NoObject, ok, func(role models.Role, _ authztest.Object) func(context.Context) error {
		if role != models.RolePatient {
			return func(ctx context.Context) error {
				_, err := svc.DeleteMyAccount(ctx, apptest.Password)
				return err
			}
		}
		u, tok := w.S.User(t, models.RolePatient, nil)
		w.Case(t, u, w.Org, models.CaseReceived)
		p := w.Principal(t, tok)
		return func(context.Context) error {
			_, err := svc.DeleteMyAccount(auth.WithPrincipal(context.Background(), p), apptest.Password)
			return err
		}
	})
	tb.Add("DeleteMyAccount", models.RolePatient, authztest.Own, models.EUNAUTHENTICATED, func(ctx context.Context) error {
		_, err := svc.DeleteMyAccount(ctx, "not the password")
		return err
	})
	tb.Matrix("SetLegalHold", authztest.OwnOther, ok, onCase(models.CaseReceived, func(ctx context.Context, c *models.Case) error {
		_, err := svc.SetLegalHold(ctx, c.ID.String(), "Litigation pending.")
		return err
	}))
	tb.Matrix("ReleaseLegalHold", authztest.OwnOther, ok, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		c := w.CaseFor(t, obj, models.CaseReceived)
		if _, err := svc.SetLegalHold(auth.WithPrincipal(context.Background(), w.Principals[models.RoleAdmin]), c.ID.String(), "Hold."); err != nil {
			t.Fatal(err)
		}
		return func(ctx context.Context) error {
			_, err := svc.ReleaseLegalHold(ctx, c.ID.String())
			return err
		}
	})
	tb.Matrix("CaseSafeContact", authztest.OwnOther, advocateOnly, onCase(models.CaseReceived, func(ctx context.Context, c *models.Case) error {
		return hiddenNil(svc.CaseSafeContact(ctx, c))
	}))
	// Own: the caller themselves for a PATIENT, the world's patient (whose
	// case the world's advocates work) for the others; other: the other
	// patient.
	w.OwnCase(t, models.CaseReceived)
	w.OtherCase(t, models.CaseReceived)
	tb.Matrix("UserSafeContact", authztest.OwnOther, func(role models.Role, obj authztest.Object) models.ErrorCode {
		if (role == models.RolePatient || role == models.RoleAdvocate) && obj == authztest.Own {
			return authztest.OK
		}
		return models.ENOTFOUND
	}, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		u := user(w.Patient)
		if obj == authztest.Other {
			u = user(w.OtherPatient)
		}
		return func(ctx context.Context) error { return hiddenNil(svc.UserSafeContact(ctx, u)) }
	})
	t.Logf("%d rows", tb.Run(t))
}
