package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

// getCSV downloads /reports/partnership.csv as tok (no header when tok is
// "") and returns the answer and its body.
func getCSV(t *testing.T, s *apptest.Server, tok string, q url.Values, lang string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/reports/partnership.csv?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

// rowsOf writes the GraphQL answer as the CSV's rows are documented
// (report.CSVHeader), independently of the server's writer.
func rowsOf(r reportJSON) [][]string {
	num := func(n *int) (string, string) {
		if n == nil {
			return "", "true"
		}
		return strconv.Itoa(*n), "false"
	}
	flt := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	rows := [][]string{
		{"figure", "key", "value", "suppressed"},
		{"from", "", r.From, "false"},
		{"to", "", r.To, "false"},
		{"referralsSent", "", strconv.Itoa(r.ReferralsSent), "false"},
		{"referralsClaimed", "", strconv.Itoa(r.ReferralsClaimed), "false"},
		{"casesOpened", "", strconv.Itoa(r.CasesOpened), "false"},
		{"casesResolved", "", strconv.Itoa(r.CasesResolved), "false"},
		{"medianDaysToFirstResponse", "", flt(r.MedianDaysToFirstResponse), "false"},
		{"medianDaysToResolution", "", flt(r.MedianDaysToResolution), "false"},
		{"totalBenefitCents", "", strconv.Itoa(r.TotalBenefitCents), "false"},
	}
	for _, c := range r.ByCategory {
		v, sup := num(c.Cases)
		rows = append(rows, []string{"byCategory.cases", c.Category, v, sup})
		v, sup = num(c.Resolved)
		rows = append(rows, []string{"byCategory.resolved", c.Category, v, sup})
	}
	for _, o := range r.Outcomes {
		v, sup := num(o.Cases)
		rows = append(rows, []string{"outcomes.cases", o.Code, v, sup})
	}
	return rows
}

func TestPartnershipReportCSV(t *testing.T) {
	s := apptest.New(t)
	w := newWorld(t, s)
	legal := s.Org(t, models.OrgLegalAid, []string{"CA"})
	other := s.Org(t, models.OrgLegalAid, []string{"CA"})
	_, admin := s.User(t, models.RoleAdmin, nil)

	// Year 2042 is this test's own: 12 housing cases (4 resolved, which is
	// suppressed, and so is a complement), 3 employment cases (suppressed),
	// outcomes with amounts, and an advocate's first answers for the median.
	day := at(t, "2042-03-02T09:00:00")
	for i := range 12 {
		status := models.CaseInProgress
		if i < 4 {
			status = models.CaseResolved
		}
		created := day.Add(time.Duration(i) * time.Hour)
		id := w.addCase(caseOpts{category: models.CategoryHousing, status: status, org: legal, created: created})
		w.moved(id, models.CaseSubmitted, models.CaseAccepted, models.RoleAdvocate, created.Add(36*time.Hour))
		if i < 4 {
			w.moved(id, models.CaseAccepted, models.CaseResolved, models.RoleAdvocate, created.Add(10*24*time.Hour))
			w.outcome(id, models.OutcomeEvictionPrevented, ptr(int64(125_000+i)), created.Add(10*24*time.Hour))
		}
	}
	for i := range 3 {
		w.addCase(caseOpts{category: models.CategoryEmployment, org: other, created: day.Add(time.Duration(i) * time.Minute)})
	}
	q := url.Values{"from": {"2042-03-01"}, "to": {"2042-03-31"}}

	t.Run("SameFiguresAsGraphQL", func(t *testing.T) {
		want := rowsOf(getReport(t, s, admin, "2042-03-01", "2042-03-31", nil))
		before := reportAudits(t, s)
		res, body := getCSV(t, s, admin, q, "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type = %q", ct)
		}
		if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="partnership-report-2042-03-01-to-2042-03-31.csv"` {
			t.Errorf("Content-Disposition = %q", cd)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
		got, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v\n%s", err, body)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CSV\n got %q\nwant %q", got, want)
		}
		if !bytes.Contains(body, []byte("byCategory.resolved,HOUSING,,true\r\n")) {
			t.Errorf("the suppressed count is not an empty, suppressed cell:\n%s", body)
		}
		if got := reportAudits(t, s) - before; got != 1 {
			t.Errorf("%d audit rows, want 1 (the CSV is a report read)", got)
		}
	})
	t.Run("OrganizationFilter", func(t *testing.T) {
		want := rowsOf(getReport(t, s, admin, "2042-03-01", "2042-03-31", other))
		fq := url.Values{"from": q["from"], "to": q["to"], "organizationId": {other.ID.String()}}
		res, body := getCSV(t, s, admin, fq, "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
		got, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CSV\n got %q\nwant %q", got, want)
		}
		if want[5][2] != "3" {
			t.Errorf("casesOpened of the filtered report = %q, want 3", want[5][2])
		}
	})

	type errBody struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code, Field string }
		}
	}
	refused := []struct {
		name   string
		role   models.Role
		query  url.Values
		lang   string
		status int
		code   string
		field  string
	}{
		{"NoTokenUnauthorized", "", q, "", 401, "UNAUTHENTICATED", ""},
		{"PatientForbidden", models.RolePatient, q, "", 403, "FORBIDDEN", ""},
		{"AdvocateForbidden", models.RoleAdvocate, q, "", 403, "FORBIDDEN", ""},
		{"ClinicianForbidden", models.RoleClinician, q, "", 403, "FORBIDDEN", ""},
		{"EditorForbidden", models.RoleEditor, q, "", 403, "FORBIDDEN", ""},
		{"MissingFrom", models.RoleAdmin, url.Values{"to": {"2042-03-31"}}, "", 400, "BAD_USER_INPUT", "from"},
		{"MalformedTo", models.RoleAdmin, url.Values{"from": {"2042-03-01"}, "to": {"2042-02-30"}}, "", 400, "BAD_USER_INPUT", "to"},
		{"ToBeforeFrom", models.RoleAdmin, url.Values{"from": {"2042-03-01"}, "to": {"2042-02-01"}}, "", 400, "BAD_USER_INPUT", "to"},
		{"SpanishMessageBeforeSignIn", "", url.Values{"from": {"01/03/2042"}, "to": {"2042-03-31"}}, "es", 400, "BAD_USER_INPUT", "from"},
		{"UnknownOrganization", models.RoleAdmin, url.Values{"from": q["from"], "to": q["to"], "organizationId": {"nope"}}, "", 404, "NOT_FOUND", ""},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			tok := ""
			if tt.role != "" {
				var org *models.Organization
				if tt.role == models.RoleAdvocate || tt.role == models.RoleEditor {
					org = legal
				} else if tt.role == models.RoleClinician {
					org = s.Org(t, models.OrgHealthSystem, []string{"CA"})
				}
				_, tok = s.User(t, tt.role, org)
			}
			before := reportAudits(t, s)
			res, body := getCSV(t, s, tok, tt.query, tt.lang)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.status, body)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var e errBody
			if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
				t.Fatalf("body %s: %v", body, err)
			}
			if e.Errors[0].Extensions.Code != tt.code || e.Errors[0].Extensions.Field != tt.field {
				t.Errorf("code %q field %q, want %q %q", e.Errors[0].Extensions.Code, e.Errors[0].Extensions.Field, tt.code, tt.field)
			}
			if tt.lang == "es" && e.Errors[0].Message != "Escriba las fechas como AAAA-MM-DD." {
				t.Errorf("message %q is not the Spanish one", e.Errors[0].Message)
			}
			if tt.status == 401 && res.Header.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
			if got := reportAudits(t, s) - before; got != 0 {
				t.Errorf("%d audit rows written for a refused download", got)
			}
		})
	}
	t.Run("RefusedTokenUnauthorized", func(t *testing.T) {
		res, body := getCSV(t, s, "not-a-token", q, "")
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d: %s", res.StatusCode, body)
		}
	})
}
