package apptest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// WSTimeout bounds every wait of the websocket client: a test that waits this
// long for a message has failed.
const WSTimeout = 10 * time.Second

// WS is a graphql-transport-ws client connection to a test server, as the
// apps open it: the access token travels in connection_init's payload.
type WS struct {
	conn *websocket.Conn

	mu       sync.Mutex
	subs     map[string]chan wsMessage
	nextID   int
	closed   chan struct{}
	closeErr error // why the connection closed, once it has
	readOnce sync.Once
}

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// Dial opens a websocket to the server and completes connection_init with
// token ("" sends no authorization). The connection closes when the test ends.
func (s *Server) Dial(tb testing.TB, token string) *WS {
	tb.Helper()
	return s.DialWithHeader(tb, nil, token)
}

// DialWithHeader is Dial with header sent on the upgrade request (which a
// server must not take for connection_init's authorization).
func (s *Server) DialWithHeader(tb testing.TB, header http.Header, token string) *WS {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WSTimeout)
	defer cancel()
	w := s.dial(tb, header)
	w.Init(tb, token)
	var ack wsMessage
	if err := w.read(ctx, &ack); err != nil || ack.Type != "connection_ack" {
		tb.Fatalf("connection_init: got %+v, %v", ack, err)
	}
	w.startReading()
	return w
}

// DialUninitialised opens a websocket and sends nothing on it: the test
// sends connection_init (Init) when it likes, or never, and waits with
// Acked or Closed.
func (s *Server) DialUninitialised(tb testing.TB) *WS {
	tb.Helper()
	return s.dial(tb, nil)
}

func (s *Server) dial(tb testing.TB, header http.Header) *WS {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WSTimeout)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, strings.Replace(s.URL, "http", "ws", 1)+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		tb.Fatal(err)
	}
	conn.SetReadLimit(1 << 20)
	w := &WS{conn: conn, subs: map[string]chan wsMessage{}, closed: make(chan struct{})}
	tb.Cleanup(func() { _ = conn.Close(websocket.StatusNormalClosure, "") })
	return w
}

// Init sends connection_init with token ("" sends no authorization).
func (w *WS) Init(tb testing.TB, token string) {
	tb.Helper()
	payload := map[string]any{}
	if token != "" {
		payload["authorization"] = "Bearer " + token
	}
	w.send(tb, wsMessage{Type: "connection_init", Payload: mustJSON(tb, payload)})
}

// Acked waits for the answer to an Init of DialUninitialised: true for
// connection_ack (the connection then serves Subscribe), false when the
// server closed the connection instead (Closed then says how).
func (w *WS) Acked(tb testing.TB) bool {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WSTimeout)
	defer cancel()
	var ack wsMessage
	err := w.read(ctx, &ack)
	if err == nil && ack.Type == "connection_ack" {
		w.startReading()
		return true
	}
	var ce websocket.CloseError
	if !errors.As(err, &ce) {
		tb.Fatalf("connection_init: got %+v, %v", ack, err)
	}
	w.readOnce.Do(func() { // nothing more to read: the connection is closed
		w.mu.Lock()
		w.closeErr = err
		w.mu.Unlock()
		close(w.closed)
	})
	return false
}

// Close closes the connection from the client's side.
func (w *WS) Close() { _ = w.conn.Close(websocket.StatusNormalClosure, "") }

func mustJSON(tb testing.TB, v any) json.RawMessage {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func (w *WS) send(tb testing.TB, m wsMessage) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), WSTimeout)
	defer cancel()
	b := mustJSON(tb, m)
	if err := w.conn.Write(ctx, websocket.MessageText, b); err != nil {
		tb.Fatal(err)
	}
}

func (w *WS) read(ctx context.Context, m *wsMessage) error {
	_, b, err := w.conn.Read(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, m)
}

// startReading starts readLoop once.
func (w *WS) startReading() { w.readOnce.Do(func() { go w.readLoop() }) }

