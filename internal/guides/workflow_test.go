package guides_test

import (
	"slices"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/models"
)

func TestEditingPublishedGuide(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	w := word()
	g := tm.published(t, input(map[string]any{"title": "Old title " + w}))
	if g.Version != 1 {
		t.Fatalf("version = %d, want 1", g.Version)
	}

	t.Run("ReadersKeepPublishedTextWhileEditing", func(t *testing.T) {
		var out struct{ UpdateGuide guide }
		tm.update(t, tm.reviewer, g.ID, map[string]any{"title": "New title " + w}, 1).Decode(t, &out)
		if out.UpdateGuide.Status != "DRAFT" || out.UpdateGuide.Version != 2 || *out.UpdateGuide.PublishedVersion != 1 {
			t.Fatalf("after editing a published guide: %+v", out.UpdateGuide)
		}
		pub := tm.read(t, "", g.Slug, nil)
		if pub == nil || pub.Title != "Old title "+w || pub.Status != "PUBLISHED" || pub.Version != 1 {
			t.Fatalf("reader sees %+v, want the published version 1", pub)
		}
		if got := tm.list(t, tm.patient, map[string]any{"search": w}); len(got) != 1 || got[0].Title != "Old title "+w {
			t.Fatalf("search shows %+v, want the published text", got)
		}
		if ed := tm.read(t, tm.author, g.Slug, nil); ed == nil || ed.Title != "New title "+w || ed.Status != "DRAFT" {
			t.Fatalf("editor sees %+v, want the draft", ed)
		}
	})
	t.Run("NewVersionReplacesPublishedText", func(t *testing.T) {
		tm.do(t, tm.author, "submitGuideForReview", g.ID).MustOK(t)
		// The reviewer saved version 2, so a third editor publishes it.
		_, third := s.User(t, models.RoleEditor, s.Org(t, models.OrgLegalAid, []string{"CA"}))
		tm.do(t, tm.reviewer, "publishGuide", g.ID).MustCode(t, "FORBIDDEN")
		tm.do(t, third, "publishGuide", g.ID).MustOK(t)
		pub := tm.read(t, tm.patient, g.Slug, "en")
		if pub == nil || pub.Title != "New title "+w || pub.Version != 2 {
			t.Fatalf("reader sees %+v, want version 2", pub)
		}
	})
	t.Run("RevisionsNewestFirstForEditorsOnly", func(t *testing.T) {
		q := `query($s: String!) { guide(slug: $s) { revisions { version title editor { id } } author { id } } }`
		var out struct{ Guide guide }
		s.Do(t, tm.admin, q, map[string]any{"s": g.Slug}).Decode(t, &out)
		rs := out.Guide.Revisions
		if len(rs) != 2 || rs[0].Version != 2 || rs[1].Version != 1 || rs[0].Editor.ID != tm.reviewerUser.ID.String() ||
			rs[1].Editor.ID != tm.authorUser.ID.String() || out.Guide.Author == nil || out.Guide.Author.ID != tm.authorUser.ID.String() {
			t.Fatalf("revisions %+v author %+v", rs, out.Guide.Author)
		}
		for _, tok := range []string{"", tm.patient, tm.clinician} {
			var out struct{ Guide guide }
			s.Do(t, tok, q, map[string]any{"s": g.Slug}).Decode(t, &out)
			if out.Guide.Revisions != nil || out.Guide.Author != nil {
				t.Fatalf("a reader sees editorial fields: %+v", out.Guide)
			}
		}
	})
	t.Run("ArchiveHidesFromReaders", func(t *testing.T) {
		var out struct{ ArchiveGuide guide }
		tm.do(t, tm.admin, "archiveGuide", g.ID).Decode(t, &out)
		if out.ArchiveGuide.Status != "ARCHIVED" || out.ArchiveGuide.PublishedVersion != nil {
			t.Fatalf("archived: %+v", out.ArchiveGuide)
		}
		if pub := tm.read(t, "", g.Slug, nil); pub != nil {
			t.Fatalf("reader still sees %+v", pub)
		}
		if got := tm.list(t, "", map[string]any{"search": w}); len(got) != 0 {
			t.Fatalf("search still finds %+v", got)
		}
		tm.update(t, tm.author, g.ID, map[string]any{"title": "Again"}, 2).MustCode(t, "CONFLICT")
		tm.do(t, tm.admin, "archiveGuide", g.ID).MustCode(t, "CONFLICT")
	})
	t.Run("AuditedInTheSameTransactions", func(t *testing.T) {
		var actions []string
		if err := s.DB.Model(&models.AuditEntry{}).Where("entity_type = 'Guide' AND entity_id = ?", g.ID).
			Order("at").Pluck("action", &actions).Error; err != nil {
			t.Fatal(err)
		}
		want := []string{"CREATE", "SUBMIT_FOR_REVIEW", "PUBLISH", "UPDATE", "SUBMIT_FOR_REVIEW", "PUBLISH", "ARCHIVE"}
		slices.Sort(actions)
		slices.Sort(want)
		if !slices.Equal(actions, want) {
			t.Fatalf("audit actions %v, want %v", actions, want)
		}
	})
}

