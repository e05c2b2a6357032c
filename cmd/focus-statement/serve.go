package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/statement/pdf"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/web"
)

// serveCommand is `focus-statement serve`: the web interface.
func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "web interface: dashboard, charges, review queue, statements, adjustments, disputes, import",
		UsageText: `focus-statement passwd --user ada --role admin >> users.txt
   focus-statement serve --db ledger.db --users users.txt            (http://127.0.0.1:8080)
   focus-statement serve --db ledger.db --users users.txt --addr :8443 --tls-cert cert.pem --tls-key key.pem`,
		Description: `Serves the ledger over HTTP, on loopback unless --addr says otherwise. Users,
roles (admin, reviewer, viewer) and bcrypt hashes come from --users (lines
"name:role:hash", made by "focus-statement passwd"). Every change goes through
the same lib/ledger functions as focus-load, so period rules are the same.
The session key is generated on first start into DB.session-key (mode 0600);
delete it to end every session.

PI review window: /pi/TOKEN pages show one draft statement to its PI, who
can dispute a line there, with no account. focus-mail --draft makes the
links, signed with the link key (--link-key, default DB.link-key: give
focus-mail the same file). With --from and --smtp or --outbox, the
statements page mails a period's statements (drafts once it is closed,
finals once finalized) and resolving a dispute offers to e-mail the PI;
what was mailed is recorded in DB.sent-log (--sent-log), the record
focus-mail keeps too, so neither mails a statement twice.

A new site starts here: serve runs before any import, and the first upload
creates the ledger. With --accounts (focus-journal's accounts file) the
journal page gives the period's GL journal, as focus-journal would.`,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "db", Value: "./ledger.db", Usage: "the ledger: a SQLite `FILE` or a postgres:// URL", EnvVars: cliutil.Env("db")},
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "listen `ADDRESS` (host:port)", EnvVars: cliutil.Env("addr")},
			&cli.StringFlag{Name: "users", Usage: "users `FILE` (name:role:bcrypt-hash lines)", EnvVars: cliutil.Env("users"), Required: true},
			&cli.StringFlag{Name: "max-upload", Value: "512MiB", Usage: "largest import upload, all files together (`SIZE`: bytes, K, M, G, KiB, MiB, GiB)", EnvVars: cliutil.Env("max-upload")},
			&cli.StringFlag{Name: "session-key", Usage: "session key `FILE` (default: DB.session-key, created with mode 0600)", EnvVars: cliutil.Env("session-key")},
			&cli.StringFlag{Name: "tls-cert", Usage: "serve HTTPS with this certificate `FILE`", EnvVars: cliutil.Env("tls-cert")},
			&cli.StringFlag{Name: "tls-key", Usage: "private key `FILE` for --tls-cert", EnvVars: cliutil.Env("tls-key")},
			&cli.BoolFlag{Name: "secure-cookies", Usage: "mark cookies Secure on plain HTTP (when a TLS proxy is in front)", EnvVars: cliutil.Env("secure-cookies")},
			&cli.StringSliceFlag{Name: "trusted-proxy", Usage: "reverse proxy `CIDR` or address whose X-Forwarded-For names the client (repeat for several); without it the header is ignored", EnvVars: cliutil.Env("trusted-proxy")},
			&cli.DurationFlag{Name: "idle-timeout", Value: web.DefaultIdleTimeout, Usage: "end a web session after this long without a request (`DURATION`, e.g. 30m; sessions end after 12h regardless)", EnvVars: cliutil.Env("idle-timeout")},
			&cli.StringFlag{Name: "temp-dir", Usage: "`DIR` for uploads while they are imported (default: the system's)", EnvVars: cliutil.Env("temp-dir")},
		}, append(institutionFlags(), piFlags()...)...), append(append(tagkeys.Flags(), importFlags()...), journalFlags()...)...),
		Action: serveAction,
	}
}

