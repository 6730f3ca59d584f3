// Package caller carries, in the context of a request's work, whether the
// client that sent the request is still there. The work itself is not
// cancelled when the client leaves (httpx.Deadline: a mutation under way
// commits whole, and no pooled connection is lost mid-statement); only waits
// that have not started anything yet (a pooled connection, a password
// hashing slot) give up, since nobody would read their answer.
package caller

import "context"

type key struct{}

// WithClient returns ctx remembering client, the context that ends when the
// client's connection closes (an HTTP request's own).
func WithClient(ctx, client context.Context) context.Context {
	return context.WithValue(ctx, key{}, client)
}

// Gone is closed once the client of ctx's request left; nil (never ready)
// outside a request.
func Gone(ctx context.Context) <-chan struct{} {
	if c, ok := ctx.Value(key{}).(context.Context); ok {
		return c.Done()
	}
	return nil
}
