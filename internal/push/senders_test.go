package push_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"mlp/internal/push"
)

// tlsServer starts an HTTPS (HTTP/2) server with the certificate the
// process trusts through SSL_CERT_FILE.
func tlsServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.EnableHTTP2 = true
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}}
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

// fakeGoogle is Google's OAuth token endpoint and FCM's send endpoint,
// checking each request as Google does.
type fakeGoogle struct {
	t        *testing.T
	key      *rsa.PrivateKey
	mu       sync.Mutex
	tokens   int
	sends    []map[string]any
	answer   func(n int) (int, string) // the n-th send's status and body
	tokenURI string
}

func (g *fakeGoogle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/token":
		if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			g.t.Errorf("token request content type %q", r.Header.Get("Content-Type"))
		}
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			g.t.Errorf("grant_type %q", r.PostForm.Get("grant_type"))
		}
		tok, err := jwt.Parse(r.PostForm.Get("assertion"), func(*jwt.Token) (any, error) { return &g.key.PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(g.tokenURI), jwt.WithIssuer("push@test-project.iam.gserviceaccount.com"))
		if err != nil {
			g.t.Errorf("assertion: %v", err)
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		if c := tok.Claims.(jwt.MapClaims); c["scope"] != push.FCMScope || tok.Header["kid"] != "key-1" {
			g.t.Errorf("assertion claims %v header %v", c, tok.Header)
		}
		g.tokens++
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"ya29.test-access","expires_in":3599,"token_type":"Bearer"}`)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/projects/test-project/messages:send":
		if r.Header.Get("Authorization") != "Bearer ya29.test-access" {
			g.t.Errorf("authorization %q", r.Header.Get("Authorization"))
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			g.t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			g.t.Errorf("body: %v", err)
		}
		g.sends = append(g.sends, body)
		status, answer := g.answer(len(g.sends))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	default:
		g.t.Errorf("unexpected request %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

func newFCM(t *testing.T, answer func(n int) (int, string)) (*push.FCM, *fakeGoogle) {
	t.Helper()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	g := &fakeGoogle{t: t, key: key, answer: answer}
	ts := tlsServer(t, g)
	g.tokenURI = ts.URL + "/token"
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	creds, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "test-project", "private_key_id": "key-1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "push@test-project.iam.gserviceaccount.com", "token_uri": g.tokenURI,
	})
	file := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(file, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := push.NewFCM(file, ts.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f, g
}

var msg = push.Message{Title: "MLP", Body: "You have an update about your request", Data: map[string]string{"caseId": "0190c0de-0000-7000-8000-000000000001"}}

func TestFCM(t *testing.T) {
	t.Run("SendsTheV1Request", func(t *testing.T) {
		f, g := newFCM(t, func(int) (int, string) { return 200, `{"name":"projects/test-project/messages/0:1"}` })
		for range 2 {
			if err := f.Send(context.Background(), "fcm-token-1", msg); err != nil {
				t.Fatal(err)
			}
		}
		if g.tokens != 1 {
			t.Fatalf("%d OAuth tokens fetched for two sends, want 1 (cached)", g.tokens)
		}
		m := g.sends[0]["message"].(map[string]any)
		n := m["notification"].(map[string]any)
		d := m["data"].(map[string]any)
		if m["token"] != "fcm-token-1" || n["title"] != msg.Title || n["body"] != msg.Body || d["caseId"] != msg.Data["caseId"] || len(d) != 1 {
			t.Fatalf("message %v", m)
		}
	})
	t.Run("UnregisteredIsGone", func(t *testing.T) {
		f, _ := newFCM(t, func(int) (int, string) {
			return 404, `{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNREGISTERED"}]}}`
		})
		if err := f.Send(context.Background(), "old", msg); !errors.Is(err, push.ErrGone) {
			t.Fatalf("err %v, want ErrGone", err)
		}
	})
	t.Run("UnavailableIsRetried", func(t *testing.T) {
		f, _ := newFCM(t, func(int) (int, string) {
			return 503, `{"error":{"code":503,"status":"UNAVAILABLE","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"UNAVAILABLE"}]}}`
		})
		err := f.Send(context.Background(), "t", msg)
		var perm *push.PermanentError
		if err == nil || errors.Is(err, push.ErrGone) || errors.As(err, &perm) {
			t.Fatalf("err %v, want a retryable error", err)
		}
	})
	t.Run("InvalidArgumentIsPermanent", func(t *testing.T) {
		f, _ := newFCM(t, func(int) (int, string) {
			return 400, `{"error":{"code":400,"status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.firebase.fcm.v1.FcmError","errorCode":"INVALID_ARGUMENT"}]}}`
		})
		var perm *push.PermanentError
		if err := f.Send(context.Background(), "t", msg); !errors.As(err, &perm) {
			t.Fatalf("err %v, want permanent", err)
		}
	})
}

