package mail

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// SentRecord is one line of the sent-log (NDJSON): a statement delivered.
type SentRecord struct {
	StatementID string `json:"statement_id"`
	To          string `json:"to"`
	PDFSHA256   string `json:"pdf_sha256"`
	SentAt      string `json:"sent_at"` // RFC 3339, UTC
	Via         string `json:"via"`     // "smtp://host:port" (no credentials) or "outbox:DIR"
	MessageID   string `json:"message_id,omitempty"`
	Resend      bool   `json:"resend,omitempty"` // sent again after the PDF changed
	// Draft marks a draft mailing (focus-mail --draft). Drafts and the
	// final mailing of one statement are tracked apart: a draft sent never
	// suppresses the final statement, nor the other way round.
	Draft bool `json:"draft,omitempty"`
}

// key is where a record is kept: drafts under their own key.
func (r SentRecord) key() string {
	if r.Draft {
		return "draft\x00" + r.StatementID
	}
	return r.StatementID
}

// SentLog is the append-only record of delivered statements that makes a
// re-run safe. Each record is written and fsynced before the next message is
// sent, so a crash loses at most the record of the message in flight.
type SentLog struct {
	path string
	f    *os.File
	last map[string]SentRecord // latest record per statement id
	// Warnings about lines that could not be read (a torn last line after a
	// crash), for the caller to print.
	Warnings []string
}

// OpenSentLog reads the existing log at path (if any) and opens it for
// appending. With readOnly (dry runs) the file is read but not created or
// locked for writing.
func OpenSentLog(path string, readOnly bool) (*SentLog, error) {
	l := &SentLog{path: path, last: map[string]SentRecord{}}
	flag := os.O_RDWR | os.O_CREATE | os.O_APPEND
	if readOnly {
		flag = os.O_RDONLY
	} else if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("open sent-log: %w", err)
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if readOnly && os.IsNotExist(err) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open sent-log: %w", err)
	}
	if !readOnly {
		// Two overlapping runs (cron and a human) must not both send: the
		// second waits for the first's lock, then sees its records.
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock sent-log %s: %w", path, err)
		}
	}
	if err := l.load(f, !readOnly); err != nil {
		f.Close()
		return nil, err
	}
	if readOnly {
		f.Close()
		return l, nil
	}
	l.f = f
	return l, nil
}

func (l *SentLog) load(f *os.File, repair bool) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read sent-log %s: %w", l.path, err)
	}
	br := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var r SentRecord
			if jerr := json.Unmarshal(line, &r); jerr != nil || r.StatementID == "" {
				l.Warnings = append(l.Warnings, fmt.Sprintf("%s:%d: unreadable sent-log record ignored (a torn write after a crash?)", l.path, n))
			} else {
				l.last[r.key()] = r
			}
		}
		if err == io.EOF {
			// A last line without "\n" was torn by a crash; start the next
			// record on a fresh line so it is not glued to the torn one.
			if len(line) > 0 && repair {
				if _, werr := f.Write([]byte("\n")); werr != nil {
					return fmt.Errorf("repair sent-log %s: %w", l.path, werr)
				}
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read sent-log %s: %w", l.path, err)
		}
	}
}

// Lookup returns the latest record for a statement id.
func (l *SentLog) Lookup(id string) (SentRecord, bool) {
	r, ok := l.last[id]
	return r, ok
}

// LookupDraft returns the latest draft mailing's record for a statement id.
func (l *SentLog) LookupDraft(id string) (SentRecord, bool) {
	r, ok := l.last[SentRecord{StatementID: id, Draft: true}.key()]
	return r, ok
}

// Len is the number of statements recorded.
func (l *SentLog) Len() int { return len(l.last) }

// Append writes r as one line and fsyncs it.
func (l *SentLog) Append(r SentRecord) error {
	if l.f == nil {
		return fmt.Errorf("sent-log %s is open read-only", l.path)
	}
	if r.SentAt == "" {
		r.SentAt = time.Now().UTC().Format(time.RFC3339)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := l.f.Write(b); err != nil {
		return fmt.Errorf("write sent-log %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("sync sent-log %s: %w", l.path, err)
	}
	l.last[r.key()] = r
	return nil
}

// Close releases the lock and closes the file.
func (l *SentLog) Close() error {
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// SentLogFor is the default sent-log of a ledger: LEDGER.sent-log beside
// the SQLite file, where focus-mail and the web (focus-statement serve)
// both keep it, so whichever mails a statement first, the other does not
// mail it again. A server database (a URL, or libpq's key=value form) has
// no folder to put it in: the caller names the file (the same on every
// host), so "" is returned. (lib/mail links no ledger code, hence the
// plain test instead of ledger.IsPostgresDSN.)
func SentLogFor(ledgerPath string) string {
	if strings.Contains(ledgerPath, "://") || strings.Contains(ledgerPath, "=") {
		return ""
	}
	if ledgerPath == "" {
		ledgerPath = "ledger.db"
	}
	return ledgerPath + ".sent-log"
}
