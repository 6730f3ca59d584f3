package compiled

import (
	"github.com/google/uuid"

	"mlp/internal/cases"
	"mlp/internal/page"
	"mlp/models"
)

// objectType is a GraphQL object type of the compilable set: how each of its
// compilable fields is written as JSON text from a row. A field not listed
// makes the operation not compilable.
type objectType struct {
	name   string
	fields map[string]fieldCompiler
}

// fieldCompiler writes field f of the row named row as a SQL text expression
// holding its JSON.
type fieldCompiler func(c *compiler, row string, f *field) (string, error)

// Column writers. Every one reads a column of the row by a fixed name; the
// JSON text of strings comes from PostgreSQL's to_json (its escapes are
// rewritten to gqlgen's by normalize).
func text(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return "to_json(" + row + "." + col + ")::text", nil
	}
}

func nullText(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return "coalesce(to_json(" + row + "." + col + ")::text, 'null')", nil
	}
}

func id(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return `('"' || ` + row + "." + col + `::text || '"')`, nil
	}
}

func nullID(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return `coalesce('"' || ` + row + "." + col + `::text || '"', 'null')`, nil
	}
}

func nullTimeCol(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return `coalesce('"' || ` + page.RFC3339SQL(row+"."+col) + ` || '"', 'null')`, nil
	}
}

func timeCol(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return `('"' || ` + page.RFC3339SQL(row+"."+col) + ` || '"')`, nil
	}
}

func dateCol(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return `coalesce('"' || to_char(` + row + "." + col + `, 'YYYY-MM-DD') || '"', 'null')`, nil
	}
}

// plain writes an integer or boolean column, whose text is its JSON.
func plain(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return row + "." + col + "::text", nil
	}
}

func nullPlain(col string) fieldCompiler {
	return func(_ *compiler, row string, _ *field) (string, error) {
		return "coalesce(" + row + "." + col + "::text, 'null')", nil
	}
}

// related writes the object of type t in table whose key column equals the
// row's column fk, or null.
func related(t *objectType, table, key, fk string) fieldCompiler {
	return func(c *compiler, row string, f *field) (string, error) {
		a := c.alias("o")
		obj, err := c.object(t, a, f.sel)
		if err != nil {
			return "", err
		}
		return "coalesce((SELECT " + obj + " FROM " + table + " " + a + " WHERE " + a + "." + key + " = " + row + "." + fk + "), 'null')", nil
	}
}

var organizationType = &objectType{name: "Organization", fields: map[string]fieldCompiler{
	"id":           id("id"),
	"name":         text("name"),
	"kind":         text("kind"),
	"serviceAreas": text("service_areas"),
	"categories":   text("categories"),
	"phone":        nullText("phone"),
	"website":      nullText("website"),
}}

// userType leaves out disabledAt, which its resolver shows only to ADMIN and
// the user themself.
var userType = &objectType{name: "User", fields: map[string]fieldCompiler{
	"id":                id("id"),
	"email":             text("email"),
	"displayName":       text("display_name"),
	"role":              text("role"),
	"preferredLanguage": text("preferred_language"),
	"organization":      related(organizationType, "organizations", "id", "organization_id"),
	"createdAt":         timeCol("created_at"),
}}

var caseEventType = &objectType{name: "CaseEvent", fields: map[string]fieldCompiler{
	"id":               id("id"),
	"caseId":           id("case_id"),
	"kind":             text("kind"),
	"fromStatus":       nullText("from_status"),
	"toStatus":         nullText("to_status"),
	"message":          nullText("message"),
	"actorRole":        nullText("actor_role"),
	"visibleToPatient": plain("visible_to_patient"),
	"createdAt":        timeCol("created_at"),
}}

var caseOutcomeType = &objectType{name: "CaseOutcome", fields: map[string]fieldCompiler{
	"code":               text("code"),
	"benefitAmountCents": nullPlain("benefit_amount_cents"),
	"notes":              outcomeNotes,
	"recordedAt":         timeCol("recorded_at"),
}}

// outcomeNotes: a PATIENT reads only notes marked for them
// (models.CaseOutcome.NotesFor).
func outcomeNotes(c *compiler, row string, f *field) (string, error) {
	if c.p.Is(models.RolePatient) {
		return "CASE WHEN " + row + ".notes_visible_to_patient THEN coalesce(to_json(" + row + ".notes)::text, 'null') ELSE 'null' END", nil
	}
	return nullText("notes")(c, row, f)
}

