package graph_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"mlp/graph"
)

// contractPath is the API contract the apps are built against, relative to
// this package's directory.
const contractPath = "../../shared/contract/schema.graphql"

// TestServedSchemaKeepsTheContract checks that the served schema is a
// superset of the contract: every type, field, argument, input field and enum
// value of the contract exists with the same or a compatible type, and no
// contract field's resolver is still gqlgen's generated stub.
func TestServedSchemaKeepsTheContract(t *testing.T) {
	// A missing contract fails: CI always has ../shared beside the clone, so a
	// skip here would hide that the check never ran.
	src, err := os.ReadFile(contractPath)
	if err != nil {
		t.Fatalf("the contract %s must be readable (../shared beside the repository): %v", contractPath, err)
	}
	contract, gerr := gqlparser.LoadSchema(&ast.Source{Name: "contract", Input: string(src)})
	if gerr != nil {
		t.Fatalf("the contract does not load: %v", gerr)
	}
	served := graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{}, Directives: graph.Directives()}).Schema()

	for _, p := range breakingChanges(contract, served) {
		t.Error(p)
	}
	for _, f := range notImplemented(t, contract) {
		t.Errorf("contract field %s is still gqlgen's stub (panics at run time)", f)
	}
}

// breakingChanges lists what a client written against contract would find
// broken in served.
func breakingChanges(contract, served *ast.Schema) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	names := make([]string, 0, len(contract.Types))
	for name := range contract.Types {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ct := contract.Types[name]
		if ct.BuiltIn {
			continue
		}
		st := served.Types[name]
		if st == nil {
			add("type %s is missing", name)
			continue
		}
		if st.Kind != ct.Kind {
			add("type %s is %s, the contract has %s", name, st.Kind, ct.Kind)
			continue
		}
		switch ct.Kind {
		case ast.Object, ast.Interface:
			for _, i := range ct.Interfaces {
				if !slices.Contains(st.Interfaces, i) {
					add("type %s no longer implements %s", name, i)
				}
			}
			for _, cf := range ct.Fields {
				if strings.HasPrefix(cf.Name, "__") {
					continue
				}
				sf := st.Fields.ForName(cf.Name)
				if sf == nil {
					add("field %s.%s is missing", name, cf.Name)
					continue
				}
				if !outputCompatible(cf.Type, sf.Type) {
					add("field %s.%s is %s, the contract has %s", name, cf.Name, sf.Type, cf.Type)
				}
				for _, ca := range cf.Arguments {
					sa := sf.Arguments.ForName(ca.Name)
					if sa == nil {
						add("argument %s.%s(%s) is missing", name, cf.Name, ca.Name)
						continue
					}
					if !inputCompatible(ca.Type, sa.Type) {
						add("argument %s.%s(%s) is %s, the contract has %s", name, cf.Name, ca.Name, sa.Type, ca.Type)
					}
				}
				for _, sa := range sf.Arguments {
					if cf.Arguments.ForName(sa.Name) == nil && sa.Type.NonNull && sa.DefaultValue == nil {
						add("argument %s.%s(%s: %s) is new and required", name, cf.Name, sa.Name, sa.Type)
					}
				}
			}
		case ast.InputObject:
			for _, cf := range ct.Fields {
				sf := st.Fields.ForName(cf.Name)
				if sf == nil {
					add("input field %s.%s is missing", name, cf.Name)
					continue
				}
				if !inputCompatible(cf.Type, sf.Type) {
					add("input field %s.%s is %s, the contract has %s", name, cf.Name, sf.Type, cf.Type)
				}
			}
			for _, sf := range st.Fields {
				if ct.Fields.ForName(sf.Name) == nil && sf.Type.NonNull && sf.DefaultValue == nil {
					add("input field %s.%s: %s is new and required", name, sf.Name, sf.Type)
				}
			}
		case ast.Enum:
			for _, v := range ct.EnumValues {
				if st.EnumValues.ForName(v.Name) == nil {
					add("enum value %s.%s is missing", name, v.Name)
				}
			}
		case ast.Union:
			for _, m := range ct.Types {
				if !slices.Contains(st.Types, m) {
					add("union %s no longer includes %s", name, m)
				}
			}
		}
	}
	for _, root := range []struct {
		what   string
		ct, st *ast.Definition
	}{
		{"query", contract.Query, served.Query},
		{"mutation", contract.Mutation, served.Mutation},
		{"subscription", contract.Subscription, served.Subscription},
	} {
		if root.ct != nil && (root.st == nil || root.st.Name != root.ct.Name) {
			add("the %s root type is not %s", root.what, root.ct.Name)
		}
	}
	return out
}

// outputCompatible reports whether a client reading a field of type want can
// read one of type got: got may be non-null where want is nullable, and names
// must match at every level of lists.
func outputCompatible(want, got *ast.Type) bool {
	if want.NonNull && !got.NonNull {
		return false
	}
	if (want.Elem == nil) != (got.Elem == nil) {
		return false
	}
	if want.Elem != nil {
		return outputCompatible(want.Elem, got.Elem)
	}
	return want.NamedType == got.NamedType
}

