// Package authztest checks the services' authorization where it lives: in
// the services, called directly (no GraphQL, no directive in front).
//
//   - Covers: every exported method of a service has a row in its policy,
//     and every row names a method.
//   - Table: a role x operation x own/other table of calls into a service.
//     Run checks each row's outcome, that the rows agree with the policy's
//     role x operation half (a role the policy refuses must be refused), that
//     every operation of the policy has a row for every role and for anonymous
//     callers, and that a refused call changed nothing in the database.
//
// Refused calls compare a digest of every table before and after, so tables
// run as top-level tests that are not parallel (go test runs those alone,
// before the parallel ones resume).
package authztest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/auth"
	"mlp/models"
)

// Anonymous is the role of a caller without a principal.
const Anonymous models.Role = "ANONYMOUS"

// Roles are the callers every operation is tried with.
var Roles = []models.Role{Anonymous, models.RolePatient, models.RoleClinician, models.RoleAdvocate, models.RoleEditor, models.RoleAdmin}

// Covers fails t when an exported method of service (a pointer to a service
// value) has no row in pol, or when pol has a row for a method service does
// not have.
func Covers(t testing.TB, pol auth.Policy, service any) {
	t.Helper()
	typ := reflect.TypeOf(service)
	methods := map[string]bool{}
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		methods[m.Name] = true
		if _, ok := pol[m.Name]; !ok {
			t.Errorf("%s.%s has no row in the policy", typ, m.Name)
		}
	}
	for op := range pol {
		if !methods[op] {
			t.Errorf("the policy of %s has a row for %s, which is no method of it", typ, op)
		}
	}
}

// Object says which object a row's call is about, relative to its caller.
type Object string

// Objects of a row.
const (
	None  Object = ""      // the operation takes no object (a list of one's own, a create)
	Own   Object = "own"   // an object the caller may act on (their case, their organization's case)
	Other Object = "other" // an object of someone else
)

// OK is a row's outcome for a call that succeeds.
const OK models.ErrorCode = "OK"

// Row is one call of a table.
type Row struct {
	Op     string
	Role   models.Role
	Object Object
	// Want is the outcome: OK or an error code.
	Want models.ErrorCode
	// Call makes the call with ctx carrying the row's principal.
	Call func(ctx context.Context) error
}

// Table is a service's authorization table.
type Table struct {
	Policy auth.Policy
	// DB is the database whose tables a refused call must leave unchanged.
	DB *gorm.DB
	// Principals are the callers by role (Anonymous needs none).
	Principals map[models.Role]*auth.Principal
	Rows       []Row
}

// Add appends a row.
func (tb *Table) Add(op string, role models.Role, obj Object, want models.ErrorCode, call func(ctx context.Context) error) {
	tb.Rows = append(tb.Rows, Row{Op: op, Role: role, Object: obj, Want: want, Call: call})
}

// Refused adds, for op, a row expecting a refusal (UNAUTHENTICATED for
// Anonymous, FORBIDDEN otherwise) for every role of Roles the policy does not
// admit; call is made with each.
func (tb *Table) Refused(op string, call func(ctx context.Context) error) {
	for _, role := range Roles {
		if !tb.Policy[op].Admits(tb.principal(role)) {
			tb.Add(op, role, None, refusal(role), call)
		}
	}
}

// Matrix adds the rows of op for every role of Roles and, for the roles the
// policy admits, every object of objs (None for an operation without one):
// a role the policy refuses gets one refusal row; the others expect
// want(role, obj). mk is called while the table is built (so that the
// objects it makes exist before the digest of a refused row is taken) and
// returns the row's call.
func (tb *Table) Matrix(op string, objs []Object, want func(role models.Role, obj Object) models.ErrorCode, mk func(role models.Role, obj Object) func(ctx context.Context) error) {
	for _, role := range Roles {
		if !tb.Policy[op].Admits(tb.principal(role)) {
			tb.Add(op, role, objs[0], refusal(role), mk(role, objs[0]))
			continue
		}
		for _, obj := range objs {
			tb.Add(op, role, obj, want(role, obj), mk(role, obj))
		}
	}
}

// Same is a mk of Matrix whose rows all make the one call fn (an operation
// without an object to make).
func Same(fn func(ctx context.Context) error) func(models.Role, Object) func(context.Context) error {
	return func(models.Role, Object) func(context.Context) error { return fn }
}

