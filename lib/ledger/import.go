package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/validate"
)

// ImportOptions describe one import of one file.
type ImportOptions struct {
	Source   string // e.g. "AWS", "HPC"
	Period   string // YYYY-MM; "" = from the rows' BillingPeriodStart
	FileName string // for messages and the imports list
	Replace  bool   // replace the source's earlier import(s) for the period
	Tags     tagkeys.Keys
	Currency string // when BillingCurrency is absent; default USD
	// Rows, when set, counts the rows read (a progress display reads it).
	Rows *atomic.Int64
	// AllowOverlap imports rows that are already in the period under
	// another source (refused otherwise: they would be billed twice).
	AllowOverlap bool
	// AllowProviderChange lets --replace swap an import for one of another
	// provider or of other services (refused otherwise: a wrong file).
	AllowProviderChange bool
	// DryRun runs the whole import and rolls it back: the result says
	// what would happen, nothing is written (the audit included).
	DryRun bool
}

// ImportResult summarises an import.
type ImportResult struct {
	ImportID   int64
	Period     string
	State      string
	Rows       int
	Flagged    int
	ListCost   decimal.Decimal
	BilledCost decimal.Decimal
	NoOp       bool    // the same bytes were imported before
	Replaced   []int64 // import ids replaced
	SHA256     string
	// Normalised counts rows rewritten as focus-validate would (date-only
	// values, literal NULL, enum case); Warning is the first such warning.
	Normalised int
	Warning    string
	// Unowned counts rows without a PI e-mail (or with one that is no
	// address) or without a fund: each got a pending
	// review item, whether or not focus-flag ran upstream.
	Unowned int
	// Overlap is set when --allow-overlap let through rows already in the
	// period under another source.
	Overlap *Overlap
	// Of a dry run (ImportOptions.DryRun): nothing was written.
	DryRun bool
	// NewPeriod: the import opens its period (a dry run's would).
	NewPeriod bool
	// FlagCounts counts the review items the import makes by flag code.
	FlagCounts map[string]int
	// ReplacedImports describes what Replaced removes: the imports
	// as they were.
	ReplacedImports []ImportInfo
	// RulesApplied counts the rows each owner rule filled (rules.go).
	RulesApplied map[int64]int
}

// Overlap describes rows of an import that another source's import of the
// same period already holds (by row fingerprint, see fingerprint).
type Overlap struct {
	Rows      int    // rows of this import found in the other import
	ImportID  int64  // the earlier import
	Source    string // its source
	FileName  string // its file
	FirstLine int    // the first overlapping line of this file
}

