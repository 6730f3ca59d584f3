package cases

import (
	"context"
	"errors"
	"log/slog"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/live"
	"mlp/internal/unit"
	"mlp/models"
)

// UseLive gives the service the process's listener, for SubscribeEvents.
func (s *Service) UseLive(l *live.Listener, log *slog.Logger) {
	s.live, s.log = l, log
}

// errAccessLost ends a stream whose reader may no longer read the case.
var errAccessLost = errors.New("cases: access to the case lost")

// SubscribeEvents streams the new events of case caseID to a reader of the
// case (its patient, an advocate of its organization, an ADMIN), as their
// transactions commit on any server instance. A PATIENT gets only the events
// visible to patients. The subscription and every event delivered to someone
// other than the patient are audited as reads of the case. Each event is
// authorized when it is delivered, with the caller's current role and
// organization: once the caller may no longer read the case (it moved to
// another organization, or the advocate did), the stream ends. It also ends
// when ctx ends (the client unsubscribed, or the websocket closed at the
// access token's expiry), when the caller's session is revoked or account
// disabled, and when the caller falls live.Buffer events behind. With after
// (the id of an event of the case the client has), it first replays the
// events since that one the caller may see; when the listener reconnects it
// catches up from the database and stays open.
// Errors: UNAUTHENTICATED, NOT_FOUND (also for a case the caller may not see),
// BAD_USER_INPUT (after: not an event of the case).
func (s *Service) SubscribeEvents(ctx context.Context, caseID string, after *string) (<-chan *models.CaseEvent, error) {
	p, err := Policy.Authorize(ctx, "SubscribeEvents")
	if err != nil {
		return nil, err
	}
	cid, err := parseCaseID(caseID)
	if err != nil {
		return nil, err
	}
	if s.live == nil {
		return nil, errors.New("cases: no live listener")
	}
	// Authorize (and audit) first: a registered subscription is a permitted
	// one. Registering then checks the caller's session once more (the
	// listener's Verify), so a revocation racing the start is not missed. An
	// event committed between the two is not delivered; clients reload the
	// timeline after subscribing, as graphql-transport-ws never says when a
	// subscription is live.
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	floor := s.clock.Now().UTC()
	var from uuid.UUID
	if after != nil {
		var ev models.CaseEvent
		id, perr := uuid.Parse(*after)
		if perr != nil || s.db.WithContext(ctx).Take(&ev, "id = ? AND case_id = ?", id, cid).Error != nil {
			return nil, models.InvalidField("after", "This cursor is not valid.")
		}
		from, floor = ev.ID, ev.CreatedAt
	}
	since := live.SinceTable(s.db, "case_events", "case_id = ?", []any{cid}, floor, 500)
	sub, err := s.live.Subscribe(ctx, live.CaseTopic(cid), live.SessionKey(p.SessionID), live.UserKey(p.ID))
	if err != nil {
		return nil, err
	}
	out := make(chan *models.CaseEvent)
	go live.Forward(ctx, sub, out, from, since,
		func(ctx context.Context, id uuid.UUID) (*models.CaseEvent, error) { return s.eventFor(ctx, p, cid, id) },
		func(err error) {
			if !errors.Is(err, errAccessLost) {
				s.log.ErrorContext(ctx, "caseEvents: loading an event failed; stream ended", "err", err)
			}
		})
	return out, nil
}

// eventFor loads event id of case cid for p, checking that p may still read
// the case. It returns nil for an event p may not see (a PATIENT and an
// internal event) and errAccessLost when p may no longer read the case. A
// read by anyone but the patient is audited.
func (s *Service) eventFor(ctx context.Context, p *auth.Principal, cid, id uuid.UUID) (*models.CaseEvent, error) {
	var ev *models.CaseEvent
	err := s.read(ctx, p, func(w *unit.Work) error {
		reader := p
		if !p.Is(models.RolePatient) {
			// Staff as they are now: an advocate moved to another
			// organization (or a demoted account) stops reading at once,
			// not when the socket's token expires.
			now, err := currentStaff(w.Tx, p)
			if err != nil {
				return err
			}
			reader = now
		}
		var c models.Case
		err := w.Tx.Select("id").Scopes(Visible(reader, "cases").Scope).Take(&c, "cases.id = ?", cid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return errAccessLost
		}
		if err != nil {
			return err
		}
		var e models.CaseEvent
		err = w.Tx.Table("case_events e").Where(EventsVisible(reader, "e")).Take(&e, "e.id = ? AND e.case_id = ?", id, cid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // gone, or one the reader may not see
		}
		if err != nil {
			return err
		}
		ev = &e
		if !auditsReads(p) {
			return nil
		}
		return audit.Record(w.Tx, p, audit.ActionRead, EntityCase, &cid)
	})
	return ev, err
}

// currentStaff returns p with its user's current role and organization, or
// errAccessLost when the user is gone or disabled.
func currentStaff(tx *gorm.DB, p *auth.Principal) (*auth.Principal, error) {
	var u models.User
	err := tx.Select("role", "organization_id").Take(&u, "id = ? AND disabled_at IS NULL", p.ID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, errAccessLost
	}
	if err != nil {
		return nil, err
	}
	now := *p
	now.Role, now.OrganizationID = u.Role, u.OrganizationID
	return &now, nil
}
