package ledger

import (
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"

	"github.com/openchargeback/ocb/lib/flag"
	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/validate"
)

// The import's parse is a pipeline (Miller's readers → transformers →
// writer). One goroutine splits the input into rows: a CSV cannot be split
// in parallel, a quoted cell may hold newlines. GOMAXPROCS workers check,
// convert, fingerprint and compress batches of frameRows rows (one frame
// each). parseRows takes the batches back in file order and makes every
// decision that depends on the rows before (the first error, the import's
// period, the refusal) exactly as a single pass would. One goroutine
// doing all of it was the import's bottleneck: about 8 µs a row against
// SQLite's 5 (see docs/decisions-load.md).

// rawRow is one row as read.
type rawRow struct {
	line int
	vals []string
	perr *focus.ParseError // a row that could not be read as the header's fields
	// split: perr is about a row that was split into cells (a wrong field
	// count), not broken CSV.
	split bool
}

// rawBatch is up to frameRows rows in file order.
type rawBatch struct {
	seq  int
	rows []rawRow
	vals []string // the cells of rows, one slice for the batch
	// end is the read error that stopped the reader (nil at EOF).
	end error
	res chan *checkedBatch
}

// rowProblem is a row of a batch that cannot be imported as it is.
type rowProblem struct {
	row   int                   // index in the batch
	diags []validate.Diagnostic // an invalid row's errors
	fatal error                 // a valid row the ledger refuses (the import stops there)
}

// checkedBatch is a worker's answer for one rawBatch.
type checkedBatch struct {
	rows     []pendingRow
	slab     *cellSlab // the cells of rows (nil when none)
	frame    frame     // the good rows verbatim; rows == 0 when none
	prints   []uint64
	lines    []int32
	problems []rowProblem
	// period is the billing period of the batch's first good row when the
	// import's period comes from the rows (no --period); row is its index.
	period    string
	periodRow int
	periodAt  int // its line
	warning   string
	normal    int // rows normalised as focus-validate would
	unowned   int
	providers []string // the distinct providers of the good rows
	err       error    // not about the input (compression)
}

// rowWorker is one worker's state: its checker, scratch space and the
// running sums of the rows it converted.
type rowWorker struct {
	cols   columns
	opt    ImportOptions // a copy: Period is the given one ("" = from the rows)
	chk    *validate.Checker
	frames columnFrameCoder
	text   []byte // the batch's charge text (chargeValues.text) …
	ends   []int  // … and where each of its cells ends
	good   [][]string
	lines  *lineIndex
	list   fixedSum
	billed fixedSum
	// addresses remembers whether each PI e-mail seen is an address:
	// a site has a few hundred PIs, so a map lookup a row replaces
	// net/mail's parse a row.
	addresses map[string]bool
	// validPeriod is the last billing period ValidPeriod passed: every
	// row repeats it, and the check parses a date (2% of the CPU).
	validPeriod string
	printer     printer
	// encodeCharge and chargeTypes: the backend takes charges' columns
	// encoded (Dialect.EncodeCharge).
	encodeCharge func(dst []byte, line int64, text []string) ([]byte, bool)
	chargeTypes  []uint32
	spans        [][2]int // scratch: where each row's encoding is in its slab's buf
}

// validPI reports whether a row's pi_email is an address (flag.ValidEmail),
// once per distinct e-mail.
func (w *rowWorker) validPI(email string) bool {
	ok, seen := w.addresses[email]
	if !seen {
		ok = flag.ValidEmail(email)
		if len(w.addresses) < 1<<16 { // a hostile file of distinct values does not grow it without end
			w.addresses[email] = ok
		}
	}
	return ok
}

// chargeValues are what a row's cells point at. Storing a string or an
// int64 in an interface allocates it: 20 allocations a row were 5% of the
// import's CPU (runtime.convTstring); pointers into one allocation a batch
// are free to box.
type chargeValues struct {
	line int64
	text [20]string // chargeCopyColumns[4:], pi_email … ref2, description
}