func TestUpdateGuide(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)

	t.Run("KeepsRevisionAndRecomputesGrade", func(t *testing.T) {
		g := tm.create(t, tm.author, input(nil))
		var out struct{ UpdateGuide guide }
		hard := "Comprehensive administrative adjudication necessitates extraordinarily sophisticated documentation, notwithstanding considerable institutional complexity."
		tm.update(t, tm.reviewer, g.ID, map[string]any{"body": hard, "jurisdictions": []string{"or", "US"}}, 1).Decode(t, &out)
		u := out.UpdateGuide
		if u.Version != 2 || u.Status != "DRAFT" || u.ReadingGrade <= g.ReadingGrade || !slices.Equal(u.Jurisdictions, []string{"OR", "US"}) {
			t.Fatalf("updated %+v (grade before %v)", u, g.ReadingGrade)
		}
		var n int64
		s.DB.Model(&models.GuideRevision{}).Where("guide_id = ?", g.ID).Count(&n)
		if n != 2 {
			t.Fatalf("%d revisions, want 2", n)
		}
	})
	t.Run("ConflictOnStaleVersion", func(t *testing.T) {
		g := tm.create(t, tm.author, input(nil))
		tm.update(t, tm.author, g.ID, map[string]any{"title": "First edit"}, 1).MustOK(t)
		tm.update(t, tm.reviewer, g.ID, map[string]any{"title": "Lost edit"}, 1).MustCode(t, "CONFLICT")
		if ed := tm.read(t, tm.author, g.Slug, nil); ed.Title != "First edit" || ed.Version != 2 {
			t.Fatalf("after a stale update: %+v", ed)
		}
	})
	t.Run("InReviewStaysInReview", func(t *testing.T) {
		g := tm.inState(t, "IN_REVIEW", input(nil))
		var out struct{ UpdateGuide guide }
		tm.update(t, tm.author, g.ID, map[string]any{"summary": "Shorter."}, 1).Decode(t, &out)
		if out.UpdateGuide.Status != "IN_REVIEW" || out.UpdateGuide.Version != 2 {
			t.Fatalf("%+v", out.UpdateGuide)
		}
	})
	t.Run("BadPatchNamesField", func(t *testing.T) {
		g := tm.create(t, tm.author, input(nil))
		for _, c := range []struct {
			patch map[string]any
			field string
		}{
			{map[string]any{}, "patch"},
			{map[string]any{"title": " "}, "patch.title"},
			{map[string]any{"summary": string(make([]byte, 501))}, "patch.summary"},
			{map[string]any{"body": ""}, "patch.body"},
			{map[string]any{"jurisdictions": []string{}}, "patch.jurisdictions"},
			{map[string]any{"jurisdictions": []string{"XX"}}, "patch.jurisdictions"},
		} {
			r := tm.update(t, tm.author, g.ID, c.patch, 1).MustCode(t, "BAD_USER_INPUT")
			if r.Field() != c.field {
				t.Errorf("patch %v: field %q, want %q", c.patch, r.Field(), c.field)
			}
		}
		if ed := tm.read(t, tm.author, g.Slug, nil); ed.Version != 1 {
			t.Fatalf("a bad patch changed the guide: %+v", ed)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		tm.update(t, tm.author, "8f7b0a4e-1111-4222-8333-944455556666", map[string]any{"title": "x"}, 1).MustCode(t, "NOT_FOUND")
		tm.update(t, tm.author, "not-an-id", map[string]any{"title": "x"}, 1).MustCode(t, "NOT_FOUND")
	})
}

