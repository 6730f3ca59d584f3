package compiled

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// field is one response key of a selection set after fragments are expanded
// and @include/@skip applied, exactly as gqlgen's graphql.CollectFields groups
// them: by name and alias, in the order of first appearance, the selection
// sets of repeated keys merged.
type field struct {
	*ast.Field
	sel ast.SelectionSet
}

// key is the field's response key.
func (f *field) key() string { return f.Alias }

// collect groups set for an object of type typeName. It fails (the operation
// is then not compiled) on what gqlgen would treat in ways the compiler does
// not: @defer, and fragments on other types (no compilable type has
// interfaces or unions, so a valid document never has one).
func (c *compiler) collect(set ast.SelectionSet, typeName string) ([]*field, error) {
	var out []*field
	visited := map[string]bool{}
	err := c.collectInto(&out, set, typeName, visited)
	return out, err
}

func (c *compiler) collectInto(out *[]*field, set ast.SelectionSet, typeName string, visited map[string]bool) error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			inc, err := c.include(s.Directives)
			if err != nil {
				return err
			}
			if !inc {
				continue
			}
			merged := false
			for _, f := range *out {
				if f.Name == s.Name && f.Alias == s.Alias {
					f.sel = append(f.sel, s.SelectionSet...)
					merged = true
					break
				}
			}
			if !merged {
				*out = append(*out, &field{Field: s, sel: append(ast.SelectionSet(nil), s.SelectionSet...)})
			}
		case *ast.InlineFragment:
			inc, err := c.include(s.Directives)
			if err != nil {
				return err
			}
			if !inc {
				continue
			}
			if s.TypeCondition != "" && s.TypeCondition != typeName {
				return errNotCompilable
			}
			if err := c.collectInto(out, s.SelectionSet, typeName, visited); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if visited[s.Name] {
				continue
			}
			inc, err := c.include(s.Directives)
			if err != nil {
				return err
			}
			if !inc {
				continue
			}
			visited[s.Name] = true
			def := c.doc.Fragments.ForName(s.Name)
			if def == nil || (def.TypeCondition != "" && def.TypeCondition != typeName) {
				return errNotCompilable
			}
			if err := c.collectInto(out, def.SelectionSet, typeName, visited); err != nil {
				return err
			}
		default:
			return errNotCompilable
		}
	}
	return nil
}

// include applies @include and @skip, from the coerced variables; any other
// directive on a selection (@defer) makes the operation not compilable.
func (c *compiler) include(ds ast.DirectiveList) (bool, error) {
	inc := true
	for _, d := range ds {
		switch d.Name {
		case "include", "skip":
			arg := d.Arguments.ForName("if")
			if arg == nil {
				return false, errNotCompilable
			}
			v, err := arg.Value.Value(c.vars)
			b, ok := v.(bool)
			if err != nil || !ok {
				return false, errNotCompilable
			}
			if b == (d.Name == "skip") {
				inc = false
			}
		default:
			return false, errNotCompilable
		}
	}
	return inc, nil
}