// cellSlab holds the cells and values of up to frameRows charges (a
// batch): row r's cells are cells[r*len(chargeCopyColumns):], 3… pointing
// into values[r] once and for good. The inserter gives a slab back
// (putSlab) once its rows are written, and the next batch reuses it:
// allocating, clearing and pointing 1.4 kB a row afresh, with the
// collections that followed, was 6% of the import's CPU.
type cellSlab struct {
	cells  []any
	values []chargeValues
	// With Dialect.EncodeCharge, row r's cells are also bcells[r*4:]: three
	// left for the inserter, then &bin[r], its other columns encoded into
	// buf. Made at the first use.
	bcells []any
	bin    []BinaryCells
	buf    []byte
}

var slabs sync.Pool // *cellSlab

func getSlab() *cellSlab {
	if s, ok := slabs.Get().(*cellSlab); ok {
		return s
	}
	n := len(chargeCopyColumns)
	s := &cellSlab{cells: make([]any, frameRows*n), values: make([]chargeValues, frameRows)}
	for r := range s.values {
		c, v := s.cells[r*n:], &s.values[r]
		c[3] = &v.line
		for i := range v.text {
			c[4+i] = &v.text[i]
		}
	}
	return s
}

// putSlab gives back slabs whose rows are written: nothing reads them
// any more.
func putSlab(s []*cellSlab) {
	for _, x := range s {
		slabs.Put(x)
	}
}

// cells returns the next row's cells (chargeCopyColumns, 3… pointing
// into its values) and its values, from the batch's slab.
func (w *rowWorker) cells(out *checkedBatch) ([]any, *chargeValues) {
	if out.slab == nil {
		out.slab = getSlab()
	}
	n, r := len(chargeCopyColumns), len(out.rows)
	return out.slab.cells[r*n : (r+1)*n : (r+1)*n], &out.slab.values[r]
}

