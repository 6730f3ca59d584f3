package compiled

import (
	"context"
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"
)

// Raw carries a compiled answer past gqlgen's JSON encoder. The POST
// transport (graph's rawPOST) puts one in each request's context; the
// Planner registers the data it answers in it; the transport, once gqlgen's
// executor has handed it the response, asks Take whether the response is
// that answer untouched (no errors, no extensions) and, if so, writes
// {"data":...} with the bytes as they are instead of having encoding/json
// compact and re-escape 100 kB it has just been given (the planner's
// normalize already writes encoding/json's escapes).
//
// Without a Raw in the context (websockets, tests that call the executor
// directly) the Planner's response is an ordinary one.
type Raw struct {
	data json.RawMessage
}

type rawKey struct{}

// WithRaw returns ctx carrying a fresh Raw.
func WithRaw(ctx context.Context) (context.Context, *Raw) {
	r := &Raw{}
	return context.WithValue(ctx, rawKey{}, r), r
}

// register records data as the compiled answer of the request, if its
// transport passes answers through.
func register(ctx context.Context, data json.RawMessage) {
	if r, ok := ctx.Value(rawKey{}).(*Raw); ok {
		r.data = data
	}
}

// Take reports whether resp is exactly the compiled answer registered: its
// data those bytes, and nothing else in it. Then it returns the bytes and
// leaves resp with data null, which the encoder writes at no cost; the
// caller writes {"data":<bytes>} itself.
func (r *Raw) Take(resp *graphql.Response) (json.RawMessage, bool) {
	if r == nil || r.data == nil || resp == nil || len(resp.Data) != len(r.data) || len(resp.Data) == 0 || &resp.Data[0] != &r.data[0] ||
		len(resp.Errors) > 0 || len(resp.Extensions) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		return nil, false
	}
	data := r.data
	resp.Data = nil
	r.data = nil
	return data, true
}
