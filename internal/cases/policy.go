package cases

import (
	"mlp/internal/auth"
	"mlp/internal/database"
	"mlp/models"
)

// Policy is who may call each method of the case service (role x operation).
// Which case (role x object) is Visible's: every query of cases goes through
// it, so a case the caller may not see is NOT_FOUND, never FORBIDDEN.
var Policy = auth.Policy{
	"MyCases":           auth.Roles(models.RolePatient),
	"Case":              auth.SignedIn,
	"CaseQueue":         auth.Roles(models.RoleAdvocate),
	"Cases":             auth.Roles(models.RoleAdmin),
	"RequestLegalHelp":  auth.Roles(models.RolePatient),
	"Open":              auth.Roles(models.RolePatient),
	"Withdraw":          auth.Roles(models.RolePatient),
	"WithdrawOpenFor":   auth.Internal("the erasure's transaction (privacy.DeleteMyAccount authorizes the PATIENT)"),
	"AddMessage":        auth.Roles(models.RolePatient, models.RoleAdvocate),
	"UpdateStatus":      auth.Roles(models.RoleAdvocate, models.RoleAdmin),
	"Assign":            auth.Roles(models.RoleAdvocate, models.RoleAdmin),
	"RecordOutcome":     auth.Roles(models.RoleAdvocate, models.RoleAdmin),
	"Transfer":          auth.Roles(models.RoleAdvocate, models.RoleAdmin),
	"SetDeadline":       auth.Roles(models.RoleAdvocate),
	"RouteWaiting":      auth.Internal("the route-waiting outbox job's work, as the system, inside its unit of work"),
	"EnqueueRouting":    auth.Internal("a hook run inside another service's unit of work after that service authorized"),
	"UseOutbox":         auth.Internal("wiring: the route-waiting jobs' outbox"),
	"SubscribeEvents":   auth.SignedIn,
	"Timelines":         auth.SignedIn,
	"OutcomesByCaseID":  auth.SignedIn,
	"CasesByReferralID": auth.SignedIn,
	"MyConsents":        auth.Roles(models.RolePatient),
	"GrantConsent":      auth.Roles(models.RolePatient),
	"RecordConsent":     auth.Roles(models.RolePatient),
	"RevokeConsent":     auth.Roles(models.RolePatient),
	"Urgent":            auth.Internal("a field of a case the caller has read"),
	"OutcomeNotes":      auth.Internal("a field of an outcome of a case the caller has read; hides by caller"),
	"UseLimiter":        auth.Internal("wiring: the rate limiter"),
	"UseNotifier":       auth.Internal("wiring: the notifier and the reminders' outbox"),
	"ReminderWorker":    auth.Internal("wiring: the outbox worker of deadline reminders (runs as the system)"),
	"QueueWhere":        auth.Internal("the queue's SQL for a principal (built on Visible), for CaseQueue and the compiled reads"),
	"OnFinal":           auth.Internal("wiring: hooks registered at start-up"),
	"UseLive":           auth.Internal("wiring: the process's listener"),
}

// Visible is the visibility scope of cases, "the cases p may see", as a SQL
// condition on the cases row named alias ("cases" for GORM queries of the
// table, a join's "c") with its bind parameters. Its patient sees their own;
// an ADVOCATE the cases routed to their organization; an ADMIN every case;
// anyone else (CLINICIAN, EDITOR, anonymous) none: a referring clinician
// follows a case only through its referral's shared status (consents), never
// the case. Every query of cases takes it: lists, case(id), the locks of
// changes, the loaders, subscription deliveries, referral lookups and the
// compiled reads (graph/compiled).
func Visible(p *auth.Principal, alias string) database.Cond {
	switch {
	case p.Is(models.RolePatient):
		return database.Cond{SQL: alias + ".patient_id = ?", Args: []any{p.ID}}
	case p.Is(models.RoleAdvocate) && p.OrganizationID != nil:
		return database.Cond{SQL: alias + ".organization_id = ?", Args: []any{*p.OrganizationID}}
	case p.Is(models.RoleAdmin):
		return database.True
	}
	return database.False
}

// mayMarkInternal reports whether p may post a message the patient does not
// see: an ADVOCATE (ADMINs do not post on cases at all; see AddMessage).
func mayMarkInternal(p *auth.Principal) bool { return p.Is(models.RoleAdvocate) }

// EventsVisible is the visibility scope of timeline events for a reader p
// who may see their case, as a SQL condition on the case_events row named
// alias: a PATIENT sees only events visible to patients, advocates and
// admins every event, nobody else any.
func EventsVisible(p *auth.Principal, alias string) string {
	switch {
	case p.Is(models.RolePatient):
		return alias + ".visible_to_patient"
	case p.Is(models.RoleAdvocate, models.RoleAdmin):
		return "TRUE"
	}
	return "FALSE"
}

// auditsReads reports whether p's reads of a case are audited: everyone's but
// the case's patient's (a patient sees only their own cases).
func auditsReads(p *auth.Principal) bool { return !p.Is(models.RolePatient) }
