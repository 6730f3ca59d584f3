package push_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"mlp/internal/apptest"
	"mlp/internal/notify"
	"mlp/internal/push"
	"mlp/models"
)

// fakeSender records what it is asked to send and answers with answer.
type fakeSender struct {
	mu     sync.Mutex
	sent   map[string][]push.Message // by token
	calls  map[string]int
	answer func(token string, call int) error
}

func newFake(answer func(string, int) error) *fakeSender {
	return &fakeSender{sent: map[string][]push.Message{}, calls: map[string]int{}, answer: answer}
}

func (f *fakeSender) Name() string { return "fake" }

func (f *fakeSender) Send(_ context.Context, token string, m push.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[token]++
	if f.answer != nil {
		if err := f.answer(token, f.calls[token]); err != nil {
			return err
		}
	}
	f.sent[token] = append(f.sent[token], m)
	return nil
}

func (f *fakeSender) delivered(token string) []push.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]push.Message(nil), f.sent[token]...)
}

func (f *fakeSender) callsOf(token string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[token]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const registerDoc = `mutation($p: DevicePlatform!, $t: String!) { registerDevice(platform: $p, token: $t) }`

// notifyOnce writes one notification about a new case to u, as the services
// do, in a transaction of its own, and returns the case id.
func notifyOnce(t *testing.T, s *apptest.Server, u *models.User, kind string) uuid.UUID {
	t.Helper()
	caseID := uuid.New()
	n := notify.NewNotifier(s.App.Outbox)
	err := s.DB.Transaction(func(tx *gorm.DB) error {
		return n.To(context.Background(), tx, []uuid.UUID{u.ID}, notify.Note{Kind: kind,
			Data: map[string]any{"Reference": "MLP-2026-000001"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return caseID
}

// The tests with workers share the package database's jobs: not parallel.

func TestPushThroughTheOutbox(t *testing.T) {
	android := newFake(func(token string, call int) error {
		switch {
		case token == "gone-token-000":
			return push.ErrGone
		case token == "flaky-token-00" && call <= 2:
			return errors.New("provider unavailable")
		}
		return nil
	})
	ios := newFake(nil)
	s := apptest.New(t, apptest.WithWorkers(), apptest.WithPush(push.Senders{models.PlatformAndroid: android, models.PlatformIOS: ios}))

	t.Run("PHIFreeTextsToEveryDevice", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		s.Do(t, tok, registerDoc, map[string]any{"p": "ANDROID", "t": "android-token-1"}).MustOK(t)
		s.Do(t, tok, registerDoc, map[string]any{"p": "IOS", "t": "ios-token-0001"}).MustOK(t)
		notifyOnce(t, s, u, notify.KindCaseMessage)
		waitFor(t, "both pushes", func() bool {
			return len(android.delivered("android-token-1")) == 1 && len(ios.delivered("ios-token-0001")) == 1
		})
		for _, m := range []push.Message{android.delivered("android-token-1")[0], ios.delivered("ios-token-0001")[0]} {
			if m.Title != "MLP" || m.Body != "You have an update about your request" || len(m.Data) != 0 {
				t.Fatalf("push %+v", m)
			}
		}
	})
	t.Run("SpanishAndDiscreet", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		s.DB.Model(u).Updates(map[string]any{"preferred_language": "es", "discreet_notifications": true})
		s.Do(t, tok, registerDoc, map[string]any{"p": "IOS", "t": "ios-discreet-1"}).MustOK(t)
		notifyOnce(t, s, u, notify.KindCaseStatusChanged)
		waitFor(t, "the push", func() bool { return len(ios.delivered("ios-discreet-1")) == 1 })
		m := ios.delivered("ios-discreet-1")[0]
		if m.Title != "Tienes una novedad" || m.Body != "Tienes una novedad" {
			t.Fatalf("push %+v", m)
		}
	})
	t.Run("GoneDeviceIsRemoved", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		s.Do(t, tok, registerDoc, map[string]any{"p": "ANDROID", "t": "gone-token-000"}).MustOK(t)
		notifyOnce(t, s, u, notify.KindCaseMessage)
		waitFor(t, "the device's removal", func() bool {
			var n int64
			s.DB.Model(&models.Device{}).Where("user_id = ?", u.ID).Count(&n)
			return n == 0
		})
		if c := android.callsOf("gone-token-000"); c != 1 {
			t.Fatalf("%d sends to a gone device, want 1", c)
		}
	})
	t.Run("FailsTwiceThenDeliversOnce", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		s.Do(t, tok, registerDoc, map[string]any{"p": "ANDROID", "t": "flaky-token-00"}).MustOK(t)
		notifyOnce(t, s, u, notify.KindCaseMessage)
		waitFor(t, "the delivery", func() bool { return len(android.delivered("flaky-token-00")) == 1 })
		time.Sleep(300 * time.Millisecond)
		if d, c := len(android.delivered("flaky-token-00")), android.callsOf("flaky-token-00"); d != 1 || c != 3 {
			t.Fatalf("%d deliveries in %d attempts, want 1 in 3", d, c)
		}
	})
	t.Run("RolledBackNotificationPushesNothing", func(t *testing.T) {
		u, tok := s.User(t, models.RolePatient, nil)
		s.Do(t, tok, registerDoc, map[string]any{"p": "ANDROID", "t": "rollback-tok-1"}).MustOK(t)
		n := notify.NewNotifier(s.App.Outbox)
		boom := errors.New("the cause failed")
		err := s.DB.Transaction(func(tx *gorm.DB) error {
			if err := n.To(context.Background(), tx, []uuid.UUID{u.ID}, notify.Note{Kind: notify.KindCaseMessage,
				Data: map[string]any{"Reference": "MLP-2026-000002"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		notifyOnce(t, s, u, notify.KindCaseOutcome)
		waitFor(t, "the committed push", func() bool { return len(android.delivered("rollback-tok-1")) >= 1 })
		time.Sleep(200 * time.Millisecond)
		if d := len(android.delivered("rollback-tok-1")); d != 1 {
			t.Fatalf("%d pushes, want only the committed one", d)
		}
	})
}
