package privacy_test

import (
	"strings"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestSafeContact(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	w := newWorld(t, s)
	c := insertCase(t, s, w.patient, w.org, models.CaseInProgress, "Safety matters.")
	const set = `mutation($in: UpdateMyProfileInput!) { updateMyProfile(input: $in) { safeContact { channels safeHoursStart safeHoursEnd voicemailOk note } } }`
	r := s.Do(t, w.patientTok, set, map[string]any{"in": map[string]any{"safeContact": map[string]any{
		"channels": []string{"APP"}, "safeHoursStart": "18:00", "safeHoursEnd": "21:00", "voicemailOk": false, "note": "Say you are from the clinic."}}}).MustOK(t)
	if !strings.Contains(r.Raw, `"channels":["APP"]`) || !strings.Contains(r.Raw, "from the clinic") {
		t.Fatalf("set: %s", r.Raw)
	}
	const onCase = `query($id: ID!) { case(id: $id) { safeContact { channels voicemailOk note } patient { safeContact { channels } } } }`
	vars := map[string]any{"id": c.ID.String()}

	t.Run("VisibleToTheCasesAdvocates", func(t *testing.T) {
		r := s.Do(t, w.advTok, onCase, vars).MustOK(t)
		if apptest.Str(t, r, "case.safeContact.note") != "Say you are from the clinic." ||
			apptest.Str(t, r, "case.patient.safeContact.channels.0") != "APP" {
			t.Fatalf("advocate: %s", r.Raw)
		}
	})
	t.Run("HiddenFromEveryoneElse", func(t *testing.T) {
		r := s.Do(t, w.adminTok, onCase, vars).MustOK(t)
		if strings.Contains(r.Raw, "clinic") || strings.Contains(r.Raw, `"APP"`) {
			t.Fatalf("an ADMIN sees the safe contact: %s", r.Raw)
		}
		other := s.Org(t, models.OrgLegalAid, []string{"CA"})
		stranger, _ := s.User(t, models.RoleAdvocate, other)
		for _, u := range []*models.User{stranger, w.admin, w.clinician, w.other} {
			got, err := s.App.Resolver.Privacy.UserSafeContact(as(u), reloadUser(t, s, w.patient))
			if err != nil || got != nil {
				t.Errorf("%s sees %+v (%v)", u.Role, got, err)
			}
			if got, _ := s.App.Resolver.Privacy.CaseSafeContact(as(u), c); got != nil {
				t.Errorf("%s sees the case's safe contact", u.Role)
			}
		}
	})
	t.Run("AppOnlyIsNeverPhoneOrEmail", func(t *testing.T) {
		sc, _ := s.App.Resolver.Privacy.CaseSafeContact(as(w.advocate), c)
		for _, ch := range []models.ContactMethod{models.ContactPhone, models.ContactSMS, models.ContactEmail} {
			if sc.Allows(ch) {
				t.Errorf("app-only allows %s", ch)
			}
		}
		if !sc.Allows(models.ContactApp) {
			t.Error("app-only refuses APP")
		}
		at := func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, time.UTC) }
		if sc.WithinSafeHours(at(17, 59)) || !sc.WithinSafeHours(at(18, 0)) || sc.WithinSafeHours(at(21, 0)) {
			t.Error("safe hours 18:00-21:00 misread")
		}
	})
	t.Run("BadInputNamesTheField", func(t *testing.T) {
		for field, in := range map[string]map[string]any{
			"input.safeContact.channels":       {"channels": []string{}, "voicemailOk": true},
			"input.safeContact.safeHoursStart": {"channels": []string{"SMS"}, "voicemailOk": true, "safeHoursStart": "25:00", "safeHoursEnd": "08:00"},
			"input.safeContact.safeHoursEnd":   {"channels": []string{"SMS"}, "voicemailOk": true, "safeHoursStart": "07:00"},
		} {
			r := s.Do(t, w.patientTok, set, map[string]any{"in": map[string]any{"safeContact": in}}).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != field {
				t.Errorf("field %q, want %q", r.Field(), field)
			}
		}
		s.Do(t, w.advTok, set, map[string]any{"in": map[string]any{"safeContact": map[string]any{"channels": []string{"APP"}, "voicemailOk": true}}}).
			MustCode(t, "BAD_USER_INPUT")
	})
}

func reloadUser(t *testing.T, s *apptest.Server, u *models.User) *models.User {
	t.Helper()
	var out models.User
	if err := s.DB.Take(&out, "id = ?", u.ID).Error; err != nil {
		t.Fatal(err)
	}
	return &out
}