// Import reads one FOCUS file into the ledger in one transaction: either
// every row lands or none does. Rows with a non-empty x_Flags cell become
// pending review items.
func (l *Ledger) Import(ctx context.Context, a Actor, r io.Reader, opt ImportOptions) (ImportResult, error) {
	var res ImportResult
	if strings.TrimSpace(opt.Source) == "" {
		return res, errors.New("import: --source is required (e.g. AWS, HPC)")
	}
	if opt.Currency == "" {
		opt.Currency = "USD"
	}
	if opt.FileName == "" {
		opt.FileName = "<stdin>"
	}
	if opt.Tags == (tagkeys.Keys{}) {
		opt.Tags = tagkeys.Default()
	}
	if opt.Period != "" {
		if err := ValidPeriod(opt.Period); err != nil {
			return res, err
		}
	}
	if res, done, err := l.sameBytesAgain(ctx, r, opt); done || err != nil {
		return res, err
	}
	h := &countingHash{Hash: sha256.New()}
	r = io.TeeReader(r, h)
	fr, err := focus.NewReader(r, opt.FileName)
	if err != nil {
		return res, refused("import %s: %v", opt.FileName, err)
	}
	cols := columnsOf(fr)
	if cols.billed < 0 {
		return res, refused("import %s: no BilledCost column (run focus-validate first)", opt.FileName)
	}
	if opt.Period == "" && cols.periodStart < 0 {
		return res, refused("import %s: no BillingPeriodStart column: give --period YYYY-MM", opt.FileName)
	}
	header, _ := json.Marshal(fr.Header())

	// Parsing (CSV, decimals, Tags, the JSON record) runs in a goroutine
	// while this one feeds SQLite: on two cores the import takes about as
	// long as SQLite's own work instead of the sum of both.
	done, finished := make(chan struct{}), make(chan struct{})
	batches := make(chan rowBatch, 4)
	var parsed parseResult
	// packed is parsed.prints as stored, set before finished closes: the
	// sort runs while the inserter writes the last batches instead of
	// after them.
	var packed []byte
	go func() {
		defer close(finished)
		parsed = l.parseRows(fr, cols, &opt, batches, done)
		if parsed.err == nil {
			// Drain what the reader did not need so the hash covers every byte.
			if _, err := io.Copy(io.Discard, r); err != nil {
				parsed.err = fmt.Errorf("read %s: %w", opt.FileName, err)
			}
			parsed.sha256, parsed.bytes = hex.EncodeToString(h.Sum(nil)), h.n
		}
		close(batches)
		if parsed.err == nil {
			packed = packPrints(parsed.prints)
		}
	}()
	// Never return while the parser still reads r.
	defer func() {
		close(done)
		<-finished
	}()

	err = l.withTx(ctx, func(tx *Tx) error {
		var bulk *bulkLoad
		var importID int64
		var old []int64
		// A closed or finalized period refuses the import, unless these
		// are the very bytes imported before (a re-run): that is only known
		// at the end, so the rows are read and dropped meanwhile.
		var stateErr error
		for b := range batches {
			if b.err != nil {
				return b.err
			}
			if stateErr != nil {
				continue
			}
			if importID == 0 {
				if importID, old, err = l.beginImport(tx, a, opt, string(header), &res.NewPeriod); err != nil {
					var r *RefusedError
					if errors.As(err, &r) {
						stateErr, importID = err, 0
						continue
					}
					return err
				}
				if l.d.LiftInsertGuard != nil {
					// The period is open (beginImport), and every charge
					// written below is of it.
					restore, err := l.d.LiftInsertGuard(tx, "charges")
					if err != nil {
						return err
					}
					tx.BeforeCommit(restore)
				}
				bulk = &bulkLoad{tx: tx, importID: importID, period: opt.Period, file: opt.FileName}
			}
			n, flagged, err := bulk.load(&b)
			if err != nil {
				return err
			}
			res.Rows += n
			res.Flagged += flagged
			if opt.Rows != nil {
				opt.Rows.Add(int64(n))
			}
		}
		// batches is closed: parsed is set (the channel close orders it).
		if parsed.err != nil {
			return parsed.err
		}
		if bulk != nil {
			if err := bulk.flush(); err != nil {
				return err
			}
		}
		list, billed := parsed.list, parsed.billed
		res.SHA256 = parsed.sha256
		if stateErr != nil {
			var prior int64
			if tx.QueryRow(`SELECT id FROM imports WHERE period = ? AND source = ? AND sha256 = ?`, opt.Period, opt.Source, res.SHA256).Scan(&prior) == nil {
				res.NoOp, res.ImportID = true, prior
				return errNoOp
			}
			return stateErr
		}
		if importID == 0 {
			return refused("import %s: no rows", opt.FileName)
		}
		var prior int64
		var priorSource string
		err := tx.QueryRow(`SELECT id, source FROM imports WHERE period = ? AND sha256 = ? ORDER BY source <> ?, id LIMIT 1`,
			opt.Period, res.SHA256, opt.Source).Scan(&prior, &priorSource)
		if err == nil && priorSource == opt.Source {
			res.NoOp, res.ImportID = true, prior
			return errNoOp
		}
		if err == nil {
			// The same file under a second source name would bill every
			// row twice: a mistyped --source in a cron job, not new usage.
			return refused("%s: the same bytes were imported as source %s (import %d) for period %s: importing them as %s too would bill every row twice; nothing imported",
				opt.FileName, priorSource, prior, opt.Period, opt.Source)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if len(old) > 0 {
			if !opt.Replace {
				return refused("source %s already has import %d for period %s with different content: use --replace to replace it (or `focus-load remove %d`)", opt.Source, old[0], opt.Period, old[0])
			}
			if !opt.AllowProviderChange {
				if err := sameProvider(tx, opt, old, &parsed); err != nil {
					return err
				}
			}
			for _, o := range old {
				info, err := importInfo(tx, o)
				if err != nil {
					return err
				}
				res.ReplacedImports = append(res.ReplacedImports, info)
				if _, err := tx.Exec(`DELETE FROM imports WHERE id = ?`, o); err != nil {
					return fmt.Errorf("replace import %d: %w", o, err)
				}
			}
			res.Replaced = old
		}
		ov, err := findOverlap(ctx, tx, opt.Period, opt.Source, parsed.prints, parsed.lines)
		if err != nil {
			return err
		}
		if ov != nil {
			// A whole file (or a good part of one) under a second source is
			// a mistake; a handful of rows in a big file that happen to
			// agree in every billed cell (the same resource, day, quantity
			// and cost) is a coincidence, imported with a warning.
			if !opt.AllowOverlap && ov.Rows*100 >= res.Rows*overlapPercent {
				return refused("%s: %d of %d rows (the first at line %d) are already in period %s under source %s (import %d, %s): importing them as %s too would bill them twice; nothing imported. Wrong --source? If these are really different charges, import with --allow-overlap (audited)",
					opt.FileName, ov.Rows, res.Rows, ov.FirstLine, opt.Period, ov.Source, ov.ImportID, ov.FileName, opt.Source)
			}
			res.Overlap = ov
		}
		if err := parsed.sums.write(tx, importID, opt.Period, false); err != nil {
			return err
		}
		<-finished // packed is set
		if _, err := tx.Exec(`INSERT INTO import_prints(import_id, prints) VALUES (?,?)`, importID, packed); err != nil {
			return fmt.Errorf("import %d fingerprints: %w", importID, err)
		}
		res.Normalised, res.Warning, res.Unowned = parsed.normalised, parsed.warning, parsed.unowned
		res.ListCost, res.BilledCost = list, billed
		res.ImportID, res.Period, res.State = importID, opt.Period, StateOpen
		first, last := bulk.span()
		if _, err := tx.Exec(`UPDATE imports SET sha256 = ?, bytes = ?, rows = ?, flagged = ?, list_total = ?, billed_total = ?, providers = ?, first_charge = ?, last_charge = ? WHERE id = ?`,
			res.SHA256, parsed.bytes, res.Rows, res.Flagged, list.String(), billed.String(), joinSorted(parsed.providers), first, last, importID); err != nil {
			return err
		}
		if res.RulesApplied, err = l.applyRules(tx, a, importID, opt.Period, roleKeyOf(opt.Tags)); err != nil {
			return err
		}
		if opt.DryRun {
			if res.FlagCounts, err = flagCounts(tx, importID); err != nil {
				return err
			}
			return errDryRun
		}
		after := map[string]any{"source": opt.Source, "file": opt.FileName, "sha256": res.SHA256, "rows": res.Rows,
			"flagged": res.Flagged, "list_cost": list.String(), "billed_cost": billed.String(), "replaced": res.Replaced}
		reason := ""
		if opt.AllowProviderChange && len(res.Replaced) > 0 {
			after["allow_provider_change"] = true
		}
		if ov != nil {
			after["overlap"] = map[string]any{"rows": ov.Rows, "import": ov.ImportID, "source": ov.Source, "allow_overlap": opt.AllowOverlap}
			reason = fmt.Sprintf("%d rows also in import %d (%s)", ov.Rows, ov.ImportID, ov.Source)
			if opt.AllowOverlap {
				reason = "--allow-overlap: " + reason
			}
		}
		return l.audit(tx, a, "import", fmt.Sprintf("import %d", importID), opt.Period, nil, after, reason)
	})
	if errors.Is(err, errDryRun) {
		res.DryRun = true
		return res, nil
	}
	if errors.Is(err, errNoOp) {
		res.Period = opt.Period
		if p, err := l.Period(ctx, opt.Period); err == nil {
			res.State = p.State
		}
		res.Rows, res.Flagged, res.Replaced = 0, 0, nil
		return res, nil
	}
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

var errNoOp = errors.New("no-op")

// DryRunReport says, one sentence a line, what a dry run's import would
// do: the period and its state, the rows and their exact sums, the review
// items by flag, what --replace would remove and any overlap with another
// source. focus-load and the web's "check only" print the same lines.
func (res ImportResult) DryRunReport() []string {
	state := res.State
	if res.NewPeriod {
		state = "a new period, opened by this import"
	}
	out := []string{fmt.Sprintf("dry run, nothing written: it would be import %d into %s (%s): %d rows, %d flagged for review, list %s, billed %s (exact row sums, before rounding)",
		res.ImportID, res.Period, state, res.Rows, res.Flagged, money.FormatExact(res.ListCost), money.FormatExact(res.BilledCost))}
	if len(res.FlagCounts) > 0 {
		codes := make([]string, 0, len(res.FlagCounts))
		for code := range res.FlagCounts {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for i, code := range codes {
			codes[i] = fmt.Sprintf("%s %d", code, res.FlagCounts[code])
		}
		out = append(out, "review items by flag: "+strings.Join(codes, ", "))
	}
	for _, old := range res.ReplacedImports {
		out = append(out, fmt.Sprintf("--replace would remove import %d (%s, source %s: %d rows, billed %s)", old.ID, old.FileName, old.Source, old.Rows, old.BilledCost))
	}
	rules := make([]int64, 0, len(res.RulesApplied))
	for id := range res.RulesApplied {
		rules = append(rules, id)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i] < rules[j] })
	for _, id := range rules {
		out = append(out, fmt.Sprintf("owner rule %d would fill %d row(s) (`focus-load rules list`)", id, res.RulesApplied[id]))
	}
	if res.Unowned > 0 {
		out = append(out, fmt.Sprintf("%d row(s) without a PI e-mail (or with one that is no address) or without a fund would wait in review, less those the rules fill", res.Unowned))
	}
	if ov := res.Overlap; ov != nil {
		out = append(out, fmt.Sprintf("%d row(s) (the first at line %d) are also in import %d (source %s)", ov.Rows, ov.FirstLine, ov.ImportID, ov.Source))
	}
	return out
}

// errDryRun rolls a dry run's transaction back once its result is known.
var errDryRun = errors.New("dry run")

// importInfo is one import as the imports list shows it.
func importInfo(tx *Tx, id int64) (ImportInfo, error) {
	i := ImportInfo{ID: id}
	err := tx.QueryRow(`SELECT period, source, file_name, rows, flagged, list_total, billed_total FROM imports WHERE id = ?`, id).
		Scan(&i.Period, &i.Source, &i.FileName, &i.Rows, &i.Flagged, &i.ListCost, &i.BilledCost)
	if err != nil {
		return i, fmt.Errorf("import %d: %w", id, err)
	}
	return i, nil
}

// flagCounts counts an import's review items by flag code.
func flagCounts(tx *Tx, importID int64) (map[string]int, error) {
	flags, err := stringColumn(tx, `SELECT r.flags FROM review r JOIN charges c ON c.id = r.charge_id WHERE c.import_id = ?`, importID)
	if err != nil {
		return nil, fmt.Errorf("review items of import %d: %w", importID, err)
	}
	out := map[string]int{}
	for _, f := range flags {
		for _, code := range strings.Split(f, ";") {
			if code = strings.TrimSpace(code); code != "" {
				out[code]++
			}
		}
	}
	return out, nil
}

// overlapPercent is the share of an import's rows found under another
// source from which the import is refused (without --allow-overlap).
const overlapPercent = 1

// pendingRow is one parsed row ready to insert: cells are the values of
// chargeCopyColumns (bulk.go), the first three (id, import and period)
// left for the inserter.
type pendingRow struct {
	line  int
	flags string
	cells []any
}

type rowBatch struct {
	rows   []pendingRow
	frames []frame // the verbatim rows, compressed (frames.go)
	err    error

	slab *cellSlab // the cells of rows, for the next batch once written
}

type parseResult struct {
	sums         lineSums // per statement line (lines.go)
	list, billed decimal.Decimal
	sha256       string
	bytes        int64 // the input's size (what sha256 covers)
	err          error
	normalised   int
	warning      string
	unowned      int
	prints       []uint64 // row fingerprints, in file order
	lines        []int32  // the line of each fingerprint
	providers    []string // the distinct providers of the rows (provider column), unsorted
}

// maxDiagnostics is how many of an invalid file's problems are kept for
// the message; the rest are counted.
const maxDiagnostics = 50

// InvalidRowsError refuses a file with rows focus-validate would reject:
// nothing of it is imported. Diagnostics are GNU style
// (FILE:LINE: Column: message [rule]), the first maxDiagnostics of them.
type InvalidRowsError struct {
	File        string
	Diagnostics []validate.Diagnostic
	Rows        int            // invalid rows
	Errors      int            // all error diagnostics, printed or not
	Kinds       validate.Kinds // every error counted by rule and column
	Header      bool           // the header makes every row invalid
}

// Error is the first problem and the summary.
func (e *InvalidRowsError) Error() string {
	first := ""
	if len(e.Diagnostics) > 0 {
		first = e.Diagnostics[0].String() + "; "
	}
	return first + e.Summary()
}

// Summary says how much is wrong and what to do, without the diagnostics.
func (e *InvalidRowsError) Summary() string {
	if e.Header {
		return fmt.Sprintf("%s: the header makes every row unusable: import refused, nothing loaded; fix the export (`focus-validate %s > /dev/null` explains)", e.File, e.File)
	}
	return fmt.Sprintf("%s: %d invalid row(s), %d problem(s): import refused, nothing loaded; fix the export, or split it with `focus-validate --reject rejects.csv %s` and import the valid rows",
		e.File, e.Rows, e.Errors, e.File)
}

// ownerFlags adds missing-tag:KEY (the site's key name, as focus-flag
// writes it) for an empty PI e-mail or fund to a row's flags, and
// bad-email for a PI e-mail that is no address (badEmail).
func ownerFlags(flags string, c Charge, keys tagkeys.Keys, badEmail bool) string {
	add := func(code string) {
		for _, f := range strings.Split(flags, ";") {
			if strings.TrimSpace(f) == code {
				return
			}
		}
		if flags != "" {
			flags += ";"
		}
		flags += code
	}
	if c.PIEmail == "" {
		add("missing-tag:" + keys.PIEmail)
	}
	if c.FundOrg == "" {
		add("missing-tag:" + keys.FundOrg)
	}
	if badEmail {
		add("bad-email")
	}
	return flags
}

// beginImport checks the period's state, opening a new period on its first
// import, and inserts the import record (its hash and totals are set at the
// end). It returns the source's earlier imports for the period.
func (l *Ledger) beginImport(tx *Tx, a Actor, opt ImportOptions, header string, opened *bool) (int64, []int64, error) {
	state, err := l.periodState(tx, opt.Period)
	if errors.Is(err, ErrNoPeriod) {
		// Two imports may open the same new period at once (PostgreSQL):
		// the second finds the first's row and waits for its lock.
		out, err := tx.Exec(`INSERT INTO periods(period) VALUES (?) ON CONFLICT DO NOTHING`, opt.Period)
		if err != nil {
			return 0, nil, err
		}
		if n, _ := out.RowsAffected(); n == 1 {
			*opened = true
			if err := l.audit(tx, a, "period-open", "period "+opt.Period, opt.Period, nil, map[string]string{"state": StateOpen}, "first import"); err != nil {
				return 0, nil, err
			}
		}
		if state, err = l.periodState(tx, opt.Period); err != nil {
			return 0, nil, err
		}
	} else if err != nil {
		return 0, nil, err
	}
	switch state {
	case StateClosed:
		return 0, nil, refused("period %s is closed: imports are refused (reopen it with `focus-load periods reopen %s` first)", opt.Period, opt.Period)
	case StateFinalized:
		return 0, nil, refused("period %s is finalized: it cannot change; record late usage or corrections as an adjustment in the next open period (`focus-load adjust --period NEXT --pi EMAIL --amount X --reason ... --ref \"%s ...\"`)", opt.Period, opt.Period)
	}
	rows, err := tx.Query(`SELECT id FROM imports WHERE period = ? AND source = ? ORDER BY id`, opt.Period, opt.Source)
	if err != nil {
		return 0, nil, err
	}
	var old []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, nil, err
		}
		old = append(old, id)
	}
	rows.Close()
	id, err := tx.Insert(`INSERT INTO imports(period, source, file_name, sha256, header, rows, flagged, list_total, billed_total, imported_at, imported_by, record_format)
		VALUES (?,?,?,'pending',?,0,0,'0','0',?,?,?)`, opt.Period, opt.Source, opt.FileName, header, l.stamp(), a.User, recordFormat)
	if err != nil {
		return 0, nil, err
	}
	return id, old, nil
}

