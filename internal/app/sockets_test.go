package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/coder/websocket"

	"mlp/graph"
	"mlp/internal/apptest"
	"mlp/internal/live"
	"mlp/internal/ratelimit"
	"mlp/models"
)

const socketDoc = `subscription { notificationAdded { id } }`

// A connection that sends no connection_init within WS_INIT_TIMEOUT is closed
// with 1002 "connection initialisation timeout"; one that sends it in time is
// served.
func TestSocketInitTimeout(t *testing.T) {
	if d := graph.DefaultSocketLimits().InitTimeout; d != 10*time.Second {
		t.Fatalf("default init timeout %s, want 10s", d)
	}
	const timeout = 400 * time.Millisecond
	s := apptest.New(t, apptest.WithSocketLimits(graph.SocketLimits{InitTimeout: timeout}))
	_, token := s.User(t, models.RolePatient, nil)

	// just under: connection_init at a quarter of the timeout is acked
	// and the connection serves a subscription.
	early := s.DialUninitialised(t)
	time.Sleep(timeout / 4)
	early.Init(t, token)
	if !early.Acked(t) {
		code, reason := early.Closed(t)
		t.Fatalf("connection_init in time was refused: %d %q", code, reason)
	}
	early.Subscribe(t, socketDoc, nil)

	// just over: nothing sent, closed once the timeout passes.
	start := time.Now()
	silent := s.DialUninitialised(t)
	code, reason := silent.Closed(t)
	if code != websocket.StatusProtocolError || reason != "connection initialisation timeout" {
		t.Fatalf("silent connection closed with %d %q", code, reason)
	}
	if took := time.Since(start); took < timeout || took > timeout+5*time.Second {
		t.Fatalf("closed after %s, want about %s", took, timeout)
	}
	// the early one is still open and serving
	u, token2 := s.User(t, models.RolePatient, nil)
	late := s.Dial(t, token2)
	time.Sleep(timeout + 100*time.Millisecond)
	late.Subscribe(t, socketDoc, nil)
	s.WaitSubscribers(t, live.UserTopic(u.ID), 1)
}

// At most WS_MAX_SUBSCRIPTIONS (default 50) operations run at once on one
// connection: the 51st is answered RATE_LIMITED and the connection stays
// open; once one ends, another is served.
func TestSocketOperationsPerConnection(t *testing.T) {
	max := graph.DefaultSocketLimits().MaxOperations
	if max != 50 {
		t.Fatalf("default operations per connection %d, want 50", max)
	}
	s := apptest.New(t)
	u, token := s.User(t, models.RolePatient, nil)
	ws := s.Dial(t, token)
	subs := make([]*apptest.Sub, max)
	for i := range subs {
		subs[i] = ws.Subscribe(t, socketDoc, nil)
	}
	s.WaitSubscribers(t, live.UserTopic(u.ID), max) // just under: all 50 served

	over := ws.Subscribe(t, socketDoc, nil)
	r := over.Next(t)
	if r == nil || r.Code() != string(models.ERATELIMITED) {
		t.Fatalf("51st operation: want RATE_LIMITED, got %+v", r)
	}
	over.MustEnd(t)

	// the connection still serves: end one, and one more is accepted
	subs[0].Stop(t)
	subs[0].MustEnd(t)
	time.Sleep(100 * time.Millisecond) // the slot is given back as the operation's context ends
	ws.Subscribe(t, socketDoc, nil)
	s.WaitSubscribers(t, live.UserTopic(u.ID), max)
}

// At most WS_MAX_SOCKETS_PER_USER (default 10) signed-in websockets per user,
// counted across instances: 5 on one and 5 on another are served, the 11th
// on either is closed with 4429; another user is not affected; a closed
// socket gives its slot back.
func TestSocketsPerUserAcrossInstances(t *testing.T) {
	limit := ratelimit.Defaults().SocketsPerUser.Limit
	if limit != 10 {
		t.Fatalf("default sockets per user %d, want 10", limit)
	}
	a := apptest.New(t)
	b := a.Twin(t)
	_, token := a.User(t, models.RolePatient, nil)
	var open []*apptest.WS
	for i := 0; i < limit; i++ {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		open = append(open, srv.Dial(t, token)) // just under: served
	}
	for _, srv := range []*apptest.Server{a, b} {
		over := srv.DialUninitialised(t)
		over.Init(t, token)
		if over.Acked(t) {
			t.Fatal("11th socket of the user was accepted")
		}
		code, reason := over.Closed(t)
		if code != graph.CloseTooManySockets || reason != "RATE_LIMITED: too many open connections" {
			t.Fatalf("11th socket closed with %d %q", code, reason)
		}
	}
	// another user and anonymous sockets are not counted with this one
	_, other := b.User(t, models.RolePatient, nil)
	b.Dial(t, other)
	a.Dial(t, "")

	// a closed socket's lease is released: another is served again
	open[1].Close() // on b
	deadline := time.Now().Add(apptest.WSTimeout)
	for {
		ws := a.DialUninitialised(t)
		ws.Init(t, token)
		if ws.Acked(t) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slot of a closed socket was not given back")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The slots of an instance that died (its leases never released nor
// renewed) expire after the rule's window; until then they count.
func TestSocketLeasesOfDeadInstanceExpire(t *testing.T) {
	s := apptest.New(t)
	rule := ratelimit.Defaults().SocketsPerUser
	hold := func(u *models.User, at time.Time) {
		dead := ratelimit.New(s.DB, ratelimit.Defaults(), func() time.Time { return at })
		for i := 0; i < rule.Limit; i++ {
			if _, err := dead.Acquire(context.Background(), rule.For(u.ID.String())); err != nil {
				t.Fatal(err)
			}
		}
	}
	// taken just now by an instance that then died: they still count
	u, token := s.User(t, models.RolePatient, nil)
	hold(u, time.Now())
	ws := s.DialUninitialised(t)
	ws.Init(t, token)
	if ws.Acked(t) {
		t.Fatal("a socket was accepted over the live leases of another instance")
	}
	// taken a window and a second ago and never renewed: expired
	u2, token2 := s.User(t, models.RolePatient, nil)
	hold(u2, time.Now().Add(-rule.Window-time.Second))
	s.Dial(t, token2)
}
