package database_test

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm/schema"

	"mlp/internal/database/dbtest"
	"mlp/models"
)

// tablesWithoutModel are tables the application reads without a GORM model:
// goose's own bookkeeping. River's tables (river_*, the outbox: package
// outbox) have none either.
var tablesWithoutModel = map[string]bool{"goose_db_version": true}

type column struct {
	Name     string
	UDTName  string // the underlying type: "uuid", "text", "_text", "timestamptz", "int8", ...
	Nullable bool
	// Generated columns (GENERATED ALWAYS AS ... STORED) are written by
	// PostgreSQL alone; a model may leave them out.
	Generated bool
}

// TestModelsMatchMigrations compares GORM's view of every model in
// models.Tables() with the tables the migrations made: each field has its
// column, of a compatible type and nullability (a pointer is nullable, a
// plain value NOT NULL), each column has its field, and each table its model.
// A model added to models.Tables() is checked without touching this test.
func TestModelsMatchMigrations(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	tables := migratedColumns(t)
	modelled := map[string]bool{}
	cache := &sync.Map{}
	for _, m := range models.Tables() {
		s, err := schema.Parse(m, cache, db.NamingStrategy)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		t.Run(s.Name, func(t *testing.T) {
			if modelled[s.Table] {
				t.Fatalf("table %s has two models", s.Table)
			}
			modelled[s.Table] = true
			cols, ok := tables[s.Table]
			if !ok {
				t.Fatalf("model %s maps to table %s, which no migration creates", s.Name, s.Table)
			}
			for _, p := range compare(s, cols) {
				t.Error(p)
			}
		})
	}
	t.Run("EveryTableHasAModel", func(t *testing.T) {
		for name := range tables {
			if !modelled[name] && !tablesWithoutModel[name] && !strings.HasPrefix(name, "river_") {
				t.Errorf("table %s has no model in models.Tables() (register it in its model file's init)", name)
			}
		}
	})
}

// driftedSession is models.Session as it would look after careless edits.
type driftedSession struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey"`
	UserID    *uuid.UUID `gorm:"type:uuid"` // nullable field, NOT NULL column
	ExpiresAt string     // text field, timestamptz column
	RevokedAt time.Time  // NOT NULL field, nullable column
	Reason    string     // no such column
	// CreatedAt is missing.
}

func (driftedSession) TableName() string { return "sessions" }

// TestComparisonCatchesDrift shows that the comparison fails on each kind of
// drift between a model and its table.
func TestComparisonCatchesDrift(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	s, err := schema.Parse(&driftedSession{}, &sync.Map{}, db.NamingStrategy)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(compare(s, migratedColumns(t)["sessions"]), "\n")
	for _, want := range []string{
		"driftedSession.UserID (*uuid.UUID): the column sessions.user_id is NOT NULL, the field says nullable",
		"driftedSession.ExpiresAt (string) vs column sessions.expires_at (timestamptz)",
		"driftedSession.RevokedAt (time.Time): the column sessions.revoked_at is nullable, the field says NOT NULL",
		"driftedSession.Reason: table sessions has no column reason",
		"column sessions.created_at has no field in model driftedSession",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "driftedSession.ID") {
		t.Errorf("the matching ID was reported:\n%s", got)
	}
}

func TestCanonicalTypeNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"uuid": "uuid", "TEXT[]": "_text", "timestamp with time zone": "timestamptz", "timestamptz": "timestamptz",
		"varchar(20)": "varchar", "varchar(20)[]": "_varchar", "numeric(10,2)": "numeric", "bigint": "int8", "jsonb": "jsonb",
	} {
		if got := canonical(in); got != want {
			t.Errorf("canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

// migratedColumns returns the columns of the migrated test database, by table.
func migratedColumns(t *testing.T) map[string]map[string]column {
	t.Helper()
	var rows []struct {
		TableName, ColumnName, UdtName, IsNullable, IsGenerated string
	}
	if err := dbtest.Open(t).Raw(`SELECT c.table_name, c.column_name, c.udt_name, c.is_nullable, c.is_generated
		FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	tables := map[string]map[string]column{}
	for _, r := range rows {
		if tables[r.TableName] == nil {
			tables[r.TableName] = map[string]column{}
		}
		tables[r.TableName][r.ColumnName] = column{Name: r.ColumnName, UDTName: r.UdtName, Nullable: r.IsNullable == "YES",
			Generated: r.IsGenerated == "ALWAYS"}
	}
	return tables
}

// compare lists the differences between a parsed model and its table's columns.
func compare(s *schema.Schema, cols map[string]column) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	mapped := map[string]bool{}
	for _, f := range s.Fields {
		if f.DBName == "" {
			continue // a relation or an ignored field
		}
		mapped[f.DBName] = true
		col, ok := cols[f.DBName]
		if !ok {
			add("%s.%s: table %s has no column %s", s.Name, f.Name, s.Table, f.DBName)
			continue
		}
		if msg := typeMismatch(f, col); msg != "" {
			add("%s.%s (%s) vs column %s.%s (%s): %s", s.Name, f.Name, f.FieldType, s.Table, col.Name, col.UDTName, msg)
		}
		if want := nullable(f); want != col.Nullable {
			add("%s.%s (%s): the column %s.%s is %s, the field says %s",
				s.Name, f.Name, f.FieldType, s.Table, col.Name, nullWord(col.Nullable), nullWord(want))
		}
		if f.NotNull && col.Nullable {
			add("%s.%s is tagged not null but %s.%s is nullable", s.Name, f.Name, s.Table, col.Name)
		}
	}
	var unmapped []string
	for name, c := range cols {
		if !mapped[name] && !c.Generated {
			unmapped = append(unmapped, name)
		}
	}
	sort.Strings(unmapped)
	for _, name := range unmapped {
		add("column %s.%s has no field in model %s", s.Table, name, s.Name)
	}
	return out
}

func nullWord(nullable bool) string {
	if nullable {
		return "nullable"
	}
	return "NOT NULL"
}

// nullable reports whether a field holds NULL: a pointer, or one of the
// database/sql Null types.
func nullable(f *schema.Field) bool {
	if f.FieldType.Kind() == reflect.Pointer {
		return true
	}
	if f.FieldType.PkgPath() == "database/sql" && strings.HasPrefix(f.FieldType.Name(), "Null") {
		return true
	}
	return false
}

var (
	uuidType       = reflect.TypeFor[uuid.UUID]()
	timeType       = reflect.TypeFor[time.Time]()
	dateType       = reflect.TypeFor[models.Date]()
	rawJSONType    = reflect.TypeFor[json.RawMessage]()
	bytesType      = reflect.TypeFor[[]byte]()
	valuerType     = reflect.TypeFor[driver.Valuer]()
	nullTimeType   = reflect.TypeFor[sql.NullTime]()
	nullStringType = reflect.TypeFor[sql.NullString]()
)

// typeMismatch explains why a field cannot hold its column, or returns "".
// The column's type is known by its udt_name. A type tag on the field, when
// present, must name the column's type as well.
func typeMismatch(f *schema.Field, col column) string {
	if tag := f.TagSettings["TYPE"]; tag != "" {
		if want := canonical(tag); want != col.UDTName {
			return fmt.Sprintf("the type tag says %s (%s)", tag, want)
		}
	}
	allowed := goColumnTypes(f)
	if allowed == nil {
		return "no known column type for this Go type; give the field a type tag or teach this test the type"
	}
	for _, a := range allowed {
		if a == col.UDTName {
			return ""
		}
	}
	return fmt.Sprintf("a %s field goes in a column of type %s", f.IndirectFieldType, strings.Join(allowed, " or "))
}

// goColumnTypes lists the udt_names a field's Go type may be stored in.
func goColumnTypes(f *schema.Field) []string {
	t := f.IndirectFieldType
	if f.Serializer != nil {
		if f.TagSettings["SERIALIZER"] == "textarray" {
			return []string{"_text"}
		}
		if f.TagSettings["SERIALIZER"] == "json" {
			return []string{"jsonb", "json"}
		}
	}
	switch t {
	case uuidType:
		return []string{"uuid"}
	case timeType, nullTimeType:
		// Timestamps carry their zone; a plain timestamp would shift.
		return []string{"timestamptz"}
	case dateType:
		return []string{"date"}
	case rawJSONType:
		return []string{"jsonb", "json"}
	case bytesType:
		return []string{"bytea", "jsonb", "json"}
	case nullStringType:
		return []string{"text", "varchar", "citext"}
	}
	switch t.Kind() {
	case reflect.String:
		return []string{"text", "varchar", "citext", "bpchar"}
	case reflect.Bool:
		return []string{"bool"}
	case reflect.Int64, reflect.Uint32, reflect.Int:
		return []string{"int8", "int4", "int2"}
	case reflect.Int32, reflect.Uint16:
		return []string{"int4", "int2"}
	case reflect.Int16, reflect.Uint8, reflect.Int8:
		return []string{"int2"}
	case reflect.Uint64:
		// A full transaction id (xid8, audit_unchained) is an unsigned
		// 64-bit number.
		return []string{"xid8"}
	case reflect.Float64:
		return []string{"float8", "numeric"}
	case reflect.Float32:
		return []string{"float4"}
	}
	if t.Implements(valuerType) || reflect.PointerTo(t).Implements(valuerType) {
		// A custom type that writes itself: only its type tag can say what
		// column it needs, and it was checked above.
		if f.TagSettings["TYPE"] != "" {
			return []string{canonical(f.TagSettings["TYPE"])}
		}
	}
	return nil
}

// canonical turns a type as written in a tag or a migration into PostgreSQL's
// udt_name.
func canonical(typ string) string {
	t := strings.ToLower(strings.TrimSpace(typ))
	array := strings.HasSuffix(t, "[]")
	t = strings.TrimSuffix(t, "[]")
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if a, ok := map[string]string{
		"timestamp with time zone":    "timestamptz",
		"timestamp without time zone": "timestamp",
		"character varying":           "varchar",
		"varchar":                     "varchar",
		"character":                   "bpchar",
		"char":                        "bpchar",
		"integer":                     "int4",
		"int":                         "int4",
		"smallint":                    "int2",
		"bigint":                      "int8",
		"bigserial":                   "int8",
		"serial":                      "int4",
		"boolean":                     "bool",
		"double precision":            "float8",
		"real":                        "float4",
		"decimal":                     "numeric",
	}[t]; ok {
		t = a
	}
	if array {
		return "_" + t
	}
	return t
}
