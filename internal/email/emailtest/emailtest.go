// Package emailtest is a real SMTP server for tests (emersion/go-smtp): it
// offers STARTTLS (or TLS from the start) with a certificate made for the
// test, takes PLAIN auth only over TLS, and hands every accepted message to
// the test, decoded. Senders under test connect to it as to any server.
package emailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mlp/internal/email"
)

// The credentials the server takes.
const (
	User     = "mlp-sender"
	Password = "s3cret/with:odd@chars"
)

// Received is one email the server accepted.
type Received struct {
	From, To, Subject, Body string
	// TLS says the message came over TLS; AuthUser who signed in.
	TLS      bool
	AuthUser string
}

// Options change the server.
type Options struct {
	// ImplicitTLS serves TLS from the first byte (smtps://) instead of
	// offering STARTTLS.
	ImplicitTLS bool
	// RefuseRcpt makes the server refuse every recipient with a 550.
	RefuseRcpt bool
}

// Server is the test's SMTP server.
type Server struct {
	Addr  string
	opts  Options
	roots *x509.CertPool
	mails chan Received
}

// New starts a server for the test; it stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	cert, roots := selfSigned(t)
	k := &Server{opts: opts, roots: roots, mails: make(chan Received, 16)}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{sink: k, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.Addr = l.Addr().String()
	if opts.ImplicitTLS {
		l = tls.NewListener(l, srv.TLSConfig)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return k
}

// URL is the server's SMTP_URL, with its credentials.
func (k *Server) URL() string {
	scheme := "smtp"
	if k.opts.ImplicitTLS {
		scheme = "smtps"
	}
	return (&url.URL{Scheme: scheme, User: url.UserPassword(User, Password), Host: k.Addr}).String()
}

// Sender returns an SMTP sender configured by URL, trusting the server's
// certificate.
func (k *Server) Sender(t testing.TB) email.Sender {
	t.Helper()
	srv, err := email.ParseSMTPURL(k.URL())
	if err != nil {
		t.Fatal(err)
	}
	s, err := email.NewSMTP(srv, "MLP <no-reply@mlp.test>", &tls.Config{RootCAs: k.roots, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Next waits for the next email.
func (k *Server) Next(t testing.TB) Received {
	t.Helper()
	select {
	case m := <-k.mails:
		return m
	case <-time.After(15 * time.Second):
		t.Fatal("no email arrived within 15 s")
	}
	return Received{}
}

// None checks that no email is waiting.
func (k *Server) None(t testing.TB) {
	t.Helper()
	select {
	case m := <-k.mails:
		t.Fatalf("an email to %s was sent, want none", m.To)
	default:
	}
}

type session struct {
	sink     *Server
	conn     *smtp.Conn
	authUser string
	cur      Received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != User || pass != Password {
			return smtp.ErrAuthFailed
		}
		s.authUser = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.cur = Received{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.sink.opts.RefuseRcpt {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}
	}
	s.cur.To = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body := io.Reader(msg.Body)
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	_, tlsOn := s.conn.TLSConnectionState()
	s.cur.Subject, s.cur.Body, s.cur.TLS, s.cur.AuthUser = subject, string(b), tlsOn, s.authUser
	s.sink.mails <- s.cur
	return nil
}

func (s *session) Reset()        { s.cur = Received{} }
func (s *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mlp test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