func (w *rowWorker) check(b *rawBatch) *checkedBatch {
	out := &checkedBatch{
		rows:   make([]pendingRow, 0, len(b.rows)),
		prints: make([]uint64, 0, len(b.rows)),
		lines:  make([]int32, 0, len(b.rows)),
	}
	file, cols, given := w.opt.FileName, w.cols, w.opt.Period
	good := w.good[:0] // the cells of the rows converted, as read
	values := make([]*chargeValues, 0, len(b.rows))
	fatal := func(i int, format string, a ...any) {
		out.problems = append(out.problems, rowProblem{row: i, fatal: refused(format, a...)})
	}
	lastProvider := "\x00" // no cell holds NUL: the first row's provider is added
	for i := range b.rows {
		r := &b.rows[i]
		if r.perr != nil {
			rule := validate.RuleCSV
			if r.split {
				rule = validate.RuleFieldCount
			}
			out.problems = append(out.problems, rowProblem{row: i, diags: []validate.Diagnostic{{File: file, Line: r.perr.Line,
				Column: r.perr.Field, Severity: validate.Error, Rule: rule, Message: r.perr.Err.Error()}}})
			continue
		}
		v := r.vals
		if !w.chk.Check(r.line, v) {
			out.problems = append(out.problems, rowProblem{row: i, diags: slices.Clone(w.chk.Errs)})
			continue
		}
		if w.chk.Changed {
			out.normal++
		}
		if out.warning == "" && len(w.chk.Warns) > 0 {
			out.warning = w.chk.Warns[0].String()
		}
		period := given
		if cols.periodStart >= 0 && v[cols.periodStart] != "" {
			p := periodOf(v[cols.periodStart])
			switch {
			case p != w.validPeriod && ValidPeriod(p) != nil: // the rows repeat one period
				fatal(i, "%s:%d: BillingPeriodStart: %q is not a date (want 2025-01-01 or 2025-01-01T00:00:00Z)", file, r.line, v[cols.periodStart])
				continue
			case given != "" && p != given:
				fatal(i, "%s:%d: BillingPeriodStart: row is in period %s, the import is for %s; import each period's rows separately", file, r.line, p, given)
				continue
			case given == "" && out.period == "":
				out.period, out.periodRow, out.periodAt = p, i, r.line
			case given == "" && p != out.period:
				fatal(i, "%s:%d: BillingPeriodStart: row is in period %s, the import is for %s; import each period's rows separately", file, r.line, p, out.period)
				continue
			}
			period, w.validPeriod = p, p
		}
		if period == "" {
			fatal(i, "%s:%d: BillingPeriodStart is empty: give --period YYYY-MM", file, r.line)
			continue
		}
		c, am, flags, err := cols.extract(v, &w.opt, w.chk.TagValues)
		if err != nil {
			fatal(i, "%s:%d: %v (run focus-validate first)", file, r.line, err)
			continue
		}
		// A row nobody can be billed for is always reviewed, whether or not
		// focus-flag ran upstream.
		if c.PIEmail == "" || c.FundOrg == "" || !w.validPI(c.PIEmail) {
			// A pi_email that is no address bills nobody either: its
			// statement could never be mailed (bad-email, as focus-flag).
			flags = ownerFlags(flags, c, w.opt.Tags, c.PIEmail != "" && !w.validPI(c.PIEmail))
			out.unowned++
		}
		if p := cell(v, cols.provider); p != lastProvider {
			// Rows of one provider come in runs: a comparison a row, a
			// search only when the provider changes.
			lastProvider = p
			if !slices.Contains(out.providers, p) {
				out.providers = append(out.providers, p)
			}
		}
		out.prints = append(out.prints, w.printer.print(period, v, cols, &c, &am))
		out.lines = append(out.lines, int32(r.line))
		// Row numbers of the import count good rows; they are the batch's
		// position when every row is good, the only case that is imported.
		w.lines.add(b.seq*frameRows+len(out.rows), &c, &am)
		w.list.add(am.list)
		w.billed.add(am.billed)
		// The typed columns and the fingerprint hold the normalised values;
		// the record keeps the row as read (export gives back what came in).
		if w.chk.Changed {
			w.chk.Restore(v)
		}
		good = append(good, v)
		cells, cv := w.cells(out)
		cv.line = int64(r.line)
		// The amounts as stored: the checked cell text where it is a plain
		// decimal (decimal.String cost about 8% of the import's CPU).
		for k, t := range [...]string{c.PIEmail, c.PIName, c.ProjectID, c.FundOrg, c.ServiceName, c.ServiceCategory, c.ResourceID, c.ResourceName,
			"", c.Unit, am.list.stored(), am.billed.stored(), c.Currency,
			c.CostCenter, c.AccountCode, c.EndDate, c.ReconciliationEnd, c.Ref1, c.Ref2, c.Description} {
			if k == 8 && am.hasQty {
				// The quantity as decimal.String writes it, appended
				// without a string of its own.
				w.text = am.qty.appendString(w.text)
			}
			w.text = append(w.text, t...)
			w.ends = append(w.ends, len(w.text))
		}
		values = append(values, cv)
		p := pendingRow{line: r.line, flags: flags, cells: cells}
		out.rows = append(out.rows, p)
	}
	// The charges' text, copied while it is in the cache into one string
	// for the batch: the inserter then reads it in one run. Reading 19
	// pieces of each row's record, long out of the cache by then, was 4%
	// of the import's CPU.
	text, ends := string(w.text), w.ends
	at := 0
	for _, cv := range values {
		for k := range cv.text {
			cv.text[k], at = text[at:ends[0]], ends[0]
			ends = ends[1:]
		}
	}
	w.text, w.ends = w.text[:0], w.ends[:0]
	if w.encodeCharge != nil && len(values) > 0 {
		w.encode(out, values)
	}
	w.good = good
	if len(good) > 0 {
		out.frame, out.err = w.frames.frame(b.seq, good)
	}
	return out
}

// encode has the dialect encode each row's columns after id, import_id
// and period (BinaryCells), as its Copy would: the goroutine feeding the
// COPY, the import's bottleneck, then only copies them. A row with a value
// the dialect cannot encode keeps its plain cells, for Copy to refuse.
func (w *rowWorker) encode(out *checkedBatch, values []*chargeValues) {
	s := out.slab
	if s.bcells == nil {
		s.bcells, s.bin = make([]any, frameRows*4), make([]BinaryCells, frameRows)
		for r := range s.bin {
			s.bcells[r*4+3] = &s.bin[r]
		}
	}
	// Each row's bytes are sliced once buf stops growing: where they
	// start and end, or -1 for a row left plain.
	buf, spans := s.buf[:0], w.spans[:0]
	for _, cv := range values {
		start := len(buf)
		var ok bool
		if buf, ok = w.encodeCharge(buf, cv.line, cv.text[:]); !ok {
			start = -1
		}
		spans = append(spans, [2]int{start, len(buf)})
	}
	for r, sp := range spans {
		if sp[0] < 0 {
			continue
		}
		s.bin[r] = BinaryCells{Types: w.chargeTypes, Data: buf[sp[0]:sp[1]:sp[1]]}
		out.rows[r].cells = s.bcells[r*4 : r*4+4 : r*4+4]
	}
	s.buf, w.spans = buf, spans
}

