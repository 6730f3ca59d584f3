package cases

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/i18n"
	"mlp/internal/notify"
	"mlp/internal/outbox"
	"mlp/internal/unit"
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
// partnership rows and its open-case counters (up to 64 rows, kept by the
// cases_count_open trigger), never a scan of its cases.
const routeCandidates = `SELECT o.id, o.name, coalesce(cap.status, 'ACCEPTING') AS capacity, cap.wait_days,
		EXISTS (SELECT 1 FROM partnerships p
			WHERE p.health_system_id = k.hs AND p.legal_aid_id = o.id AND p.ended_at IS NULL
			AND p.categories @> ARRAY[k.cat] AND p.area_states @> ARRAY[k.jur]
			AND (k.cnt = '{}' OR p.service_areas && (k.jur || k.cnt))) AS partner
	FROM organizations o
	LEFT JOIN organization_capacities cap ON cap.organization_id = o.id AND cap.category = k.cat
	LEFT JOIN LATERAL (SELECT sum(open_cases) AS open_cases FROM organization_open_cases
		WHERE organization_id = o.id) n ON true
	WHERE ` + servesCase + `
	ORDER BY coalesce(cap.status, 'ACCEPTING') <> 'NOT_ACCEPTING' DESC, partner DESC,
		coalesce(n.open_cases, 0), o.created_at, o.id
	LIMIT 1`

// servesCase is the condition that organization o serves the case of k: a
// LEGAL_AID organization that takes its category in its place.
const servesCase = `o.kind = 'LEGAL_AID' AND o.categories @> ARRAY[k.cat] AND o.area_states @> ARRAY[k.jur]
		AND (k.cnt = '{}' OR o.service_areas && (k.jur || k.cnt))`

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
	err := tx.Raw(routeOne, c.Jurisdiction, models.TextArray(c.Counties), string(c.Category), hs, patient).Scan(&r).Error
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

// routeWaiting routes every case that waits for a partner (SUBMITTED, routed
// nowhere) to the partner routeCandidates picks for it now, skipping cases
// another transaction holds; those for which the best is NOT_ACCEPTING, or
// no partner serves, keep waiting. One statement; the open-case counts of the
// tie-break are those when it starts.
const routeWaiting = `WITH k AS (
		SELECT c.id AS case_id, c.jurisdiction AS jur, c.counties AS cnt, c.category AS cat, c.health_system_id AS hs
		FROM cases c WHERE c.organization_id IS NULL AND c.status = 'SUBMITTED'
		FOR UPDATE SKIP LOCKED),
	r AS (SELECT k.case_id, r.id, r.name, r.capacity, r.wait_days
		FROM k CROSS JOIN LATERAL (` + routeCandidates + `) r
		WHERE r.capacity <> 'NOT_ACCEPTING')
	UPDATE cases c SET organization_id = r.id, version = c.version + 1, updated_at = ?
	FROM r, users u WHERE c.id = r.case_id AND u.id = c.patient_id
	RETURNING c.id AS case_id, c.reference, r.id, r.name, r.capacity, r.wait_days, u.preferred_language AS language`

// RoutedCase is a waiting case RouteWaiting routed, and where.
type RoutedCase struct {
	CaseID         uuid.UUID `gorm:"column:case_id"`
	Reference      string
	OrganizationID uuid.UUID `gorm:"column:id"`
	Name           string
	Capacity       models.CapacityStatus
	WaitDays       *int
	// Language is the patient's preferred language (the note's).
	Language string
}

