package database

import (
	"strings"

	"github.com/google/uuid"
)

// UUIDArray writes ids as a PostgreSQL array literal, for a `?::uuid[]`
// parameter (unnest, = ANY): GORM would expand a slice into a list of
// placeholders.
func UUIDArray(ids []uuid.UUID) string {
	var b strings.Builder
	b.Grow(2 + len(ids)*37)
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