// parseRows reads, checks and converts every row, sending batches; it sets
// opt.Period from the first row when not given (before the first batch is
// sent, so the inserter sees it). It stops early when done closes.
//
// Every row goes through lib/validate's default checks in the same pass
// (the checks focus-validate makes, normalisation included), so a file
// that did not go through focus-validate is held to the same rules. After
// the first invalid row nothing more is sent; the rest of the file is
// still checked so that the refusal lists every problem.
func (l *Ledger) parseRows(fr *focus.Reader, cols columns, opt *ImportOptions, out chan<- rowBatch, done <-chan struct{}) (pr parseResult) {
	send := func(b rowBatch) bool {
		select {
		case out <- b:
			return true
		case <-done:
			return false
		}
	}
	fail := func(err error) parseResult {
		send(rowBatch{err: err})
		return parseResult{err: err}
	}
	inv := &InvalidRowsError{File: opt.FileName}
	addDiag := func(d validate.Diagnostic) {
		inv.Errors++
		inv.Kinds.Add(d)
		if len(inv.Diagnostics) < maxDiagnostics {
			inv.Diagnostics = append(inv.Diagnostics, d)
		}
	}
	// --period is given to the checks only for a file without billing
	// periods; otherwise the ledger's own period check answers a row of
	// another month (once, with what to do, not once a row).
	vopt := validate.Options{Currency: opt.Currency, Keys: opt.Tags}
	if cols.periodStart < 0 {
		vopt.Period = opt.Period
	}
	schema, hdiags, err := validate.NewSchema(opt.FileName, fr.HeaderLine(), fr.Header(), vopt)
	if err != nil {
		return fail(err)
	}
	for _, d := range hdiags {
		if d.Severity == validate.Error {
			addDiag(d)
		}
	}
	if schema.Fatal != "" || inv.Errors > 0 {
		inv.Header = true
		return fail(inv)
	}

	nworkers := runtime.GOMAXPROCS(0)
	if l.d.EncodeCharge != nil && nworkers > 1 {
		// PostgreSQL: a core is left to the goroutine feeding the COPY
		// and the server's backend. With a worker a core, the workers
		// took the cores from both and each waited on the other (1M
		// rows on two cores: 3.9-4.1 s with one worker, 4.4-4.8 s with
		// two; docs/decisions-load.md).
		nworkers--
	}
	stop := make(chan struct{})
	work := make(chan *rawBatch, nworkers)
	order := make(chan *rawBatch, 2*nworkers+2)
	// free recycles the cells of checked batches (700 kB each for 43
	// columns): fresh ones per batch were most of the import's garbage.
	free := make(chan recycled, cap(order)+nworkers+1)
	var wg sync.WaitGroup
	defer func() {
		close(stop)
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		readBatches(fr, len(fr.Header()), order, work, free, stop)
	}()
	workers := make([]*rowWorker, nworkers)
	for i := range workers {
		w := &rowWorker{cols: cols, opt: *opt, chk: schema.NewChecker(), lines: newLineIndex(), addresses: map[string]bool{},
			encodeCharge: l.d.EncodeCharge, chargeTypes: l.d.EncodedChargeTypes}
		// The check of the Tags cell also reads the values billed by.
		w.chk.WantTags(roleKeys(opt.Tags))
		workers[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				res := w.check(b)
				select {
				case free <- recycled{b.vals[:0], b.rows[:0]}:
				default:
				}
				b.res <- res
			}
		}()
	}

	given := opt.Period != ""
	for b := range order {
		var cb *checkedBatch
		select {
		case cb = <-b.res:
		case <-done:
			return parseResult{err: errors.New("import stopped")}
		}
		if cb.err != nil {
			return fail(cb.err)
		}
		periodSeen := !given && cb.period != ""
		checkPeriod := func() error {
			periodSeen = false
			if inv.Errors > 0 {
				return nil
			}
			if opt.Period == "" {
				opt.Period = cb.period
			} else if cb.period != opt.Period {
				return refused("%s:%d: BillingPeriodStart: row is in period %s, the import is for %s; import each period's rows separately", opt.FileName, cb.periodAt, cb.period, opt.Period)
			}
			return nil
		}
		for _, p := range cb.problems {
			if periodSeen && p.row > cb.periodRow {
				if err := checkPeriod(); err != nil {
					return fail(err)
				}
			}
			if p.diags != nil {
				inv.Rows++
				for _, d := range p.diags {
					addDiag(d)
				}
				continue
			}
			if inv.Errors == 0 {
				return fail(p.fatal)
			}
		}
		if periodSeen {
			if err := checkPeriod(); err != nil {
				return fail(err)
			}
		}
		if b.end != nil {
			if inv.Errors > 0 {
				break
			}
			return fail(refused("import refused, nothing loaded: %v (run focus-validate first)", b.end))
		}
		if inv.Errors > 0 {
			continue // checking only: the import is refused
		}
		pr.prints = append(pr.prints, cb.prints...)
		pr.lines = append(pr.lines, cb.lines...)
		pr.normalised += cb.normal
		pr.unowned += cb.unowned
		for _, p := range cb.providers {
			if !slices.Contains(pr.providers, p) {
				pr.providers = append(pr.providers, p)
			}
		}
		if pr.warning == "" {
			pr.warning = cb.warning
		}
		rb := rowBatch{rows: cb.rows, slab: cb.slab}
		if cb.frame.rows > 0 {
			rb.frames = []frame{cb.frame}
		}
		if !send(rb) {
			return parseResult{err: errors.New("import stopped")}
		}
	}
	if inv.Errors > 0 {
		return fail(inv)
	}
	// The workers are done (work is closed and every batch answered):
	// their sums are final.
	pr.sums = lineSums{}
	var list, billed fixedSum
	for _, w := range workers {
		pr.sums.merge(w.lines.sums)
		list.merge(&w.list)
		billed.merge(&w.billed)
	}
	pr.list, pr.billed = list.Decimal(), billed.Decimal()
	return pr
}