func TestStatusTransitions(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)
	cases := []struct {
		from, op, want string
	}{
		{"DRAFT", "submitGuideForReview", "IN_REVIEW"},
		{"IN_REVIEW", "submitGuideForReview", "CONFLICT"},
		{"PUBLISHED", "submitGuideForReview", "CONFLICT"},
		{"DRAFT", "publishGuide", "CONFLICT"},
		{"IN_REVIEW", "publishGuide", "PUBLISHED"},
		{"PUBLISHED", "publishGuide", "CONFLICT"},
		{"ARCHIVED", "publishGuide", "CONFLICT"},
		{"DRAFT", "archiveGuide", "CONFLICT"},
		{"IN_REVIEW", "archiveGuide", "CONFLICT"},
		{"PUBLISHED", "archiveGuide", "ARCHIVED"},
		{"ARCHIVED", "archiveGuide", "CONFLICT"},
	}
	for _, c := range cases {
		t.Run(c.from+"_"+c.op+"_"+c.want, func(t *testing.T) {
			g := tm.inState(t, c.from, input(nil))
			tok := tm.reviewer
			if c.op == "submitGuideForReview" {
				tok = tm.author
			}
			r := tm.do(t, tok, c.op, g.ID)
			if c.want == "CONFLICT" {
				r.MustCode(t, "CONFLICT")
				return
			}
			if got := apptest.Str(t, r, c.op+".status"); got != c.want {
				t.Fatalf("status %s, want %s", got, c.want)
			}
		})
	}
}

func TestCreateGuide(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	tm := newTeam(t, s)

	t.Run("DraftVersionOne", func(t *testing.T) {
		g := tm.create(t, tm.author, input(map[string]any{"locale": "es-mx", "jurisdictions": []string{"ca", "US", "CA"}}))
		if g.Status != "DRAFT" || g.Version != 1 || g.PublishedVersion != nil || g.Locale != "es-MX" ||
			!slices.Equal(g.Jurisdictions, []string{"CA", "US"}) || g.Audience != "PATIENTS" {
			t.Fatalf("created %+v", g)
		}
	})
	t.Run("ConflictOnSameSlugAndLocale", func(t *testing.T) {
		in := input(nil)
		tm.create(t, tm.author, in)
		s.Do(t, tm.reviewer, `mutation($in: GuideInput!) { createGuide(input: $in) { id } }`, map[string]any{"in": in}).
			MustCode(t, "CONFLICT")
		in["locale"] = "es"
		tm.create(t, tm.reviewer, in) // a translation
	})
	t.Run("BadInputNamesFieldAndWritesNothing", func(t *testing.T) {
		long := func(n int) string {
			b := make([]byte, n)
			for i := range b {
				b[i] = 'a'
			}
			return string(b)
		}
		for _, c := range []struct {
			over  map[string]any
			field string
		}{
			{map[string]any{"slug": "ab"}, "input.slug"},
			{map[string]any{"slug": "Has-Capitals"}, "input.slug"},
			{map[string]any{"slug": "under_score"}, "input.slug"},
			{map[string]any{"slug": "-leading"}, "input.slug"},
			{map[string]any{"slug": long(81)}, "input.slug"},
			{map[string]any{"locale": "not a tag"}, "input.locale"},
			{map[string]any{"locale": ""}, "input.locale"},
			{map[string]any{"title": ""}, "input.title"},
			{map[string]any{"title": long(201)}, "input.title"},
			{map[string]any{"summary": long(501)}, "input.summary"},
			{map[string]any{"body": "   "}, "input.body"},
			{map[string]any{"body": long(100001)}, "input.body"},
			{map[string]any{"jurisdictions": []string{}}, "input.jurisdictions"},
			{map[string]any{"jurisdictions": []string{"CA", "Oregon"}}, "input.jurisdictions"},
		} {
			in := input(c.over)
			r := s.Do(t, tm.author, `mutation($in: GuideInput!) { createGuide(input: $in) { id } }`, map[string]any{"in": in}).
				MustCode(t, "BAD_USER_INPUT")
			if r.Field() != c.field {
				t.Errorf("%v: field %q, want %q", c.over, r.Field(), c.field)
			}
			var n int64
			s.DB.Model(&models.Guide{}).Where("slug = ?", in["slug"]).Count(&n)
			if n != 0 {
				t.Errorf("%v: a guide was written", c.over)
			}
		}
	})
}

