package email_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"mlp/internal/email"
	"mlp/internal/email/emailtest"
)

var msg = email.Message{Kind: "password_reset", To: "ana@example.test", Subject: "Restablezca su contraseña",
	Text: "Abra https://app.example.test/reset-password?token=SECRET"}

// TestSMTPSender delivers through a real SMTP server: with STARTTLS, with
// TLS from the start (smtps://), and to a server that refuses the recipient
// (a permanent error, not retried, that does not name the recipient).
func TestSMTPSender(t *testing.T) {
	for name, opts := range map[string]emailtest.Options{"STARTTLS": {}, "ImplicitTLS": {ImplicitTLS: true}} {
		t.Run(name, func(t *testing.T) {
			srv := emailtest.New(t, opts)
			if err := srv.Sender(t).Send(context.Background(), msg); err != nil {
				t.Fatal(err)
			}
			got := srv.Next(t)
			if !got.TLS || got.AuthUser != emailtest.User || got.To != msg.To || got.From != "no-reply@mlp.test" ||
				got.Subject != msg.Subject || !strings.Contains(got.Body, "token=SECRET") {
				t.Errorf("received %+v", got)
			}
		})
	}
	t.Run("RefusedRecipientIsPermanent", func(t *testing.T) {
		srv := emailtest.New(t, emailtest.Options{RefuseRcpt: true})
		err := srv.Sender(t).Send(context.Background(), msg)
		if !errors.Is(err, email.ErrPermanent) {
			t.Fatalf("err = %v, want ErrPermanent", err)
		}
		if strings.Contains(err.Error(), msg.To) {
			t.Errorf("the error names the recipient: %v", err)
		}
		srv.None(t)
	})
}

// TestLogSender writes the kind of the email and nothing of it.
func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := &email.LogSender{Log: slog.New(slog.NewJSONHandler(&buf, nil))}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, `"kind":"password_reset"`) {
		t.Errorf("log %s", out)
	}
	for _, secret := range []string{"SECRET", msg.To, "Restablezca", "reset-password"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q: %s", secret, out)
		}
	}
}

// TestSMTPURL: SMTP_URL's forms.
func TestSMTPURL(t *testing.T) {
	for _, c := range []struct {
		in   string
		want email.SMTPServer
	}{
		{"smtp://mail.example.org", email.SMTPServer{Host: "mail.example.org", Port: 587}},
		{"smtp://u%40x:p%3Aw@mail.example.org:2525", email.SMTPServer{Host: "mail.example.org", Port: 2525, Username: "u@x", Password: "p:w"}},
		{"smtps://u:p@mail.example.org", email.SMTPServer{Host: "mail.example.org", Port: 465, Username: "u", Password: "p", ImplicitTLS: true}},
	} {
		got, err := email.ParseSMTPURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSMTPURL(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"http://mail.example.org", "smtp://", "smtp://h:99999", "smtp://h/path", "mail.example.org:25"} {
		if _, err := email.ParseSMTPURL(bad); err == nil {
			t.Errorf("ParseSMTPURL(%q) accepted", bad)
		} else if errors.Is(err, email.ErrPermanent) {
			t.Error("wrong error")
		}
	}
}
