package tracing_test

import (
	"testing"

	"mlp/internal/tracing"
)

func TestSanitizeSQL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`SELECT * FROM "users" WHERE email = $1 AND "users"."deleted_at" IS NULL LIMIT 21`:          `SELECT * FROM "users" WHERE email = $1 AND "users"."deleted_at" IS NULL LIMIT ?`,
		`SELECT 'maria@example.org', 'it''s', E'a\'b', x1, t2.c3 FROM t2 WHERE n IN (1, 2.5, 3e-4)`: `SELECT ?, ?, ?, x1, t2.c3 FROM t2 WHERE n IN (?, ?, ?)`,
		"SELECT $$free text$$, $q$more 'x'$q$ -- a comment 'y'\nFROM a /* 42 'z' */ WHERE b = $12":  "SELECT ?, ?  \nFROM a   WHERE b = $12",
		`SELECT "we""ird 5" FROM "x" WHERE a::text = '{"b": 7}'`:                                    `SELECT "we""ird 5" FROM "x" WHERE a::text = ?`,
		`INSERT INTO t (a) VALUES ('unterminated`:                                                   `INSERT INTO t (a) VALUES (?`,
	} {
		if got := tracing.SanitizeSQL(in); got != want {
			t.Errorf("SanitizeSQL(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