// warnSharedFiles warns about secrets others on the host can read. The
// session and link keys are refused outright (lib/keyfile); these are
// only warned about, as some sites share them with a service group.
func warnSharedFiles(c *cli.Context) {
	const tool = "focus-statement serve"
	cliutil.WarnIfShared(c.App.ErrWriter, tool, "users file (bcrypt hashes, crackable offline)", c.String("users"))
	cliutil.WarnIfShared(c.App.ErrWriter, tool, "TLS private key", c.String("tls-key"))
}

func serveAction(c *cli.Context) error {
	if c.Args().Len() > 0 {
		return fmt.Errorf("serve: unexpected argument %q", c.Args().First())
	}
	maxUp, err := cliutil.ParseSize(c.String("max-upload"))
	if err != nil {
		return fmt.Errorf("--max-upload: %w", err)
	}
	cert, key := c.String("tls-cert"), c.String("tls-key")
	if (cert == "") != (key == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	proxies, err := web.ParseTrustedProxies(c.StringSlice("trusted-proxy"))
	if err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}
	users, err := web.LoadUsers(c.String("users"))
	if err != nil {
		return err
	}
	warnSharedFiles(c)
	db := c.String("db")
	pg := ledger.IsPostgresDSN(db)
	if !pg {
		// The ledger itself may not exist yet (the first import makes it),
		// but its folder, where the key files go, must.
		if fi, err := os.Stat(filepath.Dir(db)); err != nil || !fi.IsDir() {
			return fmt.Errorf("ledger %s: the folder %s does not exist: create it, or give the right --db / FOCUS_DB", db, filepath.Dir(db))
		}
	}
	keyFile := c.String("session-key")
	if keyFile == "" && pg {
		// No file beside a database: every server of the ledger must
		// sign with the same key, so it is named, never guessed.
		return errors.New("serve: with a PostgreSQL ledger give --session-key FILE and --link-key FILE (the same files on every host; created with mode 0600 when missing)")
	}
	if keyFile == "" {
		keyFile = web.KeyFileFor(db)
	}
	sessKey, err := web.LoadOrCreateKey(keyFile)
	if err != nil {
		return err
	}
	linkKey, notify, mailSettings, notifyCloser, err := piSetup(c, db)
	if err != nil {
		return err
	}
	defer notifyCloser.Close()
	journalSettings, err := journalSetup(c)
	if err != nil {
		return err
	}
	backend, importer, closer, err := openBackend(c, db)
	if err != nil {
		return err
	}
	defer closer.Close()
	log := slog.New(slog.NewTextHandler(c.App.ErrWriter, nil))
	srv, err := web.New(web.Config{
		Ledger: backend, Users: users, Key: sessKey, Sessions: sessionStore(backend), MaxUpload: maxUp, Import: importer,
		SecureCookies: c.Bool("secure-cookies"), TempDir: c.String("temp-dir"), Log: log, TrustedProxies: proxies, IdleTimeout: c.Duration("idle-timeout"), LinkKey: linkKey, Notify: notify,
		Journal: journalSettings, Mail: mailSettings,
		Institution: pdf.Institution{Name: c.String("institution"), Address: c.String("institution-address"), Contact: c.String("contact")},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.String("addr"))
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	scheme := "http"
	if cert != "" {
		scheme = "https"
	}
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() && cert == "" && !c.Bool("secure-cookies") {
		fmt.Fprintf(c.App.ErrWriter, "focus-statement serve: WARNING: listening on %s without TLS: passwords and session cookies cross the network in clear; use --tls-cert/--tls-key or a TLS proxy with --secure-cookies\n", ln.Addr())
	}
	fmt.Fprintf(c.App.ErrWriter, "focus-statement serve: %s://%s/ (ledger %s, %d user(s))\n", scheme, ln.Addr(), ledger.Redact(db), len(users))
	hs := srv.HTTPServer(slog.NewLogLogger(log.Handler(), slog.LevelWarn))
	ctx, stop := signal.NotifyContext(c.Context, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if cert != "" {
			errc <- hs.ServeTLS(ln, cert, key)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	// Let running requests (an import) finish before the ledger closes.
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}