// RouteWaiting routes the cases that wait for a partner, inside tx, to the
// partners that serve them now (see routeWaiting), each with a ROUTED event
// that tells the patient which partner has it and an audit entry of the
// change by the system, and tells the partners' advocates (CASE_ROUTED). The outbox's route-waiting job runs it after a
// partner starts serving an area or category (see EnqueueRouting).
func (s *Service) RouteWaiting(tx *gorm.DB) ([]RoutedCase, error) {
	var routed []RoutedCase
	if err := tx.Raw(routeWaiting, tx.NowFunc()).Scan(&routed).Error; err != nil {
		return nil, err
	}
	if len(routed) == 0 {
		return nil, nil
	}
	events := make([]*models.CaseEvent, len(routed))
	ids := make([]uuid.UUID, len(routed))
	for i, r := range routed {
		note := routedNote(r)
		events[i] = &models.CaseEvent{ID: newID(), CaseID: r.CaseID, Kind: models.EventRouted, Message: &note, VisibleToPatient: true}
		ids[i] = r.CaseID
	}
	if err := tx.Create(&events).Error; err != nil {
		return nil, err
	}
	for _, r := range routed {
		c := &models.Case{ID: r.CaseID, Reference: r.Reference, OrganizationID: &r.OrganizationID}
		if err := s.notifyAdvocates(tx.Statement.Context, tx, c, notify.KindCaseRouted); err != nil {
			return nil, err
		}
	}
	return routed, audit.RecordEach(tx, nil, audit.ActionUpdate, EntityCase, ids)
}

// routedNote is the patient-facing note of a waiting case that was routed,
// in the patient's language.
func routedNote(r RoutedCase) string {
	lang := i18n.Match(r.Language)
	return i18n.Text(lang, "Good news: %s can take your request %s now.", r.Name, r.Reference) + " " +
		expectNote(lang, &routing{Capacity: &r.Capacity, WaitDays: r.WaitDays})
}

// RouteWaitingArgs is the outbox job that routes the waiting cases, enqueued
// when a partner may have started serving an area or category (a partnership
// made or changed, an organization's areas or categories changed, a capacity
// opened). It carries nothing: the job routes every waiting case, and a
// second job of a burst finds nothing left to route.
type RouteWaitingArgs struct{}

// Kind names the job.
func (RouteWaitingArgs) Kind() string { return "cases.route_waiting" }

// UseOutbox registers the route-waiting worker with box and lets
// EnqueueRouting enqueue its jobs. Call it while wiring the application.
func (s *Service) UseOutbox(box *outbox.Outbox) {
	s.box = box
	outbox.Register(box, &routeWorker{s: s})
}

// EnqueueRouting enqueues, inside the caller's transaction tx, the job that
// routes the waiting cases once tx commits. Without an outbox (a tool that
// wired none), it routes them in tx itself.
func (s *Service) EnqueueRouting(ctx context.Context, tx *gorm.DB) error {
	if s.box == nil {
		_, err := s.RouteWaiting(tx.WithContext(ctx))
		return err
	}
	return s.box.Enqueue(ctx, tx, RouteWaitingArgs{}, nil)
}

type routeWorker struct {
	outbox.WorkerDefaults[RouteWaitingArgs]
	s *Service
}

// Work routes the waiting cases in a unit of work of its own, as the system.
func (w *routeWorker) Work(ctx context.Context, _ *outbox.Job[RouteWaitingArgs]) error {
	return unit.Do(ctx, w.s.db, w.s.clock, nil, func(u *unit.Work) error {
		_, err := w.s.RouteWaiting(u.Tx)
		return err
	})
}

// transferTarget reads organization ? when it serves case k (see servesCase),
// with its capacity for the case's category; no row when it does not.
const transferTarget = `SELECT o.id, o.name, coalesce(cap.status, 'ACCEPTING') AS capacity, cap.wait_days
	FROM (SELECT ?::text AS jur, ?::text[] AS cnt, ?::text AS cat) k
	JOIN organizations o ON o.id = ?
	LEFT JOIN organization_capacities cap ON cap.organization_id = o.id AND cap.category = k.cat
	WHERE ` + servesCase

