package graph

import (
	"context"
	"log/slog"

	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"mlp/internal/auth"
	"mlp/models"
)

// SocketLimits bound the websockets (graphql-transport-ws) of one server.
type SocketLimits struct {
	// InitTimeout: a connection that sends no connection_init within it is
	// closed with 1002 "connection initialisation timeout" (default 10 s).
	InitTimeout time.Duration
	// MaxOperations: at most this many operations (subscriptions, and
	// queries or mutations while they run) at once on one connection; one
	// more is answered RATE_LIMITED and the connection stays open
	// (default 50).
	MaxOperations int
	// Hold, when set, takes one of p's socket slots when a signed-in
	// connection initialises and holds it until ctx ends (the connection
	// closes). It returns RATE_LIMITED when p holds every slot already:
	// the connection is then closed with CloseTooManySockets. The app holds
	// the slots as leases in PostgreSQL (ratelimit.Limiter.Acquire), so the
	// limit holds across instances and a dead instance's slots expire.
	Hold func(ctx context.Context, p *auth.Principal) error
}

// The close codes of a refused connection_init (graphql-transport-ws keeps
// 4400-4499 for the server's refusals).
const (
	// CloseTooManySockets: the user holds too many open websockets
	// (reason "RATE_LIMITED: too many open connections").
	CloseTooManySockets = 4429
	// CloseUnavailable: the server could not check the limit (the database
	// is unavailable); reason "UNAVAILABLE: try again later".
	CloseUnavailable = 1013 // RFC 6455 "try again later"
)

// DefaultSocketLimits returns the documented defaults.
func DefaultSocketLimits() SocketLimits {
	return SocketLimits{InitTimeout: 10 * time.Second, MaxOperations: 50}
}

func (l SocketLimits) withDefaults() SocketLimits {
	d := DefaultSocketLimits()
	if l.InitTimeout <= 0 {
		l.InitTimeout = d.InitTimeout
	}
	if l.MaxOperations <= 0 {
		l.MaxOperations = d.MaxOperations
	}
	return l
}

// refuseSocket ends a connection_init that Hold refused: gqlgen closes the
// connection with the code and reason the returned context carries. The
// error it returns says only the code, never the database's words.
func refuseSocket(ctx context.Context, log *slog.Logger, err error) (context.Context, *transport.InitPayload, error) {
	code, reason, refusal := CloseTooManySockets, "RATE_LIMITED: too many open connections", error(models.RateLimited(0))
	if models.ErrorCodeOf(err) != models.ERATELIMITED {
		if log != nil {
			log.WarnContext(ctx, "websocket refused: its slot could not be taken", "error", describe(err))
		}
		code, reason, refusal = CloseUnavailable, "UNAVAILABLE: try again later", models.ErrUnavailable
	}
	ctx = transport.WithWebsocketCloseCode(ctx, code)
	ctx = transport.AppendCloseReason(ctx, reason)
	return ctx, nil, refusal
}

// countOperation counts an operation that starts on a websocket until its
// context ends (gqlgen cancels it when a subscription completes or a query
// has answered), and refuses it with RATE_LIMITED when max already run on
// the connection. Operations over HTTP are not counted.
func countOperation(ctx context.Context, max int) error {
	st, ok := ctx.Value(socketKey{}).(socketState)
	if !ok || st.operations == nil {
		return nil
	}
	if st.operations.Add(1) > int32(max) {
		st.operations.Add(-1)
		return models.Errorf(models.ERATELIMITED, "At most %d operations can run at once on one connection.", max)
	}
	context.AfterFunc(ctx, func() { st.operations.Add(-1) })
	return nil
}
