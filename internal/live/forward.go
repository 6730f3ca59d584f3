package live

import (
	"context"

	"github.com/google/uuid"
)

// Forward runs a subscription's stream until it ends: for each id sub
// delivers, it sends out the row load returns (load returns nil for a row the
// subscriber may not see, which is skipped, and an error to end the stream).
// It ends when ctx ends, when sub ends, or when load fails; failed is told of
// a failure unless ctx had ended. Forward closes sub and then out, so the
// caller runs it in its own goroutine and reads out until it is closed.
func Forward[T any](ctx context.Context, sub *Subscription, out chan<- *T,
	load func(context.Context, uuid.UUID) (*T, error), failed func(error)) {
	defer close(out)
	defer sub.Close()
	for {
		var id uuid.UUID
		select {
		case <-ctx.Done():
			return
		case v, ok := <-sub.C:
			if !ok {
				return
			}
			id = v
		}
		row, err := load(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				failed(err)
			}
			return
		}
		if row == nil {
			continue
		}
		select {
		case out <- row:
		case <-ctx.Done():
			return
		}
	}
}
