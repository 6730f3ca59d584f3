package accounts_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mlp/internal/accounts"
	"mlp/internal/apptest"
	"mlp/internal/email/emailtest"
	"mlp/models"
)

const (
	requestResetOp = `mutation($email: String!) { requestPasswordReset(email: $email) }`
	resetOp        = `mutation($token: String!, $pw: String!) { resetPassword(token: $token, newPassword: $pw) }`
	loginOp        = `mutation($email: String!, $pw: String!) { login(email: $email, password: $pw) { accessToken refreshToken } }`
	refreshOp      = `mutation($rt: String!) { refreshSession(refreshToken: $rt) { accessToken } }`
	meOp           = `{ me { id } }`
	appURL         = "https://app.mlp.test"
)

// movableClock is the app's clock: the wall clock plus an offset the test
// moves.
type movableClock struct{ offset atomic.Int64 }

func (c *movableClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *movableClock) Advance(d time.Duration) { c.offset.Add(int64(d)) }

var linkRE = regexp.MustCompile(regexp.QuoteMeta(appURL) + `/reset-password\?token=([A-Za-z0-9_%-]+)`)

// tokenOf returns the token of the link in an email.
func tokenOf(t *testing.T, m emailtest.Received) string {
	t.Helper()
	sub := linkRE.FindStringSubmatch(m.Body)
	if sub == nil {
		t.Fatalf("no %s/reset-password?token= link in the email:\n%s", appURL, m.Body)
	}
	tok, err := url.QueryUnescape(sub[1])
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// resetJobsDone waits until every password-reset email job has run.
func resetJobsDone(t *testing.T, s *apptest.Server) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var open int64
		if err := s.DB.Raw(`SELECT count(*) FROM river_job WHERE kind = ? AND state NOT IN ('completed', 'cancelled', 'discarded')`,
			accounts.ResetEmailKind).Scan(&open).Error; err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d password-reset jobs still waiting after 15 s", open)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func resetAudits(t *testing.T, s *apptest.Server, u *models.User) int64 {
	t.Helper()
	var n int64
	if err := s.DB.Table("audit_entries").Where("action = ? AND entity_type = 'User' AND entity_id = ? AND actor_id = ?",
		accounts.ActionPasswordReset, u.ID, u.ID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPasswordReset drives the reset the way the apps do, over HTTP, with the
// email going through a real SMTP server in the test.
func TestPasswordReset(t *testing.T) {
	sink := emailtest.New(t, emailtest.Options{})
	clk := &movableClock{}
	s := apptest.New(t, apptest.WithWorkers(), apptest.WithClock(clk.Now), apptest.WithEmail(sink.Sender(t)), apptest.WithAppURL(appURL))
	u, access := s.User(t, models.RolePatient, nil)
	var login struct {
		Login struct{ AccessToken, RefreshToken string }
	}
	s.Do(t, "", loginOp, map[string]any{"email": u.Email, "pw": apptest.Password}).MustOK(t).Decode(t, &login)
	const newPassword = "a brand new passphrase"

	t.Run("LinkArrivesWorksOnceAndEndsEverySession", func(t *testing.T) {
		r := s.Do(t, "", requestResetOp, map[string]any{"email": "  " + strings.ToUpper(u.Email) + " "}).MustOK(t)
		if string(r.Data) != `{"requestPasswordReset":true}` {
			t.Fatalf("data = %s", r.Data)
		}
		m := sink.Next(t)
		if m.To != u.Email || m.From != "no-reply@mlp.test" || m.Subject != "Reset your MLP password" {
			t.Errorf("email from %q to %q subject %q", m.From, m.To, m.Subject)
		}
		if !m.TLS || m.AuthUser != emailtest.User {
			t.Errorf("delivered with TLS %v as %q: want STARTTLS and the URL's user", m.TLS, m.AuthUser)
		}
		if !strings.Contains(m.Body, "30 minutes") {
			t.Errorf("the email does not say how long the link works:\n%s", m.Body)
		}
		tok := tokenOf(t, m)
		s.Do(t, access, meOp, nil).MustOK(t)
		before := resetAudits(t, s, u)

		r = s.Do(t, "", resetOp, map[string]any{"token": tok, "pw": newPassword}).MustOK(t)
		if string(r.Data) != `{"resetPassword":true}` {
			t.Fatalf("data = %s", r.Data)
		}
		// Every session of the account ended: access and refresh tokens.
		s.Do(t, access, meOp, nil).MustCode(t, "UNAUTHENTICATED")
		s.Do(t, login.Login.AccessToken, meOp, nil).MustCode(t, "UNAUTHENTICATED")
		s.Do(t, "", refreshOp, map[string]any{"rt": login.Login.RefreshToken}).MustCode(t, "UNAUTHENTICATED")
		// The new password signs in; the old one does not.
		s.Do(t, "", loginOp, map[string]any{"email": u.Email, "pw": apptest.Password}).MustCode(t, "UNAUTHENTICATED")
		s.Do(t, "", loginOp, map[string]any{"email": u.Email, "pw": newPassword}).MustOK(t)
		if got := resetAudits(t, s, u) - before; got != 1 {
			t.Errorf("%d PASSWORD_RESET audit rows, want 1", got)
		}
		// Once only.
		mustBadInput(t, s.Do(t, "", resetOp, map[string]any{"token": tok, "pw": "yet another passphrase"}), "token")
		s.Do(t, "", loginOp, map[string]any{"email": u.Email, "pw": newPassword}).MustOK(t)
	})

	t.Run("ExpiresAfter30Minutes", func(t *testing.T) {
		s.Do(t, "", requestResetOp, map[string]any{"email": u.Email}).MustOK(t)
		late := tokenOf(t, sink.Next(t))
		clk.Advance(31 * time.Minute)
		mustBadInput(t, s.Do(t, "", resetOp, map[string]any{"token": late, "pw": "too late passphrase"}), "token")

		s.Do(t, "", requestResetOp, map[string]any{"email": u.Email}).MustOK(t)
		inTime := tokenOf(t, sink.Next(t))
		clk.Advance(29 * time.Minute)
		s.Do(t, "", resetOp, map[string]any{"token": inTime, "pw": "just in time passphrase"}).MustOK(t)
		s.Do(t, "", loginOp, map[string]any{"email": u.Email, "pw": "just in time passphrase"}).MustOK(t)
	})

	t.Run("UnknownEmailAnswersTheSameAndSendsNothing", func(t *testing.T) {
		other, _ := s.User(t, models.RolePatient, nil)
		known, nKnown := s.DoCounted(t, "", requestResetOp, map[string]any{"email": other.Email})
		known.MustOK(t)
		sink.Next(t)
		unknown, nUnknown := s.DoCounted(t, "", requestResetOp, map[string]any{"email": "nobody-" + other.Email})
		unknown.MustOK(t)
		if known.Raw != unknown.Raw {
			t.Errorf("answers differ:\n known   %s\n unknown %s", known.Raw, unknown.Raw)
		}
		// The same statements either way, so the same work and about the
		// same time (the insert selects no row; the job finds no token).
		if nKnown != nUnknown {
			t.Errorf("%d SQL statements for a known email, %d for an unknown one", nKnown, nUnknown)
		}
		resetJobsDone(t, s)
		sink.None(t)
	})

	t.Run("DisabledAccountGetsNothing", func(t *testing.T) {
		d, _ := s.User(t, models.RolePatient, nil)
		if err := s.DB.Model(d).Update("disabled_at", time.Now()).Error; err != nil {
			t.Fatal(err)
		}
		s.Do(t, "", requestResetOp, map[string]any{"email": d.Email}).MustOK(t)
		resetJobsDone(t, s)
		sink.None(t)
	})

	t.Run("Spanish", func(t *testing.T) {
		es, _ := s.User(t, models.RolePatient, nil)
		if err := s.DB.Model(es).Update("preferred_language", "es").Error; err != nil {
			t.Fatal(err)
		}
		s.Do(t, "", requestResetOp, map[string]any{"email": es.Email}).MustOK(t)
		m := sink.Next(t)
		if m.Subject != "Restablezca su contraseña de MLP" || !strings.Contains(m.Body, "30 minutos") {
			t.Errorf("subject %q body:\n%s", m.Subject, m.Body)
		}
		tokenOf(t, m)
	})

	t.Run("BadInputChangesNothing", func(t *testing.T) {
		v, _ := s.User(t, models.RolePatient, nil)
		mustBadInput(t, s.Do(t, "", requestResetOp, map[string]any{"email": "not an address"}), "email")
		s.Do(t, "", requestResetOp, map[string]any{"email": v.Email}).MustOK(t)
		tok := tokenOf(t, sink.Next(t))
		mustBadInput(t, s.Do(t, "", resetOp, map[string]any{"token": tok, "pw": "short"}), "newPassword")
		mustBadInput(t, s.Do(t, "", resetOp, map[string]any{"token": "forged", "pw": "a fine passphrase"}), "token")
		mustBadInput(t, s.Do(t, "", resetOp, map[string]any{"token": strings.Repeat("A", 43), "pw": "a fine passphrase"}), "token")
		s.Do(t, "", loginOp, map[string]any{"email": v.Email, "pw": apptest.Password}).MustOK(t)
		// The token was not spent by the refused attempts.
		s.Do(t, "", resetOp, map[string]any{"token": tok, "pw": "a fine passphrase"}).MustOK(t)
	})

	t.Run("ConcurrentUsesOfOneTokenSucceedOnce", func(t *testing.T) {
		c, _ := s.User(t, models.RolePatient, nil)
		s.Do(t, "", requestResetOp, map[string]any{"email": c.Email}).MustOK(t)
		tok := tokenOf(t, sink.Next(t))
		var ok atomic.Int32
		var wg sync.WaitGroup
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := s.Do(t, "", resetOp, map[string]any{"token": tok, "pw": "concurrent passphrase " + string(rune('a'+i))})
				if len(r.Errors) == 0 {
					ok.Add(1)
				} else if r.Code() != "BAD_USER_INPUT" {
					t.Errorf("code %q: %s", r.Code(), r.Raw)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Errorf("%d resets succeeded with one token, want 1", ok.Load())
		}
	})
}

// TestPasswordResetRateLimits: 5 requests an hour per email (known or
// not: the same answer), and 20 per client address.
func TestPasswordResetRateLimits(t *testing.T) {
	limits := apptest.TestRateLimits()
	limits.PasswordResetPerIP.Limit = 20
	s := apptest.New(t, apptest.WithRateLimits(limits))
	u, _ := s.User(t, models.RolePatient, nil)
	for _, addr := range []string{u.Email, "nobody-" + u.Email} {
		for range 5 {
			s.DoFrom(t, "198.51.100.7", "", requestResetOp, map[string]any{"email": addr}).MustOK(t)
		}
		r := s.DoFrom(t, "198.51.100.7", "", requestResetOp, map[string]any{"email": addr}).MustCode(t, "RATE_LIMITED")
		if string(r.Data) != "null" {
			t.Errorf("data = %s", r.Data)
		}
	}
	// 10 counted from this address so far; 10 more, then the address is full.
	for i := range 10 {
		s.DoFrom(t, "198.51.100.7", "", requestResetOp, map[string]any{"email": freshEmail("spray" + string(rune('a'+i)))}).MustOK(t)
	}
	s.DoFrom(t, "198.51.100.7", "", requestResetOp, map[string]any{"email": freshEmail("spray-last")}).MustCode(t, "RATE_LIMITED")
	s.DoFrom(t, "198.51.100.8", "", requestResetOp, map[string]any{"email": freshEmail("elsewhere")}).MustOK(t)
}

// TestPasswordResetLogSender: without SMTP_URL the email goes to the log
// sender, which writes that an email was sent and never the link's token
// or the address.
func TestPasswordResetLogSender(t *testing.T) {
	s := apptest.New(t, apptest.WithWorkers(), apptest.WithAppURL(appURL))
	u, _ := s.User(t, models.RolePatient, nil)
	s.Do(t, "", requestResetOp, map[string]any{"email": u.Email}).MustOK(t)
	resetJobsDone(t, s)

	tok := mintedToken(t, s, u)
	logs := s.LogText()
	if !strings.Contains(logs, "email sent (log sender") || !strings.Contains(logs, `"kind":"password_reset"`) {
		t.Errorf("the log sender wrote nothing about the email:\n%s", logs)
	}
	for _, secret := range []string{tok, url.QueryEscape(tok), u.Email, "reset-password?token"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
	// The token minted there works: the email would have carried a real link.
	s.Do(t, "", resetOp, map[string]any{"token": tok, "pw": "from the log test"}).MustOK(t)
}

// mintedToken returns the token of u's newest reset link, computed the way
// the server mints it (HMAC-SHA256 of the stored nonce under the key derived
// from the JWT secret), and checks that the table holds its SHA-256.
func mintedToken(t *testing.T, s *apptest.Server, u *models.User) string {
	t.Helper()
	var row struct {
		Nonce     []byte
		TokenHash []byte
	}
	if err := s.DB.Raw(`SELECT nonce, token_hash FROM password_reset_tokens WHERE user_id = ? ORDER BY created_at DESC LIMIT 1`,
		u.ID).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, accounts.DeriveResetKey([]byte(apptest.JWTSecret)))
	mac.Write(row.Nonce)
	tok := base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
	if sum := sha256.Sum256([]byte(tok)); !bytes.Equal(sum[:], row.TokenHash) {
		t.Fatal("the stored hash is not the SHA-256 of the minted token")
	}
	return tok
}
