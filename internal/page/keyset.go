package page

import (
	"strconv"
	"strings"
)

// RFC3339SQL returns a SQL expression that writes the timestamptz
// expression at as Go writes at.UTC().Format(time.RFC3339Nano): microseconds
// (PostgreSQL's precision) without trailing zeros, no fraction when they are
// all zero, and Z. Compiled reads write times and cursors with it.
func RFC3339SQL(at string) string {
	u := "(" + at + ") AT TIME ZONE 'UTC'"
	return `(to_char(` + u + `, 'YYYY-MM-DD"T"HH24:MI:SS') || coalesce('.' || nullif(rtrim(to_char(` + u + `, 'US'), '0'), ''), '') || 'Z')`
}

// EncodeSQL returns a SQL expression that is Encode of the text expressions
// parts: base64url without padding (PostgreSQL's base64 breaks lines every 76
// characters; translate drops them) of the parts joined by the separator.
func EncodeSQL(parts ...string) string {
	return "rtrim(translate(encode(convert_to(" + strings.Join(parts, " || chr("+strconv.Itoa(int(separator[0]))+") || ") +
		", 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
}

// TimeKeySQL returns a SQL expression that is TimeKey of the timestamptz
// expression at and the uuid expression id.
func TimeKeySQL(at, id string) string {
	return EncodeSQL(RFC3339SQL(at), "("+id+")::text")
}