// TestMutationTimesMatchLaterReads: PostgreSQL keeps microseconds, so the
// times a mutation answers with are cut to microseconds as well and equal
// those of later reads. The clock has nanoseconds on every tick.
func TestMutationTimesMatchLaterReads(t *testing.T) {
	t.Parallel()
	s := newServer(t, apptest.WithClock(func() time.Time {
		return time.Now().Truncate(time.Microsecond).Add(789 * time.Nanosecond)
	}))
	tm := newTeam(t, s)
	same := func(t *testing.T, what, answered, read string) {
		t.Helper()
		a, err := time.Parse(time.RFC3339Nano, answered)
		if err != nil {
			t.Fatalf("%s answered %q: %v", what, answered, err)
		}
		r, err := time.Parse(time.RFC3339Nano, read)
		if err != nil {
			t.Fatalf("%s read %q: %v", what, read, err)
		}
		if !a.Equal(r) || a.Nanosecond()%1000 != 0 {
			t.Errorf("%s: mutation answered %s, a later read gives %s", what, answered, read)
		}
	}
	w := word()
	g := tm.create(t, tm.author, input(map[string]any{"title": "Times " + w}))
	same(t, "createGuide updatedAt", g.UpdatedAt, tm.read(t, tm.author, g.Slug, nil).UpdatedAt)
	var up struct{ UpdateGuide guide }
	tm.update(t, tm.author, g.ID, map[string]any{"title": "Timing " + w}, 1).Decode(t, &up)
	same(t, "updateGuide updatedAt", up.UpdateGuide.UpdatedAt, tm.read(t, tm.author, g.Slug, nil).UpdatedAt)
	tm.do(t, tm.author, "submitGuideForReview", g.ID).MustOK(t)
	var pub struct{ PublishGuide guide }
	tm.do(t, tm.reviewer, "publishGuide", g.ID).Decode(t, &pub)
	if pub.PublishGuide.PublishedAt == nil {
		t.Fatalf("publishGuide without publishedAt: %+v", pub.PublishGuide)
	}
	at := *pub.PublishGuide.PublishedAt
	ed := tm.read(t, tm.author, g.Slug, nil)
	same(t, "publishGuide updatedAt", pub.PublishGuide.UpdatedAt, ed.UpdatedAt)
	same(t, "publishGuide publishedAt, editor's read", at, *ed.PublishedAt)
	same(t, "publishGuide publishedAt, reader's read", at, *tm.read(t, tm.patient, g.Slug, nil).PublishedAt)
	list := tm.list(t, "", map[string]any{"search": w})
	if len(list) != 1 {
		t.Fatalf("search found %d guides, want 1", len(list))
	}
	same(t, "publishGuide publishedAt, guides list", at, *list[0].PublishedAt)
}
