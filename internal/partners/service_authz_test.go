package partners_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/authztest"
	"mlp/internal/partners"
	"mlp/models"
)

// TestServiceAuthorizationTableOverWorld is the partners service's table on
// the shared authorization fixture (apptest.World), run by
// authztest.Table: every role, own and another organization, a refused call
// changes no table at all (a digest of every table). Not parallel.
func TestServiceAuthorizationTableOverWorld(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Partners
	tb := w.Table(partners.Policy)
	ok := authztest.Always(authztest.OK)
	// partnership makes an active partnership of a fresh health system with
	// the world's own organization (or the other one).
	partnership := func(obj authztest.Object) *models.Partnership {
		la := w.Org
		if obj == authztest.Other {
			la = w.OtherOrg
		}
		p := &models.Partnership{HealthSystemID: w.S.Org(t, models.OrgHealthSystem, []string{"CA"}).ID, LegalAidID: la.ID,
			Categories: []models.LegalCategory{models.CategoryHousing}, ServiceAreas: []string{"CA"}, Version: 1}
		if err := w.S.DB.Create(p).Error; err != nil {
			t.Fatal(err)
		}
		return p
	}
	org := func(obj authztest.Object) *models.Organization {
		if obj == authztest.Other {
			return w.OtherOrg
		}
		return w.Org
	}

	tb.Matrix("Partnerships", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.Partnerships(ctx, partners.PartnershipFilter{})
		return err
	}))
	tb.Matrix("CreatePartnership", authztest.OwnOther, ok, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		hs := w.S.Org(t, models.OrgHealthSystem, []string{"CA"})
		return func(ctx context.Context) error {
			_, err := svc.CreatePartnership(ctx, models.CreatePartnershipInput{HealthSystemID: hs.ID.String(), LegalAidID: org(obj).ID.String(),
				Categories: []models.LegalCategory{models.CategoryHousing}, ServiceAreas: []string{"CA"}})
			return err
		}
	})
	tb.Matrix("UpdatePartnership", authztest.OwnOther, ok, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		p := partnership(obj)
		return func(ctx context.Context) error {
			_, err := svc.UpdatePartnership(ctx, models.UpdatePartnershipInput{ID: p.ID.String(),
				Categories: []models.LegalCategory{models.CategoryHousing, models.CategoryFood}})
			return err
		}
	})
	tb.Matrix("EndPartnership", authztest.OwnOther, ok, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		p := partnership(obj)
		return func(ctx context.Context) error {
			_, err := svc.EndPartnership(ctx, p.ID.String())
			return err
		}
	})
	// An ADVOCATE sets the capacity of their own organization only.
	tb.Matrix("SetCapacity", authztest.OwnOther, func(role models.Role, obj authztest.Object) models.ErrorCode {
		if role == models.RoleAdvocate && obj == authztest.Other {
			return models.EFORBIDDEN
		}
		return authztest.OK
	}, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		o := org(obj)
		wait := 10
		return func(ctx context.Context) error {
			_, err := svc.SetCapacity(ctx, o.ID.String(), models.CategoryHousing, models.CapacityWaitlist, &wait)
			return err
		}
	})
	tb.Matrix("HealthSystems", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.HealthSystems(ctx)
		return err
	}))
	tb.Matrix("CapacitiesByOrganizationID", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.CapacitiesByOrganizationID(ctx, []uuid.UUID{w.Org.ID, w.OtherOrg.ID})
		return err
	}))
	t.Logf("%d rows", tb.Run(t))
}
