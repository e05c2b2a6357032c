package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
	"github.com/openchargeback/ocb/lib/flag"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/validate"
	"github.com/openchargeback/ocb/lib/web"
)

// importFlags are the validate/flag options of web imports.
func importFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "require-tags", Value: "pi_email,fund_org,project_id", Usage: "web imports: tags focus-flag requires", EnvVars: cliutil.Env("require-tags")},
	}
}

// openBackend opens the ledger for the web interface, with the import
// pipeline of the CLI: focus-validate, then focus-flag, then focus-load.
// A ledger that does not exist yet is not an error: the web then starts
// empty and its first import creates the ledger, as focus-load's would.
func openBackend(c *cli.Context, db string) (web.Backend, web.ImportFunc, io.Closer, error) {
	keys := tagkeys.FromContext(c)
	require := flag.ParseRequireTags(c.String("require-tags"))
	l, err := ledger.OpenExisting(db) // serving never creates a ledger; importing does
	if errors.Is(err, ledger.ErrNoLedger) {
		fmt.Fprintf(c.App.ErrWriter, "focus-statement serve: no ledger at %s yet: the first import (web or focus-load) creates it\n", ledger.Redact(db))
		return newLazyLedger(db, keys, require, c.String("temp-dir"))
	}
	if err != nil {
		return nil, nil, nil, err
	}
	b := &web.LedgerBackend{Ledger: l, Keys: keys}
	return b, importPipeline(l, keys, require, c.String("temp-dir")), l, nil
}

// lazyLedger is serve's ledger before the first import: the import that
// loads something creates it (a SQLite file, or the schema of a PostgreSQL
// database); one that loads nothing leaves no ledger behind.
type lazyLedger struct {
	db      string
	keys    tagkeys.Keys
	require []string
	tempDir string // --temp-dir, for the import's working copies
	web     *web.LazyBackend
	mu      sync.Mutex // one first import at a time
	l       *ledger.Ledger
	run     web.ImportFunc // the pipeline once the ledger exists
}

func newLazyLedger(db string, keys tagkeys.Keys, require []string, tempDir string) (web.Backend, web.ImportFunc, io.Closer, error) {
	z := &lazyLedger{db: db, keys: keys, require: require, tempDir: tempDir, web: web.NewLazyBackend()}
	return z.web, z.importFiles, z, nil
}

func (z *lazyLedger) importFiles(ctx context.Context, a web.Actor, req web.ImportRequest) ([]web.FileReport, error) {
	z.mu.Lock()
	if z.run != nil {
		run := z.run
		z.mu.Unlock()
		return run(ctx, a, req)
	}
	defer z.mu.Unlock()
	// Someone may have run focus-load import meanwhile.
	l, err := ledger.OpenExisting(z.db)
	fresh := errors.Is(err, ledger.ErrNoLedger)
	if fresh {
		l, err = ledger.Open(z.db)
	}
	if err != nil {
		return nil, fmt.Errorf("create ledger %s: %w", ledger.Redact(z.db), err)
	}
	run := importPipeline(l, z.keys, z.require, z.tempDir)
	reps, err := run(ctx, a, req)
	loaded := !fresh
	for _, r := range reps {
		loaded = loaded || r.ImportID != 0
	}
	if !loaded {
		// Still only an import creates a ledger: this one loaded nothing.
		dctx := context.WithoutCancel(ctx)
		if _, derr := l.DropIfEmpty(dctx); derr != nil && err == nil {
			err = derr
		}
		l.Close()
		if !ledger.IsPostgresDSN(z.db) {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(z.db + suffix)
			}
		}
		return reps, err
	}
	if serr := z.web.Set(context.WithoutCancel(ctx), &web.LedgerBackend{Ledger: l, Keys: z.keys}); serr != nil && err == nil {
		err = serr
	}
	z.l, z.run = l, run
	return reps, err
}

// Close closes the ledger if an import created it.
func (z *lazyLedger) Close() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.l != nil {
		return z.l.Close()
	}
	return nil
}

// importPipeline imports uploaded files; its working copies (valid and
// flagged rows) go to tempDir ("" = the system's), like the uploads
// themselves: --temp-dir names a disk with room and the right owner.
func importPipeline(l *ledger.Ledger, keys tagkeys.Keys, require []string, tempDir string) web.ImportFunc {
	return func(ctx context.Context, a web.Actor, req web.ImportRequest) ([]web.FileReport, error) {
		var reports []web.FileReport
		for _, f := range req.Files {
			rep, err := importOne(ctx, l, keys, require, a, req, f, tempDir)
			if err != nil {
				return reports, err
			}
			reports = append(reports, rep)
		}
		return reports, nil
	}
}

