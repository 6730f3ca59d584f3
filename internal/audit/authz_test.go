package audit_test

import (
	"context"
	"testing"

	"mlp/internal/apptest"
	"mlp/internal/audit"
	"mlp/internal/authztest"
	"mlp/internal/page"
	"mlp/models"
)

// TestServiceAuthorizationTable calls the audit log reader directly (no
// GraphQL, no directive) as every role, for the whole log and filtered to
// one entity; a refused call changes no table. Not parallel: refused calls
// compare the whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Audit
	tb := w.Table(audit.Policy)
	c := w.OwnCase(t, models.CaseSubmitted)
	entity, id := "Case", c.ID.String()
	tb.Matrix("List", []authztest.Object{authztest.None, authztest.Own}, authztest.Always(authztest.OK),
		func(_ models.Role, obj authztest.Object) func(context.Context) error {
			f := audit.Filter{}
			if obj == authztest.Own {
				f = audit.Filter{EntityType: &entity, EntityID: &id}
			}
			return func(ctx context.Context) error {
				_, err := svc.List(ctx, f, page.Args{})
				return err
			}
		})
	t.Logf("%d rows", tb.Run(t))
}
