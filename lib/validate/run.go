package validate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/openchargeback/ocb/lib/focus"
)

// Config is one focus-validate run.
type Config struct {
	Options
	Out       *focus.Format // output format; nil = as the first input
	MaxErrors int           // error diagnostics printed before going quiet; 0 = all
	JSON      bool          // diagnostics as NDJSON
	Stdout    io.Writer     // valid rows
	Reject    io.Writer     // invalid rows with x_Errors; nil = none
	Stderr    io.Writer     // diagnostics and the summary
	// Open opens an input by name ("-" = stdin).
	Open func(name string) (io.ReadCloser, error)
	// Rows, when set, counts the rows read (a progress display reads it).
	Rows *atomic.Int64
	// Limits bound a field and a row (--max-field, --max-row); nil =
	// focus.DefaultLimits.
	Limits *focus.Limits
}

// Result counts a run. Read == Valid + Invalid always.
type Result struct {
	Read, Valid, Invalid, Warnings, Errors int
	// FileErrors counts inputs that could not be read as a charge stream
	// (empty, broken encoding, bad header, a header unlike the first file's).
	FileErrors int
	// Problem is the message of the first file-level error (e.g. "not a
	// CSV or NDJSON file: it is a PDF document …"), "" when none: what a
	// caller says first.
	Problem string
	// FirstError is the first error diagnostic of the run, as printed.
	FirstError string
	// Kinds counts the error diagnostics by rule and column.
	Kinds Kinds
}

// ExitCode is 0 when every row is valid and no file or header had an
// error, else 1. (I/O errors are returned by Run as errors: exit 2.)
func (r Result) ExitCode() int {
	if r.Invalid > 0 || r.FileErrors > 0 || r.Errors > 0 {
		return 1
	}
	return 0
}

// warnKey groups repeated warnings so that a million rows with the same
// deviation print one line, not a million.
type warnKey struct {
	col, rule string
}

type runner struct {
	cfg     Config
	res     Result
	printed int // error diagnostics printed
	quiet   bool
	out     *focus.Writer
	rej     *focus.Writer
	header  []string // the first file's header
	first   string
	rejVals []string
	rejErrI int // index of x_Errors in rejected rows
	errBuf  strings.Builder
	jsonEnc *json.Encoder
	rawOut  bool // CSV output: unchanged CSV records are copied
}

// Run validates the inputs in order, streaming valid rows to cfg.Stdout.
// A returned error is an I/O or usage failure (exit 2); data problems are
// in the Result.
func Run(cfg Config, names []string) (Result, error) {
	if len(names) == 0 {
		names = []string{"-"}
	}
	// Diagnostics are buffered (a run with --max-errors 0 on a broken
	// export writes one line per row) and flushed on every return.
	errw := bufio.NewWriterSize(cfg.Stderr, 64<<10)
	defer errw.Flush()
	cfg.Stderr = errw
	r := &runner{cfg: cfg}
	if cfg.JSON {
		r.jsonEnc = json.NewEncoder(cfg.Stderr)
		r.jsonEnc.SetEscapeHTML(false)
	}
	for _, name := range names {
		if err := r.file(name); err != nil {
			r.flush()
			return r.res, err
		}
	}
	if err := r.flush(); err != nil {
		return r.res, err
	}
	r.kinds()
	r.summary()
	return r.res, nil
}

