package guides_test

import (
	"encoding/json"
	"strings"
	"testing"

	"mlp/internal/apptest"
)

// TestEditorialMatrix runs every guide operation as every role: anonymous,
// PATIENT, CLINICIAN, ADVOCATE, the guide's author (an EDITOR), another
// EDITOR, and ADMIN. Each cell works on a fresh guide in the state the
// operation needs. An outcome is an error code, OK, or for reads SEEN (the
// guide is returned or listed) and HIDDEN (null or not listed).
func TestEditorialMatrix(t *testing.T) { editorialMatrix(t) }

// TestEditorialMatrixWithoutDirectives runs the same table against a
// server whose @hasRole and @authenticated are pass-throughs: every row
// still holds, because the services refuse alone.
func TestEditorialMatrixWithoutDirectives(t *testing.T) {
	editorialMatrix(t, apptest.WithoutDirectives())
}

func editorialMatrix(t *testing.T, opts ...apptest.Option) {
	t.Parallel()
	s := newServer(t, opts...)
	tm := newTeam(t, s)
	roles := []string{"anonymous", "PATIENT", "CLINICIAN", "ADVOCATE", "AUTHOR", "EDITOR", "ADMIN"}
	token := map[string]string{"anonymous": "", "PATIENT": tm.patient, "CLINICIAN": tm.clinician,
		"ADVOCATE": tm.advocate, "AUTHOR": tm.author, "EDITOR": tm.reviewer, "ADMIN": tm.admin}

	// outcome reduces a response to an error code or OK.
	outcome := func(r *apptest.Response) string {
		if c := r.Code(); c != "" {
			return c
		}
		return "OK"
	}
	// seen tells whether data mentions the guide id.
	seen := func(r *apptest.Response, id string) string {
		if c := r.Code(); c != "" {
			return c
		}
		if json.Valid(r.Data) && strings.Contains(string(r.Data), id) {
			return "SEEN"
		}
		return "HIDDEN"
	}
	mut := func(op, state string) func(t *testing.T, tok string) string {
		return func(t *testing.T, tok string) string {
			g := tm.inState(t, state, input(nil))
			return outcome(tm.do(t, tok, op, g.ID))
		}
	}

	ops := []struct {
		name string
		run  func(t *testing.T, tok string) string
		want []string // in the order of roles
	}{
		{"createGuide", func(t *testing.T, tok string) string {
			return outcome(s.Do(t, tok, `mutation($in: GuideInput!) { createGuide(input: $in) { id } }`, map[string]any{"in": input(nil)}))
		}, []string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "OK", "OK", "FORBIDDEN"}},
		{"updateGuide/DRAFT", func(t *testing.T, tok string) string {
			g := tm.inState(t, "DRAFT", input(nil))
			return outcome(tm.update(t, tok, g.ID, map[string]any{"title": "Edited"}, 1))
		}, []string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "OK", "OK", "FORBIDDEN"}},
		{"updateGuide/PUBLISHED", func(t *testing.T, tok string) string {
			g := tm.inState(t, "PUBLISHED", input(nil))
			return outcome(tm.update(t, tok, g.ID, map[string]any{"title": "Edited"}, 1))
		}, []string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "OK", "OK", "FORBIDDEN"}},
		{"submitGuideForReview", mut("submitGuideForReview", "DRAFT"),
			[]string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "OK", "OK", "FORBIDDEN"}},
		{"publishGuide", mut("publishGuide", "IN_REVIEW"),
			[]string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "OK", "OK"}},
		{"archiveGuide", mut("archiveGuide", "PUBLISHED"),
			[]string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "OK", "OK", "OK"}},
		{"editorGuides", func(t *testing.T, tok string) string {
			g := tm.inState(t, "DRAFT", input(nil))
			return seen(s.Do(t, tok, `{ editorGuides(status: [DRAFT], first: 100) { edges { node { id } } } }`, nil), g.ID)
		}, []string{"UNAUTHENTICATED", "FORBIDDEN", "FORBIDDEN", "FORBIDDEN", "SEEN", "SEEN", "SEEN"}},
		{"guide/DRAFT", func(t *testing.T, tok string) string {
			g := tm.inState(t, "DRAFT", input(nil))
			return seen(s.Do(t, tok, `query($s: String!) { guide(slug: $s) { id } }`, map[string]any{"s": g.Slug}), g.ID)
		}, []string{"HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "SEEN", "SEEN", "SEEN"}},
		{"guide/IN_REVIEW", func(t *testing.T, tok string) string {
			g := tm.inState(t, "IN_REVIEW", input(nil))
			return seen(s.Do(t, tok, `query($s: String!) { guide(slug: $s) { id } }`, map[string]any{"s": g.Slug}), g.ID)
		}, []string{"HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "SEEN", "SEEN", "SEEN"}},
		{"guide/PUBLISHED", func(t *testing.T, tok string) string {
			g := tm.inState(t, "PUBLISHED", input(nil))
			return seen(s.Do(t, tok, `query($s: String!) { guide(slug: $s) { id } }`, map[string]any{"s": g.Slug}), g.ID)
		}, []string{"SEEN", "SEEN", "SEEN", "SEEN", "SEEN", "SEEN", "SEEN"}},
		{"guide/PUBLISHED_CLINICIANS", func(t *testing.T, tok string) string {
			g := tm.inState(t, "PUBLISHED", input(map[string]any{"audience": "CLINICIANS"}))
			return seen(s.Do(t, tok, `query($s: String!) { guide(slug: $s) { id } }`, map[string]any{"s": g.Slug}), g.ID)
		}, []string{"HIDDEN", "HIDDEN", "SEEN", "SEEN", "SEEN", "SEEN", "SEEN"}},
		{"guides/DRAFT", func(t *testing.T, tok string) string {
			w := word()
			g := tm.inState(t, "DRAFT", input(map[string]any{"title": "Draft " + w}))
			return seen(s.Do(t, tok, `query($f: GuideFilter) { guides(filter: $f) { edges { node { id } } } }`,
				map[string]any{"f": map[string]any{"search": w}}), g.ID)
		}, []string{"HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN"}},
		{"guides/PUBLISHED", func(t *testing.T, tok string) string {
			w := word()
			g := tm.inState(t, "PUBLISHED", input(map[string]any{"title": "Published " + w}))
			return seen(s.Do(t, tok, `query($f: GuideFilter) { guides(filter: $f) { edges { node { id } } } }`,
				map[string]any{"f": map[string]any{"search": w}}), g.ID)
		}, []string{"SEEN", "SEEN", "SEEN", "SEEN", "SEEN", "SEEN", "SEEN"}},
		{"guides/CLINICIANS", func(t *testing.T, tok string) string {
			w := word()
			g := tm.inState(t, "PUBLISHED", input(map[string]any{"title": "Training " + w, "audience": "CLINICIANS"}))
			return seen(s.Do(t, tok, `query($f: GuideFilter) { guides(filter: $f) { edges { node { id } } } }`,
				map[string]any{"f": map[string]any{"search": w, "audience": "CLINICIANS"}}), g.ID)
		}, []string{"HIDDEN", "HIDDEN", "SEEN", "SEEN", "SEEN", "SEEN", "SEEN"}},
		{"guides/CLINICIANS_by_default", func(t *testing.T, tok string) string {
			w := word()
			g := tm.inState(t, "PUBLISHED", input(map[string]any{"title": "Training " + w, "audience": "CLINICIANS"}))
			return seen(s.Do(t, tok, `query($f: GuideFilter) { guides(filter: $f) { edges { node { id } } } }`,
				map[string]any{"f": map[string]any{"search": w}}), g.ID)
		}, []string{"HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN", "HIDDEN"}},
	}
	for _, op := range ops {
		for i, role := range roles {
			t.Run(op.name+"/"+role+"/"+op.want[i], func(t *testing.T) {
				t.Parallel()
				if got := op.run(t, token[role]); got != op.want[i] {
					t.Fatalf("%s as %s: %s, want %s", op.name, role, got, op.want[i])
				}
			})
		}
	}
}
