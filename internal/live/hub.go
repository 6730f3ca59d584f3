// Package live carries the signals behind GraphQL subscriptions across server
// instances that share one database. Triggers (migrations/00005_devices.sql)
// send a PostgreSQL NOTIFY in the transaction that inserts a case event or a
// notification, revokes a session or disables a user; the payload holds ids
// only. Each server process runs one Listener, a dedicated connection that
// LISTENs and hands every signal to the process's Hub, which fans it out to
// the subscriptions of that topic. Subscribers then load the row by id through
// their service, as the subscribing user, and decide there whether to deliver
// it: this package never sees a row, only ids.
package live

import (
	"sync"

	"github.com/google/uuid"
)

// Buffer is how many signals a subscription may have waiting. A subscriber
// that falls this far behind (a client that stopped reading) is ended rather
// than allowed to slow anyone else: its stream completes and the client
// resubscribes and reloads.
const Buffer = 64

// Topics and end keys. A topic carries row ids to its subscriptions; an end
// key ends them.
func CaseTopic(caseID uuid.UUID) string { return "case:" + caseID.String() }

// UserTopic carries the ids of a user's new notifications.
func UserTopic(userID uuid.UUID) string { return "notifications:" + userID.String() }

// SessionKey ends the subscriptions of a session when it is revoked (logout,
// refresh-token reuse).
func SessionKey(sessionID uuid.UUID) string { return "session:" + sessionID.String() }

// UserKey ends the subscriptions of a user when the account is disabled.
func UserKey(userID uuid.UUID) string { return "user:" + userID.String() }

// Reasons a subscription ended.
const (
	EndedByClient   = "closed"
	EndedOverflow   = "overflow"
	EndedByKey      = "session ended"
	EndedConnection = "listener reconnected"
	EndedShutdown   = "shutdown"
)

// Subscription receives the row ids published on one topic. C is closed when
// the subscription ends; Reason then says why.
type Subscription struct {
	// C delivers row ids in the order their transactions committed.
	C <-chan uuid.UUID

	c      chan uuid.UUID
	hub    *Hub
	topic  string
	keys   []string
	reason string // guarded by hub.mu
	// established says the subscription passed every check of its start
	// (see Listener.Subscribe); guarded by hub.mu.
	established bool
}

// Close ends the subscription; it is safe to call more than once.
func (s *Subscription) Close() { s.hub.end(s, EndedByClient) }

// Reason says why the subscription ended ("" while it runs).
func (s *Subscription) Reason() string {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	return s.reason
}

// Hub fans signals out to the subscriptions of one process. Publishing never
// blocks.
type Hub struct {
	mu     sync.Mutex
	topics map[string]map[*Subscription]struct{}
	keys   map[string]map[*Subscription]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{topics: map[string]map[*Subscription]struct{}{}, keys: map[string]map[*Subscription]struct{}{}}
}

// Subscribe starts a subscription to topic that also ends when any of endKeys
// is ended (see End).
func (h *Hub) Subscribe(topic string, endKeys ...string) *Subscription {
	c := make(chan uuid.UUID, Buffer)
	s := &Subscription{C: c, c: c, hub: h, topic: topic, keys: endKeys}
	h.mu.Lock()
	add(h.topics, topic, s)
	for _, k := range endKeys {
		add(h.keys, k, s)
	}
	h.mu.Unlock()
	return s
}

// Publish hands id to every subscription of topic. A subscription whose
// buffer is full is ended (EndedOverflow) instead of waited for.
func (h *Hub) Publish(topic string, id uuid.UUID) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.topics[topic] {
		select {
		case s.c <- id:
		default:
			h.endLocked(s, EndedOverflow)
		}
	}
}

// End ends every subscription registered with end key k.
func (h *Hub) End(k string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.keys[k] {
		h.endLocked(s, EndedByKey)
	}
}

// WakeAll sends every subscription the catch-up wake-up (the listener
// reconnected: signals may have been lost); a subscription whose buffer is
// full ends as one that fell behind.
func (h *Hub) WakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.topics {
		for s := range subs {
			select {
			case s.c <- catchUp:
			default:
				h.endLocked(s, EndedOverflow)
			}
		}
	}
}

// EndAll ends every subscription, for the given reason.
func (h *Hub) EndAll(reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, subs := range h.topics {
		for s := range subs {
			h.endLocked(s, reason)
		}
	}
}

// Count returns how many subscriptions topic has.
func (h *Hub) Count(topic string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.topics[topic])
}

// Established returns how many subscriptions of topic are established:
// registered and past every check of their start (Listener.Subscribe), so
// that what is committed from now on reaches them.
func (h *Hub) Established(topic string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for s := range h.topics[topic] {
		if s.established {
			n++
		}
	}
	return n
}

// establish marks s as past every check of its start.
func (h *Hub) establish(s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.established = true
}

func (h *Hub) end(s *Subscription, reason string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.endLocked(s, reason)
}

func (h *Hub) endLocked(s *Subscription, reason string) {
	if s.reason != "" {
		return
	}
	s.reason = reason
	remove(h.topics, s.topic, s)
	for _, k := range s.keys {
		remove(h.keys, k, s)
	}
	close(s.c)
}

func add(m map[string]map[*Subscription]struct{}, k string, s *Subscription) {
	if m[k] == nil {
		m[k] = map[*Subscription]struct{}{}
	}
	m[k][s] = struct{}{}
}

func remove(m map[string]map[*Subscription]struct{}, k string, s *Subscription) {
	delete(m[k], s)
	if len(m[k]) == 0 {
		delete(m, k)
	}
}