// Always is a want of Matrix: every admitted call gives code.
func Always(code models.ErrorCode) func(models.Role, Object) models.ErrorCode {
	return func(models.Role, Object) models.ErrorCode { return code }
}

// OwnOnly is a want of Matrix: the own object OK, another's NOT_FOUND (a
// hidden object is not found).
func OwnOnly(_ models.Role, obj Object) models.ErrorCode {
	if obj == Other {
		return models.ENOTFOUND
	}
	return OK
}

// Refusal is the code a role the policy does not admit gets:
// UNAUTHENTICATED for Anonymous, FORBIDDEN otherwise.
func Refusal(role models.Role) models.ErrorCode { return refusal(role) }

// OwnOther are the objects of a row about an object.
var OwnOther = []Object{Own, Other}

// NoObject is the objects of a row about none.
var NoObject = []Object{None}

func refusal(role models.Role) models.ErrorCode {
	if role == Anonymous {
		return models.EUNAUTHENTICATED
	}
	return models.EFORBIDDEN
}

func (tb *Table) principal(role models.Role) *auth.Principal {
	if role == Anonymous {
		return nil
	}
	p := tb.Principals[role]
	if p == nil {
		// A principal of the role that owns nothing, for the role check.
		p = &auth.Principal{ID: uuid.New(), Role: role, SessionID: uuid.New()}
	}
	return p
}

// Ctx returns a context carrying the principal of role.
func (tb *Table) Ctx(role models.Role) context.Context {
	ctx := context.Background()
	if p := tb.principal(role); p != nil {
		ctx = auth.WithPrincipal(ctx, p)
	}
	return ctx
}

// Run runs every row as a subtest and then checks the table against the
// policy. It returns the number of rows.
func (tb *Table) Run(t *testing.T) int {
	t.Helper()
	for _, r := range tb.Rows {
		name := fmt.Sprintf("%s/%s/%s", r.Op, r.Role, strings.TrimSpace(string(r.Object)+" "))
		t.Run(strings.TrimSuffix(name, "/"), func(t *testing.T) {
			rule, ok := tb.Policy[r.Op]
			if !ok || rule.IsInternal() {
				t.Fatalf("%s is not an operation of the policy", r.Op)
			}
			if !rule.Admits(tb.principal(r.Role)) && r.Want != refusal(r.Role) {
				t.Fatalf("the policy refuses %s to %s (%s), the table expects %s", r.Op, r.Role, rule, r.Want)
			}
			var before []string
			if r.Want != OK {
				before = Digest(t, tb.DB)
			}
			got := OK
			if err := r.Call(tb.Ctx(r.Role)); err != nil {
				got = models.ErrorCodeOf(err)
				if got == models.EINTERNAL {
					t.Logf("error: %v", err)
				}
			}
			if got != r.Want {
				t.Fatalf("got %s, want %s", got, r.Want)
			}
			if r.Want != OK {
				if after := Digest(t, tb.DB); !slices.Equal(before, after) {
					t.Errorf("a refused call changed tables: %s", changed(before, after))
				}
			}
		})
	}
	// Every operation, every role.
	seen := map[string]map[models.Role]bool{}
	for _, r := range tb.Rows {
		if seen[r.Op] == nil {
			seen[r.Op] = map[models.Role]bool{}
		}
		seen[r.Op][r.Role] = true
	}
	ops := make([]string, 0, len(tb.Policy))
	for op, rule := range tb.Policy {
		if !rule.IsInternal() {
			ops = append(ops, op)
		}
	}
	sort.Strings(ops)
	for _, op := range ops {
		for _, role := range Roles {
			if !seen[op][role] {
				t.Errorf("the table has no row for %s by %s", op, role)
			}
		}
	}
	return len(tb.Rows)
}

// Digest returns one digest per table of the public schema (but goose's), in
// table order: "name=md5".
func Digest(t testing.TB, db *gorm.DB) []string {
	t.Helper()
	var tables []string
	if err := db.Raw(`SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'
		ORDER BY table_name`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(tables))
	for i, name := range tables {
		parts[i] = fmt.Sprintf(`SELECT '%[1]s=' || count(*) || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM %[1]s t`, name)
	}
	var out []string
	if err := db.Raw(strings.Join(parts, " UNION ALL ")).Scan(&out).Error; err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func changed(before, after []string) string {
	var names []string
	for i := range min(len(before), len(after)) {
		if before[i] != after[i] {
			names = append(names, strings.SplitN(after[i], "=", 2)[0])
		}
	}
	return strings.Join(names, ", ")
}
