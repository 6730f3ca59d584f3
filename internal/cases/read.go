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
	"mlp/internal/page"
	"mlp/models"
)

// MyCases lists the calling PATIENT's cases, newest first, those in one of
// statuses when it is not empty.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (status, first, after).
func (s *Service) MyCases(ctx context.Context, statuses []models.CaseStatus, args page.Args) (page.Page[*models.Case], error) {
	var none page.Page[*models.Case]
	p, err := auth.Require(ctx)
	if err != nil {
		return none, err
	}
	if !validStatuses(statuses) {
		return none, models.InvalidField("status", "Unknown case status.")
	}
	if !p.Is(models.RolePatient) {
		return none, nil // the directive refuses other roles; their own cases are none
	}
	q := s.db.WithContext(ctx).Model(&models.Case{}).Where(Visible(p, "cases"))
	if len(statuses) > 0 {
		q = q.Where("status IN ?", statuses)
	}
	return page.Newest(q, args, "created_at", func(c *models.Case) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID })
}

// Case returns case id to its patient, an advocate of its organization or an
// ADMIN; a read by anyone but the patient is audited.
// Errors: UNAUTHENTICATED, NOT_FOUND (also for a case the caller may not see).
func (s *Service) Case(ctx context.Context, id string) (*models.Case, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	cid, err := parseCaseID(id)
	if err != nil {
		return nil, err
	}
	var c models.Case
	read := func(tx *gorm.DB) error {
		err := tx.Take(&c, "id = ?", cid).Error
		if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !canRead(p, &c)) {
			return models.NotFound("Case")
		}
		return err
	}
	if p.Is(models.RolePatient) {
		err = read(s.db.WithContext(ctx))
	} else {
		err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := read(tx); err != nil {
				return err
			}
			return audit.Record(tx, p, audit.ActionRead, EntityCase, &c.ID)
		})
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CaseQueue lists the open cases routed to the calling ADVOCATE's organization:
// earliest deadline first (which puts the urgent ones first), then oldest.
// Each listed case's read is audited.
// Errors: UNAUTHENTICATED, BAD_USER_INPUT (filter.status, filter.category, first, after).
func (s *Service) CaseQueue(ctx context.Context, f *models.CaseQueueFilter, args page.Args) (page.Page[*models.Case], error) {
	var none page.Page[*models.Case]
	p, err := auth.Require(ctx)
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
	if f == nil {
		f = &models.CaseQueueFilter{}
	}
	if !validStatuses(f.Status) {
		return none, models.InvalidField("filter.status", "Unknown case status.")
	}
	if f.Category != nil && !f.Category.IsValid() {
		return none, models.InvalidField("filter.category", "Unknown legal category.")
	}
	if p.OrganizationID == nil {
		return none, nil
	}
	org := *p.OrganizationID
	urgentBy := models.NewDate(s.now().UTC().Add(models.UrgentWithin))
	queue := func(db *gorm.DB) *gorm.DB {
		q := db.Model(&models.Case{}).Where("organization_id = ? AND "+openCondition, org)
		if len(f.Status) > 0 {
			q = q.Where("status IN ?", f.Status)
		}
		if f.Category != nil {
			q = q.Where("category = ?", *f.Category)
		}
		if f.UrgentOnly != nil && *f.UrgentOnly {
			q = q.Where("deadline <= ?", urgentBy)
		}
		if f.AssignedToMe != nil && *f.AssignedToMe {
			q = q.Where("assigned_advocate_id = ?", p.ID)
		}
		return q
	}
	var total int64
	if args.WithTotal {
		if err := s.db.WithContext(ctx).Scopes(queue).Count(&total).Error; err != nil {
			return none, err
		}
	}
	after := func(db *gorm.DB) *gorm.DB { return db }
	if cur != nil {
		at, id, err := page.TimeCursor(cur[1], cur[2])
		if err != nil {
			return none, err
		}
		if cur[0] == "" {
			after = func(db *gorm.DB) *gorm.DB {
				return db.Where("deadline IS NULL AND (created_at, id) > (?, ?)", at, id)
			}
		} else {
			d, err := models.ParseDate(cur[0])
			if err != nil {
				return none, models.InvalidField("after", "This cursor is not valid.")
			}
			after = func(db *gorm.DB) *gorm.DB {
				return db.Where("(deadline > ? OR deadline IS NULL OR (deadline = ? AND (created_at, id) > (?, ?)))", d, d, at, id)
			}
		}
	}
	var rows []*models.Case
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Scopes(queue, after).Order("deadline ASC NULLS LAST, created_at, id").
			Limit(limit + 1).Find(&rows).Error; err != nil {
			return err
		}
		n := min(len(rows), limit)
		ids := make([]uuid.UUID, n)
		for i := range n {
			ids[i] = rows[i].ID
		}
		return audit.RecordEach(tx, p, audit.ActionRead, EntityCase, ids)
	})
	if err != nil {
		return none, err
	}
	pg := page.Trim(rows, limit, func(c *models.Case) string {
		d := ""
		if c.Deadline != nil {
			d = c.Deadline.String()
		}
		return page.Encode(d, c.CreatedAt.Format(time.RFC3339Nano), c.ID.String())
	})
	pg.Total = int(total)
	return pg, nil
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
// for the timeline dataloader; results and errors line up with keys. A PATIENT
// sees only events visible to patients; the callers have already checked that
// the reader may see each case. Keys with the same page size and cursor (the
// usual nested list: first N of every case) are fetched with one statement, a
// LATERAL join that reads the first N events of each case from the
// (case_id, created_at, id) index.
// Errors per key: BAD_USER_INPUT (first, after).
func (s *Service) Timelines(ctx context.Context, keys []TimelineKey) ([]page.Page[*models.CaseEvent], []error) {
	pages := make([]page.Page[*models.CaseEvent], len(keys))
	errs := make([]error, len(keys))
	p, err := auth.Require(ctx)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return pages, errs
	}
	if !p.Is(models.RolePatient, models.RoleAdvocate, models.RoleAdmin) {
		return pages, errs // nobody else reads a timeline
	}
	visible := EventsVisible(p, "e")

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
		rows, err := s.firstEvents(db, ids, g, visible)
		var totals map[uuid.UUID]int
		// Keys of one group may differ in WithTotal (two aliases of the
		// timeline, one selecting totalCount): count when any asks.
		if err == nil && slices.ContainsFunc(g.keys, func(i int) bool { return keys[i].WithTotal }) {
			totals, err = countEvents(db, ids, visible)
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

// firstEvents reads up to g.limit+1 events of each case, after g's cursor.
func (s *Service) firstEvents(db *gorm.DB, ids []uuid.UUID, g *timelineGroup, visible string) ([]*models.CaseEvent, error) {
	where := "e.case_id = k.id AND " + visible
	vars := []any{uuidArray(ids)}
	if g.after != nil {
		at, id, _ := page.TimeCursor(g.after[0], g.after[1])
		where += " AND (e.created_at, e.id) > (?, ?)"
		vars = append(vars, at, id)
	}
	vars = append(vars, g.limit+1)
	rows, err := db.Raw(fmt.Sprintf(`SELECT `+eventColumns+` FROM unnest(?::uuid[]) AS k(id)
		CROSS JOIN LATERAL (SELECT * FROM case_events e WHERE %s ORDER BY e.created_at, e.id LIMIT ?) e`, where),
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

// countEvents counts the events of each case the reader may see (visible is
// EventsVisible over the alias e).
func countEvents(db *gorm.DB, ids []uuid.UUID, visible string) (map[uuid.UUID]int, error) {
	q := db.Table("case_events e").Select("case_id, count(*) AS n").Where("case_id IN ?", ids).Where(visible).Group("case_id")
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

// OutcomesByCaseID loads the outcomes of many cases, for the outcome dataloader.
func (s *Service) OutcomesByCaseID(ctx context.Context, ids []uuid.UUID) ([]*models.CaseOutcome, error) {
	var out []*models.CaseOutcome
	return out, s.db.WithContext(ctx).Where("case_id IN ?", ids).Find(&out).Error
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

// MyConsents lists the calling PATIENT's consents, revoked ones included,
// newest first.
// Errors: UNAUTHENTICATED.
func (s *Service) MyConsents(ctx context.Context) ([]*models.Consent, error) {
	p, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	var out []*models.Consent
	return out, s.db.WithContext(ctx).Where("patient_id = ?", p.ID).Order("granted_at DESC, id DESC").Find(&out).Error
}

// validStatuses reports whether every status in ss is known.
func validStatuses(ss []models.CaseStatus) bool {
	return !slices.ContainsFunc(ss, func(s models.CaseStatus) bool { return !s.IsValid() })
}
