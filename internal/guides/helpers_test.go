package guides_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/models"
)

// Tests of this package share one database and run in parallel: each one
// makes its own users and guides with unique slugs, and looks for its guides
// by a unique search word or slug rather than by position in a shared list.
// The category FAMILY belongs to TestRelatedForCases alone.

const guideFields = `id slug locale title summary body category audience jurisdictions readingGrade
	status version publishedVersion publishedAt updatedAt translations { locale title }`

// team is one test's people: two editors (the author writes, the reviewer
// publishes), an admin, and one user of every other role.
type team struct {
	s                            *apptest.Server
	author, reviewer, admin      string
	patient, clinician, advocate string
	authorUser, reviewerUser     *models.User
}

func newTeam(t *testing.T, s *apptest.Server) *team {
	t.Helper()
	la := s.Org(t, models.OrgLegalAid, []string{"CA"})
	hs := s.Org(t, models.OrgHealthSystem, []string{"CA"})
	tm := &team{s: s}
	tm.authorUser, tm.author = s.User(t, models.RoleEditor, la)
	tm.reviewerUser, tm.reviewer = s.User(t, models.RoleEditor, la)
	_, tm.admin = s.User(t, models.RoleAdmin, nil)
	_, tm.patient = s.User(t, models.RolePatient, nil)
	_, tm.clinician = s.User(t, models.RoleClinician, hs)
	_, tm.advocate = s.User(t, models.RoleAdvocate, la)
	return tm
}

// word returns a made-up word no other test uses, to find a test's guides by
// full-text search.
func word() string {
	const letters = "bcdfghjklmnpqrstvwxz"
	u := uuid.New()
	var b strings.Builder
	b.WriteString("zq")
	for _, c := range u[:8] {
		b.WriteByte(letters[int(c)%len(letters)])
	}
	return b.String()
}

// slug returns a unique slug starting with prefix.
func slug(prefix string) string { return prefix + "-" + uuid.NewString()[:8] }

// input is a valid GuideInput with overrides.
func input(over map[string]any) map[string]any {
	in := map[string]any{
		"slug": slug("guide"), "locale": "en", "title": "Help with a utility shutoff notice",
		"summary":  "What to do when the power company says it will shut off your power.",
		"body":     "## What to do\n\nCall the company today. Ask for a payment plan.\n\n- Keep every letter.\n- Ask for help.",
		"category": "UTILITIES", "jurisdictions": []string{"CA"},
	}
	for k, v := range over {
		in[k] = v
	}
	return in
}

type guide struct {
	ID               string
	Slug             string
	Locale           string
	Title            string
	Summary          string
	Body             string
	Category         string
	Audience         string
	Jurisdictions    []string
	ReadingGrade     float64
	Status           string
	Version          int
	PublishedVersion *int
	PublishedAt      *string
	UpdatedAt        string
	Translations     []struct{ Locale, Title string }
	Author           *struct{ ID string }
	Revisions        []struct {
		Version int
		Title   string
		Editor  struct{ ID string }
	}
}

// create makes a DRAFT guide as tok and returns it.
func (tm *team) create(t *testing.T, tok string, in map[string]any) guide {
	t.Helper()
	var out struct{ CreateGuide guide }
	tm.s.Do(t, tok, `mutation($in: GuideInput!) { createGuide(input: $in) { `+guideFields+` } }`,
		map[string]any{"in": in}).Decode(t, &out)
	return out.CreateGuide
}

// do runs a one-id mutation (submitGuideForReview, publishGuide, archiveGuide).
func (tm *team) do(t *testing.T, tok, op, id string) *apptest.Response {
	t.Helper()
	return tm.s.Do(t, tok, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id) { %s } }`, op, guideFields), map[string]any{"id": id})
}

func (tm *team) update(t *testing.T, tok, id string, patch map[string]any, version int) *apptest.Response {
	t.Helper()
	return tm.s.Do(t, tok, `mutation($id: ID!, $p: GuidePatch!, $v: Int!) { updateGuide(id: $id, patch: $p, expectedVersion: $v) { `+guideFields+` } }`,
		map[string]any{"id": id, "p": patch, "v": version})
}

// inState makes a guide by the author and moves it to status.
func (tm *team) inState(t *testing.T, status string, in map[string]any) guide {
	t.Helper()
	g := tm.create(t, tm.author, in)
	if status == "DRAFT" {
		return g
	}
	tm.do(t, tm.author, "submitGuideForReview", g.ID).MustOK(t)
	if status == "IN_REVIEW" {
		return g
	}
	tm.do(t, tm.reviewer, "publishGuide", g.ID).MustOK(t)
	if status == "PUBLISHED" {
		return g
	}
	tm.do(t, tm.reviewer, "archiveGuide", g.ID).MustOK(t)
	return g
}

// published makes a published guide.
func (tm *team) published(t *testing.T, in map[string]any) guide {
	t.Helper()
	return tm.inState(t, "PUBLISHED", in)
}

// read returns guide(slug, locale) as tok; nil when null.
func (tm *team) read(t *testing.T, tok, slug string, locale any) *guide {
	t.Helper()
	var out struct{ Guide *guide }
	tm.s.Do(t, tok, `query($s: String!, $l: String) { guide(slug: $s, locale: $l) { `+guideFields+` } }`,
		map[string]any{"s": slug, "l": locale}).Decode(t, &out)
	return out.Guide
}

// list returns the guides of guides(filter) as tok.
func (tm *team) list(t *testing.T, tok string, filter map[string]any) []guide {
	t.Helper()
	var out struct {
		Guides struct{ Edges []struct{ Node guide } }
	}
	tm.s.Do(t, tok, `query($f: GuideFilter) { guides(filter: $f, first: 100) { edges { node { `+guideFields+` } } } }`,
		map[string]any{"f": filter}).Decode(t, &out)
	gs := make([]guide, len(out.Guides.Edges))
	for i, e := range out.Guides.Edges {
		gs[i] = e.Node
	}
	return gs
}

func ids(gs []guide) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		out[i] = g.ID
	}
	return out
}

var newServerMu sync.Mutex

// newServer starts the application for a test. apptest.New is serialised:
// dbtest.Open initialises the package's shared pool without a lock, which the
// race detector reports when parallel tests start servers at once.
func newServer(t *testing.T, opts ...apptest.Option) *apptest.Server {
	t.Helper()
	newServerMu.Lock()
	defer newServerMu.Unlock()
	return apptest.New(t, opts...)
}

// asError is errors.As for the domain error.
func asError(err error, target **models.Error) bool { return errors.As(err, target) }