// Transfer passes an open case to another legal-aid partner that serves it
// (its place and category) and is not NOT_ACCEPTING its category, for an
// ADVOCATE of the case's organization (one who would otherwise decline it) or
// an ADMIN, within the patient's SHARE_WITH_LEGAL_PARTNER consent for the
// case. The case goes back to SUBMITTED, unassigned, for the new partner to
// triage: its advocates see it, the old organization's lose it at once (their
// next request answers NOT_FOUND and their subscriptions to it end at the
// transfer's event). The timeline gets the reason as an internal message and
// a TRANSFERRED event that tells the patient which partner has the case now;
// the change is audited.
// Errors: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND (also for a case of another
// organization), BAD_USER_INPUT (reason; organizationId: not a partner that
// serves the case, the case's own, or one not taking its category now),
// CONFLICT (a closed case; the patient revoked the consent to share it).
func (s *Service) Transfer(ctx context.Context, caseID, organizationID, reason string) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "Transfer")
	if err != nil {
		return nil, err
	}
	why := strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(why); n < 1 || n > MaxMessageLen {
		return nil, models.InvalidField("reason", "Say why you transfer the case, in 1 to %d characters.", MaxMessageLen)
	}
	target, perr := uuid.Parse(organizationID)
	// change locks the case through Visible: an advocate of another
	// organization (the target's included) finds no case.
	return s.change(ctx, p, caseID, func(w *unit.Work, c *models.Case) (*models.CaseEvent, map[string]any, error) {
		tx := w.Tx
		if c.Status.IsFinal() {
			return nil, nil, models.Errorf(models.ECONFLICT, "This case is closed (%s).", c.Status)
		}
		if perr != nil {
			return nil, nil, models.InvalidField("organizationId", "Choose a legal aid partner that serves this case.")
		}
		if c.OrganizationID != nil && *c.OrganizationID == target {
			return nil, nil, models.InvalidField("organizationId", "The case is already with this partner.")
		}
		var shared int64
		if err := tx.Model(&models.Consent{}).Where("case_id = ? AND scope = ? AND revoked_at IS NULL", c.ID, models.ConsentShareWithLegalPartner).
			Count(&shared).Error; err != nil {
			return nil, nil, err
		}
		if shared == 0 {
			return nil, nil, models.Errorf(models.ECONFLICT, "The patient no longer shares this case with legal aid partners, so it cannot be transferred.")
		}
		var to []RoutedCase
		if err := tx.Raw(transferTarget, c.Jurisdiction, models.TextArray(c.Counties), string(c.Category), target).Scan(&to).Error; err != nil {
			return nil, nil, err
		}
		switch {
		case len(to) == 0:
			return nil, nil, models.InvalidField("organizationId", "Choose a legal aid partner that serves this case.")
		case to[0].Capacity == models.CapacityNotAccepting:
			return nil, nil, models.InvalidField("organizationId", "This partner is not taking new cases of this kind right now.")
		}
		role := p.Role
		msg := &models.CaseEvent{ID: newID(), CaseID: c.ID, Kind: models.EventMessage, Message: &why,
			ActorID: &p.ID, ActorRole: &role, VisibleToPatient: false}
		if err := tx.Create(msg).Error; err != nil {
			return nil, nil, err
		}
		var fromName string
		if c.OrganizationID != nil {
			if err := tx.Model(&models.Organization{}).Where("id = ?", *c.OrganizationID).Pluck("name", &fromName).Error; err != nil {
				return nil, nil, err
			}
		}
		from, next := c.Status, models.CaseSubmitted
		c.Status, c.OrganizationID, c.AssignedAdvocateID = next, &target, nil
		if err := tx.Model(&models.User{}).Where("id = ?", c.PatientID).Pluck("preferred_language", &to[0].Language).Error; err != nil {
			return nil, nil, err
		}
		to[0].Reference = c.Reference
		note := transferredNote(fromName, to[0])
		ev := &models.CaseEvent{Kind: models.EventTransferred, FromStatus: &from, ToStatus: &next, Message: &note, VisibleToPatient: true}
		return ev, map[string]any{"status": next, "organization_id": target, "assigned_advocate_id": nil}, nil
	})
}

// transferredNote tells the patient, in their language, that their case
// moved from partner from (empty: none had it) to partner to.
func transferredNote(from string, to RoutedCase) string {
	lang := i18n.Match(to.Language)
	var moved string
	if from == "" {
		moved = i18n.Text(lang, "We passed your request %s to %s, who can help with it.", to.Reference, to.Name)
	} else {
		moved = i18n.Text(lang, "%s passed your request %s to %s, who can help with it.", from, to.Reference, to.Name)
	}
	return moved + " " + expectNote(lang, &routing{Capacity: &to.Capacity, WaitDays: to.WaitDays})
}
