// Package graphiql serves the GraphiQL page (development only) from assets
// embedded in the binary: GraphiQL, React and ReactDOM as published on npm
// at pinned versions (assets/VERSIONS, with their licences beside them;
// scripts/graphiql-assets.sh fetches them again). The page loads nothing
// from another origin, so it works offline and under a CSP of 'self' only.
package graphiql

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

// AssetsPath is where the page's scripts and styles are served.
const AssetsPath = "/graphiql/"

//go:embed assets/*.js assets/*.css init.js
var files embed.FS

var page = template.Must(template.New("graphiql").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<link rel="stylesheet" href="{{.Assets}}graphiql.min.css">
<link rel="stylesheet" href="{{.Assets}}page.css">
<link rel="icon" href="data:,">
</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading…</div>
<script src="{{.Assets}}react.production.min.js"></script>
<script src="{{.Assets}}react-dom.production.min.js"></script>
<script src="{{.Assets}}graphiql.min.js"></script>
<script src="{{.Assets}}init.js"></script>
</body>
</html>
`))

// pageCSS fills the window with GraphiQL (a file, as the CSP refuses inline
// styles).
const pageCSS = "body { margin: 0; } #graphiql { height: 100vh; }\n"

// Page serves the GraphiQL page for the GraphQL endpoint (a path on this
// server, e.g. "/graphql").
func Page(title, endpoint string) http.Handler {
	data := struct{ Title, Endpoint, Assets string }{title, endpoint, AssetsPath}
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, data)
	})
}

// Assets serves the embedded scripts and styles under AssetsPath.
func Assets() http.Handler {
	assets, err := fs.Sub(files, "assets")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	static := http.StripPrefix(AssetsPath, http.FileServerFS(assets))
	init, _ := files.ReadFile("init.js")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		switch r.URL.Path {
		case AssetsPath + "init.js":
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			_, _ = w.Write(init)
		case AssetsPath + "page.css":
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			_, _ = w.Write([]byte(pageCSS))
		case AssetsPath:
			http.NotFound(w, r) // no listing
		default:
			static.ServeHTTP(w, r)
		}
	})
}
