package accounts_test

import (
	"context"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/models"
)

const profileDoc = `mutation($in: UpdateMyProfileInput!) { updateMyProfile(input: $in) { id displayName preferredLanguage discreetNotifications } }`

type profileJSON struct {
	UpdateMyProfile struct {
		ID, DisplayName, PreferredLanguage string
		DiscreetNotifications              *bool
	}
}

func TestUpdateMyProfile(t *testing.T) {
	t.Parallel()
	s := apptest.New(t)
	t.Run("OK", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		var got profileJSON
		s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{
			"displayName": "  María  ", "preferredLanguage": "es-MX", "discreetNotifications": true}}).Decode(t, &got)
		p := got.UpdateMyProfile
		if p.ID != u.ID.String() || p.DisplayName != "María" || p.PreferredLanguage != "es-MX" || p.DiscreetNotifications == nil || !*p.DiscreetNotifications {
			t.Fatalf("got %+v", p)
		}
		var stored models.User
		s.DB.Take(&stored, "id = ?", u.ID)
		if stored.DisplayName != "María" || stored.PreferredLanguage != "es-MX" || !stored.DiscreetNotifications {
			t.Fatalf("stored %+v", stored)
		}
		// Fields left out stay as they are.
		s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{"discreetNotifications": false}}).Decode(t, &got)
		if got.UpdateMyProfile.DisplayName != "María" || *got.UpdateMyProfile.DiscreetNotifications {
			t.Fatalf("got %+v", got.UpdateMyProfile)
		}
		var audits int64
		s.DB.Table("audit_entries").Where("entity_type = 'User' AND entity_id = ? AND action = 'UPDATE'", u.ID).Count(&audits)
		if audits != 2 {
			t.Fatalf("%d audit rows, want 2", audits)
		}
	})
	t.Run("NextErrorsInTheNewLanguage", func(t *testing.T) {
		_, tok := s.User(t, models.RoleAdvocate, s.Org(t, models.OrgLegalAid, []string{"CA"}, models.CategoryHousing))
		s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{"preferredLanguage": "es"}}).MustOK(t)
		r := s.Do(t, tok, profileDoc, map[string]any{"in": map[string]any{}}).MustCode(t, "BAD_USER_INPUT")
		if r.Errors[0].Message != "Cambie al menos un campo." || r.Field() != "input" {
			t.Fatalf("%s", r.Raw)
		}
	})
	t.Run("BadInputWritesNothing", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		for _, c := range []struct {
			in    map[string]any
			field string
		}{
			{map[string]any{"displayName": "  ", "discreetNotifications": true}, "input.displayName"},
			{map[string]any{"preferredLanguage": "not a language!", "discreetNotifications": true}, "input.preferredLanguage"},
			{map[string]any{"preferredLanguage": "", "discreetNotifications": true}, "input.preferredLanguage"},
			{map[string]any{}, "input"},
		} {
			r := s.Do(t, tok, profileDoc, map[string]any{"in": c.in}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != c.field {
				t.Errorf("%v: field %q, want %q", c.in, r.Field(), c.field)
			}
		}
		var stored models.User
		s.DB.Take(&stored, "id = ?", u.ID)
		if stored.DiscreetNotifications || stored.DisplayName != u.DisplayName || stored.PreferredLanguage != u.PreferredLanguage {
			t.Fatalf("a refused update wrote: %+v", stored)
		}
	})
	t.Run("UnauthenticatedWithoutToken", func(t *testing.T) {
		s.Do(t, "", profileDoc, map[string]any{"in": map[string]any{"displayName": "X"}}).MustCode(t, "UNAUTHENTICATED")
	})
	t.Run("DiscreetHiddenFromOthers", func(t *testing.T) {
		patient, _ := s.User(t, models.RolePatient, nil)
		s.DB.Model(patient).Update("discreet_notifications", true)
		admin, _ := s.User(t, models.RoleAdmin, nil)
		svc := s.App.Resolver.Accounts
		as := func(u *models.User) context.Context {
			return auth.WithPrincipal(context.Background(), &auth.Principal{ID: u.ID, Role: u.Role})
		}
		v, err := svc.DiscreetNotifications(as(admin), patient)
		if err != nil || v == nil || !*v {
			t.Fatalf("admin reads %v, %v", v, err)
		}
		other, _ := s.User(t, models.RolePatient, nil)
		if v, _ := svc.DiscreetNotifications(as(other), patient); v != nil {
			t.Fatalf("another patient reads %v", *v)
		}
	})
}