// caseType leaves out referral and relatedGuides (their rules live in the
// referral and guide services, not compiled yet).
var caseType = &objectType{name: "Case"}

func init() {
	caseType.fields = map[string]fieldCompiler{
		"id":           id("id"),
		"reference":    text("reference"),
		"category":     text("category"),
		"description":  text("description"),
		"status":       text("status"),
		"jurisdiction": text("jurisdiction"),
		"deadline":     dateCol("deadline"),
		"version":      plain("version"),
		"createdAt":    timeCol("created_at"),
		"updatedAt":    timeCol("updated_at"),
		"fhirTaskStatus": func(_ *compiler, row string, _ *field) (string, error) {
			return models.FhirTaskStatusSQL(row + ".status"), nil
		},
		"urgent": func(c *compiler, row string, _ *field) (string, error) {
			today := c.bind(func(e *env) (any, bool) { return e.today, true }) + "::date"
			return "CASE WHEN " + models.UrgentSQL(row+".deadline", row+".status", today) + " THEN 'true' ELSE 'false' END", nil
		},
		"patient":          related(userType, "users", "id", "patient_id"),
		"organization":     related(organizationType, "organizations", "id", "organization_id"),
		"assignedAdvocate": related(userType, "users", "id", "assigned_advocate_id"),
		"outcome":          related(caseOutcomeType, "case_outcomes", "case_id", "id"),
		"timeline":         timelineField,
	}
	queryType.fields = map[string]fieldCompiler{
		"myCases":         myCasesField,
		"case":            caseField,
		"caseQueue":       caseQueueField,
		"myNotifications": myNotificationsField,
		"myReferrals":     myReferralsField,
		"guides":          guidesField,
		"guide":           guideField,
	}
}

// queryType is the root: its fields write derived tables (see compiler.root).
var queryType = &objectType{name: "Query"}

// timelineField: a case's events oldest first, those the reader may see
// (cases.EventsVisible), as the timeline loader pages them.
func timelineField(c *compiler, row string, f *field) (string, error) {
	if !c.p.Is(models.RolePatient, models.RoleAdvocate, models.RoleAdmin) {
		return "", errNotCompilable
	}
	return c.connection(&connSpec{
		name: "CaseEventConnection", edge: "CaseEventEdge", node: caseEventType,
		table: "case_events",
		where: func(_ *compiler, t string) string {
			return t + ".case_id = " + row + ".id AND " + cases.EventsVisible(c.p, t)
		},
		order:     func(t string) string { return t + ".created_at, " + t + ".id" },
		after:     ">",
		keyColumn: "created_at",
	}, f)
}

// myCasesField: the calling PATIENT's cases (cases.Visible), newest first,
// those in the statuses asked for.
func myCasesField(c *compiler, _ string, f *field) (string, error) {
	if !c.p.Is(models.RolePatient) {
		return "", errNotCompilable
	}
	statuses := ""
	if c.arg(f, "status") != nil {
		read := argReader(f, "status")
		statuses = c.bind(func(e *env) (any, bool) {
			list, _ := read(e).([]any)
			if len(list) == 0 {
				return nil, true
			}
			out := make([]string, len(list))
			for i, v := range list {
				s, ok := v.(string)
				if !ok || !models.CaseStatus(s).IsValid() {
					return nil, false
				}
				out[i] = s
			}
			return out, true
		}) + "::text[]"
	}
	v, err := c.connection(&connSpec{
		name: "CaseConnection", edge: "CaseEdge", node: caseType,
		table: "cases",
		where: func(c *compiler, t string) string {
			w := c.scope("cases", func(p *authPrincipal) (string, []any) { v := cases.Visible(p, t); return v.SQL, v.Args })
			if statuses != "" {
				w += " AND (" + statuses + " IS NULL OR " + t + ".status = ANY(" + statuses + "))"
			}
			return w
		},
		order:     func(t string) string { return t + ".created_at DESC, " + t + ".id DESC" },
		after:     "<",
		keyColumn: "created_at",
	}, f)
	if err != nil {
		return "", err
	}
	return c.root(v, false), nil
}

