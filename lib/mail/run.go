package mail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/openchargeback/ocb/lib/statement"
)

// Outcomes printed on stdout, one line per statement:
// OUTCOME<TAB>STATEMENT_ID<TAB>RECIPIENT<TAB>DETAIL.
const (
	OutcomeSent           = "sent"
	OutcomeWouldSend      = "would-send"
	OutcomeSkippedSent    = "skipped-sent"    // already in the sent-log, unchanged
	OutcomeSkippedChanged = "skipped-changed" // in the sent-log, PDF changed; needs --resend
	OutcomeFailed         = "failed"
)

// RunConfig wires one focus-mail run.
type RunConfig struct {
	Builder   *Builder
	Deliverer Deliverer // nil with DryRun
	SentLog   *SentLog  // nil: no sent-log, every statement is sent
	DryRun    bool
	Resend    bool // send a statement again when its PDF changed since it was sent
	// Again names statements to send again even though the sent-log has
	// them unchanged: an admin's "resend" of one statement on the web.
	// Recorded with "resend":true like any resend.
	Again      map[string]bool
	Rate       float64 // messages per second; 0 = no limit
	Out        io.Writer
	Err        io.Writer
	ErrorsJSON bool // diagnostics as NDJSON (--errors json)
	// Draft makes this a draft mailing (focus-mail --draft): draft
	// templates, draft sent-log records, final statements refused.
	Draft *DraftRun
	Now   func() time.Time
	// Sleep waits for d or until ctx is done (tests shorten it).
	Sleep func(ctx context.Context, d time.Duration) error
}

// Summary counts a run's outcomes.
type Summary struct {
	DryRun         bool `json:"dry_run"`
	Sent           int  `json:"sent"`
	WouldSend      int  `json:"would_send"`
	SkippedSent    int  `json:"skipped_sent"`
	SkippedChanged int  `json:"skipped_changed"`
	Failed         int  `json:"failed"`
}

// Total is the number of statements read.
func (s Summary) Total() int { return s.Sent + s.WouldSend + s.Skipped() + s.Failed }

// Skipped is every statement not sent on purpose.
func (s Summary) Skipped() int { return s.SkippedSent + s.SkippedChanged }

// String is the one-line summary printed on stderr.
func (s Summary) String() string {
	var b strings.Builder
	if s.DryRun {
		fmt.Fprintf(&b, "%d would be sent, %d skipped", s.WouldSend, s.Skipped())
	} else {
		fmt.Fprintf(&b, "%d sent, %d skipped", s.Sent, s.Skipped())
	}
	if s.Skipped() > 0 {
		fmt.Fprintf(&b, " (%d already sent, %d changed since sent", s.SkippedSent, s.SkippedChanged)
		if s.SkippedChanged > 0 {
			b.WriteString(": use --resend to send them again")
		}
		b.WriteString(")")
	}
	fmt.Fprintf(&b, ", %d failed", s.Failed)
	return b.String()
}

// Runner delivers a stream of statements.
type Runner struct {
	c       RunConfig
	seen    map[string]string // statement id → "FILE:LINE" of its first appearance
	next    time.Time         // earliest time of the next delivery under --rate
	Summary Summary
}

// NewRunner prepares a run.
func NewRunner(c RunConfig) *Runner {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = SleepContext
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Err == nil {
		c.Err = io.Discard
	}
	return &Runner{c: c, seen: map[string]string{}, Summary: Summary{DryRun: c.DryRun}}
}

// SleepContext waits d or until ctx is done.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxLine bounds one NDJSON statement; a statement with thousands of lines
// is a few MiB, anything bigger is not a statement.
const maxLine = 64 << 20