func importOne(ctx context.Context, l *ledger.Ledger, keys tagkeys.Keys, require []string, a web.Actor, req web.ImportRequest, f web.UploadedFile, tempDir string) (web.FileReport, error) {
	source, refusal, err := pickSource(ctx, l, req.Source, f.Name)
	if err != nil {
		return web.FileReport{Name: f.Name}, err
	}
	rep := web.FileReport{Name: f.Name, Source: source, Refused: refusal}
	if refusal != "" {
		return rep, nil
	}
	dir, err := os.MkdirTemp(tempDir, "focus-web-import")
	if err != nil {
		return rep, fmt.Errorf("import working folder (--temp-dir): %w", err)
	}
	defer os.RemoveAll(dir)

	// validate: valid rows to a file, diagnostics kept for the page.
	valid, err := os.Create(filepath.Join(dir, "valid.csv"))
	if err != nil {
		return rep, err
	}
	var diag bytes.Buffer
	res, err := validate.Run(validate.Config{
		Options: validate.Options{Period: req.Period, Currency: "USD", Keys: keys},
		Stdout:  valid, Stderr: &diag, MaxErrors: 200,
		Open: func(string) (io.ReadCloser, error) { return os.Open(f.Path) },
	}, []string{f.Name})
	valid.Close()
	rep.Rows, rep.Invalid = res.Read, res.Invalid
	rep.Diagnostics = lines(diag.String())
	if err != nil {
		return rep, err
	}
	if res.ExitCode() != 0 {
		// What is wrong with the file as a whole comes first: a PDF or a
		// spreadsheet is named as such, not as "0 of 0 rows are invalid".
		switch {
		case res.Problem != "":
			rep.Refused = res.Problem + " (nothing was loaded)"
		case res.Read == 0 && res.FirstError != "":
			rep.Refused = "no row could be read: " + res.FirstError + " (nothing was loaded)"
		case res.Read == 0:
			rep.Refused = "the file has no rows (nothing was loaded)"
		default:
			rep.Refused = fmt.Sprintf("%s of %s rows are invalid: fix the file and upload it again (nothing was loaded)",
				money.Count(res.Invalid), money.Count(res.Read))
		}
		return rep, nil
	}

	// flag: review flags for the ledger's review queue.
	flagged, err := os.Create(filepath.Join(dir, "flagged.csv"))
	if err != nil {
		return rep, err
	}
	cfg := flag.DefaultConfig()
	cfg.Keys, cfg.RequireTags, cfg.Period, cfg.TempDir = keys, require, req.Period, dir
	sum, err := flag.Run(cfg, []flag.Input{{Name: f.Name, Path: valid.Name()}}, flagged)
	flagged.Close()
	if err != nil {
		return rep, err
	}
	for _, cc := range sum.Codes {
		rep.Summary = append(rep.Summary, fmt.Sprintf("%s: %d", cc.Code, cc.Count))
	}

	// load: one transaction; refusals are shown, not errors.
	in, err := os.Open(flagged.Name())
	if err != nil {
		return rep, err
	}
	defer in.Close()
	ir, err := l.Import(ctx, ledger.Actor{User: a.User, Origin: "web"}, in, ledger.ImportOptions{
		Source: source, Period: req.Period, FileName: f.Name, Replace: req.Replace, Tags: keys, DryRun: req.DryRun,
	})
	if err != nil {
		if ledger.IsRefused(err) {
			rep.Refused = err.Error()
			return rep, nil
		}
		return rep, err
	}
	if ir.DryRun {
		rep.DryRun, rep.Flagged = true, ir.Flagged
		rep.Summary = append(rep.Summary, ir.DryRunReport()...)
		return rep, nil
	}
	rep.ImportID, rep.Duplicate, rep.Flagged, rep.Loaded = ir.ImportID, ir.NoOp, ir.Flagged, ir.Rows
	rep.Summary = append(rep.Summary, fmt.Sprintf("import %d into %s: %s rows, %s flagged for review, list %s, billed %s (exact row sums, before rounding)",
		ir.ImportID, ir.Period, money.Count(ir.Rows), money.Count(ir.Flagged), money.DisplayExact(ir.ListCost, ""), money.DisplayExact(ir.BilledCost, "")))
	return rep, nil
}

func lines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// sessionStore is the ledger's session table when the backend has one:
// every serve process of the ledger then shares sessions and logouts.
func sessionStore(b web.Backend) web.SessionStore {
	if st, ok := b.(web.SessionStore); ok {
		return st
	}
	return nil
}

// pickSource names an upload's source. Source names are printed on PDFs,
// so "azure" beside "Azure" would split one source in two: a typed name,
// or without one the file's name, takes the spelling of the known source
// it matches ignoring case. A file name that matches none is not made a
// source silently: the report asks for the Source field (refusal).
func pickSource(ctx context.Context, l *ledger.Ledger, typed, file string) (source, refusal string, err error) {
	imports, err := l.Imports(ctx, "")
	if err != nil {
		return "", "", fmt.Errorf("known sources: %w", err)
	}
	var known []string
	for _, i := range imports {
		if !slices.Contains(known, i.Source) {
			known = append(known, i.Source)
		}
	}
	sort.Strings(known)
	want := strings.TrimSpace(typed)
	if want == "" {
		want = strings.TrimSuffix(file, filepath.Ext(file))
	}
	for _, k := range known {
		if strings.EqualFold(k, want) {
			return k, "", nil
		}
	}
	if typed != "" {
		return want, "", nil // a new source, named on purpose
	}
	have := "the ledger has none yet"
	if len(known) > 0 {
		have = "known: " + strings.Join(known, ", ")
	}
	return "", fmt.Sprintf("no source matches the file name %q (%s): type the source's name in the Source field (nothing was loaded)", want, have), nil
}
