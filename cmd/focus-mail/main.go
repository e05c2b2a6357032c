// Command focus-mail e-mails each PI their statement: statements NDJSON in
// (from focus-statement), one message per statement with its PDF attached,
// delivered by SMTP or written to an outbox directory.
package main

import (
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
)

func main() { os.Exit(cliutil.Run(newApp(os.Stdin, os.Stdout, os.Stderr), os.Args)) }

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "focus-mail",
		Usage:     "e-mail PI statements (with their PDFs) by SMTP or to an outbox",
		UsageText: "focus-mail [--smtp URL | --outbox DIR | --dry-run] --from ADDR [--reply-to ADDR] [--bcc ADDR] [--sent-log FILE] [--resend] [--rate N] [FILE...]",
		Description: `Reads statements NDJSON (focus-statement output) from FILE arguments or
stdin and sends one message per statement to the PI's address, subject and
body (plain text and HTML) from templates, the statement PDF attached.

Examples:
  # development: write .eml files, record what was "sent"
  focus-mail --outbox out/2025-01/outbox --from billing@example.edu \
      --sent-log out/2025-01/sent.log < out/2025-01/statements.ndjson

  # production: the password from the environment, never on the command line
  export FOCUS_SMTP_PASSWORD=...
  focus-mail --smtp smtp://billing@mail.example.edu:587 --from 'Research Computing Billing <billing@example.edu>' \
      --reply-to rc-help@example.edu --sent-log /var/lib/ocb/sent.log --rate 2 out/2025-01/statements.ndjson

  # who would get what; sends nothing
  focus-mail --dry-run out/2025-01/statements.ndjson

  # a site's own wording: start from the defaults
  focus-mail --write-templates etc/mail && $EDITOR etc/mail/body.txt.tmpl
  focus-mail --outbox out/outbox --from billing@example.edu --text-template etc/mail/body.txt.tmpl ...

Delivery: smtp://user:pass@host:587 requires STARTTLS unless the host is a
loopback address; smtps://host:465 is implicit TLS. FOCUS_SMTP_PASSWORD, when
set, is the password (so it stays out of the process list). A user name that
is an address is written with %40: smtp://billing%40example.edu@mail.example.edu.
Temporary SMTP failures (4xx, dropped connections) are retried with
exponential backoff; a permanent one (5xx) fails that statement only.

Re-runs: with --sent-log, a statement already sent with the same PDF is
skipped; one whose PDF changed since is reported as skipped-changed and sent
again only with --resend.

Output: one line per statement on stdout, OUTCOME<TAB>ID<TAB>TO<TAB>DETAIL
(sent, would-send, skipped-sent, skipped-changed, failed); diagnostics and a
summary on stderr. Exit 0 all sent or skipped, 1 any statement failed,
2 usage, I/O or a delivery configuration that cannot work (bad credentials,
untrusted certificate).`,
		HideHelpCommand: true,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		Flags:           flags(),
		Action:          run,
	}
}