// Process reads NDJSON statements from in (named name in diagnostics; "-"
// for stdin) and handles each. Problems with one statement are counted and
// reported, and the run goes on; the returned error is for what stops the
// run: unreadable input, a sent-log that cannot be written (continuing could
// send twice later), or a delivery configuration that cannot work.
func (r *Runner) Process(ctx context.Context, in io.Reader, name string) error {
	br := bufio.NewReaderSize(in, 64<<10)
	for lineNo := 1; ; lineNo++ {
		line, err := readLine(br)
		if len(line) > 0 {
			if lineNo == 1 {
				line = bytes.TrimPrefix(line, []byte("\xEF\xBB\xBF"))
			}
			if len(bytes.TrimSpace(line)) > 0 {
				if perr := r.one(ctx, line, name, lineNo); perr != nil {
					return perr
				}
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
	}
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return buf, err
	}
}

// Diagnostic is one problem report: "FILE:LINE: COLUMN: statement ID:
// MESSAGE [RULE]" as text, or one JSON object a line with --errors json.
type Diagnostic struct {
	File        string `json:"file,omitempty"`
	Line        int    `json:"line,omitempty"`
	Column      string `json:"column,omitempty"` // the statement field, e.g. "pi.email"
	StatementID string `json:"statement_id,omitempty"`
	Severity    string `json:"severity"` // error | warning | notice
	Message     string `json:"message"`
	Rule        string `json:"rule,omitempty"`
}

// WriteDiagnostic prints d as text or as an NDJSON object.
func WriteDiagnostic(w io.Writer, asJSON bool, d Diagnostic) {
	if asJSON {
		b, _ := json.Marshal(d)
		w.Write(append(b, '\n'))
		return
	}
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d", d.Line)
		}
		b.WriteString(": ")
	}
	if d.Column != "" {
		b.WriteString(d.Column + ": ")
	}
	if d.Severity == "warning" {
		b.WriteString("warning: ")
	}
	if d.StatementID != "" {
		b.WriteString("statement " + oneLine(d.StatementID) + ": ")
	}
	b.WriteString(d.Message)
	if d.Rule != "" {
		b.WriteString(" [" + d.Rule + "]")
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
}

func (r *Runner) diag(name string, line int, id string, err error) {
	d := Diagnostic{File: name, Line: line, Column: "statement", StatementID: id, Severity: "error",
		Message: err.Error(), Rule: "error"}
	var se *StatementError
	if errors.As(err, &se) {
		d.Column, d.Rule = se.Field, se.Rule
	}
	WriteDiagnostic(r.c.Err, r.c.ErrorsJSON, d)
}

// Notice reports progress that is not a problem with the data (a retry).
func (r *Runner) Notice(id, msg string) {
	WriteDiagnostic(r.c.Err, r.c.ErrorsJSON, Diagnostic{StatementID: id, Severity: "notice", Message: msg, Rule: "retry"})
}

