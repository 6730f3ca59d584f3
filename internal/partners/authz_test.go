package partners_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/accounts"
	"mlp/internal/auth"
	"mlp/internal/authztest"
	"mlp/internal/cases"
	"mlp/internal/clock"
	"mlp/internal/database/dbtest"
	"mlp/internal/partners"
	"mlp/models"
)

// world is one health system and two legal-aid organizations ("own" and
// "other"), a partnership of the health system with own, and one principal
// per role (an ADVOCATE and an EDITOR of own, an ADVOCATE of other).
type world struct {
	db             *gorm.DB
	svc            *partners.Service
	acc            *accounts.Service
	hs, own, other *models.Organization
	partnership    *models.Partnership
	// spareHS has no partnership (CreatePartnership's); toEnd is EndPartnership's.
	spareHS *models.Organization
	toEnd   *models.Partnership
	callers map[string]*auth.Principal
}

var seq int

func org(t *testing.T, db *gorm.DB, kind models.OrganizationKind, areas ...string) *models.Organization {
	t.Helper()
	seq++
	cats := []models.LegalCategory{}
	if kind == models.OrgLegalAid {
		cats = []models.LegalCategory{models.CategoryHousing, models.CategoryFood}
	}
	o := &models.Organization{Name: fmt.Sprintf("%s %d %s", kind, seq, uuid.NewString()[:6]), Kind: kind, ServiceAreas: areas, Categories: cats}
	if err := db.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	return o
}

func user(t *testing.T, db *gorm.DB, role models.Role, o *models.Organization) *auth.Principal {
	t.Helper()
	u := &models.User{Email: fmt.Sprintf("%s-%s@example.test", strings.ToLower(string(role)), uuid.NewString()[:8]), PasswordHash: "x", DisplayName: "T",
		Role: role, PreferredLanguage: "en"}
	if o != nil {
		u.OrganizationID = &o.ID
	}
	if err := db.Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return &auth.Principal{ID: u.ID, Role: role, OrganizationID: u.OrganizationID, ExpiresAt: time.Now().Add(time.Hour)}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := dbtest.Open(t)
	cs := cases.NewService(db, clock.System)
	w := &world{db: db, svc: partners.NewService(db, clock.System, cs), acc: accounts.NewService(db, nil, clock.System), callers: map[string]*auth.Principal{}}
	w.acc.OnServesMore(cs.EnqueueRouting)
	w.hs = org(t, db, models.OrgHealthSystem, "VT")
	w.own = org(t, db, models.OrgLegalAid, "50007")
	w.other = org(t, db, models.OrgLegalAid, "VT")
	w.partnership = &models.Partnership{HealthSystemID: w.hs.ID, LegalAidID: w.own.ID, Categories: []models.LegalCategory{models.CategoryHousing},
		ServiceAreas: []string{"50007"}, Version: 1}
	if err := db.Create(w.partnership).Error; err != nil {
		t.Fatal(err)
	}
	w.spareHS = org(t, db, models.OrgHealthSystem, "VT")
	w.toEnd = &models.Partnership{HealthSystemID: org(t, db, models.OrgHealthSystem, "VT").ID, LegalAidID: w.own.ID,
		Categories: []models.LegalCategory{models.CategoryFood}, ServiceAreas: []string{"50007"}, Version: 1}
	if err := db.Create(w.toEnd).Error; err != nil {
		t.Fatal(err)
	}
	w.callers["anonymous"] = nil
	w.callers["PATIENT"] = user(t, db, models.RolePatient, nil)
	w.callers["CLINICIAN"] = user(t, db, models.RoleClinician, w.hs)
	w.callers["ADVOCATE own"] = user(t, db, models.RoleAdvocate, w.own)
	w.callers["ADVOCATE other"] = user(t, db, models.RoleAdvocate, w.other)
	w.callers["EDITOR"] = user(t, db, models.RoleEditor, w.own)
	w.callers["ADMIN"] = user(t, db, models.RoleAdmin, nil)
	return w
}

