package compiled_test

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mlp/models"
)

// gen writes random operations over the compilable set: random subsets of
// fields, aliases, named and inline fragments, @include/@skip from
// variables and literals, first/after pages (valid and refused), status
// filters, own, foreign, missing and malformed ids.
type gen struct {
	r     *rand.Rand
	w     *world
	vars  map[string]any
	defs  []string
	frags []string
	n     int
}

func (g *gen) name(prefix string) string {
	g.n++
	return prefix + strconv.Itoa(g.n)
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// value writes a literal or a variable of type typ holding v.
func (g *gen) value(typ string, v any) string {
	if g.chance(0.5) {
		name := g.name("v")
		g.defs = append(g.defs, "$"+name+": "+typ)
		g.vars[name] = v
		return "$" + name
	}
	b, _ := json.Marshal(v)
	if list, ok := v.([]string); ok { // enum values are names, not strings
		return "[" + strings.Join(list, ", ") + "]"
	}
	return string(b)
}

// directive returns an @include/@skip (or nothing).
func (g *gen) directive() string {
	if !g.chance(0.25) {
		return ""
	}
	d := "@include"
	if g.chance(0.5) {
		d = "@skip"
	}
	b := g.chance(0.5)
	if g.chance(0.6) {
		name := g.name("b")
		g.defs = append(g.defs, "$"+name+": Boolean!")
		g.vars[name] = b
		return " " + d + "(if: $" + name + ")"
	}
	return " " + d + "(if: " + strconv.FormatBool(b) + ")"
}

// key returns "alias: " or nothing.
func (g *gen) key() string {
	if g.chance(0.2) {
		return g.name("a") + ": "
	}
	return ""
}

// pick returns a random non-empty subset of fields, each written by one of
// the functions (a scalar's is "").
func (g *gen) selection(typ string, fields map[string]func() string) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	// map order is random, but from the test's own seed only if sorted first
	sortStrings(names)
	var parts []string
	for len(parts) == 0 {
		for _, n := range names {
			if !g.chance(0.45) {
				continue
			}
			sub := ""
			if fields[n] != nil {
				sub = " " + fields[n]()
			}
			// directives come after the arguments, before the selection set
			d := g.directive()
			if k := strings.Index(sub, "{"); k >= 0 {
				sub = sub[:k] + strings.TrimSpace(d) + " " + sub[k:]
			} else {
				sub += d
			}
			parts = append(parts, g.key()+n+sub)
		}
		if g.chance(0.1) {
			parts = append(parts, "__typename")
		}
	}
	if g.chance(0.2) && len(parts) > 1 {
		k := g.r.IntN(len(parts))
		cond := ""
		if g.chance(0.5) {
			cond = " on " + typ
		}
		parts[k] = "..." + cond + g.directive() + " { " + parts[k] + " }"
	}
	if g.chance(0.15) && len(parts) > 1 {
		k := g.r.IntN(len(parts))
		f := g.name("F")
		g.frags = append(g.frags, "fragment "+f+" on "+typ+" { "+parts[k]+" }")
		parts[k] = "..." + f + g.directive()
		if g.chance(0.3) {
			parts = append(parts, "..."+f) // the same spread again: gqlgen skips it
		}
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func (g *gen) organization() string {
	return g.selection("Organization", map[string]func() string{
		"id": nil, "name": nil, "kind": nil, "serviceAreas": nil, "categories": nil, "phone": nil, "website": nil,
	})
}

func (g *gen) user() string {
	return g.selection("User", map[string]func() string{
		"id": nil, "email": nil, "displayName": nil, "role": nil, "preferredLanguage": nil, "createdAt": nil,
		"organization": g.organization,
	})
}

func (g *gen) event() string {
	return g.selection("CaseEvent", map[string]func() string{
		"id": nil, "caseId": nil, "kind": nil, "fromStatus": nil, "toStatus": nil, "message": nil,
		"actorRole": nil, "visibleToPatient": nil, "createdAt": nil,
	})
}

// pageArgs writes first/after arguments, cursors from cursors.
func (g *gen) pageArgs(cursors []string) string {
	var args []string
	if g.chance(0.7) {
		firsts := []int{0, 1, 2, 3, 5, 20, 100, 1, 2, 3, 101, -1}
		args = append(args, "first: "+g.value("Int", firsts[g.r.IntN(len(firsts))]))
	}
	if g.chance(0.35) {
		var after any
		switch k := g.r.IntN(10); {
		case k < 6 && len(cursors) > 0:
			after = cursors[g.r.IntN(len(cursors))]
		case k == 6:
			after = ""
		case k == 7:
			after = "bm9wZQ" // "nope": one part
		case k == 8:
			after = "!!"
		default:
			after = nil
		}
		if after == nil {
			args = append(args, "after: null")
		} else {
			args = append(args, "after: "+g.value("String", after))
		}
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

func (g *gen) connection(typ, edge string, node func() string, cursors []string) string {
	return g.selection(typ, map[string]func() string{
		"totalCount": nil,
		"pageInfo": func() string {
			return g.selection("PageInfo", map[string]func() string{"hasNextPage": nil, "endCursor": nil})
		},
		"edges": func() string {
			return g.selection(edge, map[string]func() string{"cursor": nil, "node": node})
		},
	})
}

func (g *gen) caseSel() string {
	return g.selection("Case", map[string]func() string{
		"id": nil, "reference": nil, "category": nil, "description": nil, "status": nil, "fhirTaskStatus": nil,
		"jurisdiction": nil, "deadline": nil, "urgent": nil, "version": nil, "createdAt": nil, "updatedAt": nil,
		"organization": g.organization, "assignedAdvocate": g.user, "patient": g.user,
		"outcome": func() string {
			return g.selection("CaseOutcome", map[string]func() string{"code": nil, "benefitAmountCents": nil, "notes": nil, "recordedAt": nil})
		},
		"timeline": func() string {
			return g.pageArgs(g.w.eventCursors) + " " + g.connection("CaseEventConnection", "CaseEventEdge", g.event, g.w.eventCursors)
		},
	})
}

func (g *gen) notification() string {
	return g.selection("Notification", map[string]func() string{
		"id": nil, "kind": nil, "title": nil, "body": nil, "caseId": nil, "createdAt": nil, "readAt": nil,
	})
}

// referral selects a referral's fields; case is selected rarely (it is
// null for a clinician, and makes the operation not compilable for others).
func (g *gen) referral() string {
	fields := map[string]func() string{
		"id": nil, "code": nil, "status": nil, "categories": nil, "patientLabel": nil, "caseStatus": nil,
		"expiresAt": nil, "createdAt": nil, "notes": nil, "clinician": g.user,
		"screening": func() string {
			return g.selection("ScreeningAnswer", map[string]func() string{"domain": nil, "positive": nil, "note": nil})
		},
	}
	if g.chance(0.15) {
		fields["case"] = func() string { return g.selection("Case", map[string]func() string{"id": nil, "status": nil}) }
	}
	return g.selection("Referral", fields)
}

func (g *gen) guide() string {
	return g.selection("Guide", map[string]func() string{
		"id": nil, "slug": nil, "locale": nil, "title": nil, "summary": nil, "body": nil, "category": nil, "audience": nil,
		"jurisdictions": nil, "readingGrade": nil, "status": nil, "version": nil, "publishedVersion": nil, "publishedAt": nil,
		"updatedAt": nil,
		"translations": func() string {
			return g.selection("GuideTranslation", map[string]func() string{"locale": nil, "title": nil})
		},
		"author": func() string { return g.selection("User", map[string]func() string{"id": nil}) },
	})
}

// guideFilter writes a GuideFilter: searches that match, match nothing
// (then similar titles), have typos, exclude words only or are too long;
// locales, audiences, categories and jurisdictions valid and refused.
func (g *gen) guideFilter() string {
	fl := map[string]any{}
	if g.chance(0.5) {
		searches := []string{"eviction", "eviction notice", "benefits -food", "\"unpaid wages\"", "desalojo", "evicton", "landlrod",
			"-landlord", "the", "zzzz qqqq", "debt or wages", strings.Repeat("a", 201), "  benefits  "}
		fl["search"] = searches[g.r.IntN(len(searches))]
	}
	if g.chance(0.3) {
		fl["locale"] = []string{"en", "es", "es-MX", "vi", "fr", "bad locale!"}[g.r.IntN(6)]
	}
	if g.chance(0.25) {
		fl["audience"] = []string{"PATIENTS", "CLINICIANS"}[g.r.IntN(2)]
	}
	if g.chance(0.25) {
		fl["category"] = string([]models.LegalCategory{models.CategoryHousing, models.CategoryPublicBenefits, models.CategoryFood}[g.r.IntN(3)])
	}
	if g.chance(0.25) {
		fl["jurisdiction"] = []string{"CA", "US", "ny", "XX", "NV"}[g.r.IntN(5)]
	}
	if g.chance(0.5) {
		name := g.name("v")
		g.defs = append(g.defs, "$"+name+": GuideFilter")
		g.vars[name] = fl
		return "$" + name
	}
	var parts []string
	for _, k := range []string{"search", "locale", "audience", "category", "jurisdiction"} {
		v, ok := fl[k].(string)
		if !ok {
			continue
		}
		if k == "audience" || k == "category" {
			parts = append(parts, k+": "+v)
		} else {
			b, _ := json.Marshal(v)
			parts = append(parts, k+": "+string(b))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func (g *gen) caseID() string {
	switch g.r.IntN(6) {
	case 0, 1, 2:
		return g.w.casesA[g.r.IntN(len(g.w.casesA))].ID.String()
	case 3:
		return g.w.casesB[g.r.IntN(len(g.w.casesB))].ID.String()
	case 4:
		var u uuid.UUID
		for i := range u {
			u[i] = byte(g.r.UintN(256))
		}
		return u.String()
	}
	return "not-a-case"
}

// filterValue writes a CaseQueueFilter as a variable or a literal.
func (g *gen) filterValue(fl map[string]any) string {
	if g.chance(0.5) {
		name := g.name("v")
		g.defs = append(g.defs, "$"+name+": CaseQueueFilter")
		g.vars[name] = fl
		return "$" + name
	}
	var parts []string
	for _, k := range []string{"status", "category", "urgentOnly", "assignedToMe"} {
		switch v := fl[k].(type) {
		case []string:
			parts = append(parts, k+": ["+strings.Join(v, ", ")+"]")
		case string:
			parts = append(parts, k+": "+v)
		case bool:
			parts = append(parts, k+": "+strconv.FormatBool(v))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// token picks the caller: mostly patient A (whose cases the ids and cursors
// are), then patient B (another patient's view of the same ids), then every
// other role and the anonymous caller.
func (g *gen) token() string {
	switch k := g.r.IntN(20); {
	case k < 8:
		return g.w.patientA
	case k < 10:
		return g.w.patientB
	case k < 13:
		return g.w.advocate1
	case k < 14:
		return g.w.advocate2
	case k < 15:
		return g.w.admin
	case k < 17:
		return g.w.clinician
	case k < 18:
		return g.w.clinician2
	case k < 19:
		return "" // anonymous: the public guides compile
	}
	return g.w.tokens[g.r.IntN(len(g.w.tokens))]
}

// operation writes one query and its variables for the caller tok: mostly
// the roots its role reads (a patient's cases, an advocate's queue, any
// staff's case), sometimes any root.
func (g *gen) operation(tok string) (string, map[string]any) {
	g.vars, g.defs, g.frags, g.n = map[string]any{}, nil, nil, 0
	var roots []string
	for range 1 + g.r.IntN(2) {
		kind := g.r.IntN(9)
		if g.chance(0.85) {
			switch tok {
			case g.w.patientA, g.w.patientB:
				kind = []int{0, 1, 2, 3, 5, 7, 8}[g.r.IntN(7)]
			case g.w.advocate1, g.w.advocate2:
				kind = []int{3, 4, 4, 4, 5, 7}[g.r.IntN(6)]
			case g.w.admin:
				kind = []int{3, 5, 7}[g.r.IntN(3)]
			case g.w.clinician, g.w.clinician2:
				kind = []int{6, 6, 6, 5, 7, 8}[g.r.IntN(6)]
			case "":
				kind = []int{7, 8}[g.r.IntN(2)]
			}
		}
		switch kind {
		case 0, 1, 2:
			args := g.pageArgs(g.w.caseCursors)
			if g.chance(0.3) {
				var sts []string
				for _, s := range models.AllCaseStatuses {
					if g.chance(0.3) {
						sts = append(sts, string(s))
					}
				}
				st := "status: " + g.value("[CaseStatus!]", sts)
				if args == "" {
					args = "(" + st + ")"
				} else {
					args = "(" + st + ", " + args[1:]
				}
			}
			roots = append(roots, g.name("r")+": myCases"+args+g.directive()+" "+g.connection("CaseConnection", "CaseEdge", g.caseSel, g.w.caseCursors))
		case 3:
			roots = append(roots, g.name("r")+": case(id: "+g.value("ID!", g.caseID())+") "+g.caseSel())
		case 4:
			if g.chance(0.1) {
				roots = append(roots, "__typename")
				continue
			}
			args := g.pageArgs(g.w.queueCursors)
			if g.chance(0.6) {
				fl := map[string]any{}
				if g.chance(0.4) {
					var sts []string
					for _, s := range models.AllCaseStatuses {
						if g.chance(0.3) {
							sts = append(sts, string(s))
						}
					}
					fl["status"] = sts
				}
				if g.chance(0.3) {
					fl["category"] = string(models.AllLegalCategories[g.r.IntN(4)])
				}
				if g.chance(0.3) {
					fl["urgentOnly"] = g.chance(0.5)
				}
				if g.chance(0.3) {
					fl["assignedToMe"] = g.chance(0.5)
				}
				ft := "filter: " + g.filterValue(fl)
				if args == "" {
					args = "(" + ft + ")"
				} else {
					args = "(" + ft + ", " + args[1:]
				}
			}
			roots = append(roots, g.name("r")+": caseQueue"+args+g.directive()+" "+g.connection("CaseConnection", "CaseEdge", g.caseSel, g.w.queueCursors))
		case 5:
			args := g.pageArgs(g.w.notificationCursors)
			if g.chance(0.4) {
				u := "unreadOnly: " + g.value("Boolean", g.chance(0.6))
				if g.chance(0.15) {
					u = "unreadOnly: null"
				}
				if args == "" {
					args = "(" + u + ")"
				} else {
					args = "(" + u + ", " + args[1:]
				}
			}
			roots = append(roots, g.name("r")+": myNotifications"+args+g.directive()+" "+g.connection("NotificationConnection", "NotificationEdge", g.notification, g.w.notificationCursors))
		case 7:
			args := g.pageArgs(g.w.guideCursors)
			if g.chance(0.8) {
				ft := "filter: " + g.guideFilter()
				if args == "" {
					args = "(" + ft + ")"
				} else {
					args = "(" + ft + ", " + args[1:]
				}
			}
			roots = append(roots, g.name("r")+": guides"+args+g.directive()+" "+g.connection("GuideConnection", "GuideEdge", g.guide, g.w.guideCursors))
		case 8:
			args := "slug: " + g.value("String!", g.w.guideSlugs[g.r.IntN(len(g.w.guideSlugs))])
			if g.chance(0.6) {
				locales := []any{"en", "es", "es-MX", "es-AR", "vi", "fr", "EN", "not a locale!", "", nil}
				if l := locales[g.r.IntN(len(locales))]; l == nil {
					args += ", locale: null"
				} else {
					args += ", locale: " + g.value("String", l)
				}
			}
			roots = append(roots, g.name("r")+": guide("+args+")"+g.directive()+" "+g.guide())
		case 6:
			roots = append(roots, g.name("r")+": myReferrals"+g.pageArgs(g.w.referralCursors)+g.directive()+" "+g.connection("ReferralConnection", "ReferralEdge", g.referral, g.w.referralCursors))
		}
	}
	head := "query"
	if len(g.defs) > 0 {
		head += "(" + strings.Join(g.defs, ", ") + ")"
	}
	return head + " { " + strings.Join(roots, " ") + " } " + strings.Join(g.frags, " "), g.vars
}

// diffCases is how many operations TestDifferential runs (DIFF_CASES
// overrides, e.g. for a longer local run; DIFF_SEED changes the seed).
func diffCases(t *testing.T) int {
	if v := os.Getenv("DIFF_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if testing.Short() {
		return 300
	}
	return 1500
}

// TestDifferential runs generated operations, for every role, through both
// paths on one seeded database and requires byte-identical responses.
func TestDifferential(t *testing.T) {
	w := newWorld(t)
	seed := uint64(2026)
	if v := os.Getenv("DIFF_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	g := &gen{r: rand.New(rand.NewPCG(15, seed)), w: w}
	n := diffCases(t)
	// byRoot counts, per root field, the operations holding it that were
	// answered by one statement.
	byRoot := map[string]int{}
	for i := range n {
		tok := g.token()
		q, vars := g.operation(tok)
		before, _ := w.on.App.Planner.Stats()
		a, b := w.both(t, tok, q, vars)
		if a != b {
			vj, _ := json.Marshal(vars)
			t.Fatalf("case %d differs\nquery: %s\nvariables: %s\ncompiled: %s\nresolvers: %s", i, q, vj, a, b)
		}
		if after, _ := w.on.App.Planner.Stats(); after > before {
			for _, m := range rootName.FindAllStringSubmatch(q, -1) {
				byRoot[m[1]]++
			}
		}
	}
	compiled, handed := w.on.App.Planner.Stats()
	t.Logf("%d operations: %d answered by one statement, %d handed to the resolvers; compiled by root: %v", n, compiled, handed, byRoot)
	if compiled < int64(n)/5 {
		t.Fatalf("only %d of %d operations were compiled: the generator no longer exercises the compiled path", compiled, n)
	}
	for _, r := range compiledRoots {
		if byRoot[r] < n/100 {
			t.Errorf("only %d operations with %s were compiled: the generator no longer exercises it", byRoot[r], r)
		}
	}
}

// compiledRoots are the root fields of the compilable set; rootName finds
// them in a generated operation (every generated root has an alias).
var (
	compiledRoots = []string{"myCases", "case", "caseQueue", "myNotifications", "myReferrals", "guides", "guide"}
	rootName      = regexp.MustCompile(`\br\d+: (\w+)`)
)

// FuzzDifferential is the differential test driven by go test -fuzz: each
// input seeds the generator.
func FuzzDifferential(f *testing.F) {
	for i := range 8 {
		f.Add(uint64(i), uint64(i*7919))
	}
	w := newWorld(f)
	f.Fuzz(func(t *testing.T, s1, s2 uint64) {
		g := &gen{r: rand.New(rand.NewPCG(s1, s2)), w: w}
		tok := g.token()
		q, vars := g.operation(tok)
		a, b := w.both(t, tok, q, vars)
		if a != b {
			vj, _ := json.Marshal(vars)
			t.Fatalf("differs\nquery: %s\nvariables: %s\ncompiled: %s\nresolvers: %s", q, vj, a, b)
		}
	})
}