func (r *runner) flush() error {
	if r.out != nil {
		if err := r.out.Flush(); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	if r.rej != nil {
		if err := r.rej.Flush(); err != nil {
			return fmt.Errorf("write --reject: %w", err)
		}
	}
	return nil
}

func (r *runner) emit(d Diagnostic) {
	if d.Severity == Error {
		r.res.Errors++
		r.res.Kinds.Add(d)
		if r.res.FirstError == "" {
			r.res.FirstError = d.String()
		}
		if r.cfg.MaxErrors > 0 && r.printed >= r.cfg.MaxErrors {
			if !r.quiet {
				r.quiet = true
				r.note(fmt.Sprintf("more than %d errors; the rest are counted, not shown (--max-errors; invalid rows are in --reject)", r.cfg.MaxErrors))
			}
			return
		}
		r.printed++
	} else {
		r.res.Warnings++
	}
	if r.jsonEnc != nil {
		r.jsonEnc.Encode(d)
		return
	}
	fmt.Fprintln(r.cfg.Stderr, d.String())
}

func (r *runner) note(msg string) {
	if r.jsonEnc != nil {
		r.jsonEnc.Encode(Diagnostic{Severity: "notice", Rule: "note", Message: msg})
		return
	}
	fmt.Fprintf(r.cfg.Stderr, "focus-validate: %s\n", msg)
}

func (r *runner) summary() {
	msg := fmt.Sprintf("%d rows read, %d valid, %d invalid, %d warnings", r.res.Read, r.res.Valid, r.res.Invalid, r.res.Warnings)
	if r.jsonEnc != nil {
		r.jsonEnc.Encode(struct {
			Severity string `json:"severity"`
			Rule     string `json:"rule"`
			Message  string `json:"message"`
			Read     int    `json:"rows_read"`
			Valid    int    `json:"valid"`
			Invalid  int    `json:"invalid"`
			Warnings int    `json:"warnings"`
			Errors   int    `json:"errors"`
		}{"notice", "summary", msg, r.res.Read, r.res.Valid, r.res.Invalid, r.res.Warnings, r.res.Errors})
		return
	}
	fmt.Fprintf(r.cfg.Stderr, "focus-validate: %s\n", msg)
}

// kinds ends a run that went quiet (more errors than --max-errors) with
// the count of errors per rule and column.
func (r *runner) kinds() {
	if !r.quiet {
		return
	}
	if r.jsonEnc != nil {
		for _, k := range r.res.Kinds.List() {
			r.jsonEnc.Encode(struct {
				Severity string `json:"severity"`
				Rule     string `json:"rule"`
				Column   string `json:"column"`
				Kind     string `json:"kind"` // the rule counted
				Count    int    `json:"count"`
				Message  string `json:"message"`
			}{"notice", "errors-by-kind", k.Column, k.Rule, k.Count, fmt.Sprintf("%d errors [%s] in %s", k.Count, k.Rule, orRow(k.Column))})
		}
		return
	}
	r.res.Kinds.Write(r.cfg.Stderr, "focus-validate: ")
}

// fileError reports a problem that stops reading one input (exit 1).
func (r *runner) fileError(d Diagnostic) {
	r.res.FileErrors++
	if r.res.Problem == "" {
		r.res.Problem = d.Message
	}
	r.emit(d)
}

func (r *runner) file(name string) error {
	in, err := r.cfg.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	// A binary file (a PDF, a spreadsheet, an archive) is named as such
	// first, not reported as hundreds of CSV syntax errors.
	bin := bufio.NewReaderSize(in, 64<<10)
	head, _ := bin.Peek(512)
	if kind := sniffBinary(head); kind != "" {
		r.fileError(Diagnostic{File: displayName(name), Line: 1, Severity: Error, Rule: RuleNotText,
			Message: "not a CSV or NDJSON file: it is " + kind + "; export or save the data as CSV (UTF-8) and try again"})
		return nil
	}
	rd, err := focus.NewRawReader(bin, name)
	if err == nil && r.cfg.Limits != nil {
		rd.SetLimits(*r.cfg.Limits)
	}
	if err != nil {
		var pe *focus.ParseError
		if errors.As(err, &pe) {
			rule := RuleHeader
			switch {
			case errors.Is(err, focus.ErrUTF16NoBOM):
				rule = RuleEncoding
			case strings.HasPrefix(pe.Err.Error(), "empty input"):
				rule = RuleEmpty
			}
			r.fileError(Diagnostic{File: pe.File, Line: pe.Line, Column: pe.Field, Severity: Error, Rule: rule, Message: pe.Err.Error()})
			return nil
		}
		return err
	}
	file := rd.Name()
	header := rd.Header()
	// A file of another FOCUS dataset is refused before anything of it is
	// read or written: one message, exit 1.
	if _, refuse, err := CheckDataset(header, r.cfg.Options); err != nil {
		return err
	} else if refuse != "" {
		r.fileError(Diagnostic{File: file, Line: rd.HeaderLine(), Severity: Error, Rule: RuleDataset, Message: refuse})
		return nil
	}
	if r.header == nil {
		r.header = append([]string(nil), header...)
		r.first = file
		if err := r.openWriters(rd.Format()); err != nil {
			return err
		}
	} else if !equalHeader(r.header, header) {
		r.fileError(Diagnostic{File: file, Line: rd.HeaderLine(), Severity: Error, Rule: RuleHeaderMismatch,
			Message: fmt.Sprintf("header differs from %s's; one output stream has one header: validate this file separately", r.first)})
		return nil
	}
	schema, hdiags, err := NewSchema(file, rd.HeaderLine(), header, r.cfg.Options)
	if err != nil {
		return err
	}
	for _, d := range hdiags {
		r.emit(d)
	}
	if schema.HeaderErrors > 0 && schema.Fatal == "" {
		r.res.FileErrors++ // strict conformance failures of the header: exit 1, rows still checked
	}
	chk := schema.NewChecker()
	nh := len(header)
	src := newReadAhead(rd)
	defer src.Close()
	for {
		row, raw, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *focus.ParseError
			if !errors.As(err, &pe) {
				return err
			}
			r.res.Read++
			if r.cfg.Rows != nil {
				r.cfg.Rows.Add(1)
			}
			if r.cfg.Rows != nil {
				r.cfg.Rows.Add(1)
			}
			// A syntax error or a field-count mismatch: the row is kept
			// (padded, or truncated with the extra fields in x_Errors).
			msg := pe.Err.Error()
			if len(row.Values) > nh {
				extra := make([]string, 0, len(row.Values)-nh)
				for _, v := range row.Values[nh:] {
					extra = append(extra, quote(v))
				}
				msg += "; extra fields: " + strings.Join(extra, ",")
			}
			rule := RuleCSV
			if len(row.Values) > 0 {
				rule = RuleFieldCount
			}
			diagMsg := msg
			if len(row.Values) == 0 && len(raw) > 0 {
				// Unparseable: keep the record's bytes in x_Errors (not in
				// the diagnostic line, which must stay one short line).
				msg += "; record as read: " + strconv.Quote(string(raw))
			}
			line := pe.Line
			if row.Line > 0 {
				line = row.Line
			}
			d := Diagnostic{File: file, Line: line, Column: pe.Field, Severity: Error, Rule: rule, Message: diagMsg}
			r.emit(d)
			d.Message = msg
			vals := make([]string, nh)
			copy(vals, row.Values)
			if err := r.reject(vals, []Diagnostic{d}); err != nil {
				return err
			}
			continue
		}
		r.res.Read++
		if r.cfg.Rows != nil {
			r.cfg.Rows.Add(1)
		}
		vals := row.Values
		if schema.Fatal != "" {
			// Every row fails the header; one diagnostic (above) is enough.
			if err := r.rejectMsg(vals, "header: "+schema.Fatal); err != nil {
				return err
			}
			continue
		}
		chk.NoNUL = raw != nil && bytes.IndexByte(raw, 0) < 0
		ok := chk.Check(row.Line, vals)
		// Check builds only the first warning of each kind in a file; the
		// rest are counted (WarningCounts) and summarised below.
		for _, d := range chk.Warns {
			r.emit(d)
		}
		if !ok {
			for _, d := range chk.Errs {
				r.emit(d)
			}
			// A rejected row goes out as read: the fix belongs in the source.
			chk.Restore(vals)
			if err := r.reject(vals, chk.Errs); err != nil {
				return err
			}
			continue
		}
		r.res.Valid++
		if rec, ok := r.rawRecord(raw, chk.Changed); ok {
			err = r.out.WriteRaw(rec)
		} else {
			err = r.out.Write(vals)
		}
		if err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	// Repeated warnings: one line each with the count.
	order, counts := chk.WarningCounts()
	for _, k := range order {
		if n := counts[k]; n > 1 {
			r.res.Warnings += n - 1
			r.emitNote(file, k, n)
		}
	}
	return nil
}

func (r *runner) emitNote(file string, k warnKey, n int) {
	d := Diagnostic{File: file, Column: k.col, Severity: "notice", Rule: k.rule,
		Message: fmt.Sprintf("the warning above applies to %d rows in all", n)}
	if r.jsonEnc != nil {
		r.jsonEnc.Encode(d)
		return
	}
	fmt.Fprintln(r.cfg.Stderr, d.String())
}

func (r *runner) openWriters(inFmt focus.Format) error {
	f := inFmt
	if r.cfg.Out != nil {
		f = *r.cfg.Out
	}
	r.out = focus.NewWriter(r.cfg.Stdout, f)
	r.rawOut = f == focus.CSV
	if err := r.out.WriteHeader(r.header); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if r.cfg.Reject != nil {
		rh := append([]string(nil), r.header...)
		r.rejErrI = -1
		for i, h := range rh {
			if h == "x_Errors" {
				r.rejErrI = i // an input that was rejected before: overwrite
			}
		}
		if r.rejErrI < 0 {
			r.rejErrI = len(rh)
			rh = append(rh, "x_Errors")
		}
		r.rejVals = make([]string, len(rh))
		r.rej = focus.NewWriter(r.cfg.Reject, f)
		if err := r.rej.WriteHeader(rh); err != nil {
			return fmt.Errorf("write --reject: %w", err)
		}
	}
	return nil
}

func equalHeader(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (r *runner) reject(vals []string, errs []Diagnostic) error {
	r.errBuf.Reset()
	for i, d := range errs {
		if i > 0 {
			r.errBuf.WriteString("; ")
		}
		if d.Column != "" {
			r.errBuf.WriteString(d.Column)
			r.errBuf.WriteString(": ")
		}
		r.errBuf.WriteString(d.Message)
		r.errBuf.WriteString(" [")
		r.errBuf.WriteString(d.Rule)
		r.errBuf.WriteString("]")
	}
	return r.rejectMsg(vals, r.errBuf.String())
}

func (r *runner) rejectMsg(vals []string, msg string) error {
	r.res.Invalid++
	if r.rej == nil {
		return nil
	}
	copy(r.rejVals, vals)
	r.rejVals[r.rejErrI] = msg
	if err := r.rej.Write(r.rejVals); err != nil {
		return fmt.Errorf("write --reject: %w", err)
	}
	return nil
}

// rawRecord returns the input bytes to copy for an unchanged valid row: re-
// encoding would cost more than all the checks. A CRLF record is copied
// without its CR; a record with another CR (a quoted CRLF, which the CSV
// reader turns into LF) or after skipped blank lines is re-encoded, so the
// output has LF line endings only.
func (r *runner) rawRecord(raw []byte, changed bool) ([]byte, bool) {
	if !r.rawOut || changed || len(raw) == 0 || raw[0] == '\n' || raw[0] == '\r' {
		return nil, false
	}
	cr := bytes.IndexByte(raw, '\r')
	switch {
	case cr < 0:
		return raw, true
	case cr == len(raw)-2 && raw[cr+1] == '\n':
		return raw[:cr], true // WriteRaw adds the LF
	}
	return nil, false
}
