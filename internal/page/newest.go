package page

import (
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/models"
)

// TimeCursor reads the (time, id) parts of a keyset cursor.
// Errors: BAD_USER_INPUT (after).
func TimeCursor(at, id string) (time.Time, uuid.UUID, error) {
	t, err := time.Parse(time.RFC3339Nano, at)
	u, uerr := uuid.Parse(id)
	if err != nil || uerr != nil {
		return time.Time{}, uuid.Nil, models.InvalidField("after", "This cursor is not valid.")
	}
	return t, u, nil
}

// TimeKey makes the cursor of a row keyed by (at, id).
func TimeKey(at time.Time, id uuid.UUID) string {
	return Encode(at.UTC().Format(time.RFC3339Nano), id.String())
}

// Newest reads one page of q's rows newest first: ordered by (col, id)
// descending, after args' cursor, at most args' limit, with the total when
// args asks for it (a count of q without the cursor). key gives a row's
// (col, id) for its cursor. col is a column name from the caller's code,
// never from input.
// Errors: BAD_USER_INPUT (first, after).
func Newest[T any](q *gorm.DB, args Args, col string, key func(T) (time.Time, uuid.UUID)) (Page[T], error) {
	var none Page[T]
	limit, err := args.Limit()
	if err != nil {
		return none, err
	}
	cur, err := args.Cursor(2)
	if err != nil {
		return none, err
	}
	var total int64
	if args.WithTotal {
		if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
			return none, err
		}
	}
	if cur != nil {
		at, id, err := TimeCursor(cur[0], cur[1])
		if err != nil {
			return none, err
		}
		q = q.Where("("+col+", id) < (?, ?)", at, id)
	}
	var rows []T
	if err := q.Order(col + " DESC, id DESC").Limit(limit + 1).Find(&rows).Error; err != nil {
		return none, err
	}
	p := Trim(rows, limit, func(r T) string { return TimeKey(key(r)) })
	p.Total = int(total)
	return p, nil
}
