package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/audit"
	"mlp/internal/auth"
	"mlp/internal/database"
	"mlp/internal/page"
	"mlp/internal/unit"
	"mlp/models"
)

// MyCases lists the calling PATIENT's cases, newest first, those in one of
// statuses when it is not empty.
// Errors: UNAUTHENTICATED, FORBIDDEN (not a PATIENT), BAD_USER_INPUT (status,
// first, after).
func (s *Service) MyCases(ctx context.Context, statuses []models.CaseStatus, args page.Args) (page.Page[*models.Case], error) {
	var none page.Page[*models.Case]
	p, err := Policy.Authorize(ctx, "MyCases")
	if err != nil {
		return none, err
	}
	if !validStatuses(statuses) {
		return none, models.InvalidField("status", "Unknown case status.")
	}
	q := s.db.WithContext(ctx).Model(&models.Case{}).Scopes(Visible(p, "cases").Scope)
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	return page.Newest(q, args, "created_at", func(c *models.Case) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID })
}

// Case returns case id to whoever may see it (Visible: its patient, an
// advocate of its organization, an ADMIN); a read by anyone but the patient
// is audited in the read's transaction.
// Errors: UNAUTHENTICATED, NOT_FOUND (also for a case the caller may not see).
func (s *Service) Case(ctx context.Context, id string) (*models.Case, error) {
	p, err := Policy.Authorize(ctx, "Case")
	if err != nil {
		return nil, err
	}
	cid, err := parseCaseID(id)
	if err != nil {
		return nil, err
	}
	var c models.Case
	err = s.read(ctx, p, func(w *unit.Work) error {
		err := w.Tx.Scopes(Visible(p, "cases").Scope).Take(&c, "cases.id = ?", cid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return models.NotFound("Case")
		}
		if err != nil || !auditsReads(p) {
			return err
		}
		return audit.Record(w.Tx, p, audit.ActionRead, EntityCase, &c.ID)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CaseQueue lists the open cases routed to the calling ADVOCATE's organization:
// earliest deadline first (which puts the urgent ones first), then oldest.
// Each listed case's read is audited.
// Errors: UNAUTHENTICATED, FORBIDDEN (not an ADVOCATE), BAD_USER_INPUT
// (filter.status, filter.category, first, after).
func (s *Service) CaseQueue(ctx context.Context, f *models.CaseQueueFilter, args page.Args) (page.Page[*models.Case], error) {
	var none page.Page[*models.Case]
	p, err := Policy.Authorize(ctx, "CaseQueue")
	if err != nil {
		return none, err
	}
	limit, err := args.Limit()
	if err != nil {
		return none, err
	}
	cur, err := args.Cursor(3)
	if err != nil {
		return none, err
	}
	where, whereArgs, err := s.QueueWhere(p, f, "cases")
	if err != nil {
		return none, err
	}
	afterSQL, afterArgs, err := QueueAfter(cur, "cases")
	if err != nil {
		return none, err
	}
	queue := func(db *gorm.DB) *gorm.DB { return db.Model(&models.Case{}).Where(where, whereArgs...) }
	after := func(db *gorm.DB) *gorm.DB { return db.Where(afterSQL, afterArgs...) }
	var rows []*models.Case
	var total int64
	err = unit.Do(ctx, s.db, s.clock, p, func(w *unit.Work) error {
		if args.WithTotal {
			if err := w.Tx.Scopes(queue).Count(&total).Error; err != nil {
				return err
			}
		}
		if err := w.Tx.Scopes(queue, after).Order(QueueOrder("cases")).
			Limit(limit + 1).Find(&rows).Error; err != nil {
			return err
		}
		n := min(len(rows), limit)
		ids := make([]uuid.UUID, n)
		for i := range n {
			ids[i] = rows[i].ID
		}
		return audit.RecordEach(w.Tx, p, audit.ActionRead, EntityCase, ids)
	})
	if err != nil {
		return none, err
	}
	pg := page.Trim(rows, limit, func(c *models.Case) string {
		d := ""
		if c.Deadline != nil {
			d = c.Deadline.String()
		}
		return page.Encode(d, c.CreatedAt.UTC().Format(time.RFC3339Nano), c.ID.String())
	})
	pg.Total = int(total)
	return pg, nil
}

// QueueWhere is the case queue's condition on the cases row named alias,
// with ? placeholders and their values: the cases p may see (Visible) that
// are open, narrowed by f. CaseQueue and the compiled reads (graph/compiled)
// both page it. Errors: BAD_USER_INPUT (filter.status, filter.category).
func (s *Service) QueueWhere(p *auth.Principal, f *models.CaseQueueFilter, alias string) (string, []any, error) {
	if f == nil {
		f = &models.CaseQueueFilter{}
	}
	if !validStatuses(f.Status) {
		return "", nil, models.InvalidField("filter.status", "Unknown case status.")
	}
	if f.Category != nil && !f.Category.IsValid() {
		return "", nil, models.InvalidField("filter.category", "Unknown legal category.")
	}
	if p == nil || p.OrganizationID == nil {
		return "FALSE", nil, nil // a queue is an organization's
	}
	v := Visible(p, alias)
	where, args := v.SQL, v.Args
	where += " AND " + alias + "." + openCondition
	if len(f.Status) > 0 {
		where += " AND " + alias + ".status IN ?"
		args = append(args, f.Status)
	}
	if f.Category != nil {
		where += " AND " + alias + ".category = ?"
		args = append(args, *f.Category)
	}
	if f.UrgentOnly != nil && *f.UrgentOnly {
		where += " AND " + alias + ".deadline <= ?"
		args = append(args, models.NewDate(s.clock.Now().Add(models.UrgentWithin)))
	}
	if f.AssignedToMe != nil && *f.AssignedToMe {
		where += " AND " + alias + ".assigned_advocate_id = ?"
		args = append(args, p.ID)
	}
	return where, args, nil
}

// QueueOrder is the case queue's order of the cases rows named alias:
// earliest deadline first (the urgent ones first), then oldest.
func QueueOrder(alias string) string {
	return alias + ".deadline ASC NULLS LAST, " + alias + ".created_at, " + alias + ".id"
}

// QueueAfter is the condition of the rows after the queue cursor cur (its
// three parts; nil for none) on the cases row named alias.
// Errors: BAD_USER_INPUT (after).
func QueueAfter(cur []string, alias string) (string, []any, error) {
	if cur == nil {
		return "TRUE", nil, nil
	}
	at, id, err := page.TimeCursor(cur[1], cur[2])
	if err != nil {
		return "", nil, err
	}
	key := "(" + alias + ".created_at, " + alias + ".id) > (?, ?)"
	if cur[0] == "" {
		return alias + ".deadline IS NULL AND " + key, []any{at, id}, nil
	}
	d, err := models.ParseDate(cur[0])
	if err != nil {
		return "", nil, models.InvalidField("after", "This cursor is not valid.")
	}
	return "(" + alias + ".deadline > ? OR " + alias + ".deadline IS NULL OR (" + alias + ".deadline = ? AND " + key + "))",
		[]any{d, d, at, id}, nil
}

// QueueCursorSQL is the SQL expression of a queue row's cursor, as
// CaseQueue writes it, for the cases row named alias.
func QueueCursorSQL(alias string) string {
	return page.EncodeSQL("coalesce(to_char("+alias+".deadline, 'YYYY-MM-DD'), '')", page.RFC3339SQL(alias+".created_at"), alias+".id::text")
}

// TimelineKey asks for one page of one case's timeline; the timeline loader
// batches many of them.
type TimelineKey struct {
	CaseID uuid.UUID
	// First is the page size asked for, -1 when the client gave none.
	First int
	After string
	// WithTotal asks for the number of events the reader may see.
	WithTotal bool
}

// NewTimelineKey makes the key of a timeline page of case id.
func NewTimelineKey(id uuid.UUID, args page.Args) TimelineKey {
	k := TimelineKey{CaseID: id, First: -1, WithTotal: args.WithTotal}
	if args.First != nil {
		k.First = *args.First
	}
	if args.After != nil {
		k.After = *args.After
	}
	return k
}

func (k TimelineKey) args() page.Args {
	a := page.Args{WithTotal: k.WithTotal}
	if k.First >= 0 {
		a.First = &k.First
	}
	if k.After != "" {
		a.After = &k.After
	}
	return a
}

// timelineGroup is the keys of one batch that share a page size and cursor:
// they are fetched with one statement.
type timelineGroup struct {
	limit int
	after []string
	keys  []int // indexes into the batch's keys
}

// Timelines returns pages of the timelines of many cases, oldest event first,
// for the timeline dataloader; results and errors line up with keys. Only
// cases the reader may see (Visible) have events; a PATIENT sees only events
// visible to patients. Keys with the same page size and cursor (the
// usual nested list: first N of every case) are fetched with one statement, a
// LATERAL join that reads the first N events of each case from the
// (case_id, created_at, id) index.
// Errors per key: BAD_USER_INPUT (first, after).
func (s *Service) Timelines(ctx context.Context, keys []TimelineKey) ([]page.Page[*models.CaseEvent], []error) {
	pages := make([]page.Page[*models.CaseEvent], len(keys))
	errs := make([]error, len(keys))
	p, err := Policy.Authorize(ctx, "Timelines")
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return pages, errs
	}
	visible := Visible(p, "c")
	if visible.IsFalse() {
		return pages, errs // sees no case, so no timeline
	}
	events := EventsVisible(p, "e")

	groups := map[string]*timelineGroup{}
	for i, k := range keys {
		a := k.args()
		limit, err := a.Limit()
		if err == nil {
			var cur []string
			cur, err = a.Cursor(2)
			if err == nil && cur != nil {
				_, _, err = page.TimeCursor(cur[0], cur[1])
			}
			if err == nil {
				gk := strconv.Itoa(limit) + "|" + k.After
				g := groups[gk]
				if g == nil {
					g = &timelineGroup{limit: limit, after: cur}
					groups[gk] = g
				}
				g.keys = append(g.keys, i)
			}
		}
		errs[i] = err
	}

	db := s.db.WithContext(ctx)
	for _, g := range groups {
		ids := make([]uuid.UUID, len(g.keys))
		for j, i := range g.keys {
			ids[j] = keys[i].CaseID
		}
		rows, err := s.firstEvents(db, visible, events, ids, g)
		var totals map[uuid.UUID]int
		// Keys of one group may differ in WithTotal (two aliases of the
		// timeline, one selecting totalCount): count when any asks.
		if err == nil && slices.ContainsFunc(g.keys, func(i int) bool { return keys[i].WithTotal }) {
			totals, err = countEvents(db, visible, events, ids)
		}
		byCase := map[uuid.UUID][]*models.CaseEvent{}
		for _, e := range rows {
			byCase[e.CaseID] = append(byCase[e.CaseID], e)
		}
		for _, i := range g.keys {
			if err != nil {
				errs[i] = err
				continue
			}
			id := keys[i].CaseID
			pages[i] = page.Trim(byCase[id], g.limit, eventCursor)
			pages[i].Total = totals[id]
		}
	}
	return pages, errs
}

// uuidArray writes ids as a PostgreSQL array literal: GORM would expand a
// slice into a list of placeholders.
func uuidArray(ids []uuid.UUID) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}

func eventCursor(e *models.CaseEvent) string {
	return page.TimeKey(e.CreatedAt, e.ID)
}

// firstEvents reads up to g.limit+1 events of each case visible (Visible over
// the alias c) among ids that the reader may see (events: EventsVisible over
// the alias e), after g's cursor.
func (s *Service) firstEvents(db *gorm.DB, visible database.Cond, events string, ids []uuid.UUID, g *timelineGroup) ([]*models.CaseEvent, error) {
	where := "e.case_id = k.id AND " + events
	vars := append([]any{uuidArray(ids)}, visible.Args...)
	if g.after != nil {
		at, id, _ := page.TimeCursor(g.after[0], g.after[1])
		where += " AND (e.created_at, e.id) > (?, ?)"
		vars = append(vars, at, id)
	}
	vars = append(vars, g.limit+1)
	rows, err := db.Raw(fmt.Sprintf(`SELECT `+eventColumns+` FROM unnest(?::uuid[]) AS k(id)
		JOIN cases c ON c.id = k.id AND %s
		CROSS JOIN LATERAL (SELECT * FROM case_events e WHERE %s ORDER BY e.created_at, e.id LIMIT ?) e`, visible.SQL, where),
		vars...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*models.CaseEvent
	for rows.Next() {
		e := &models.CaseEvent{}
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Kind, &e.FromStatus, &e.ToStatus, &e.Message,
			&e.ActorID, &e.ActorRole, &e.VisibleToPatient, &e.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// eventColumns are the columns of models.CaseEvent in the order firstEvents
// scans them: timelines are the hottest read (every case list carries them),
// and scanning them by hand spares GORM's reflection per row. A test checks
// that the list covers the model (TestEventColumnsCoverTheModel).
const eventColumns = `e.id, e.case_id, e.kind, e.from_status, e.to_status, e.message,
	e.actor_id, e.actor_role, e.visible_to_patient, e.created_at`

// countEvents counts the events of each case visible (Visible over the alias
// c) among ids that the reader may see (events: EventsVisible over the alias
// e).
func countEvents(db *gorm.DB, visible database.Cond, events string, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	q := db.Table("case_events e").Select("e.case_id, count(*) AS n").
		Where("e.case_id IN (SELECT c.id FROM cases c WHERE c.id IN ? AND "+visible.SQL+")", append([]any{ids}, visible.Args...)...).
		Where(events).Group("e.case_id")
	var rows []struct {
		CaseID uuid.UUID
		N      int
	}
	if err := q.Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		out[r.CaseID] = r.N
	}
	return out, nil
}

// OutcomesByCaseID loads the outcomes of the cases among ids that the caller
// may see (Visible), for the outcome dataloader.
// Errors: UNAUTHENTICATED.
func (s *Service) OutcomesByCaseID(ctx context.Context, ids []uuid.UUID) ([]*models.CaseOutcome, error) {
	p, err := Policy.Authorize(ctx, "OutcomesByCaseID")
	if err != nil {
		return nil, err
	}
	visible := Visible(p, "c")
	if visible.IsFalse() {
		return nil, nil
	}
	var out []*models.CaseOutcome
	return out, s.db.WithContext(ctx).
		Where("case_id IN (SELECT c.id FROM cases c WHERE c.id IN ? AND "+visible.SQL+")", append([]any{ids}, visible.Args...)...).
		Find(&out).Error
}

// OutcomeNotes returns the notes of outcome o as the caller may read them
// (models.CaseOutcome.NotesFor): the outcome comes from a case the caller has
// read; a PATIENT sees only notes marked for them.
func (s *Service) OutcomeNotes(ctx context.Context, o *models.CaseOutcome) *string {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil
	}
	return o.NotesFor(p.Role)
}

// validStatuses reports whether every status in ss is known.
func validStatuses(ss []models.CaseStatus) bool {
	return !slices.ContainsFunc(ss, func(s models.CaseStatus) bool { return !s.IsValid() })
}
