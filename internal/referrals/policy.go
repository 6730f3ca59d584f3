package referrals

import (
	"mlp/internal/auth"
	"mlp/internal/cases"
	"mlp/internal/database"
	"mlp/models"
)

// Policy is who may call each method of the referral service (role x
// operation); which referral is Visible's.
var Policy = auth.Policy{
	"ReferPatient":       auth.Roles(models.RoleClinician),
	"CancelReferral":     auth.Roles(models.RoleClinician),
	"ClaimReferral":      auth.Roles(models.RolePatient),
	"MyReferrals":        auth.Roles(models.RoleClinician),
	"ReferralsByID":      auth.SignedIn,
	"SharedCaseStatuses": auth.SignedIn,
	"UseNotifier":        auth.Internal("wiring: the notifier"),
	"CloseForCase":       auth.Internal("a hook run in the case service's unit of work when a case closes (cases.Service.OnFinal)"),
	"Status":             auth.Internal("a field of a referral the caller has read"),
	"Code":               auth.Internal("a field of a referral the caller has read; masks by caller"),
	"Notes":              auth.Internal("a field of a referral the caller has read; hides by caller"),
}

// Visible is the visibility scope of referrals, as a condition on the
// referrals table under alias: the clinician who made it, whoever may see
// the case opened from it (cases.Visible), and an ADMIN.
func Visible(p *auth.Principal, alias string) database.Cond {
	switch {
	case p == nil:
		return database.False
	case p.Is(models.RoleAdmin):
		return database.True
	}
	byCase := cases.Visible(p, "vc")
	if byCase.IsFalse() {
		return database.Cond{SQL: alias + ".clinician_id = ?", Args: []any{p.ID}}
	}
	return database.Cond{
		SQL:  "(" + alias + ".clinician_id = ? OR EXISTS (SELECT 1 FROM cases vc WHERE vc.referral_id = " + alias + ".id AND " + byCase.SQL + "))",
		Args: append([]any{p.ID}, byCase.Args...),
	}
}

// Mine is the scope of myReferrals: the referrals the caller p made, among
// those p may see (Visible).
func Mine(p *auth.Principal, alias string) database.Cond {
	v := Visible(p, alias)
	if p == nil || v.IsFalse() {
		return database.False
	}
	return database.Cond{SQL: "(" + v.SQL + ") AND " + alias + ".clinician_id = ?", Args: append(append([]any{}, v.Args...), p.ID)}
}

// CodeSQL is Service.Code for a stored referral under alias, as a SQL text
// expression (with ? placeholders and their values) for the compiled reads:
// the masked code with its hint for the referring clinician, the fully
// masked code for anyone else.
func CodeSQL(p *auth.Principal, alias string) database.Cond {
	if p == nil {
		return database.Cond{SQL: "'" + MaskedCode + "'"}
	}
	return database.Cond{SQL: "CASE WHEN " + alias + ".clinician_id = ? THEN '" + maskPrefix + "' || " + alias + ".code_hint ELSE '" + MaskedCode + "' END",
		Args: []any{p.ID}}
}

// NotesVisible is maySeeNotes as a condition on the referral under alias,
// for the compiled reads (Service.Notes is the resolvers' side).
func NotesVisible(p *auth.Principal, alias string) database.Cond {
	switch {
	case p == nil:
		return database.False
	case p.Is(models.RoleAdvocate, models.RoleAdmin):
		return database.Cond{SQL: "(" + alias + ".clinician_id = ? OR " + alias + ".claimed_by IS NOT NULL)", Args: []any{p.ID}}
	}
	return database.Cond{SQL: alias + ".clinician_id = ?", Args: []any{p.ID}}
}

// maySeeNotes reports whether p sees the clinician's notes of referral r,
// which p has read: the referring clinician, and the ADVOCATEs and ADMINs who
// reach a claimed referral through its case; not the patient.
func maySeeNotes(p *auth.Principal, r *models.Referral) bool {
	switch {
	case p == nil:
		return false
	case p.ID == r.ClinicianID:
		return true
	}
	return p.Is(models.RoleAdvocate, models.RoleAdmin) && r.ClaimedByID != nil
}
