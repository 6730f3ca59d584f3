package report_test

import (
	"context"
	"testing"
	"time"

	"mlp/internal/apptest"
	"mlp/internal/authztest"
	"mlp/internal/report"
	"mlp/models"
)

// TestServiceAuthorizationTable calls the report service directly (no
// GraphQL, no directive) as every role, for the whole partnership and for
// the caller's own organization and another; a refused call changes no
// table (not even an audit entry). Not parallel: refused calls compare the
// whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Report
	tb := w.Table(report.Policy)
	from, to := models.NewDate(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)), models.NewDate(time.Date(2031, 12, 31, 0, 0, 0, 0, time.UTC))
	// The object: none (the whole partnership), the own legal-aid
	// organization, another's (ADMINs report on any).
	tb.Matrix("PartnershipReport", []authztest.Object{authztest.None, authztest.Own, authztest.Other}, authztest.Always(authztest.OK),
		func(_ models.Role, obj authztest.Object) func(context.Context) error {
			var org *string
			switch obj {
			case authztest.Own:
				id := w.Org.ID.String()
				org = &id
			case authztest.Other:
				id := w.OtherOrg.ID.String()
				org = &id
			}
			return func(ctx context.Context) error {
				_, err := svc.PartnershipReport(ctx, from, to, org)
				return err
			}
		})
	t.Logf("%d rows", tb.Run(t))
}
