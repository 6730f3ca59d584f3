package report

import (
	"bytes"
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"

	"mlp/internal/httpx"
	"mlp/models"
)

// CSVHeader is the first row of the CSV report. The report is one figure a
// row, so that a spreadsheet filters it and a script reads it without
// knowing its shape: figure is the GraphQL field's name ("casesOpened",
// "byCategory.cases"), key the category or outcome code of a breakdown row,
// value the number (empty for a suppressed count or a null median), and
// suppressed whether small-cell suppression hid it.
var CSVHeader = []string{"figure", "key", "value", "suppressed"}

// CSVHandler serves GET /reports/partnership.csv?from=&to=&organizationId=:
// PartnershipReport (the same figures, suppression, authorization and audit
// row) as a CSV download, for the bearer token the API takes (the auth
// middleware in front of it puts the caller in the request's context).
// from and to are YYYY-MM-DD; organizationId is optional. Errors answer
// with GraphQL's error shape and codes as statuses (httpx.WriteError):
// 400 BAD_USER_INPUT naming from or to (checked before the caller, as
// GraphQL checks a Date argument), 401 without a valid token, 403 for
// any role but ADMIN, 404 for an unknown organization. Never cached.
func (s *Service) CSVHandler(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		from, err := queryDate(q.Get("from"), "from")
		if err != nil {
			httpx.WriteError(w, r, log, err)
			return
		}
		to, err := queryDate(q.Get("to"), "to")
		if err != nil {
			httpx.WriteError(w, r, log, err)
			return
		}
		var org *string
		if v := q.Get("organizationId"); v != "" {
			org = &v
		}
		rep, err := s.PartnershipReport(r.Context(), from, to, org)
		if err != nil {
			httpx.WriteError(w, r, log, err)
			return
		}
		body, err := CSV(rep)
		if err != nil {
			httpx.WriteError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="partnership-report-`+from.String()+`-to-`+to.String()+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(body)
	})
}

// queryDate reads a YYYY-MM-DD query parameter named field.
// Errors: BAD_USER_INPUT (field) when it is missing or not a date.
func queryDate(v, field string) (models.Date, error) {
	d, err := models.ParseDate(v)
	if err != nil {
		return models.Date{}, models.InvalidField(field, "Write dates as YYYY-MM-DD.")
	}
	return d, nil
}

// CSV writes rep one figure a row under CSVHeader (RFC 4180, CRLF line
// ends): from, to, the totals, the medians, then byCategory's cases and
// resolved and outcomes' cases per row, in the report's order.
func CSV(rep *models.PartnershipReport) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	rows := [][]string{
		CSVHeader,
		{"from", "", rep.From.String(), "false"},
		{"to", "", rep.To.String(), "false"},
		{"referralsSent", "", strconv.Itoa(rep.ReferralsSent), "false"},
		{"referralsClaimed", "", strconv.Itoa(rep.ReferralsClaimed), "false"},
		{"casesOpened", "", strconv.Itoa(rep.CasesOpened), "false"},
		{"casesResolved", "", strconv.Itoa(rep.CasesResolved), "false"},
		{"medianDaysToFirstResponse", "", float(rep.MedianDaysToFirstResponse), "false"},
		{"medianDaysToResolution", "", float(rep.MedianDaysToResolution), "false"},
		{"totalBenefitCents", "", strconv.Itoa(rep.TotalBenefitCents), "false"},
	}
	for _, c := range rep.ByCategory {
		rows = append(rows, count("byCategory.cases", string(c.Category), c.Cases),
			count("byCategory.resolved", string(c.Category), c.Resolved))
	}
	for _, o := range rep.Outcomes {
		rows = append(rows, count("outcomes.cases", string(o.Code), o.Cases))
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// count is the row of one breakdown count: empty and suppressed when nil.
func count(figure, key string, n *int) []string {
	if n == nil {
		return []string{figure, key, "", "true"}
	}
	return []string{figure, key, strconv.Itoa(*n), "false"}
}

func float(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64)
}