// decText is s when it is a plain decimal ("-12.50": digits, at most one
// point, an optional leading minus), else d's own form.
func decText(s string, d decimal.Decimal) string {
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point:
			point = true
		case c == '-' && i == 0:
		default:
			return d.String()
		}
	}
	if digits == 0 {
		return d.String()
	}
	return s
}

// periodOf returns YYYY-MM of a FOCUS date or date-time.
func periodOf(s string) string {
	if len(s) >= 7 {
		return s[:7]
	}
	return s
}

type columns struct {
	billed, list, periodStart, service, category, resID, resName, quantity, unit, currency, tags, flags int
	chargeStart, chargeEnd                                                                              int
	provider                                                                                            int // ServiceProviderName, else ProviderName
	chargeCategory, chargeClass, chargeDesc                                                             int
}

func columnsOf(r *focus.Reader) columns {
	return columns{
		billed: r.Index("BilledCost"), list: r.Index("ListCost"), periodStart: r.Index("BillingPeriodStart"),
		service: r.Index("ServiceName"), category: r.Index("ServiceCategory"), resID: r.Index("ResourceId"),
		resName: r.Index("ResourceName"), quantity: r.Index("ConsumedQuantity"), unit: r.Index("ConsumedUnit"),
		currency: r.Index("BillingCurrency"), tags: r.Index("Tags"), flags: r.Index("x_Flags"),
		chargeStart: r.Index("ChargePeriodStart"), chargeEnd: r.Index("ChargePeriodEnd"),
		provider:       providerColumn(r),
		chargeCategory: r.Index("ChargeCategory"), chargeClass: r.Index("ChargeClass"), chargeDesc: r.Index("ChargeDescription"),
	}
}

