package guides_test

import (
	"testing"
)

// TestNoNPlusOne lists 5 and then 50 guides with every nested field and
// asserts that both cost the same number of SQL statements.
func TestNoNPlusOne(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	w := word()
	for i := 0; i < 50; i++ {
		g := tm.published(t, input(map[string]any{"title": "Count " + w}))
		tm.published(t, input(map[string]any{"slug": g.Slug, "locale": "es", "title": "Cuenta " + w}))
	}
	count := func(t *testing.T, tok, query string, vars map[string]any, n int) int64 {
		vars["n"] = n
		r, stmts := s.DoCounted(t, tok, query, vars)
		var out map[string]struct {
			Edges []struct{ Node map[string]any }
		}
		r.Decode(t, &out)
		for _, v := range out {
			if len(v.Edges) != n {
				t.Fatalf("listed %d, want %d", len(v.Edges), n)
			}
		}
		return stmts
	}
	// User.organization is left out: it is the accounts area's loader, and
	// its batching of many distinct organizations depends on timing.
	nested := `id title translations { locale title } author { id displayName }
		revisions { version editor { id displayName } }`

	t.Run("PublicSearch", func(t *testing.T) {
		q := `query($n: Int, $f: GuideFilter) { guides(filter: $f, first: $n) { edges { node { ` + nested + ` } } totalCount } }`
		vars := map[string]any{"f": map[string]any{"search": w, "locale": "en"}}
		five, fifty := count(t, tm.reviewer, q, vars, 5), count(t, tm.reviewer, q, vars, 50)
		if five != fifty {
			t.Fatalf("5 guides: %d statements, 50 guides: %d", five, fifty)
		}
		t.Logf("guides with search and every nested field: %d statements for 5 and for 50", five)
	})
	t.Run("EditorGuides", func(t *testing.T) {
		q := `query($n: Int) { editorGuides(first: $n) { edges { node { ` + nested + ` } } } }`
		five, fifty := count(t, tm.admin, q, map[string]any{}, 5), count(t, tm.admin, q, map[string]any{}, 50)
		if five != fifty {
			t.Fatalf("5 guides: %d statements, 50 guides: %d", five, fifty)
		}
		t.Logf("editorGuides with every nested field: %d statements for 5 and for 50", five)
	})
}