func (r *Runner) result(outcome, id, to, detail string) {
	// Values are printed with %q-free tab separation; ids and addresses were
	// checked for control characters before they get here, and detail is
	// flattened so one statement is always one line.
	detail = strings.Join(strings.Fields(detail), " ")
	fmt.Fprintf(r.c.Out, "%s\t%s\t%s\t%s\n", outcome, oneLine(id), oneLine(to), detail)
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

func (r *Runner) fail(name string, line int, st *statement.Statement, err error) {
	r.Summary.Failed++
	id, to := "", ""
	if st != nil {
		id, to = st.StatementID, st.PI.Email
	}
	r.diag(name, line, oneLine(id), err)
	r.result(OutcomeFailed, id, to, err.Error())
}

func (r *Runner) one(ctx context.Context, line []byte, name string, lineNo int) error {
	var st statement.Statement
	dec := json.NewDecoder(bytes.NewReader(line))
	if err := dec.Decode(&st); err != nil {
		r.fail(name, lineNo, nil, fieldErrf("statement", "bad-json", "not a statement: %v", err))
		return nil
	}
	if dec.More() {
		r.fail(name, lineNo, &st, fieldErrf("statement", "bad-json", "more than one JSON value on the line (NDJSON has one statement a line)"))
		return nil
	}
	if first, dup := r.seen[st.StatementID]; dup && st.StatementID != "" {
		r.fail(name, lineNo, &st, fieldErrf("statement_id", "duplicate",
			"statement_id appears again (first at %s); only the first is sent", first))
		return nil
	}
	r.seen[st.StatementID] = fmt.Sprintf("%s:%d", name, lineNo)
	if r.c.Draft != nil && st.Status == statement.StatusFinal {
		r.fail(name, lineNo, &st, fieldErrf("status", "not-draft",
			"statement is final: --draft mails draft statements only (mail finals without --draft)"))
		return nil
	}

	// Already sent with this very PDF? Then skip without even opening the
	// PDF, so a re-run after the PDFs were archived is still quiet.
	var prev SentRecord
	var wasSent bool
	if r.c.SentLog != nil && st.StatementID != "" {
		if r.c.Draft != nil {
			prev, wasSent = r.c.SentLog.LookupDraft(st.StatementID)
		} else {
			prev, wasSent = r.c.SentLog.Lookup(st.StatementID)
		}
	}
	again := r.c.Again[st.StatementID]
	if wasSent && !again && st.PDFSHA256 != "" && sameSend(prev, st.PI.Email, st.PDFSHA256) {
		r.Summary.SkippedSent++
		r.result(OutcomeSkippedSent, st.StatementID, prev.To, "already sent "+prev.SentAt)
		return nil
	}

	m, err := r.build(&st, resolvePDF(st.PDF, name))
	if err != nil {
		r.fail(name, lineNo, &st, err)
		return nil
	}
	resend := false
	if wasSent && !again {
		if sameSend(prev, m.To, m.PDFSHA256) {
			r.Summary.SkippedSent++
			r.result(OutcomeSkippedSent, m.StatementID, prev.To, "already sent "+prev.SentAt)
			return nil
		}
		if !r.c.Resend {
			r.Summary.SkippedChanged++
			what := "PDF changed"
			if !strings.EqualFold(prev.To, m.To) {
				what = "recipient changed (was " + prev.To + ")"
			}
			r.result(OutcomeSkippedChanged, m.StatementID, m.To,
				fmt.Sprintf("%s since it was sent %s; use --resend to send it again", what, prev.SentAt))
			WriteDiagnostic(r.c.Err, r.c.ErrorsJSON, Diagnostic{File: name, Line: lineNo, Column: "pdf_sha256",
				StatementID: m.StatementID, Severity: "warning", Rule: "changed-since-sent",
				Message: fmt.Sprintf("%s since it was sent %s; not sent again without --resend", what, prev.SentAt)})
			return nil
		}
		resend = true
	}
	resend = resend || (wasSent && again)

	if r.c.DryRun {
		r.Summary.WouldSend++
		detail := fmt.Sprintf("subject %q, attachment %s (%d bytes)", m.Subject, m.AttachmentName, m.PDFSize)
		if resend {
			detail += ", resend: PDF changed since " + prev.SentAt
		}
		r.result(OutcomeWouldSend, m.StatementID, m.To, detail)
		return nil
	}

	if err := r.wait(ctx); err != nil {
		return err
	}
	via, err := r.c.Deliverer.Deliver(ctx, m)
	if err != nil {
		r.fail(name, lineNo, &st, err)
		if errors.Is(err, ErrFatal) {
			return err
		}
		return nil
	}
	r.Summary.Sent++
	r.result(OutcomeSent, m.StatementID, m.To, via)
	if r.c.SentLog != nil {
		rec := SentRecord{
			StatementID: m.StatementID, To: m.To, PDFSHA256: m.PDFSHA256,
			SentAt: r.c.Now().UTC().Format(time.RFC3339), Via: via, MessageID: m.MessageID, Resend: resend,
			Draft: r.c.Draft != nil,
		}
		if err := r.c.SentLog.Append(rec); err != nil {
			// The message is out but not recorded: stop before the log and
			// the mailboxes drift further apart.
			return fmt.Errorf("statement %s was sent but could not be recorded: %w", m.StatementID, err)
		}
	}
	return nil
}

func sameSend(prev SentRecord, to, sha string) bool {
	return strings.EqualFold(prev.PDFSHA256, sha) && strings.EqualFold(prev.To, to)
}

// wait enforces --rate: deliveries start at least 1/rate seconds apart.
func (r *Runner) wait(ctx context.Context) error {
	if r.c.Rate <= 0 {
		return nil
	}
	now := r.c.Now()
	if now.Before(r.next) {
		if err := r.c.Sleep(ctx, r.next.Sub(now)); err != nil {
			return err
		}
		now = r.next
	}
	r.next = now.Add(time.Duration(float64(time.Second) / r.c.Rate))
	return nil
}

// resolvePDF finds a statement's PDF. focus-statement writes absolute
// paths; a relative one is relative to the statements file it was read
// from (DESIGN.md), so `focus-mail out/2025-01/statements.ndjson` works
// from any folder. Statements from stdin, and older statements whose
// relative path was meant from the current directory, are tried from here.
func resolvePDF(pdf, input string) string {
	if pdf == "" || filepath.IsAbs(pdf) || input == "-" || input == "" {
		return pdf
	}
	alt := filepath.Join(filepath.Dir(input), pdf)
	if _, err := os.Stat(alt); err == nil {
		return alt
	}
	return pdf
}