// readLoop routes messages to their subscriptions and answers pings.
func (w *WS) readLoop() {
	defer func() {
		w.mu.Lock()
		for id, c := range w.subs {
			close(c)
			delete(w.subs, id)
		}
		w.mu.Unlock()
		close(w.closed)
	}()
	for {
		var m wsMessage
		if err := w.read(context.Background(), &m); err != nil {
			w.mu.Lock()
			w.closeErr = err
			w.mu.Unlock()
			return
		}
		switch m.Type {
		case "ping":
			b, _ := json.Marshal(wsMessage{Type: "pong"})
			_ = w.conn.Write(context.Background(), websocket.MessageText, b)
		case "next", "error", "complete":
			w.mu.Lock()
			c := w.subs[m.ID]
			if m.Type == "complete" || m.Type == "error" {
				delete(w.subs, m.ID)
			}
			w.mu.Unlock()
			if c == nil {
				continue
			}
			c <- m // buffered generously; a test reads what it subscribed to
			if m.Type == "complete" || m.Type == "error" {
				close(c)
			}
		}
	}
}

// Sub is one subscription of a WS connection.
type Sub struct {
	ws *WS
	id string
	c  chan wsMessage
}

// Subscribe starts a subscription. The server may not have registered it
// when Subscribe returns: wait with Server.WaitSubscribers.
func (w *WS) Subscribe(tb testing.TB, query string, vars map[string]any) *Sub {
	tb.Helper()
	w.mu.Lock()
	w.nextID++
	id := strconv.Itoa(w.nextID)
	c := make(chan wsMessage, 256)
	w.subs[id] = c
	w.mu.Unlock()
	w.send(tb, wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(tb, map[string]any{"query": query, "variables": vars})})
	return &Sub{ws: w, id: id, c: c}
}

// Stop sends complete for the subscription (the client unsubscribes).
func (s *Sub) Stop(tb testing.TB) {
	tb.Helper()
	s.ws.send(tb, wsMessage{ID: s.id, Type: "complete"})
}

// Next waits for the subscription's next result: a Response for "next" (data
// or errors) and "error" messages, nil when the stream completed or the
// connection closed. It fails the test after WSTimeout.
func (s *Sub) Next(tb testing.TB) *Response {
	tb.Helper()
	select {
	case m, ok := <-s.c:
		if !ok || m.Type == "complete" {
			return nil
		}
		r := &Response{Status: http.StatusOK, Raw: string(m.Payload)}
		if m.Type == "error" {
			if err := json.Unmarshal(m.Payload, &r.Errors); err != nil {
				tb.Fatalf("error payload %s: %v", m.Payload, err)
			}
			return r
		}
		if err := json.Unmarshal(m.Payload, r); err != nil {
			tb.Fatalf("next payload %s: %v", m.Payload, err)
		}
		return r
	case <-time.After(WSTimeout):
		tb.Fatalf("subscription %s: nothing within %s", s.id, WSTimeout)
		return nil
	}
}

// MustEnd fails the test unless the stream ends (completes, or the
// connection closes) before anything else arrives.
func (s *Sub) MustEnd(tb testing.TB) {
	tb.Helper()
	if r := s.Next(tb); r != nil {
		tb.Fatalf("want the stream to end, got %s", r.Raw)
	}
}

// Closed waits until the server closes the connection and returns the close
// status and reason; it fails the test after WSTimeout. On a connection of
// DialUninitialised that was never initialised, it reads until the close.
func (w *WS) Closed(tb testing.TB) (websocket.StatusCode, string) {
	tb.Helper()
	w.startReading()
	select {
	case <-w.closed:
	case <-time.After(WSTimeout):
		tb.Fatalf("connection still open after %s", WSTimeout)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var ce websocket.CloseError
	if errors.As(w.closeErr, &ce) {
		return ce.Code, ce.Reason
	}
	return -1, ""
}

// WaitSubscribers waits until the server's hub has at least n established
// subscriptions on topic (see live.CaseTopic, live.UserTopic): authorized,
// registered and their session checked again, so that a test writes only
// once its subscriber listens. It fails the test after WSTimeout.
func (s *Server) WaitSubscribers(tb testing.TB, topic string, n int) {
	tb.Helper()
	deadline := time.Now().Add(WSTimeout)
	for s.App.Listener.Hub().Established(topic) < n {
		if time.Now().After(deadline) {
			tb.Fatalf("topic %s: %d subscribers after %s, want %d", topic, s.App.Listener.Hub().Established(topic), WSTimeout, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