// recycled is the memory of a checked batch, for the next.
type recycled struct {
	vals []string
	rows []rawRow
}

// readBatches splits the input into batches of frameRows rows, sending
// each to order (for parseRows, in file order) and to work (for any
// worker), until the end of the input, a read error it cannot go on
// after, or stop.
func readBatches(fr *focus.Reader, ncols int, order, work chan<- *rawBatch, free <-chan recycled, stop <-chan struct{}) {
	lastErrLine := -1
	for seq := 0; ; seq++ {
		b := &rawBatch{seq: seq, res: make(chan *checkedBatch, 1)}
		select {
		case r := <-free:
			b.vals, b.rows = r.vals, r.rows
		default:
			b.vals, b.rows = make([]string, 0, frameRows*ncols), make([]rawRow, 0, frameRows)
		}
		eof := false
		for len(b.rows) < frameRows {
			row, err := fr.Read()
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				var pe *focus.ParseError
				if !errors.As(err, &pe) || pe.Line == lastErrLine {
					b.end, eof = err, true
					break
				}
				lastErrLine = pe.Line
				b.rows = append(b.rows, rawRow{line: pe.Line, perr: pe, split: len(row.Values) > 0})
				continue
			}
			start := len(b.vals)
			b.vals = append(b.vals, row.Values...)
			b.rows = append(b.rows, rawRow{line: row.Line, vals: b.vals[start:len(b.vals):len(b.vals)]})
		}
		if len(b.rows) == 0 && b.end == nil {
			return
		}
		select {
		case order <- b:
		case <-stop:
			return
		}
		select {
		case work <- b:
		case <-stop:
			return
		}
		if eof {
			return
		}
	}
}

// merge adds the sums of o (another worker's rows of the same import).
func (s lineSums) merge(o lineSums) {
	for k, l := range o {
		m := s[k]
		if m == nil {
			s[k] = l
			continue
		}
		m.firstRow = min(m.firstRow, l.firstRow)
		m.charges += l.charges
		m.qty.merge(&l.qty)
		m.list.merge(&l.list)
		m.billed.merge(&l.billed)
	}
}
