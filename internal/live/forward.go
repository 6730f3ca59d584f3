package live

import (
	"context"

	"github.com/google/uuid"
)

// Since lists, in order, the ids of the rows of a stream that committed
// after row after (uuid.Nil: after the stream started), for the catch-up
// from the database: with an after argument at the start, and after the
// listener reconnected (signals sent meanwhile were lost). It may return ids
// already delivered (Forward skips them).
// overlap is true for a catch-up after a reconnect: the list then starts a
// little before after (OverlapWindow), as a transaction that committed
// late may carry an earlier time.
type Since func(ctx context.Context, after uuid.UUID, overlap bool) ([]uuid.UUID, error)

// catchUp is the id the hub sends when the listener reconnected: not a row,
// a wake-up to read the database.
var catchUp = uuid.Nil

// seenCap bounds the ids Forward remembers to skip duplicates.
const seenCap = 4096

// Forward runs a subscription's stream until it ends: first the rows since
// after (when after is not uuid.Nil, or since is nil: none), then, for each
// id sub delivers, the row load returns (load returns nil for a row the
// subscriber may not see, which is skipped, and an error to end the stream);
// when the listener reconnects it reads the rows it may have missed from the
// database (since) instead of ending. NOTIFY only wakes it: the database is
// the source of truth. It ends when ctx ends, when sub ends, or when load
// fails; failed is told of a failure unless ctx had ended. Forward closes sub
// and then out, so the caller runs it in its own goroutine and reads out
// until it is closed.
func Forward[T any](ctx context.Context, sub *Subscription, out chan<- *T, after uuid.UUID, since Since,
	load func(context.Context, uuid.UUID) (*T, error), failed func(error)) {
	defer close(out)
	defer sub.Close()
	seen := make(map[uuid.UUID]struct{})
	var order []uuid.UUID
	last := after
	if after != uuid.Nil {
		seen[after] = struct{}{} // the client has it
	}
	deliver := func(id uuid.UUID) bool {
		if _, dup := seen[id]; dup {
			return true
		}
		row, err := load(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				failed(err)
			}
			return false
		}
		seen[id] = struct{}{}
		order = append(order, id)
		if len(order) > seenCap {
			delete(seen, order[0])
			order = order[1:]
		}
		if row == nil {
			return true
		}
		select {
		case out <- row:
			last = id
			return true
		case <-ctx.Done():
			return false
		}
	}
	replay := func(from uuid.UUID, overlap bool) bool {
		if since == nil {
			return true
		}
		ids, err := since(ctx, from, overlap)
		if err != nil {
			if ctx.Err() == nil {
				failed(err)
			}
			return false
		}
		for _, id := range ids {
			if !deliver(id) {
				return false
			}
		}
		return true
	}
	if after != uuid.Nil && !replay(after, false) {
		return
	}
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
		if id == catchUp {
			if !replay(last, true) {
				return
			}
			continue
		}
		if !deliver(id) {
			return
		}
	}
}
