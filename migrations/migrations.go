// Package migrations holds the SQL migrations, applied in order by goose. They
// are the only way the database schema changes.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
