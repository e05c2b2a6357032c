package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"text/template"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/build"
	"github.com/openchargeback/ocb/lib/statement/pdf"
)

func statementFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "period", Usage: "billing period `YYYY-MM`"},
		&cli.StringFlag{Name: "by", Value: build.ByPI, Usage: "one statement per `pi` or per PI and project"},
		&cli.StringFlag{Name: "pi", Usage: "only the statement(s) of this PI `EMAIL`"},
		&cli.StringFlag{Name: "format", Value: "ndjson", Usage: "output `FORMAT`: ndjson or csv (one row per line)"},
		&cli.StringFlag{Name: "template", Usage: "render each statement with this Go text/template `FILE` instead"},
		&cli.StringFlag{Name: "pdf-dir", Usage: "write one PDF per statement into `DIR`/PERIOD/PERIOD_PI[_PROJECT]_NUMBER.pdf", EnvVars: cliutil.Env("pdf-dir"), Category: "PDF"},
		&cli.IntFlag{Name: "jobs", Usage: "PDF rendering workers (0 = GOMAXPROCS, one per usable CPU)", EnvVars: cliutil.Env("jobs"), Category: "PDF"},
	}, institutionFlags()...)
}

// pdfGCPercent is GOGC while PDFs are rendered. gopdf allocates a new zlib
// compressor (about 1 MB of compress/flate hash tables) for every font subset
// and page it writes, some 3 MB per statement, garbage at once; the live heap
// (the statements) is small, so with GOGC 100 the collector ran every three
// PDFs (328 cycles for 1000 PIs). GOGC in the environment wins.
const pdfGCPercent = 400

func renderer(c *cli.Context) (*pdf.Renderer, error) {
	return pdf.NewRenderer(pdf.Institution{
		Name: c.String("institution"), Address: c.String("institution-address"), Contact: c.String("contact"),
	})
}

func statementsAction(c *cli.Context) error {
	if c.Args().Len() > 0 {
		return fmt.Errorf("unexpected argument %q (did you mean a subcommand? see --help)", c.Args().First())
	}
	period := c.String("period")
	if period == "" {
		return fmt.Errorf("--period YYYY-MM is required")
	}
	format := c.String("format")
	if format != "ndjson" && format != "csv" {
		return fmt.Errorf("--format %q: want ndjson or csv", format)
	}
	tmpl := c.String("template")
	var parsed *template.Template
	if tmpl != "" {
		b, err := os.ReadFile(tmpl)
		if err != nil {
			return fmt.Errorf("template: %w", err)
		}
		t, err := statement.ParseTemplate(tmpl, string(b))
		if err != nil {
			return err
		}
		parsed = t
	}
	opts := build.Options{By: c.String("by"), PI: c.String("pi")}
	if opts.By != build.ByPI && opts.By != build.ByProject {
		return fmt.Errorf("--by %q: want pi or project", opts.By)
	}

	r, closer, err := openLedger(c.String("db"))
	if err != nil {
		return fmt.Errorf("open ledger %s: %w", c.String("db"), err)
	}
	defer closer.Close()
	ctx := c.Context
	sts, p, err := build.Build(ctx, r, period, opts)
	if err != nil {
		if isNoPeriod(err) {
			return cliutil.Dataf("%v", err)
		}
		return err
	}
	if opts.PI != "" && len(sts) == 0 {
		return cliutil.Dataf("no statement for %s in %s: the PI has no charges or adjustments in the period", opts.PI, period)
	}
	if dir := c.String("pdf-dir"); dir != "" {
		// Statements carry absolute PDF paths, so that focus-mail finds the
		// PDFs from any folder, statements read from a file or from stdin
		// (DESIGN.md: "pdf is absolute, or relative to the statements file").
		abs, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("--pdf-dir %s: %w", dir, err)
		}
		dir = abs
		hist, err := build.History(ctx, r, period)
		if err != nil {
			return err
		}
		rd, err := renderer(c)
		if err != nil {
			return err
		}
		if os.Getenv("GOGC") == "" {
			defer debug.SetGCPercent(debug.SetGCPercent(pdfGCPercent))
		}
		start := time.Now()
		// PDFs/s and an ETA on a terminal after about 2 s (thousands of
		// PIs); nothing in a pipe or a cron log.
		prog := cliutil.StartItemProgress(c.App.ErrWriter, "PDFs", len(sts))
		st, err := rd.WriteFiles(sts, hist, dir, c.Int("jobs"), &prog.Items)
		prog.Stop()
		if err != nil {
			return err
		}
		el := time.Since(start).Seconds()
		avg := 0.0
		if st.Files > 0 {
			avg = float64(st.Bytes) / float64(st.Files) / 1024
		}
		fmt.Fprintf(c.App.ErrWriter, "focus-statement: %d PDFs in %s (%.1f KiB average, %.0f/s)\n",
			st.Files, dir, avg, float64(st.Files)/max(el, 1e-9))
	}
	sum := statement.Sum(sts)
	cur := "" // USD; the statements' own currency when they share one
	if len(sts) > 0 {
		cur = sts[0].Currency
	}
	m := func(x money.Money) string { return money.Display(x, cur) }
	fmt.Fprintf(c.App.ErrWriter, "focus-statement: %d statements for %s (%s): list %s, discount %s, billed %s, adjustments %s, amount due %s\n",
		len(sts), period, p.State, m(sum.ListCost), m(sum.Discount), m(sum.BilledCost), m(sum.Adjustments), m(sum.AmountDue))
	w := c.App.Writer
	switch {
	case parsed != nil:
		return statement.WriteTemplate(w, parsed, sts)
	case format == "csv":
		return statement.WriteCSV(w, sts)
	}
	return statement.WriteNDJSON(w, sts)
}

func isNoPeriod(err error) bool { return errors.Is(err, ledger.ErrNoPeriod) }