// fakeApple is APNs, checking each request as Apple does.
type fakeApple struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	mu     sync.Mutex
	bodies []map[string]any
	status int
	reason string
}

func (a *fakeApple) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r.ProtoMajor != 2 {
		a.t.Errorf("APNs request over HTTP/%d, want HTTP/2", r.ProtoMajor)
	}
	token, ok := strings.CutPrefix(r.URL.Path, "/3/device/")
	if r.Method != http.MethodPost || !ok || token == "" {
		a.t.Errorf("unexpected request %s %s", r.Method, r.URL)
	}
	if r.Header.Get("apns-topic") != "org.example.mlp" || r.Header.Get("apns-push-type") != "alert" || r.Header.Get("apns-priority") != "10" {
		a.t.Errorf("headers %v", r.Header)
	}
	bearer, _ := strings.CutPrefix(r.Header.Get("Authorization"), "bearer ")
	tok, err := jwt.Parse(bearer, func(*jwt.Token) (any, error) { return &a.key.PublicKey, nil },
		jwt.WithValidMethods([]string{"ES256"}), jwt.WithIssuer("TEAM123456"), jwt.WithIssuedAt())
	if err != nil || tok.Header["kid"] != "KEY1234567" {
		a.t.Errorf("provider token: %v %v", err, tok)
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	a.bodies = append(a.bodies, body)
	w.Header().Set("apns-id", "E1A2B3C4-0000-0000-0000-000000000000")
	if a.status != 0 && a.status != 200 {
		w.WriteHeader(a.status)
		_ = json.NewEncoder(w).Encode(map[string]any{"reason": a.reason})
		return
	}
}

func newAPNs(t *testing.T, status int, reason string) (*push.APNs, *fakeApple) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	a := &fakeApple{t: t, key: key, status: status, reason: reason}
	ts := tlsServer(t, a)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	file := filepath.Join(t.TempDir(), "AuthKey.p8")
	_ = os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	s, err := push.NewAPNs(push.APNsConfig{KeyFile: file, KeyID: "KEY1234567", TeamID: "TEAM123456", Topic: "org.example.mlp", Endpoint: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	return s, a
}

func TestAPNs(t *testing.T) {
	t.Run("SendsTokenAuthOverHTTP2", func(t *testing.T) {
		s, a := newAPNs(t, 200, "")
		if err := s.Send(context.Background(), "a1b2c3d4e5f6", msg); err != nil {
			t.Fatal(err)
		}
		aps := a.bodies[0]["aps"].(map[string]any)
		alert := aps["alert"].(map[string]any)
		if alert["title"] != msg.Title || alert["body"] != msg.Body || a.bodies[0]["caseId"] != msg.Data["caseId"] || len(a.bodies[0]) != 2 {
			t.Fatalf("body %v", a.bodies[0])
		}
	})
	t.Run("GoneIs410", func(t *testing.T) {
		s, _ := newAPNs(t, 410, "Unregistered")
		if err := s.Send(context.Background(), "old", msg); !errors.Is(err, push.ErrGone) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("BadRequestIsPermanent", func(t *testing.T) {
		s, _ := newAPNs(t, 400, "BadDeviceToken")
		var perm *push.PermanentError
		if err := s.Send(context.Background(), "x", msg); !errors.As(err, &perm) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("TooManyRequestsIsRetried", func(t *testing.T) {
		s, _ := newAPNs(t, 429, "TooManyRequests")
		var perm *push.PermanentError
		if err := s.Send(context.Background(), "x", msg); err == nil || errors.As(err, &perm) || errors.Is(err, push.ErrGone) {
			t.Fatalf("err %v", err)
		}
	})
}

var _ = url.Values{}
