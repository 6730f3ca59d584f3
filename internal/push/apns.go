package push

import (
	"bytes"
	"context"
	"crypto/ecdsa"
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

// DefaultAPNsEndpoint is APNs' production base URL.
const DefaultAPNsEndpoint = "https://api.push.apple.com"

// APNs sends through Apple's push service with token authentication: an
// ES256 JWT (kid = key id, iss = team id, iat) made at most every 40
// minutes (Apple refuses tokens older than an hour and renewals more often
// than every 20), over HTTP/2 to {endpoint}/3/device/{token}.
type APNs struct {
	endpoint, keyID, teamID, topic string
	key                            *ecdsa.PrivateKey
	client                         *http.Client
	now                            func() time.Time

	mu     sync.Mutex
	jwt    string
	issued time.Time
}

// APNsConfig configures NewAPNs.
type APNsConfig struct {
	KeyFile, KeyID, TeamID, Topic, Endpoint string
	// Client nil uses one that trusts the system roots, over HTTP/2.
	Client *http.Client
}

// NewAPNs reads the .p8 key (PKCS#8 EC P-256 in PEM).
func NewAPNs(c APNsConfig) (*APNs, error) {
	if c.KeyID == "" || c.TeamID == "" || c.Topic == "" {
		return nil, errors.New("APNS_KEY_ID, APNS_TEAM_ID and APNS_TOPIC are required with APNS_KEY_FILE")
	}
	b, err := os.ReadFile(c.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("APNS_KEY_FILE: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("APNS_KEY_FILE: not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("APNS_KEY_FILE: not a PKCS#8 key")
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("APNS_KEY_FILE: not an EC key")
	}
	if c.Endpoint == "" {
		c.Endpoint = DefaultAPNsEndpoint
	}
	if c.Client == nil {
		c.Client = newClient()
	}
	return &APNs{endpoint: strings.TrimRight(c.Endpoint, "/"), keyID: c.KeyID, teamID: c.TeamID, topic: c.Topic,
		key: key, client: c.Client, now: time.Now}, nil
}

// Name is "apns".
func (a *APNs) Name() string { return "apns" }

func (a *APNs) providerToken(renew bool) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if a.jwt != "" && !renew && now.Sub(a.issued) < 40*time.Minute {
		return a.jwt, nil
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{"iss": a.teamID, "iat": now.Unix()})
	t.Header["kid"] = a.keyID
	s, err := t.SignedString(a.key)
	if err != nil {
		return "", err
	}
	a.jwt, a.issued = s, now
	return s, nil
}

// Send posts one alert. 410 (Unregistered) is ErrGone; 403
// ExpiredProviderToken renews the provider token and is retried.
func (a *APNs) Send(ctx context.Context, token string, m Message) error {
	pt, err := a.providerToken(false)
	if err != nil {
		return err
	}
	body := map[string]any{"aps": map[string]any{
		"alert": map[string]string{"title": m.Title, "body": m.Body},
		"sound": "default",
	}}
	for k, v := range m.Data {
		body[k] = v
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint+"/3/device/"+url.PathEscape(token), bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("authorization", "bearer "+pt)
	req.Header.Set("apns-topic", a.topic)
	req.Header.Set("apns-push-type", "alert")
	req.Header.Set("apns-priority", "10")
	req.Header.Set("content-type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("push: apns: %w", err)
	}
	defer resp.Body.Close()
	var e struct {
		Reason string `json:"reason"`
	}
	_ = json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&e)
	switch {
	case resp.StatusCode == http.StatusOK:
		return nil
	case resp.StatusCode == http.StatusGone:
		return ErrGone
	case resp.StatusCode == http.StatusForbidden && e.Reason == "ExpiredProviderToken":
		_, _ = a.providerToken(true)
	}
	return classify(resp.StatusCode)
}
