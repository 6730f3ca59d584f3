// Package email sends the server's emails (today: password-reset links)
// through SMTP, or, when no SMTP server is configured, through a log sender
// that only writes that an email was sent. Emails are side effects: a
// service enqueues an outbox job in the transaction that causes the email,
// and the job's worker composes the text and calls a Sender.
package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Message is one plain-text email to one recipient.
type Message struct {
	// Kind names the email for logs ("password_reset"); it is the only
	// thing of the message a log line carries.
	Kind    string
	To      string
	Subject string
	Text    string
}

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
	// Name says which sender it is, for logs ("smtp", "log").
	Name() string
}

// ErrPermanent marks a refusal that retrying cannot change (the server
// refused the recipient or the sender with a 5xx): the job is not retried.
var ErrPermanent = errors.New("email: refused permanently")

// LogSender writes one line per email, with its kind only: never the
// address, the subject or the text (which can hold a one-time link). It is
// the sender of development and of servers without SMTP_URL.
type LogSender struct{ Log *slog.Logger }

// Name is "log".
func (s *LogSender) Name() string { return "log" }

// Send logs that an email of m's kind was sent.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	s.Log.InfoContext(ctx, "email sent (log sender: set SMTP_URL to deliver)", "kind", m.Kind)
	return nil
}

// SMTPServer is where SMTPSender delivers, as SMTP_URL gives it:
// smtp://user:pass@host:port (STARTTLS when the server offers it; port 587
// by default) or smtps://user:pass@host:port (TLS from the start; port 465
// by default). The user and password are optional and percent-encoded.
type SMTPServer struct {
	Host               string
	Port               int
	Username, Password string
	ImplicitTLS        bool
}

// ParseSMTPURL reads an SMTP_URL.
func ParseSMTPURL(raw string) (SMTPServer, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return SMTPServer{}, errors.New("want smtp://user:pass@host:port or smtps://user:pass@host:port")
	}
	s := SMTPServer{Host: u.Hostname(), Port: 587, ImplicitTLS: u.Scheme == "smtps"}
	if s.ImplicitTLS {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPServer{}, fmt.Errorf("port %q is not a port number", p)
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}

// SMTPSender delivers through an SMTP server with wneessen/go-mail (a
// maintained client: STARTTLS, SMTP AUTH negotiation, RFC 5322 messages),
// one connection per message. Credentials are only sent over TLS (or to
// localhost): go-mail refuses PLAIN and LOGIN on a plain connection.
type SMTPSender struct {
	server SMTPServer
	from   string
	tls    *tls.Config
}

// NewSMTP returns the sender of server with the From address from
// (SMTP_FROM: an address, or "Name <address>"). tlsConfig may be nil (the
// system's roots verify the server); tests give their own roots.
func NewSMTP(server SMTPServer, from string, tlsConfig *tls.Config) (*SMTPSender, error) {
	if err := mail.NewMsg().From(from); err != nil {
		return nil, fmt.Errorf("SMTP_FROM %q is not an email address", from)
	}
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	if tlsConfig.ServerName == "" {
		tlsConfig.ServerName = server.Host
	}
	return &SMTPSender{server: server, from: from, tls: tlsConfig}, nil
}

// Name is "smtp".
func (s *SMTPSender) Name() string { return "smtp" }

// Send delivers m. A 5xx refusal is wrapped in ErrPermanent; anything else
// (the server unreachable, a 4xx) is for the outbox to retry.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("%w: the recipient is not an email address", ErrPermanent)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	opts := []mail.Option{mail.WithPort(s.server.Port), mail.WithTLSConfig(s.tls), mail.WithTimeout(20 * time.Second)}
	if s.server.ImplicitTLS {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if s.server.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(s.server.Username), mail.WithPassword(s.server.Password))
	}
	c, err := mail.NewClient(s.server.Host, opts...)
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	var se *mail.SendError
	switch {
	case errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 &&
		(se.Reason == mail.ErrSMTPMailFrom || se.Reason == mail.ErrSMTPRcptTo || se.Reason == mail.ErrSMTPData):
		return fmt.Errorf("%w: %s (SMTP %d)", ErrPermanent, se.Reason, se.ErrorCode())
	case se != nil:
		// go-mail's text names the recipients; the job's error (kept in
		// river_job) says what failed, not to whom.
		return fmt.Errorf("email: %s (SMTP %d)", se.Reason, se.ErrorCode())
	}
	return err
}
