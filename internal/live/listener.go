package live

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// The NOTIFY channels the triggers of migrations/00005_devices.sql send on.
const (
	ChannelCaseEvent    = "mlp_case_event"    // "<case id>:<event id>"
	ChannelNotification = "mlp_notification"  // "<user id>:<notification id>"
	ChannelSessionEnded = "mlp_session_ended" // "<session id>"
	ChannelUserDisabled = "mlp_user_disabled" // "<user id>"
)

var channels = []string{ChannelCaseEvent, ChannelNotification, ChannelSessionEnded, ChannelUserDisabled}

// ApplicationName names the listener's connection in pg_stat_activity
// (unless DATABASE_URL sets application_name).
const ApplicationName = "mlp-live-listener"

// Reconnection backoff of the listener.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// Listener holds the process's one LISTEN connection, opened from the same
// DATABASE_URL as the pool but outside it, and feeds its hub. It starts on
// Start (the server calls it at boot; otherwise the first subscription does)
// and stops on Close. When the connection drops it reconnects with backoff;
// since signals sent meanwhile are lost, every subscription then ends, and
// clients resubscribe and reload instead of silently missing events.
type Listener struct {
	url string
	hub *Hub
	log *slog.Logger

	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	ready chan struct{} // closed while LISTEN is in effect; replaced when the connection drops
	// listened is true once a connection has listened: the next one wakes
	// the streams to catch up (guarded by mu).
	listened bool

	// verify, when set, checks again after a subscription registers that
	// its caller may still subscribe (see Verify).
	verify func(context.Context) error
}

// Verify sets the check that Subscribe makes after registering a
// subscription, with the subscriber's context: the caller's session is still
// live and account enabled. A session revoked between the caller's
// authentication and the registration would otherwise go unnoticed, since its
// signal arrived when there was nothing to end. Call it before serving.
func (l *Listener) Verify(check func(context.Context) error) { l.verify = check }

// NewListener returns a listener on the database at url feeding hub.
func NewListener(url string, hub *Hub, log *slog.Logger) *Listener {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Listener{url: url, hub: hub, log: log, ctx: ctx, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{})}
}

// Start starts listening in the background; later calls do nothing.
func (l *Listener) Start() {
	if l.url == "" {
		return
	}
	l.once.Do(func() { go l.run() })
}

// Ready starts the listener and waits until it is listening, or ctx ends.
// A subscription made after Ready returns nil misses no signal committed
// after that point unless the connection drops meanwhile, which ends it.
func (l *Listener) Ready(ctx context.Context) error {
	_, err := l.await(ctx)
	return err
}

// await is Ready returning the channel that was closed when LISTEN took
// effect: while l.ready is still that channel, the same connection listens.
func (l *Listener) await(ctx context.Context) (chan struct{}, error) {
	if l.url == "" {
		return nil, errors.New("live: no database URL to listen on")
	}
	l.Start()
	l.mu.Lock()
	ready := l.ready
	l.mu.Unlock()
	select {
	case <-ready:
		return ready, nil
	case <-l.ctx.Done():
		return nil, errors.New("live: listener stopped")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the listener and ends every subscription of its hub.
func (l *Listener) Close() {
	l.cancel()
	l.once.Do(func() { close(l.done) }) // never started: nothing to wait for
	<-l.done
	l.hub.EndAll(EndedShutdown)
}

func (l *Listener) run() {
	defer close(l.done)
	backoff := minBackoff
	for l.ctx.Err() == nil {
		err := l.listen()
		if l.ctx.Err() != nil {
			return
		}
		if err == nil { // it had been listening: start again at the shortest wait
			backoff = minBackoff
		}
		l.log.Warn("live: listener connection lost; reconnecting", "err", errorText(err), "backoff", backoff)
		select {
		case <-time.After(backoff):
		case <-l.ctx.Done():
			return
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listen opens the connection, LISTENs and dispatches until the connection
// fails or the listener stops. It returns nil when it had been listening (so
// the next attempt starts again at the shortest backoff).
func (l *Listener) listen() error {
	cfg, err := pgx.ParseConfig(l.url)
	if err != nil {
		return err
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = ApplicationName
	}
	conn, err := pgx.ConnectConfig(l.ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(l.ctx)) //nolint:errcheck
	for _, ch := range channels {
		if _, err := conn.Exec(l.ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	l.mu.Lock()
	close(l.ready)
	again := l.listened
	l.listened = true
	l.mu.Unlock()
	// Signals sent while no connection listened were lost: now that LISTEN
	// is in effect again, every stream catches up from the database (NOTIFY
	// is a wake-up only), and stays open.
	if again {
		l.hub.WakeAll()
	}
	defer func() {
		l.mu.Lock()
		l.ready = make(chan struct{})
		l.mu.Unlock()
	}()
	for {
		n, err := conn.WaitForNotification(l.ctx)
		if err != nil {
			return nil
		}
		l.dispatch(n.Channel, n.Payload)
	}
}

// dispatch hands one signal to the hub; malformed payloads are ignored.
func (l *Listener) dispatch(channel, payload string) {
	switch channel {
	case ChannelCaseEvent, ChannelNotification:
		a, b, ok := strings.Cut(payload, ":")
		if !ok {
			return
		}
		owner, err1 := uuid.Parse(a)
		id, err2 := uuid.Parse(b)
		if err1 != nil || err2 != nil {
			return
		}
		if channel == ChannelCaseEvent {
			l.hub.Publish(CaseTopic(owner), id)
		} else {
			l.hub.Publish(UserTopic(owner), id)
		}
	case ChannelSessionEnded:
		if id, err := uuid.Parse(payload); err == nil {
			l.hub.End(SessionKey(id))
		}
	case ChannelUserDisabled:
		if id, err := uuid.Parse(payload); err == nil {
			l.hub.End(UserKey(id))
		}
	}
}

// errorText names a connection error without its details (which may carry
// the host and user of DATABASE_URL).
func errorText(err error) string {
	if err == nil {
		return "connection closed"
	}
	var pgErr interface{ SQLState() string }
	if errors.As(err, &pgErr) {
		return "SQLSTATE " + pgErr.SQLState()
	}
	return "connection error"
}

// ReadyTimeout bounds how long a new subscription waits for the listener.
const ReadyTimeout = 10 * time.Second

// Subscribe waits until the listener is listening (starting it if need be),
// subscribes to topic on its hub, ended also by any of endKeys, and then
// makes the Verify check. A subscription registered while the connection was
// being replaced (whose signals might be lost) is made again on the new one.
func (l *Listener) Subscribe(ctx context.Context, topic string, endKeys ...string) (*Subscription, error) {
	rctx, cancel := context.WithTimeout(ctx, ReadyTimeout)
	defer cancel()
	for {
		ready, err := l.await(rctx)
		if err != nil {
			return nil, err
		}
		sub := l.hub.Subscribe(topic, endKeys...)
		// The connection that dropped replaces l.ready before it ends the
		// hub's subscriptions: a subscription registered before that is
		// ended with the others; one registered after sees a new channel.
		l.mu.Lock()
		same := l.ready == ready
		l.mu.Unlock()
		if !same {
			sub.Close()
			continue
		}
		if l.verify != nil {
			if err := l.verify(ctx); err != nil {
				sub.Close()
				return nil, err
			}
		}
		l.hub.establish(sub)
		return sub, nil
	}
}

// Hub returns the listener's hub.
func (l *Listener) Hub() *Hub { return l.hub }
