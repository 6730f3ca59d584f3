package cases

import (
	"mlp/internal/i18n"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/models"
)

// Routing: which legal-aid partner a case goes to.
//
// Candidates are the LEGAL_AID organizations whose own service areas cover the
// case's place (its ZIP code's counties, or without a ZIP code its state or
// any county in it) and whose categories include the case's category. Among
// them, in order: those not NOT_ACCEPTING the category; the partners of the
// case's health system by an active partnership whose areas and categories
// cover the case; the fewest open cases; the oldest organization. When the
// first is NOT_ACCEPTING, every partner that serves the case is full.
//
// routeCandidates is that rule, once, for the single case of Open and for
// the set of waiting cases of RouteWaiting. It reads the case's keys from a
// relation k (jur text, cnt text[], cat text, hs uuid) and is one statement
// with them. Each candidate costs index lookups only: its capacity row, its
// partnership rows and its open-case counter (kept by the cases_count_open
// trigger), never a scan of its cases.
const routeCandidates = `SELECT o.id, o.name, coalesce(cap.status, 'ACCEPTING') AS capacity, cap.wait_days,
		EXISTS (SELECT 1 FROM partnerships p
			WHERE p.health_system_id = k.hs AND p.legal_aid_id = o.id AND p.ended_at IS NULL
			AND p.categories @> ARRAY[k.cat] AND p.area_states @> ARRAY[k.jur]
			AND (k.cnt = '{}' OR p.service_areas && (k.jur || k.cnt))) AS partner
	FROM organizations o
	LEFT JOIN organization_capacities cap ON cap.organization_id = o.id AND cap.category = k.cat
	LEFT JOIN organization_open_cases n ON n.organization_id = o.id
	WHERE o.kind = 'LEGAL_AID' AND o.categories @> ARRAY[k.cat] AND o.area_states @> ARRAY[k.jur]
		AND (k.cnt = '{}' OR o.service_areas && (k.jur || k.cnt))
	ORDER BY coalesce(cap.status, 'ACCEPTING') <> 'NOT_ACCEPTING' DESC, partner DESC,
		coalesce(n.open_cases, 0), o.created_at, o.id
	LIMIT 1`

// routeOne routes one case: k's health system is the one given, else the
// patient's. It always returns one row (hs alone when no partner serves).
const routeOne = `SELECT k.hs, r.id, r.name, r.capacity, r.wait_days, r.partner
	FROM (SELECT ?::text AS jur, ?::text[] AS cnt, ?::text AS cat,
		coalesce(?::uuid, (SELECT health_system_id FROM users WHERE id = ?)) AS hs) k
	LEFT JOIN LATERAL (` + routeCandidates + `) r ON true`

// routing is where a case goes: the partner (nil when none can take it), its
// capacity for the case's category, and the health system routing preferred.
type routing struct {
	HealthSystemID *uuid.UUID `gorm:"column:hs"`
	OrganizationID *uuid.UUID `gorm:"column:id"`
	Name           *string
	Capacity       *models.CapacityStatus
	WaitDays       *int
	Partner        *bool
}

// full reports whether partners serve the case but none takes it now.
func (r *routing) full() bool {
	return r.Capacity != nil && *r.Capacity == models.CapacityNotAccepting
}

// route picks the partner of case c (one statement, see routeCandidates):
// hs is the referring clinician's health system, nil for self-intake (then the
// health system of patient). A NOT_ACCEPTING best candidate routes nowhere.
func route(tx *gorm.DB, c *models.Case, hs *uuid.UUID, patient uuid.UUID) (*routing, error) {
	var r routing
	err := tx.Raw(routeOne, c.Jurisdiction, textArray(c.Counties), string(c.Category), hs, patient).Scan(&r).Error
	if err != nil {
		return nil, err
	}
	if r.full() {
		r.OrganizationID = nil
	}
	return &r, nil
}

// textArray writes ss as a PostgreSQL array literal: GORM would expand a slice
// into a list of placeholders. Elements are service-area codes (letters and
// digits), which need no quoting.
func textArray(ss []string) string { return "{" + strings.Join(ss, ",") + "}" }

// createdNote is the patient-facing note of a new case's CREATED event: which
// partner has the case (and the expected wait of a waiting list), or why none
// can take it yet.
func createdNote(lang string, c *models.Case, r *routing) string {
	where := c.Jurisdiction
	if c.ZipCode != nil {
		where = i18n.Text(lang, "your area (ZIP %s)", *c.ZipCode)
	}
	switch {
	case r.OrganizationID != nil:
		return i18n.Text(lang, "We sent your request %s to %s.", c.Reference, *r.Name) + " " + expectNote(lang, r)
	case r.full():
		return i18n.Text(lang, "We saved your request %s. The legal aid partners who take this kind of case in %s "+
			"cannot take new cases right now, so no one is working on it yet. Your request stays open, and we will "+
			"let you know as soon as one of them can take it.", c.Reference, where)
	}
	return i18n.Text(lang, "We saved your request %s. Right now none of our legal aid partners takes this kind of case in %s, "+
		"so no one is working on it yet. Your request stays open, and we will let you know as soon as a partner can take it.",
		c.Reference, where)
}

// expectNote tells the patient what happens next at the partner of r.
func expectNote(lang string, r *routing) string {
	if r.Capacity != nil && *r.Capacity == models.CapacityWaitlist && r.WaitDays != nil {
		return i18n.Text(lang, "They have a waiting list for this kind of case right now: expect to hear from them in about %d days.", *r.WaitDays)
	}
	return i18n.Text(lang, "They will look at it and contact you.")
}
