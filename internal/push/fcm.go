package push

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FCMScope is the OAuth scope of FCM HTTP v1.
const FCMScope = "https://www.googleapis.com/auth/firebase.messaging"

// DefaultFCMEndpoint is FCM's base URL.
const DefaultFCMEndpoint = "https://fcm.googleapis.com"

// serviceAccount is the part of a Google service-account JSON key FCM needs.
type serviceAccount struct {
	Type         string `json:"type"`
	ProjectID    string `json:"project_id"`
	PrivateKeyID string `json:"private_key_id"`
	PrivateKey   string `json:"private_key"`
	ClientEmail  string `json:"client_email"`
	TokenURI     string `json:"token_uri"`
}

// FCM sends through Firebase Cloud Messaging HTTP v1: an OAuth access token
// got from the service account's token_uri with a signed JWT (RS256),
// cached until shortly before it expires, then POST
// {endpoint}/v1/projects/{project_id}/messages:send.
type FCM struct {
	endpoint string
	account  serviceAccount
	key      *rsa.PrivateKey
	client   *http.Client
	now      func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

// NewFCM reads the service-account JSON at credentialsFile. endpoint ""
// is DefaultFCMEndpoint. client nil uses one that trusts the system roots.
func NewFCM(credentialsFile, endpoint string, client *http.Client) (*FCM, error) {
	b, err := os.ReadFile(credentialsFile)
	if err != nil {
		return nil, fmt.Errorf("FCM_CREDENTIALS_FILE: %w", err)
	}
	var a serviceAccount
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("FCM_CREDENTIALS_FILE: not a service-account JSON: %w", err)
	}
	if a.ProjectID == "" || a.ClientEmail == "" || a.PrivateKey == "" {
		return nil, errors.New("FCM_CREDENTIALS_FILE: project_id, client_email and private_key are required")
	}
	if a.TokenURI == "" {
		a.TokenURI = "https://oauth2.googleapis.com/token"
	}
	block, _ := pem.Decode([]byte(a.PrivateKey))
	if block == nil {
		return nil, errors.New("FCM_CREDENTIALS_FILE: private_key is not PEM")
	}
	var key *rsa.PrivateKey
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, errors.New("FCM_CREDENTIALS_FILE: private_key is not an RSA key")
		}
		key = rk
	} else if key, err = x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
		return nil, errors.New("FCM_CREDENTIALS_FILE: private_key cannot be read")
	}
	if endpoint == "" {
		endpoint = DefaultFCMEndpoint
	}
	if client == nil {
		client = newClient()
	}
	return &FCM{endpoint: strings.TrimRight(endpoint, "/"), account: a, key: key, client: client, now: time.Now}, nil
}

// Name is "fcm".
func (f *FCM) Name() string { return "fcm" }

// accessToken returns the cached OAuth token or gets a new one.
func (f *FCM) accessToken(ctx context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.token != "" && now.Before(f.expires.Add(-time.Minute)) {
		return f.token, nil
	}
	claims := jwt.MapClaims{
		"iss": f.account.ClientEmail, "scope": FCMScope, "aud": f.account.TokenURI,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if f.account.PrivateKeyID != "" {
		t.Header["kid"] = f.account.PrivateKeyID
	}
	assertion, err := t.SignedString(crypto.Signer(f.key))
	if err != nil {
		return "", err
	}
	form := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.account.TokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := f.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("push: fcm token: %w", err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("push: fcm token: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil || body.AccessToken == "" {
		return "", errors.New("push: fcm token: no access_token in the answer")
	}
	f.token, f.expires = body.AccessToken, now.Add(time.Duration(body.ExpiresIn)*time.Second)
	return f.token, nil
}

// Send posts one message. UNREGISTERED (HTTP 404) is ErrGone; a 401 drops
// the cached access token and is retried.
func (f *FCM) Send(ctx context.Context, token string, m Message) error {
	access, err := f.accessToken(ctx)
	if err != nil {
		return err
	}
	type notification struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	payload := map[string]any{"message": map[string]any{
		"token":        token,
		"notification": notification{m.Title, m.Body},
		"data":         m.Data,
		"android":      map[string]any{"priority": "high"},
	}}
	b, _ := json.Marshal(payload)
	u := fmt.Sprintf("%s/v1/projects/%s/messages:send", f.endpoint, url.PathEscape(f.account.ProjectID))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	resp, err := f.client.Do(req)
	if err != nil {
		return fmt.Errorf("push: fcm: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil
	}
	var e struct {
		Error struct {
			Status  string `json:"status"`
			Details []struct {
				Type      string `json:"@type"`
				ErrorCode string `json:"errorCode"`
			} `json:"details"`
		} `json:"error"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
	for _, d := range e.Error.Details {
		if d.ErrorCode == "UNREGISTERED" {
			return ErrGone
		}
	}
	if resp.StatusCode == http.StatusNotFound && e.Error.Status == "NOT_FOUND" {
		return ErrGone
	}
	if resp.StatusCode == http.StatusUnauthorized {
		f.mu.Lock()
		f.token = ""
		f.mu.Unlock()
	}
	return classify(resp.StatusCode)
}

// newClient is an HTTP client trusting the system roots (SSL_CERT_FILE),
// HTTP/2 when the server offers it.
func newClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ForceAttemptHTTP2 = true
	return &http.Client{Transport: t, Timeout: 20 * time.Second}
}
