package live

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// OverlapWindow is how far before the last delivered row a catch-up reads:
// a transaction that committed after a later one carries the earlier time.
const OverlapWindow = 5 * time.Second

// SinceTable is the Since of a stream over table's rows that match where
// (with its args), ordered by (created_at, id): after the row after, or
// after floor (the stream's start, or its after row's time) when after is
// uuid.Nil; never before floor. At most limit ids.
func SinceTable(db *gorm.DB, table, where string, args []any, floor time.Time, limit int) Since {
	return func(ctx context.Context, after uuid.UUID, overlap bool) ([]uuid.UUID, error) {
		q := db.WithContext(ctx).Table(table).Select("id").Where(where, args...)
		var ids []uuid.UUID
		var at time.Time
		if after != uuid.Nil {
			if err := db.WithContext(ctx).Table(table).Select("created_at").Where("id = ?", after).Scan(&at).Error; err != nil {
				return nil, err
			}
		}
		switch {
		case at.IsZero():
			q = q.Where("created_at >= ?", floor)
		case overlap:
			lower := at.Add(-OverlapWindow)
			if lower.Before(floor) {
				lower = floor
			}
			q = q.Where("created_at >= ?", lower)
		default:
			q = q.Where("(created_at, id) > (?, ?)", at, after)
		}
		return ids, q.Order("created_at, id").Limit(limit).Scan(&ids).Error
	}
}
