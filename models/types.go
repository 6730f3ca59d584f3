package models

import (
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"gorm.io/gorm/schema"
)

var pgTypes = pgtype.NewMap()

func init() {
	schema.RegisterSerializer("textarray", textArraySerializer{})
}

// textArraySerializer maps a Go slice of strings or string enums to a
// PostgreSQL text[] column. Fields opt in with `gorm:"serializer:textarray"`,
// so that models keep plain slice types the GraphQL layer binds to directly.
type textArraySerializer struct{}

// Scan reads a text[] column into the field.
func (textArraySerializer) Scan(ctx context.Context, field *schema.Field, dst reflect.Value, dbValue any) error {
	var s []string
	if dbValue != nil {
		if err := pgTypes.SQLScanner(&s).Scan(dbValue); err != nil {
			return err
		}
	}
	out := reflect.MakeSlice(field.FieldType, len(s), len(s))
	for i, v := range s {
		out.Index(i).SetString(v)
	}
	return field.Set(ctx, dst, out.Interface())
}

// Value writes the field as text[]; nil is written as an empty array.
func (textArraySerializer) Value(_ context.Context, _ *schema.Field, _ reflect.Value, fieldValue any) (any, error) {
	v := reflect.ValueOf(fieldValue)
	out := make([]string, 0, v.Len())
	for i := 0; i < v.Len(); i++ {
		out = append(out, v.Index(i).String())
	}
	return out, nil
}

// TextArray writes ss as a PostgreSQL array literal, for a `?::text[]`
// parameter (GORM would expand a Go slice into a list); quotes and
// backslashes are escaped.
func TextArray(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayEscaper.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

var arrayEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Date is a calendar date (the contract's Date scalar, YYYY-MM-DD), held at
// midnight UTC.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// NewDate returns the date of t in t's location.
func NewDate(t time.Time) Date {
	y, m, d := t.Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return Date{}, fmt.Errorf("dates are written YYYY-MM-DD")
	}
	return Date{t}, nil
}

// String writes YYYY-MM-DD.
func (d Date) String() string { return d.Format(dateLayout) }

// Scan reads a date column.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*d = NewDate(v)
		return nil
	case string:
		p, err := ParseDate(v)
		*d = p
		return err
	case []byte:
		p, err := ParseDate(string(v))
		*d = p
		return err
	}
	return fmt.Errorf("cannot scan %T into Date", src)
}

// Value writes a date column.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// GormDataType tells GORM the column type.
func (Date) GormDataType() string { return "date" }

// USJurisdictions are the state codes the partnership works in: the 50 states,
// DC and Puerto Rico.
var USJurisdictions = map[string]bool{
	"AL": true, "AK": true, "AZ": true, "AR": true, "CA": true, "CO": true, "CT": true,
	"DE": true, "FL": true, "GA": true, "HI": true, "ID": true, "IL": true, "IN": true,
	"IA": true, "KS": true, "KY": true, "LA": true, "ME": true, "MD": true, "MA": true,
	"MI": true, "MN": true, "MS": true, "MO": true, "MT": true, "NE": true, "NV": true,
	"NH": true, "NJ": true, "NM": true, "NY": true, "NC": true, "ND": true, "OH": true,
	"OK": true, "OR": true, "PA": true, "RI": true, "SC": true, "SD": true, "TN": true,
	"TX": true, "UT": true, "VT": true, "VA": true, "WA": true, "WV": true, "WI": true,
	"WY": true, "DC": true, "PR": true,
}

// IsStateCode reports whether s is one of USJurisdictions.
func IsStateCode(s string) bool { return USJurisdictions[s] }
