package guides_test

import (
	"context"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/guides"
	"mlp/internal/page"
	"mlp/models"
)

// TestServiceAuthorizationTable calls every operation of the guides service
// directly (no GraphQL, no directive) as every role, on a guide the calling
// editor wrote (own) and one another editor wrote (other); a refused call
// changes no table. The object half is the two-person rule: an EDITOR does
// not publish what they wrote. Not parallel: refused calls compare the
// whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	newServerMu.Lock()
	w := apptest.NewWorld(t)
	newServerMu.Unlock()
	svc := w.S.App.Resolver.Guides
	tb := w.Table(guides.Policy)
	ok := authztest.Always(authztest.OK)
	_, tok := w.S.User(t, models.RoleEditor, w.Health)
	otherEditor := w.Principal(t, tok)
	as := func(p *auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }
	admin := as(w.Principals[models.RoleAdmin])
	// guide makes a guide written by the world's editor (own) or another
	// editor (other), moved to status.
	guide := func(obj authztest.Object, status models.GuideStatus) *models.Guide {
		author := w.Principals[models.RoleEditor]
		if obj == authztest.Other {
			author = otherEditor
		}
		in := input(nil)
		g, err := svc.CreateGuide(as(author), models.GuideInput{Slug: in["slug"].(string), Locale: "en", Title: in["title"].(string),
			Summary: in["summary"].(string), Body: in["body"].(string), Category: models.CategoryUtilities, Jurisdictions: []string{"CA"}})
		if err == nil && status != models.GuideDraft {
			g, err = svc.SubmitGuideForReview(as(author), g.ID.String())
		}
		if err == nil && (status == models.GuidePublished || status == models.GuideArchived) {
			g, err = svc.PublishGuide(admin, g.ID.String())
		}
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	on := func(status models.GuideStatus, fn func(ctx context.Context, g *models.Guide) error) func(models.Role, authztest.Object) func(context.Context) error {
		return func(_ models.Role, obj authztest.Object) func(context.Context) error {
			g := guide(obj, status)
			return func(ctx context.Context) error { return fn(ctx, g) }
		}
	}
	published := guide(authztest.Own, models.GuidePublished)

	tb.Matrix("Guides", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.Guides(ctx, nil, page.Args{})
		return err
	}))
	tb.Matrix("GuidesStatement", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, _, err := svc.GuidesStatement(ctx, nil, page.Args{})
		return err
	}))
	tb.Matrix("ListStatements", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, _, err := svc.ListStatements(ctx, nil, page.Args{})
		return err
	}))
	tb.Matrix("GuideStatement", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, _, _, err := svc.GuideStatement(ctx, published.Slug, nil)
		return err
	}))
	tb.Matrix("Guide", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		g, err := svc.Guide(ctx, published.Slug, nil)
		if err == nil && g == nil {
			return models.NotFound("Guide")
		}
		return err
	}))
	tb.Matrix("EditorGuides", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.EditorGuides(ctx, nil, page.Args{})
		return err
	}))
	tb.Matrix("CreateGuide", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		in := input(nil)
		_, err := svc.CreateGuide(ctx, models.GuideInput{Slug: in["slug"].(string), Locale: "en", Title: in["title"].(string),
			Summary: in["summary"].(string), Body: in["body"].(string), Category: models.CategoryUtilities, Jurisdictions: []string{"CA"}})
		return err
	}))
	tb.Matrix("UpdateGuide", authztest.OwnOther, ok, on(models.GuideDraft, func(ctx context.Context, g *models.Guide) error {
		title := "A new title for this guide"
		_, err := svc.UpdateGuide(ctx, g.ID.String(), models.GuidePatch{Title: &title}, g.Version)
		return err
	}))
	tb.Matrix("SubmitGuideForReview", authztest.OwnOther, ok, on(models.GuideDraft, func(ctx context.Context, g *models.Guide) error {
		_, err := svc.SubmitGuideForReview(ctx, g.ID.String())
		return err
	}))
	tb.Matrix("PublishGuide", authztest.OwnOther, func(role models.Role, obj authztest.Object) models.ErrorCode {
		if role == models.RoleEditor && obj == authztest.Own {
			return models.EFORBIDDEN // the two-person rule
		}
		return authztest.OK
	}, on(models.GuideInReview, func(ctx context.Context, g *models.Guide) error {
		_, err := svc.PublishGuide(ctx, g.ID.String())
		return err
	}))
	tb.Matrix("ArchiveGuide", authztest.OwnOther, ok, on(models.GuidePublished, func(ctx context.Context, g *models.Guide) error {
		_, err := svc.ArchiveGuide(ctx, g.ID.String())
		return err
	}))
	t.Logf("%d rows", tb.Run(t))
}