// providerColumn is the column naming who provides the service: FOCUS
// 1.3's ServiceProviderName, else the older ProviderName; -1 if neither.
func providerColumn(r *focus.Reader) int {
	if i := r.Index("ServiceProviderName"); i >= 0 {
		return i
	}
	return r.Index("ProviderName")
}

func cell(v []string, i int) string {
	if i < 0 {
		return ""
	}
	return v[i]
}

// field drops U+001F, the separator of the packed read (see chargeColumns),
// from a value stored in an extracted column; the record keeps it.
func field(s string) string {
	if strings.IndexByte(s, 0x1f) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x1f", "")
}

// rowAmounts are a row's decimal cells.
type rowAmounts struct {
	billed, list, qty amount
	hasQty            bool // ConsumedQuantity is not empty
}

// extract reads a checked row's chargeback columns: the charge's text
// fields (its decimals are in the amounts), the amounts and the flags. tv
// are the values of the tag roles' keys (roleKeys) in its Tags cell, as
// the row's check read them (validate.Checker.TagValues); extract trims
// them in place.
func (c columns) extract(v []string, opt *ImportOptions, tv []string) (Charge, rowAmounts, string, error) {
	var ch Charge
	var am rowAmounts
	var err error
	if am.billed, err = parseAmount("BilledCost", v[c.billed]); err != nil {
		return ch, am, "", err
	}
	if s := cell(v, c.list); s != "" {
		if am.list, err = parseAmount("ListCost", s); err != nil {
			return ch, am, "", err
		}
	} else {
		am.list = am.billed // no list price: no discount shown (focus-flag flags it)
	}
	if s := cell(v, c.quantity); s != "" {
		if am.qty, err = parseAmount("ConsumedQuantity", s); err != nil {
			return ch, am, "", err
		}
		am.hasQty = true
	} else {
		am.qty = amount{plain: true}
	}
	for i := range tv {
		tv[i] = field(tv[i])
	}
	ch.PIEmail = strings.ToLower(strings.TrimSpace(tv[0]))
	ch.PIName, ch.ProjectID, ch.FundOrg, ch.CostCenter = tv[1], tv[2], tv[3], tv[4]
	ch.AccountCode, ch.EndDate, ch.ReconciliationEnd, ch.Ref1, ch.Ref2 = tv[5], tv[6], tv[7], tv[8], tv[9]
	ch.ServiceName = field(cell(v, c.service))
	ch.ServiceCategory = field(cell(v, c.category))
	ch.ResourceID = field(cell(v, c.resID))
	ch.ResourceName = field(cell(v, c.resName))
	ch.Unit = field(cell(v, c.unit))
	ch.Currency = field(cell(v, c.currency))
	// A statement says what a credit, refund or other non-usage line is
	// in the provider's words, and what a correction (ChargeClass
	// Correction: a refund or re-rating of an earlier period) corrects.
	// Usage keeps none: providers write one per row (a unit price), which
	// would split every statement line.
	cat := strings.TrimSpace(cell(v, c.chargeCategory))
	if (cat != "" && !strings.EqualFold(cat, "Usage")) || strings.EqualFold(strings.TrimSpace(cell(v, c.chargeClass)), "Correction") {
		ch.Description = strings.TrimSpace(field(cell(v, c.chargeDesc)))
	}
	if ch.Currency == "" {
		ch.Currency = opt.Currency
	}
	return ch, am, strings.TrimSpace(cell(v, c.flags)), nil
}