// inputCompatible reports whether every value a client may send for type want
// is accepted by type got: got may be nullable where want is non-null, but not
// the other way around.
func inputCompatible(want, got *ast.Type) bool {
	if got.NonNull && !want.NonNull {
		return false
	}
	if (want.Elem == nil) != (got.Elem == nil) {
		return false
	}
	if want.Elem != nil {
		return inputCompatible(want.Elem, got.Elem)
	}
	return want.NamedType == got.NamedType
}

var stubRE = regexp.MustCompile(`func \(r \*(\w+)Resolver\) \w+\([^{]*\{\s*panic\(fmt\.Errorf\("not implemented: \w+ - (\w+)"\)\)`)

// notImplemented lists the contract's fields whose resolvers are still the
// stubs gqlgen generated, read from the resolver files of this package.
func notImplemented(t *testing.T, contract *ast.Schema) []string {
	t.Helper()
	files, err := filepath.Glob("*.resolvers.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range stubRE.FindAllStringSubmatch(string(src), -1) {
			typ := strings.ToUpper(m[1][:1]) + m[1][1:]
			if d := contract.Types[typ]; d != nil && d.Fields.ForName(m[2]) != nil {
				out = append(out, typ+"."+m[2])
			}
		}
	}
	sort.Strings(out)
	return out
}

// TestBreakingChanges shows that the comparison fails on real breaks and lets
// compatible changes through.
func TestBreakingChanges(t *testing.T) {
	t.Parallel()
	const contract = `
type Query { case(id: ID!): Case  cases(first: Int): [Case!]!  role: Role }
type Case { id: ID!  note: String  tags: [String!]!  kind: Kind! }
enum Kind { A B }
enum Role { X Y }
input CaseInput { note: String!  tags: [String!] }
type Mutation { save(input: CaseInput!): Case! }
`
	load := func(t *testing.T, src string) *ast.Schema {
		t.Helper()
		s, err := gqlparser.LoadSchema(&ast.Source{Name: "s", Input: src})
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		return s
	}
	c := load(t, contract)
	for _, tc := range []struct {
		name   string
		edits  []string // pairs: old text of the contract, new text
		breaks bool
	}{
		{"Identical", nil, false},
		{"NewFieldAndType", []string{"type Case { id: ID!", "type Extra { x: Int } type Case { extra: Extra  id: ID!"}, false},
		{"NullableOutputMadeNonNull", []string{"note: String ", "note: String! "}, false},
		{"NonNullInputMadeNullable", []string{"input CaseInput { note: String!", "input CaseInput { note: String"}, false},
		{"NewOptionalArgument", []string{"cases(first: Int)", "cases(first: Int, after: String)"}, false},
		{"NewArgumentWithDefault", []string{"cases(first: Int)", "cases(first: Int, order: Int! = 1)"}, false},
		{"NewEnumValue", []string{"enum Kind { A B }", "enum Kind { A B C }"}, false},
		{"MissingType", []string{"enum Role { X Y }", "", "role: Role", ""}, true},
		{"MissingField", []string{"note: String ", ""}, true},
		{"MissingEnumValue", []string{"enum Kind { A B }", "enum Kind { A }"}, true},
		{"MissingArgument", []string{"case(id: ID!)", "case"}, true},
		{"NonNullOutputMadeNullable", []string{"Case { id: ID!", "Case { id: ID"}, true},
		{"ListElementMadeNullable", []string{"tags: [String!]!", "tags: [String]!"}, true},
		{"OutputTypeChanged", []string{"kind: Kind!", "kind: String!"}, true},
		{"ListMadeScalar", []string{"cases(first: Int): [Case!]!", "cases(first: Int): Case!"}, true},
		{"ArgumentMadeRequired", []string{"cases(first: Int)", "cases(first: Int!)"}, true},
		{"ArgumentTypeChanged", []string{"case(id: ID!)", "case(id: String!)"}, true},
		{"NewRequiredArgument", []string{"cases(first: Int)", "cases(first: Int, after: String!)"}, true},
		{"InputFieldMadeRequired", []string{"tags: [String!] }", "tags: [String!]! }"}, true},
		{"NewRequiredInputField", []string{"input CaseInput { note: String!", "input CaseInput { extra: Int!  note: String!"}, true},
		{"MissingInputField", []string{"  tags: [String!] }", " }"}, true},
		{"KindChanged", []string{"enum Role { X Y }", "type Role { x: Int }"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := contract
			for i := 0; i < len(tc.edits); i += 2 {
				if !strings.Contains(src, tc.edits[i]) {
					t.Fatalf("%q is not in the contract", tc.edits[i])
				}
				src = strings.Replace(src, tc.edits[i], tc.edits[i+1], 1)
			}
			got := breakingChanges(c, load(t, src))
			if (len(got) > 0) != tc.breaks {
				t.Fatalf("breaking changes = %q, want breaks=%v", got, tc.breaks)
			}
		})
	}
}
