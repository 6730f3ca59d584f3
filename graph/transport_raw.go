package graph

import (
	"context"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"mlp/graph/compiled"
)

// rawPOST is gqlgen's POST transport, with one change: a compiled read's
// answer (graph/compiled), which PostgreSQL has built as JSON and the
// planner has escaped as encoding/json would, is written as it is, instead
// of being compacted and re-escaped by encoding/json in gqlgen's writer
// (40% of the server's CPU on the case list). Every other response, and
// every header and status, is gqlgen's own: the request goes through
// transport.POST.Do, and a response that is not exactly the compiled answer
// (an error or an extension added to it) is encoded by it as usual.
type rawPOST struct{ transport.POST }

func (t rawPOST) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx, raw := compiled.WithRaw(r.Context())
	rw := &rawWriter{ResponseWriter: w}
	t.POST.Do(rw, r.WithContext(ctx), rawExecutor{GraphExecutor: exec, raw: raw, w: rw})
}

// rawExecutor hands the transport the executor's responses, taking a
// compiled answer's bytes out of the response for rawWriter to write.
type rawExecutor struct {
	graphql.GraphExecutor
	raw *compiled.Raw
	w   *rawWriter
}

func (e rawExecutor) DispatchOperation(ctx context.Context, rc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	next, ctx := e.GraphExecutor.DispatchOperation(ctx, rc)
	return func(ctx context.Context) *graphql.Response {
		resp := next(ctx)
		if data, ok := e.raw.Take(resp); ok {
			e.w.data = data
		}
		return resp
	}, ctx
}

// rawWriter writes {"data":<data>} in place of gqlgen's encoding of the
// response (which, data taken out, is {"data":null}) when data is set.
type rawWriter struct {
	http.ResponseWriter
	data []byte
}

var (
	rawHead = []byte(`{"data":`)
	rawTail = []byte(`}`)
)

func (w *rawWriter) Write(b []byte) (int, error) {
	if w.data == nil {
		return w.ResponseWriter.Write(b)
	}
	data := w.data
	w.data = nil
	w.Header().Set("Content-Length", strconv.Itoa(len(rawHead)+len(data)+len(rawTail)))
	for _, part := range [][]byte{rawHead, data, rawTail} {
		if _, err := w.ResponseWriter.Write(part); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}

// Unwrap gives http.ResponseController the writer beneath.
func (w *rawWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