// caseField: case(id) for whoever may see it (cases.Visible): its patient,
// an advocate of its organization, an ADMIN. A case the caller may not see
// (or a malformed id) is NOT_FOUND: the resolvers answer it. A read by
// anyone but the patient is audited in the statement's transaction.
func caseField(c *compiler, _ string, f *field) (string, error) {
	if !c.p.Is(models.RolePatient, models.RoleAdvocate, models.RoleAdmin) {
		return "", errNotCompilable
	}
	read := argReader(f, "id")
	idp := c.bind(func(e *env) (any, bool) {
		s, _ := read(e).(string)
		u, err := uuid.Parse(s)
		return u, err == nil
	}) + "::uuid"
	t := c.alias("c")
	obj, err := c.object(caseType, t, f.sel)
	if err != nil {
		return "", err
	}
	w := c.scope("cases", func(p *authPrincipal) (string, []any) { v := cases.Visible(p, t); return v.SQL, v.Args })
	if c.p.Is(models.RolePatient) {
		return c.root("(SELECT "+obj+" FROM cases "+t+" WHERE "+t+".id = "+idp+" AND "+w+")", true), nil
	}
	return c.rootTable("SELECT "+obj+" AS v, "+t+".id::text AS a FROM cases "+t+" WHERE "+t+".id = "+idp+" AND "+w, true, true), nil
}

// caseQueueField: caseQueue for an ADVOCATE, paged as cases.CaseQueue pages
// it (its WHERE, order, cursor condition and cursor are the service's,
// cases.QueueWhere, QueueOrder, QueueAfter, QueueCursorSQL); every case of
// the page is audited as read in the statement's transaction.
func caseQueueField(c *compiler, _ string, f *field) (string, error) {
	if !c.p.Is(models.RoleAdvocate) || c.svc.Cases == nil {
		return "", errNotCompilable
	}
	svc := c.svc.Cases
	readFilter := argReader(f, "filter")
	filter := func(e *env) (*models.CaseQueueFilter, bool) { return queueFilter(readFilter(e)) }
	where := func(t string) func(e *env) (string, []any, bool) {
		return func(e *env) (string, []any, bool) {
			qf, ok := filter(e)
			if !ok {
				return "", nil, false
			}
			w, args, err := svc.QueueWhere(e.p, qf, t)
			return w, args, err == nil
		}
	}
	readAfter := argReader(f, "after")
	v, err := c.connection(&connSpec{
		name: "CaseConnection", edge: "CaseEdge", node: caseType,
		table: "cases",
		where: func(c *compiler, t string) string { return c.hole(where(t)) },
		order: cases.QueueOrder,
		afterCond: func(c *compiler, t string, _ *field) string {
			return c.hole(func(e *env) (string, []any, bool) {
				var a page.Args
				if s, ok := readAfter(e).(string); ok {
					a.After = &s
				} else if readAfter(e) != nil {
					return "", nil, false
				}
				cur, err := a.Cursor(3)
				if err != nil {
					return "", nil, false
				}
				w, args, err := cases.QueueAfter(cur, t)
				return w, args, err == nil
			})
		},
		cursorSQL: cases.QueueCursorSQL,
		audited:   true,
	}, f)
	if err != nil {
		return "", err
	}
	return c.rootTable(v, false, true), nil
}

// queueFilter reads a CaseQueueFilter argument (an input object, coerced);
// ok is false for what the resolvers would refuse.
func queueFilter(v any) (*models.CaseQueueFilter, bool) {
	if v == nil {
		return nil, true
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	f := &models.CaseQueueFilter{}
	for k, x := range m {
		if x == nil {
			continue
		}
		switch k {
		case "status":
			list, ok := x.([]any)
			if !ok {
				return nil, false
			}
			for _, s := range list {
				str, ok := s.(string)
				if !ok {
					return nil, false
				}
				f.Status = append(f.Status, models.CaseStatus(str))
			}
		case "category":
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			cat := models.LegalCategory(s)
			f.Category = &cat
		case "urgentOnly", "assignedToMe":
			b, ok := x.(bool)
			if !ok {
				return nil, false
			}
			if k == "urgentOnly" {
				f.UrgentOnly = &b
			} else {
				f.AssignedToMe = &b
			}
		default:
			return nil, false
		}
	}
	return f, true
}
