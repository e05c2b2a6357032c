package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/openchargeback/ocb/lib/focus"
)

// ImportInfo is one import as listed.
type ImportInfo struct {
	ID         int64
	Period     string
	Source     string
	FileName   string
	SHA256     string
	Rows       int
	Flagged    int
	ListCost   string
	BilledCost string
	ImportedAt string
	ImportedBy string
}

// Imports lists imports of one period or all ("").
func (l *Ledger) Imports(ctx context.Context, period string) ([]ImportInfo, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, period, source, file_name, sha256, rows, flagged, list_total, billed_total, imported_at, imported_by
		FROM imports WHERE ? = '' OR period = ? ORDER BY id`, period, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportInfo
	for rows.Next() {
		var i ImportInfo
		if err := rows.Scan(&i.ID, &i.Period, &i.Source, &i.FileName, &i.SHA256, &i.Rows, &i.Flagged, &i.ListCost, &i.BilledCost, &i.ImportedAt, &i.ImportedBy); err != nil {
			return nil, err
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// RemoveImport deletes an import of an open period with its charges.
func (l *Ledger) RemoveImport(ctx context.Context, a Actor, id int64) error {
	return l.withTx(ctx, func(tx *Tx) error {
		var period, source, sha string
		var n int
		err := tx.QueryRow(`SELECT period, source, sha256, rows FROM imports WHERE id = ?`+l.d.LockPeriod, id).Scan(&period, &source, &sha, &n)
		if errors.Is(err, sql.ErrNoRows) {
			return refused("import %d does not exist", id)
		}
		if err != nil {
			return err
		}
		state, err := l.periodState(tx, period)
		if err != nil {
			return err
		}
		if state != StateOpen {
			return refused("period %s is %s: imports can be removed only from open periods", period, state)
		}
		if _, err := tx.Exec(`DELETE FROM imports WHERE id = ?`, id); err != nil {
			return err
		}
		return l.audit(tx, a, "import-remove", fmt.Sprintf("import %d", id), period,
			map[string]any{"source": source, "sha256": sha, "rows": n}, nil, "")
	})
}

// AuditRecord is one line of the audit log.
type AuditRecord struct {
	ID     int64  `json:"id"`
	At     string `json:"at"`
	Who    string `json:"who"`
	Origin string `json:"origin"`
	Action string `json:"action"`
	Record string `json:"record"`
	Period string `json:"period"`
	Before string `json:"before"`
	After  string `json:"after"`
	Reason string `json:"reason"`
}

// Audit lists the audit log, of one period or all ("").
func (l *Ledger) Audit(ctx context.Context, period string) ([]AuditRecord, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, at, who, origin, action, record, period, before, after, reason
		FROM audit WHERE ? = '' OR period = ? ORDER BY id`, period, period)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditRecord
	for rows.Next() {
		var r AuditRecord
		if err := rows.Scan(&r.ID, &r.At, &r.Who, &r.Origin, &r.Action, &r.Record, &r.Period, &r.Before, &r.After, &r.Reason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExportCharges writes a period's charges back out as FOCUS rows, every
// column as imported (the union of the imports' columns, first seen first),
// rejected charges included: the ledger's facts, not the statement's view.
func (l *Ledger) ExportCharges(ctx context.Context, period string, w *focus.Writer) (int, error) {
	hrows, err := l.db.QueryContext(ctx, `SELECT id, header, record_format FROM imports WHERE period = ? ORDER BY id`, period)
	if err != nil {
		return 0, err
	}
	headers := map[int64][]string{}
	formats := map[int64]string{}
	var union []string
	pos := map[string]int{}
	for hrows.Next() {
		var id int64
		var h, format string
		if err := hrows.Scan(&id, &h, &format); err != nil {
			hrows.Close()
			return 0, err
		}
		var cols []string
		if err := json.Unmarshal([]byte(h), &cols); err != nil {
			hrows.Close()
			return 0, fmt.Errorf("import %d header: %w", id, err)
		}
		headers[id] = cols
		formats[id] = format
		for _, c := range cols {
			if _, ok := pos[c]; !ok {
				pos[c] = len(union)
				union = append(union, c)
			}
		}
	}
	hrows.Close()
	if len(union) == 0 {
		if _, err := l.Period(ctx, period); err != nil {
			return 0, err
		}
		return 0, refused("period %s has no imports", period)
	}
	if err := w.WriteHeader(union); err != nil {
		return 0, err
	}
	// Imports in id order, each one's frames in order: the charges' order
	// (an import's charges have consecutive ids, written in one transaction).
	rows, err := l.db.QueryContext(ctx, `SELECT f.import_id, f.data FROM import_rows f JOIN imports i ON i.id = f.import_id
		WHERE i.period = ? ORDER BY f.import_id, f.frame`, period)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	out := make([]string, len(union))
	n := 0
	for rows.Next() {
		var id int64
		var data []byte
		if err := rows.Scan(&id, &data); err != nil {
			return n, err
		}
		var werr error
		err := eachRow(data, formats[id], func(vals []string) error {
			for i := range out {
				out[i] = ""
			}
			for i, c := range headers[id] {
				if i < len(vals) {
					out[pos[c]] = vals[i]
				}
			}
			n++
			werr = w.Write(out)
			return werr
		})
		if werr != nil {
			return n, werr
		}
		if err != nil {
			return n, fmt.Errorf("rows of import %d: %w", id, err)
		}
	}
	return n, rows.Err()
}

// decodeStored reads a charge's stored cells in its import's record format
// (see frames.go).
func decodeStored(rec []byte, format string) ([]string, error) {
	switch format {
	case "cells":
		return decodeCells(rec)
	case "json":
		return decodeRecord(rec)
	}
	cr := csv.NewReader(bytes.NewReader(rec))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return cr.Read()
}

// AuditWeb records a web security event (sign-in, failed sign-in, sign-out).
func (l *Ledger) AuditWeb(ctx context.Context, who, action, detail string) error {
	if strings.TrimSpace(who) == "" {
		who = "(no user name)" // a failed sign-in with an empty name is still recorded
	}
	return l.withTx(ctx, func(tx *Tx) error {
		return l.audit(tx, Actor{User: who, Origin: "web"}, action, "web", "", nil, nil, detail)
	})
}