// sameBytesAgain answers a re-import of an unchanged regular file (the
// nightly cron job) before parsing it: hashing is ten times faster than an
// import that would be rolled back. It rewinds the file for the import
// otherwise. Pipes are not seekable and take the general path, which finds
// the same answer at the end.
func (l *Ledger) sameBytesAgain(ctx context.Context, r io.Reader, opt ImportOptions) (ImportResult, bool, error) {
	f, ok := r.(*os.File)
	if !ok {
		return ImportResult{}, false, nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return ImportResult{}, false, nil
	}
	start, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return ImportResult{}, false, nil
	}
	// Without an import of this source and of this size (or of no known
	// size: made before sizes were kept) there is nothing to hash for: the
	// import hashes the bytes as it reads them anyway.
	var candidates int
	if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM imports WHERE source = ? AND (? = '' OR period = ?) AND (bytes IS NULL OR bytes = ?)`,
		opt.Source, opt.Period, opt.Period, fi.Size()-start).Scan(&candidates); err != nil {
		return ImportResult{}, false, err
	}
	if candidates == 0 {
		return ImportResult{}, false, nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ImportResult{}, false, fmt.Errorf("read %s: %w", opt.FileName, err)
	}
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		return ImportResult{}, false, fmt.Errorf("rewind %s: %w", opt.FileName, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	var id int64
	var period string
	err = l.db.QueryRowContext(ctx, `SELECT id, period FROM imports WHERE source = ? AND sha256 = ? AND (? = '' OR period = ?) ORDER BY id LIMIT 1`,
		opt.Source, sum, opt.Period, opt.Period).Scan(&id, &period)
	if errors.Is(err, sql.ErrNoRows) {
		return ImportResult{}, false, nil
	}
	if err != nil {
		return ImportResult{}, false, err
	}
	state := ""
	if p, err := l.Period(ctx, period); err == nil {
		state = p.State
	}
	return ImportResult{ImportID: id, Period: period, State: state, NoOp: true, SHA256: sum}, true, nil
}

// countingHash is a hash.Hash that counts the bytes written to it.
type countingHash struct {
	hash.Hash
	n int64
}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.Hash.Write(p)
}

// roleKeys returns the site's tag key of each tag extracted into a typed
// column, in the order extract reads them ("" = not used).
func roleKeys(k tagkeys.Keys) []string {
	return []string{k.PIEmail, k.PIName, k.ProjectID, k.FundOrg, k.CostCenter, k.AccountCode, k.EndDate, k.ReconciliationEnd, k.Ref1, k.Ref2}
}
