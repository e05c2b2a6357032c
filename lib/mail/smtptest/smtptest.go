// Package smtptest runs a real SMTP server (emersion/go-smtp) in-process for
// tests: it stores what it receives, can offer STARTTLS or implicit TLS with
// a certificate made on the fly, require AUTH PLAIN, and fail on purpose
// (451 for the first N attempts, 550 for chosen recipients).
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode says how the server offers TLS.
type TLSMode int

const (
	NoTLS       TLSMode = iota
	StartTLS            // plain listener offering STARTTLS
	ImplicitTLS         // TLS from the first byte (smtps)
)

// Options configure a Server.
type Options struct {
	TLS TLSMode
	// Username and Password, when set, make AUTH PLAIN mandatory before MAIL.
	Username, Password string
	// TempFailures: the first N transactions get "451 4.3.0" at DATA.
	TempFailures int
	// RejectRcpt: these recipients get "550 5.1.1" at RCPT TO.
	RejectRcpt []string
	// MaxPerConn > 0: after that many messages on one connection, MAIL gets
	// "421 4.7.0" (as relays that limit messages per session do).
	MaxPerConn int
	// DropAfterData: close the connection right after accepting a message,
	// so the client's next command (RSET) fails although the message was
	// delivered — the case where a naive retry sends it twice.
	DropAfterData bool
}

// Received is one accepted message.
type Received struct {
	From     string
	To       []string
	Data     []byte
	TLS      bool   // the session was encrypted
	AuthUser string // who authenticated, "" if nobody
}

// Server is a running test server.
type Server struct {
	Host   string
	Port   int
	CAFile string // PEM of the CA that signed the server certificate

	opts     Options
	mu       sync.Mutex
	received []Received
	attempts int             // DATA commands seen
	conns    map[string]bool // remote addresses: one per TCP connection
	open     []net.Conn
	authFail int
}

// Start runs a server on 127.0.0.1 until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, Host: "127.0.0.1"}
	srv := smtp.NewServer(s)
	srv.Domain = "mail.test"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 32 << 20
	srv.MaxRecipients = 50
	srv.AllowInsecureAuth = opts.TLS == NoTLS

	var l net.Listener
	var err error
	if opts.TLS != NoTLS {
		cert, caPEM := certificates(t)
		s.CAFile = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(s.CAFile, caPEM, 0o644); err != nil {
			t.Fatal(err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if opts.TLS == ImplicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close() })
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// URL is an smtp:// or smtps:// URL for the server, with the user name
// (the password is left for FOCUS_SMTP_PASSWORD).
func (s *Server) URL() string {
	scheme := "smtp"
	if s.opts.TLS == ImplicitTLS {
		scheme = "smtps"
	}
	user := ""
	if s.opts.Username != "" {
		user = s.opts.Username + "@"
	}
	return scheme + "://" + user + s.Addr()
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// Attempts is how many DATA commands the server saw (accepted or failed).
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Connections is how many TCP connections were opened.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// CloseConnections drops every open connection, as a server does with
// idle sessions.
func (s *Server) CloseConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.open {
		_ = c.Close()
	}
	s.open = nil
}

// AuthFailures is how many AUTH attempts were refused.
func (s *Server) AuthFailures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authFail
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	// go-smtp starts a new session after STARTTLS's second EHLO, so
	// connections are counted by the client's address, not by session.
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[string]bool{}
	}
	s.conns[c.Conn().RemoteAddr().String()] = true
	s.open = append(s.open, c.Conn())
	s.mu.Unlock()
	return &session{s: s, c: c}, nil
}

type session struct {
	s         *Server
	c         *smtp.Conn
	user      string
	from      string
	to        []string
	delivered int
	justData  bool
}

func (x *session) tls() bool {
	_, ok := x.c.TLSConnectionState()
	return ok
}

func (x *session) AuthMechanisms() []string {
	if x.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != x.s.opts.Username || password != x.s.opts.Password {
			x.s.mu.Lock()
			x.s.authFail++
			x.s.mu.Unlock()
			return smtp.ErrAuthFailed
		}
		x.user = username
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.opts.Username != "" && x.user == "" {
		return smtp.ErrAuthRequired
	}
	if x.s.opts.TLS == StartTLS && !x.tls() {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Must issue a STARTTLS command first"}
	}
	if x.s.opts.MaxPerConn > 0 && x.delivered >= x.s.opts.MaxPerConn {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many messages in this session"}
	}
	x.from, x.to = from, nil
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range x.s.opts.RejectRcpt {
		if strings.EqualFold(r, to) {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	x.s.attempts++
	if x.s.attempts <= x.s.opts.TempFailures {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary local problem, try again later"}
	}
	if len(x.to) == 0 {
		return errors.New("no recipients")
	}
	x.delivered++
	x.justData = true
	x.s.received = append(x.s.received, Received{From: x.from, To: append([]string(nil), x.to...),
		Data: b.Bytes(), TLS: x.tls(), AuthUser: x.user})
	return nil
}

func (x *session) Reset() {
	x.from, x.to = "", nil
	if x.justData && x.s.opts.DropAfterData {
		// Called by go-smtp after the 250 reply to DATA is written. The raw
		// connection is closed: Conn.Close would wait for the lock held here.
		_ = x.c.Conn().Close()
	}
	x.justData = false
}
func (x *session) Logout() error { return nil }

// certificates makes a CA and a server certificate for 127.0.0.1 and
// localhost signed by it, as a real site with an internal CA would have.
func certificates(t testing.TB) (tls.Certificate, []byte) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "focus-mail test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key},
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}
