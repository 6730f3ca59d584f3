package referrals_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"mlp/internal/apptest"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/page"
	"mlp/internal/referrals"
	"mlp/models"
)

// TestServiceAuthorizationTable calls every operation of the referral
// service directly (no GraphQL, no directive) as every role, on the
// caller's own referral and another's; a refused or hidden call changes no
// table. Own: made by the world's clinician, claimed by its patient, the case
// routed to its advocate's organization. Other: the same by the other
// clinician, patient and organization. Not parallel: those rows compare the
// whole database before and after.
func TestServiceAuthorizationTable(t *testing.T) {
	w := apptest.NewWorld(t)
	svc := w.S.App.Resolver.Referrals
	tb := w.Table(referrals.Policy)
	as := func(p *auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }
	in := models.ReferPatientInput{PatientLabel: "M. G.", Categories: []models.LegalCategory{models.CategoryHousing},
		Screening: []*models.ScreeningAnswer{{Domain: models.DomainHousingAndUtilities, Positive: true}}, Jurisdiction: "CA",
		RecommendedGuideSlugs: []string{}}
	refer := func(clinician *auth.Principal) *models.Referral {
		r, err := svc.ReferPatient(as(clinician), in)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// claimed makes a referral of clinician claimed by patient (sharing
	// its status), the case routed to org.
	claimed := func(clinician, patient *auth.Principal, org *models.Organization) *models.Referral {
		r := refer(clinician)
		c, err := svc.ClaimReferral(as(patient), models.ClaimReferralInput{Code: r.PlainCode, Description: "An eviction notice.",
			ConsentToShare: true, ShareStatusWithReferrer: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.S.DB.Model(c).UpdateColumn("organization_id", org.ID).Error; err != nil {
			t.Fatal(err)
		}
		return r
	}
	own := claimed(w.Principals[models.RoleClinician], w.Principals[models.RolePatient], w.Org)
	other := claimed(w.OtherClinicianP, w.OtherPatientP, w.OtherOrg)
	pick := func(obj authztest.Object) *models.Referral {
		if obj == authztest.Other {
			return other
		}
		return own
	}
	// Who sees a referral: its clinician, whoever sees its case (its
	// patient, the advocates of its organization), an ADMIN.
	visible := func(role models.Role, obj authztest.Object) models.ErrorCode {
		switch {
		case role == models.RoleAdmin:
			return authztest.OK
		case role == models.RoleEditor:
			return models.ENOTFOUND
		}
		return authztest.OwnOnly(role, obj)
	}
	hidden := func(n int, err error) error {
		if err == nil && n == 0 {
			return models.NotFound("Referral")
		}
		return err
	}
	ok := authztest.Always(authztest.OK)

	tb.Matrix("ReferPatient", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.ReferPatient(ctx, in)
		return err
	}))
	tb.Matrix("MyReferrals", authztest.NoObject, ok, authztest.Same(func(ctx context.Context) error {
		_, err := svc.MyReferrals(ctx, page.Args{})
		return err
	}))
	// A fresh referral of the world's clinician (own) or the other one.
	tb.Matrix("CancelReferral", authztest.OwnOther, authztest.OwnOnly, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		by := w.Principals[models.RoleClinician]
		if obj == authztest.Other {
			by = w.OtherClinicianP
		}
		r := refer(by)
		return func(ctx context.Context) error {
			_, err := svc.CancelReferral(ctx, r.ID.String())
			return err
		}
	})
	// The code is the credential: any patient holding one claims it.
	tb.Matrix("ClaimReferral", authztest.NoObject, ok, func(models.Role, authztest.Object) func(context.Context) error {
		r := refer(w.OtherClinicianP)
		return func(ctx context.Context) error {
			_, err := svc.ClaimReferral(ctx, models.ClaimReferralInput{Code: r.PlainCode, Description: "Mold.", ConsentToShare: true})
			return err
		}
	})
	tb.Matrix("ReferralsByID", authztest.OwnOther, visible, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		id := pick(obj).ID
		return func(ctx context.Context) error {
			out, err := svc.ReferralsByID(ctx, []uuid.UUID{id})
			return hidden(len(out), err)
		}
	})
	tb.Matrix("SharedCaseStatuses", authztest.OwnOther, visible, func(_ models.Role, obj authztest.Object) func(context.Context) error {
		id := pick(obj).ID
		return func(ctx context.Context) error {
			out, err := svc.SharedCaseStatuses(ctx, []uuid.UUID{id})
			return hidden(len(out), err)
		}
	})
	t.Logf("%d rows", tb.Run(t))
}
