package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// SMTPConfig is where and how to deliver.
type SMTPConfig struct {
	Host        string
	Port        int
	ImplicitTLS bool // smtps://: TLS from the first byte
	// RequireTLS: STARTTLS must succeed. True for smtp:// unless the host is
	// a loopback address (a local relay on 127.0.0.1:25 rarely has a
	// certificate; traffic to it never leaves the machine).
	RequireTLS bool
	Username   string
	Password   string
	CAFile     string // extra trusted CA certificates (PEM)

	Retries    int           // retries of a temporary failure
	Backoff    time.Duration // first wait; doubled each retry
	MaxBackoff time.Duration // cap of one wait
	Timeout    time.Duration // connect and per-command timeout
	HELO       string        // EHLO name; the local host name if empty
	// Notify receives retry notices (statement id, message); nil: none.
	Notify func(statementID, msg string)
	// Sleep waits between retries (tests shorten or record it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// ParseSMTPURL reads smtp://[user[:pass]@]host[:port] (STARTTLS, port 587)
// or smtps://[user[:pass]@]host[:port] (implicit TLS, port 465). password,
// when not empty (FOCUS_SMTP_PASSWORD), replaces the URL's password so it
// need not appear on a command line.
func ParseSMTPURL(raw, password string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the input, which may hold a password.
		return c, errors.New("--smtp: not a URL (want smtp://user@host:587 or smtps://user@host:465)")
	}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		c.Port = 587
	case "smtps":
		c.Port, c.ImplicitTLS = 465, true
	default:
		return c, fmt.Errorf("--smtp: scheme %q is not smtp or smtps", u.Scheme)
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, errors.New("--smtp: URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("--smtp: bad port %q", p)
		}
		c.Port = n
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return c, fmt.Errorf("--smtp: unexpected path or query in %s (options are flags, not URL parameters)", u.Redacted())
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if password != "" {
		c.Password = password
	}
	if c.Password != "" && c.Username == "" {
		return c, errors.New("--smtp: a password is set (FOCUS_SMTP_PASSWORD) but the URL has no user name")
	}
	c.RequireTLS = !c.ImplicitTLS && !isLoopback(c.Host)
	return c, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SMTPSender delivers over one SMTP connection, reconnecting when it breaks,
// and retries temporary failures with exponential backoff.
type SMTPSender struct {
	cfg    SMTPConfig
	client *gomail.Client
	conn   *gosmtp.Client
	via    string
}

// NewSMTPSender checks the configuration; it connects on the first Deliver.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.MaxBackoff < cfg.Backoff {
		cfg.MaxBackoff = cfg.Backoff
	}
	if cfg.Sleep == nil {
		cfg.Sleep = SleepContext
	}
	tlsConf := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("--smtp-ca: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--smtp-ca: no PEM certificate in %s", cfg.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithTLSConfig(tlsConf),
	}
	switch {
	case cfg.ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case cfg.RequireTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		// The TLS policy above already guarantees encryption wherever it
		// matters, so PLAIN and LOGIN may be used on the connection we get
		// (on loopback without STARTTLS too); SCRAM is preferred when offered.
		opts = append(opts,
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	scheme := "smtp"
	if cfg.ImplicitTLS {
		scheme = "smtps"
	}
	return &SMTPSender{cfg: cfg, client: client,
		via: scheme + "://" + net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}, nil
}

// Deliver sends m, retrying temporary failures. A permanent failure (5xx
// for this message) is returned at once; a failure that would hit every
// message (authentication, certificate, no STARTTLS, server unreachable
// after all retries) wraps ErrFatal so the run stops.
func (s *SMTPSender) Deliver(ctx context.Context, m *Message) (string, error) {
	wait := s.cfg.Backoff
	for attempt := 0; ; attempt++ {
		dialErr, err := s.sendOnce(ctx, m)
		if err == nil {
			return s.via, nil
		}
		kind := classify(err, dialErr)
		if kind == failFatal {
			return "", fieldErr("smtp", "smtp-config", fmt.Errorf("%w: %s: %v", ErrFatal, s.via, err))
		}
		if kind == failPermanent {
			return "", fieldErr("smtp", "smtp-permanent", fmt.Errorf("%s refused the message: %v", s.via, err))
		}
		if attempt >= s.cfg.Retries {
			if dialErr {
				return "", fieldErr("smtp", "smtp-unreachable",
					fmt.Errorf("%w: cannot reach %s after %d attempts: %v", ErrFatal, s.via, attempt+1, err))
			}
			return "", fieldErr("smtp", "smtp-temporary",
				fmt.Errorf("temporary failure at %s, gave up after %d attempts: %v", s.via, attempt+1, err))
		}
		if s.cfg.Notify != nil {
			s.cfg.Notify(m.StatementID, fmt.Sprintf("temporary failure (%v); retry %d of %d in %s",
				err, attempt+1, s.cfg.Retries, wait))
		}
		if serr := s.cfg.Sleep(ctx, wait); serr != nil {
			return "", fieldErr("smtp", "interrupted", serr)
		}
		if wait *= 2; wait > s.cfg.MaxBackoff {
			wait = s.cfg.MaxBackoff
		}
	}
}

// sendOnce sends on the open connection, dialling first if there is none.
// Any failure drops the connection: after a failed command the session
// state is uncertain, and a fresh connection is cheap next to a wrong send.
func (s *SMTPSender) sendOnce(ctx context.Context, m *Message) (dialErr bool, err error) {
	reused := s.conn != nil
	if !reused {
		if err := s.dial(ctx); err != nil {
			return true, err
		}
	}
	err = s.client.SendWithSMTPClient(s.conn, m.Msg)
	if err != nil && reused && isConnCheck(err) {
		// The server closed the connection while we were idle (or building
		// the next message): dial again at once, this is no failure of the
		// message and not worth a backoff.
		s.drop()
		if err := s.dial(ctx); err != nil {
			return true, err
		}
		err = s.client.SendWithSMTPClient(s.conn, m.Msg)
	}
	if err != nil {
		s.drop()
		if m.Msg.IsDelivered() {
			// The server accepted the message (250 after DATA) and only a
			// later command (RSET) failed: it is delivered, and retrying
			// would send the PI a duplicate.
			return false, nil
		}
		return isConnCheck(err), err
	}
	return false, nil
}

func (s *SMTPSender) dial(ctx context.Context) error {
	conn, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return err
	}
	s.conn = conn
	return nil
}