// state is what any write of the table could change.
func (w *world) state(t *testing.T) string {
	t.Helper()
	var ps []models.Partnership
	var caps []models.OrganizationCapacity
	var orgs []models.Organization
	var audits int64
	w.db.Order("id").Find(&ps)
	w.db.Order("organization_id, category").Find(&caps)
	w.db.Order("id").Find(&orgs)
	w.db.Model(&models.AuditEntry{}).Count(&audits)
	b, err := json.Marshal([]any{ps, caps, orgs, audits})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAuthorizationTable calls every operation of the partners service (and
// accounts.UpdateOrganization, which routes like them) as every role, on its
// own organization and another's, against the services directly: allowed
// calls succeed, refused ones answer their code and change nothing.
func TestAuthorizationTable(t *testing.T) {
	w := newWorld(t)
	ok, forbidden, unauth := "", "FORBIDDEN", "UNAUTHENTICATED"
	adminOnly := map[string]string{"anonymous": unauth, "PATIENT": forbidden, "CLINICIAN": forbidden, "ADVOCATE own": forbidden,
		"ADVOCATE other": forbidden, "EDITOR": forbidden, "ADMIN": ok}
	public := map[string]string{"anonymous": ok, "PATIENT": ok, "CLINICIAN": ok, "ADVOCATE own": ok, "ADVOCATE other": ok, "EDITOR": ok, "ADMIN": ok}
	capacity := map[string]string{"anonymous": unauth, "PATIENT": forbidden, "CLINICIAN": forbidden, "ADVOCATE own": ok,
		"ADVOCATE other": forbidden, "EDITOR": forbidden, "ADMIN": ok}
	writes := map[string]bool{}
	ops := []struct {
		name  string
		want  map[string]string
		write bool
		call  func(ctx context.Context) error
	}{
		{"Partnerships", adminOnly, false, func(ctx context.Context) error {
			_, err := w.svc.Partnerships(ctx, partners.PartnershipFilter{})
			return err
		}},
		{"CreatePartnership", adminOnly, true, func(ctx context.Context) error {
			_, err := w.svc.CreatePartnership(ctx, models.CreatePartnershipInput{HealthSystemID: w.spareHS.ID.String(), LegalAidID: w.other.ID.String(),
				Categories: []models.LegalCategory{models.CategoryHousing}, ServiceAreas: []string{"VT"}})
			return err
		}},
		{"UpdatePartnership", adminOnly, true, func(ctx context.Context) error {
			_, err := w.svc.UpdatePartnership(ctx, models.UpdatePartnershipInput{ID: w.partnership.ID.String(), ServiceAreas: []string{"50007", "50021"}})
			return err
		}},
		{"EndPartnership", adminOnly, true, func(ctx context.Context) error {
			_, err := w.svc.EndPartnership(ctx, w.toEnd.ID.String())
			return err
		}},
		{"SetCapacity own organization", capacity, true, func(ctx context.Context) error {
			_, err := w.svc.SetCapacity(ctx, w.own.ID.String(), models.CategoryHousing, models.CapacityWaitlist, ptr(10))
			return err
		}},
		{"HealthSystems", public, false, func(ctx context.Context) error {
			_, err := w.svc.HealthSystems(ctx)
			return err
		}},
		{"CapacitiesByOrganizationID", public, false, func(ctx context.Context) error {
			_, err := w.svc.CapacitiesByOrganizationID(ctx, []uuid.UUID{w.own.ID})
			return err
		}},
		{"accounts.UpdateOrganization", adminOnly, true, func(ctx context.Context) error {
			_, err := w.acc.UpdateOrganization(ctx, models.UpdateOrganizationInput{ID: w.other.ID.String(), ServiceAreas: []string{"VT", "NH"}})
			return err
		}},
	}
	rows := 0
	for _, op := range ops {
		writes[op.name] = op.write
		for _, caller := range []string{"anonymous", "PATIENT", "CLINICIAN", "ADVOCATE own", "ADVOCATE other", "EDITOR", "ADMIN"} {
			rows++
			t.Run(op.name+"/"+caller, func(t *testing.T) {
				ctx := context.Background()
				if p := w.callers[caller]; p != nil {
					ctx = auth.WithPrincipal(ctx, p)
				}
				want := op.want[caller]
				before := w.state(t)
				err := op.call(ctx)
				if got := code(err); got != want {
					t.Fatalf("%s as %s: %v (code %q), want %q", op.name, caller, err, got, want)
				}
				if want != ok && w.state(t) != before {
					t.Fatalf("a refused %s changed something:\n%s\n%s", op.name, before, w.state(t))
				}
			})
		}
	}
	t.Logf("%d rows (%d operations x 7 callers)", rows, len(ops))
}

func ptr[T any](v T) *T { return &v }

func code(err error) string {
	if err == nil {
		return ""
	}
	var e *models.Error
	if errors.As(err, &e) {
		return string(e.Code)
	}
	return "internal: " + err.Error()
}

// TestPolicyCoversEveryMethod: every exported method of the service has a
// row in Policy, and every row a method.
func TestPolicyCoversEveryMethod(t *testing.T) {
	authztest.Covers(t, partners.Policy, &partners.Service{})
}
