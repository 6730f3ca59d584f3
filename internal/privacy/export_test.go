package privacy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestExportMyData(t *testing.T) {
	s := apptest.New(t)
	t.Parallel()
	w := newWorld(t, s)
	me := seedPerson(t, s, w, w.patient, w.patientTok, "mine-"+uuid.NewString())
	them := seedPerson(t, s, w, w.other, w.otherTok, "theirs-"+uuid.NewString())
	s.Do(t, w.advTok, `query($id: ID!) { case(id: $id) { id } }`, map[string]any{"id": me.c.ID.String()}).MustOK(t)
	s.Do(t, w.patientTok, `mutation($in: UpdateMyProfileInput!) { updateMyProfile(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"timeZone": "America/Denver", "safeContact": map[string]any{"channels": []string{"APP", "SMS"}, "safeHoursStart": "18:00",
			"safeHoursEnd": "21:00", "voicemailOk": false, "note": "Safe note " + me.tag}}}).MustOK(t)

	var doc map[string]json.RawMessage
	r := s.Do(t, w.patientTok, `{ exportMyData }`, nil).MustOK(t)
	var data struct{ ExportMyData map[string]json.RawMessage }
	r.Decode(t, &data)
	doc = data.ExportMyData
	raw := r.Raw

	t.Run("HasEveryPart", func(t *testing.T) {
		for _, k := range []string{"profile", "cases", "consents", "referrals", "notifications", "devices", "accessLog"} {
			if _, ok := doc[k]; !ok {
				t.Errorf("no %q in the export", k)
			}
		}
		var cases []struct {
			Description        string
			MonthlyIncomeCents int64
			Timeline           []struct{ Kind, Message string }
		}
		if err := json.Unmarshal(doc["cases"], &cases); err != nil || len(cases) != 1 {
			t.Fatalf("cases = %s (%v)", doc["cases"], err)
		}
		if cases[0].Description != "Description "+me.tag || cases[0].MonthlyIncomeCents != 123456 {
			t.Errorf("case = %+v", cases[0])
		}
		if !strings.Contains(string(doc["cases"]), "Patient message "+me.tag) {
			t.Errorf("the patient's message is missing: %s", doc["cases"])
		}
		var access []struct{ OrganizationName, Role, Action string }
		_ = json.Unmarshal(doc["accessLog"], &access)
		// The advocate's read, then (older) their internal message.
		if len(access) != 2 || access[0].Role != "ADVOCATE" || access[0].Action != "READ" || access[1].Action != "CHANGE" ||
			access[0].OrganizationName != w.org.Name {
			t.Errorf("accessLog = %s", doc["accessLog"])
		}
		var profile struct {
			TimeZone    string
			SafeContact struct {
				Channels       []string
				SafeHoursStart string
				Note           string
			}
		}
		if err := json.Unmarshal(doc["profile"], &profile); err != nil || profile.TimeZone != "America/Denver" ||
			len(profile.SafeContact.Channels) != 2 || profile.SafeContact.SafeHoursStart != "18:00" || profile.SafeContact.Note != "Safe note "+me.tag {
			t.Errorf("profile's safe contact and time zone: %s (%v)", doc["profile"], err)
		}
		for k, want := range map[string]string{
			"profile": w.patient.Email, "referrals": "Screening note " + me.tag, "notifications": "Body " + me.tag,
			"consents": "share-with-legal-partner", "devices": "ANDROID",
		} {
			if !strings.Contains(string(doc[k]), want) {
				t.Errorf("%s lacks %q: %s", k, want, doc[k])
			}
		}
	})

	t.Run("HoldsNothingOfAnotherPatientNorInternals", func(t *testing.T) {
		for _, leak := range []string{
			them.tag, w.other.Email, them.c.ID.String(), them.referral.ID.String(), // another patient's case, message, referral
			"Internal note", "pushtoken-", // internal messages, push tokens
			w.advocate.DisplayName, w.advocate.Email, w.clinician.DisplayName, // staff
		} {
			if strings.Contains(raw, leak) {
				t.Errorf("the export holds %q", leak)
			}
		}
	})

	t.Run("Download", func(t *testing.T) {
		get := func(tok string) *http.Response {
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/me/export.json", nil)
			if tok != "" {
				req.Header.Set("Authorization", "Bearer "+tok)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { resp.Body.Close() })
			return resp
		}
		resp := get(w.patientTok)
		var got map[string]json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("headers %v", resp.Header)
		}
		if string(got["cases"]) != string(doc["cases"]) || string(got["profile"]) != string(doc["profile"]) {
			t.Errorf("the download differs from exportMyData")
		}
		if c := get("").StatusCode; c != http.StatusUnauthorized {
			t.Errorf("without a token: %d", c)
		}
		if c := get("forged.token.value").StatusCode; c != http.StatusUnauthorized {
			t.Errorf("with a refused token: %d", c)
		}
		if c := get(w.advTok).StatusCode; c != http.StatusForbidden {
			t.Errorf("staff: %d", c)
		}
	})

	t.Run("PatientsOnly", func(t *testing.T) {
		for _, u := range []*models.User{w.advocate, w.clinician, w.editor, w.admin} {
			if _, err := s.App.Resolver.Privacy.ExportMyData(as(u)); code(err) != "FORBIDDEN" {
				t.Errorf("%s: %v", u.Role, err)
			}
		}
		s.Do(t, "", `{ exportMyData }`, nil).MustCode(t, "UNAUTHENTICATED")
	})
}
