// Package catalogtest finds the error texts written in the module's code, for
// the tests that check each has its translations (internal/i18n, and
// internal/app, whose tests every change runs).
package catalogtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"mlp/internal/i18n"
)

// CheckSpanish fails tb for every error text under root without Spanish.
func CheckSpanish(tb testing.TB, root string) {
	tb.Helper()
	texts, problems := ErrorTexts(tb, root)
	for _, p := range problems {
		tb.Error(p)
	}
	if len(texts) < 20 {
		tb.Fatalf("found only %d error texts: is the walk broken?", len(texts))
	}
	var missing []string
	for text, where := range texts {
		if !i18n.Has("es", text) {
			missing = append(missing, strconv.Quote(text)+" ("+where+")")
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		tb.Errorf("error text has no Spanish translation in internal/i18n/locales/es.json: %s", m)
	}
}

// ErrorTexts returns each error text found under root (the module's
// directory), with where it is: the format of models.Errorf and
// models.InvalidField, the name of models.NotFound, the Message of a
// models.Error literal, the text of i18n.Text. problems lists the texts that
// are not string literals (and so cannot be checked).
func ErrorTexts(t testing.TB, root string) (texts map[string]string, problems []string) {
	t.Helper()
	texts = map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "vendor" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || d.Name() == "generated.go" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		inModels := f.Name.Name == "models"
		// models/errors.go holds the constructors themselves: their texts
		// are their callers' literals, checked at the callers.
		constructors := inModels && d.Name() == "errors.go"
		var lit func(e ast.Expr) (string, bool)
		lit = func(e ast.Expr) (string, bool) {
			if b, ok := e.(*ast.BinaryExpr); ok && b.Op == token.ADD {
				x, ok1 := lit(b.X)
				y, ok2 := lit(b.Y)
				return x + y, ok1 && ok2
			}
			b, ok := e.(*ast.BasicLit)
			if !ok || b.Kind != token.STRING {
				return "", false
			}
			s, err := strconv.Unquote(b.Value)
			return s, err == nil
		}
		add := func(n ast.Node, e ast.Expr, suffix string) {
			pos := fset.Position(n.Pos()).String()
			if s, ok := lit(e); ok {
				texts[s+suffix] = pos
				return
			}
			if constructors {
				return
			}
			// A forwarding helper passes its own parameter on; the texts are
			// checked at its callers (it must be listed here).
			if id, ok := e.(*ast.Ident); ok && forwarders[filepath.Base(path)+":"+id.Name] {
				return
			}
			problems = append(problems, pos+": an error text that is not a string literal (the catalog test cannot check its Spanish)")
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				name := callee(n.Fun, inModels)
				switch {
				case name == "models.Errorf" && len(n.Args) >= 2:
					add(n, n.Args[1], "")
				case name == "models.InvalidField" && len(n.Args) >= 2:
					add(n, n.Args[1], "")
				case name == "models.NotFound" && len(n.Args) == 1:
					add(n, n.Args[0], " not found.")
				case name == "i18n.Text" && len(n.Args) >= 2:
					add(n, n.Args[1], "")
				}
			case *ast.CompositeLit:
				if callee(n.Type, inModels) != "models.Error" {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Message" {
							add(n, kv.Value, "")
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return texts, problems
}

// forwarders are the parameters through which helpers pass a text on to
// the functions above; their callers' literals are the ones checked.
var forwarders = map[string]bool{
	"errors.go:format": true, // the error presenter (graph)
	"service.go:what":  true, // referrals and accounts: NotFound(what) of a literal
	"accounts.go:what": true,
	"i18n.go:english":  true,
}

// callee names a called function or a type as "pkg.Name"; in package
// models its own names count as "models.Name".
func callee(e ast.Expr, inModels bool) string {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok {
			return x.Name + "." + e.Sel.Name
		}
	case *ast.Ident:
		if inModels {
			return "models." + e.Name
		}
	case *ast.UnaryExpr:
		return callee(e.X, inModels)
	}
	return ""
}