// isConnCheck reports go-mail's "the connection is gone" error, raised by
// the NOOP it sends before each message.
func isConnCheck(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrConnCheck
}

func (s *SMTPSender) drop() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
}

// Close ends the session politely (QUIT).
func (s *SMTPSender) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.client.CloseWithSMTPClient(s.conn)
	s.drop()
	return err
}

type failKind int

const (
	failTemporary failKind = iota
	failPermanent
	failFatal
)

// classify sorts a delivery error. Reply codes decide where there is one:
// 4xx temporary, 5xx permanent (and, while connecting, fatal: a 535 on AUTH
// fails every message). TLS and authentication set-up problems are fatal.
// Other errors are network trouble, which is temporary.
func classify(err error, dialErr bool) failKind {
	code := replyCode(err)
	switch {
	case code >= 400 && code < 500:
		return failTemporary
	case code >= 500 && dialErr:
		return failFatal
	case code >= 500:
		return failPermanent
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var alert tls.AlertError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &alert) {
		return failFatal
	}
	msg := err.Error()
	for _, s := range []string{"STARTTLS", "SMTP AUTH", "auth mechanism", "authentication", "tls:", "x509:"} {
		if strings.Contains(msg, s) {
			return failFatal
		}
	}
	var se *gomail.SendError
	if errors.As(err, &se) && !dialErr {
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return failPermanent // the message itself is wrong
		}
	}
	return failTemporary
}

// replyCode digs the SMTP reply code out of an error, 0 if there is none.
func replyCode(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if c := se.ErrorCode(); c != 0 {
			return c
		}
		if se.IsTemp() {
			return 400
		}
	}
	return 0
}
