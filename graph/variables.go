package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"mlp/internal/i18n"
)

// variableError rewrites an error gqlparser raised while checking the
// request's variables (its path is "variable", the variable's name, then the
// input fields and list indexes inside it) into one a person can act on: the
// field is named as the service's own validation names it, by the argument
// the variable is passed to ("input.category", not "variable.in.category"),
// the message says what is expected ("input.category must be one of
// HOUSING, ..."), and the path, which is not a path of the response, goes.
// It returns the field, or "" when e is not about a variable.
func variableError(ctx context.Context, e *gqlerror.Error) string {
	if len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") || !graphql.HasOperationContext(ctx) {
		return ""
	}
	name, ok := e.Path[1].(ast.PathName)
	if !ok {
		return ""
	}
	oc := graphql.GetOperationContext(ctx)
	rest := e.Path[2:]
	field := string(name)
	if oc.Operation != nil {
		if arg, ok := variableUse(oc.Operation, oc.Doc, string(name)); ok {
			field = arg
		}
	}
	field += pathSuffix(rest)
	var typ *ast.Type
	if oc.Operation != nil {
		if def := oc.Operation.VariableDefinitions.ForName(string(name)); def != nil {
			typ = def.Type
		}
	}
	at, parent := typeAt(typ, rest)
	e.Message = variableMessage(i18n.Language(ctx), field, e.Message, at, parent)
	e.Path = nil
	return field
}

// variableMessage turns gqlparser's terse complaint into a sentence in lang.
func variableMessage(lang, field, terse string, at, parent *ast.Type) string {
	switch {
	case terse == "must be defined" || terse == "cannot be null":
		return i18n.Text(lang, "%s is required.", field)
	case terse == "unknown field":
		if parent != nil {
			return i18n.Text(lang, "%s is not a field of %s.", field, parent.Name())
		}
		return i18n.Text(lang, "%s is not a known field.", field)
	case at == nil:
		return i18n.Text(lang, "%s has a value of the wrong type.", field)
	}
	if def := parsedSchema.Types[at.Name()]; def != nil && def.Kind == ast.Enum && strings.Contains(terse, " is not a valid ") {
		values := make([]string, len(def.EnumValues))
		for i, v := range def.EnumValues {
			values[i] = v.Name
		}
		return i18n.Text(lang, "%s must be one of %s.", field, strings.Join(values, ", "))
	}
	return i18n.Text(lang, "%s must be of type %s.", field, at.String())
}

// typeAt follows path (input field names and list indexes) from the type t of
// a variable; it returns the type reached and the type of its parent, or nil
// where the path leaves the schema (an unknown field).
func typeAt(t *ast.Type, path ast.Path) (at, parent *ast.Type) {
	at = t
	for _, p := range path {
		if at == nil {
			return nil, parent
		}
		parent = at
		switch p := p.(type) {
		case ast.PathIndex:
			at = at.Elem
		case ast.PathName:
			def := parsedSchema.Types[at.Name()]
			if def == nil {
				return nil, parent
			}
			f := def.Fields.ForName(string(p))
			if f == nil {
				return nil, parent
			}
			at = f.Type
		}
	}
	return at, parent
}

// pathSuffix writes input field names and list indexes as the services
// name fields: ".category", "[1].note".
func pathSuffix(path ast.Path) string {
	var b strings.Builder
	for _, p := range path {
		switch p := p.(type) {
		case ast.PathName:
			b.WriteString("." + string(p))
		case ast.PathIndex:
			fmt.Fprintf(&b, "[%d]", int(p))
		}
	}
	return b.String()
}

// variableUse returns where the operation first passes variable name: an
// argument ("input"), or a field of an input object written in the document
// ("input.category" for requestLegalHelp(input: {category: $cat})); false
// when it is not used.
func variableUse(op *ast.OperationDefinition, doc *ast.QueryDocument, name string) (string, bool) {
	seen := map[string]bool{}
	var inSet func(ast.SelectionSet) (string, bool)
	inSet = func(set ast.SelectionSet) (string, bool) {
		for _, sel := range set {
			var sub ast.SelectionSet
			switch s := sel.(type) {
			case *ast.Field:
				for _, a := range s.Arguments {
					if p, ok := inValue(a.Value, name); ok {
						return a.Name + p, true
					}
				}
				sub = s.SelectionSet
			case *ast.InlineFragment:
				sub = s.SelectionSet
			case *ast.FragmentSpread:
				if doc != nil && !seen[s.Name] {
					seen[s.Name] = true
					if f := doc.Fragments.ForName(s.Name); f != nil {
						sub = f.SelectionSet
					}
				}
			}
			if p, ok := inSet(sub); ok {
				return p, true
			}
		}
		return "", false
	}
	return inSet(op.SelectionSet)
}

// inValue reports whether v is the variable or holds it, and the path to it
// inside v ("" for the variable itself, ".category", "[0]").
func inValue(v *ast.Value, name string) (string, bool) {
	if v == nil {
		return "", false
	}
	switch v.Kind {
	case ast.Variable:
		return "", v.Raw == name
	case ast.ObjectValue:
		for _, c := range v.Children {
			if p, ok := inValue(c.Value, name); ok {
				return "." + c.Name + p, true
			}
		}
	case ast.ListValue:
		for i, c := range v.Children {
			if p, ok := inValue(c.Value, name); ok {
				return fmt.Sprintf("[%d]", i) + p, true
			}
		}
	}
	return "", false
}
