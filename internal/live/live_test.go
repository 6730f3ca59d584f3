package live_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"mlp/internal/database/dbtest"
	"mlp/internal/live"
)

const wait = 10 * time.Second

func receive(t *testing.T, sub *live.Subscription) (uuid.UUID, bool) {
	t.Helper()
	select {
	case id, ok := <-sub.C:
		return id, ok
	case <-time.After(wait):
		t.Fatalf("nothing within %s", wait)
		return uuid.Nil, false
	}
}

// TestHubSlowSubscriberIsEnded ends a subscriber that stops reading once its
// buffer is full, without holding up the others of its topic.
func TestHubSlowSubscriberIsEnded(t *testing.T) {
	t.Parallel()
	h := live.NewHub()
	topic := live.CaseTopic(uuid.New())
	slow, fast := h.Subscribe(topic), h.Subscribe(topic)
	for range live.Buffer + 1 {
		h.Publish(topic, uuid.New())
		if _, ok := receive(t, fast); !ok {
			t.Fatal("the reading subscriber was ended")
		}
	}
	for range live.Buffer {
		if _, ok := receive(t, slow); !ok {
			t.Fatal("the slow subscriber lost buffered signals")
		}
	}
	if _, ok := receive(t, slow); ok || slow.Reason() != live.EndedOverflow {
		t.Fatalf("the slow subscriber was not ended (reason %q)", slow.Reason())
	}
	if h.Count(topic) != 1 {
		t.Fatalf("%d subscribers left, want 1", h.Count(topic))
	}
}

// TestHubEndKeys ends the subscriptions of an end key (a revoked session) and
// leaves the others.
func TestHubEndKeys(t *testing.T) {
	t.Parallel()
	h := live.NewHub()
	sid, other := uuid.New(), uuid.New()
	topic := live.UserTopic(uuid.New())
	a := h.Subscribe(topic, live.SessionKey(sid))
	b := h.Subscribe(topic, live.SessionKey(other))
	h.End(live.SessionKey(sid))
	if _, ok := receive(t, a); ok || a.Reason() != live.EndedByKey {
		t.Fatal("the session's subscription is still open")
	}
	if b.Reason() != "" {
		t.Fatal("another session's subscription was ended")
	}
	b.Close()
	b.Close() // twice is fine
	if h.Count(topic) != 0 {
		t.Fatal("closed subscriptions are still counted")
	}
}

// TestListener hears NOTIFYs on the database, ends every subscription when
// its connection drops (signals may have been lost), reconnects, and ends
// them all on Close.
func TestListener(t *testing.T) {
	t.Parallel()
	db := dbtest.Open(t)
	l := live.NewListener(dbtest.URL(t), live.NewHub(), slog.New(slog.DiscardHandler))
	defer l.Close()
	ctx := context.Background()
	caseID := uuid.New()
	notifyEvent := func() uuid.UUID {
		t.Helper()
		id := uuid.New()
		if err := db.Exec(`SELECT pg_notify(?, ?)`, live.ChannelCaseEvent, caseID.String()+":"+id.String()).Error; err != nil {
			t.Fatal(err)
		}
		return id
	}

	sub, err := l.Subscribe(ctx, live.CaseTopic(caseID))
	if err != nil {
		t.Fatal(err)
	}
	want := notifyEvent()
	if got, ok := receive(t, sub); !ok || got != want {
		t.Fatalf("got %s (%v), want %s", got, ok, want)
	}

	// Drop the listener's connection from the server side.
	if err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = ?`, live.ApplicationName).Error; err != nil {
		t.Fatal(err)
	}
	// The subscription stays open: once the listener listens again it gets
	// the catch-up wake-up (uuid.Nil), to read what it missed from the
	// database, and then signals as before.
	if got, ok := receive(t, sub); !ok || got != uuid.Nil {
		t.Fatalf("after the lost connection: got %s (%v, reason %q), want the catch-up wake-up", got, ok, sub.Reason())
	}
	want = notifyEvent()
	if got, ok := receive(t, sub); !ok || got != want {
		t.Fatalf("after reconnecting: got %s (%v), want %s", got, ok, want)
	}

	l.Close()
	if _, ok := receive(t, sub); ok || sub.Reason() != live.EndedShutdown {
		t.Fatalf("the subscription outlived Close (reason %q)", sub.Reason())
	}
	if _, err := l.Subscribe(ctx, live.CaseTopic(caseID)); err == nil {
		t.Fatal("subscribed to a closed listener")
	}
}
