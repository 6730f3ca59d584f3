package models

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoTransportInDomainTypes: the domain types do not depend on gqlgen or
// any other door (their GraphQL mapping lives in graph/scalar), and none
// implements gqlgen's Marshaler/Unmarshaler itself.
func TestNoTransportInDomainTypes(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/99designs/gqlgen") || strings.HasPrefix(path, "github.com/vektah/gqlparser") ||
				strings.HasPrefix(path, "mlp/graph") || path == "net/http" {
				t.Errorf("%s imports %s", name, path)
			}
		}
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv != nil && (fd.Name.Name == "MarshalGQL" || fd.Name.Name == "UnmarshalGQL") {
				t.Errorf("%s: %s is gqlgen's; map the type in graph/scalar", name, fd.Name.Name)
			}
		}
	}
}
