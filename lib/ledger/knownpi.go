package ledger

import (
	"fmt"
	"sort"
	"strings"

	"github.com/openchargeback/ocb/lib/validate"
)

// knownPI refuses a PI e-mail the ledger has never seen (in any period:
// as an imported row's PI, an assigned PI, or an earlier adjustment or
// dispute) unless newPI: a typo would otherwise put money on a statement
// nobody receives, and once finalized the period could never be posted.
// The refusal suggests the nearest known e-mails. Imported PIs are read
// from the line sums (every charge's PI e-mail is in its import's sums, a
// few thousand rows a month), not from a scan of every charge.
func knownPI(tx *Tx, email string, newPI bool) error {
	if newPI {
		return nil
	}
	var n int
	err := tx.QueryRow(`SELECT CASE WHEN EXISTS(SELECT 1 FROM import_lines WHERE pi_email = ?1)
		OR EXISTS(SELECT 1 FROM tag_overrides WHERE role = 'pi_email' AND value = ?1)
		OR EXISTS(SELECT 1 FROM adjustments WHERE pi_email = ?1)
		OR EXISTS(SELECT 1 FROM disputes WHERE pi_email = ?1) THEN 1 ELSE 0 END`, email).Scan(&n)
	if err != nil {
		return fmt.Errorf("look up PI %s: %w", email, err)
	}
	if n == 1 {
		return nil
	}
	rows, err := tx.Query(`SELECT DISTINCT pi_email FROM import_lines WHERE pi_email <> ''
		UNION SELECT value FROM tag_overrides WHERE role = 'pi_email'
		UNION SELECT pi_email FROM adjustments UNION SELECT pi_email FROM disputes`)
	if err != nil {
		return fmt.Errorf("look up PI %s: %w", email, err)
	}
	defer rows.Close()
	var known []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return fmt.Errorf("look up PI %s: %w", email, err)
		}
		known = append(known, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up PI %s: %w", email, err)
	}
	hint := ""
	if near := nearest(email, known, 3); len(near) > 0 {
		hint = fmt.Sprintf(": did you mean %s?", strings.Join(near, " or "))
	}
	return refused("PI %s is not in the ledger (no charge, assignment, adjustment or dispute names it)%s; if it is a new PI, give --new-pi", email, hint)
}

// knownFund refuses a fund/org code the ledger has never seen (on an
// imported row, in an assignment or on an adjustment) unless newFund: a
// typo'd fund would debit an account finance cannot post to. The refusal
// suggests the nearest known codes.
func knownFund(tx *Tx, fund string, newFund bool) error {
	if newFund {
		return nil
	}
	var n int
	err := tx.QueryRow(`SELECT CASE WHEN EXISTS(SELECT 1 FROM import_lines WHERE fund_org = ?1)
		OR EXISTS(SELECT 1 FROM tag_overrides WHERE role = 'fund_org' AND value = ?1)
		OR EXISTS(SELECT 1 FROM adjustments WHERE fund_org = ?1) THEN 1 ELSE 0 END`, fund).Scan(&n)
	if err != nil {
		return fmt.Errorf("look up fund %s: %w", fund, err)
	}
	if n == 1 {
		return nil
	}
	// import_lines: every charge's fund, in a few thousand rows a month
	// where charges has a million (and no index on fund_org).
	known, err := stringColumn(tx, `SELECT DISTINCT fund_org FROM import_lines WHERE fund_org <> ''
		UNION SELECT value FROM tag_overrides WHERE role = 'fund_org'
		UNION SELECT fund_org FROM adjustments WHERE fund_org <> ''`)
	if err != nil {
		return fmt.Errorf("look up fund %s: %w", fund, err)
	}
	hint := ""
	if near := nearest(fund, known, 3); len(near) > 0 {
		hint = fmt.Sprintf(": did you mean %s?", strings.Join(near, " or "))
	}
	return refused("fund/org %s is not in the ledger (no charge, assignment or adjustment names it)%s; if it is a new fund, give --new-fund", fund, hint)
}

// stringColumn runs a query of one text column and returns its values.
func stringColumn(tx *Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// nearest returns up to n known e-mails closest to s (edit distance),
// those within a third of its length, closest first.
func nearest(s string, known []string, n int) []string {
	type cand struct {
		e string
		d int
	}
	var cs []cand
	limit := max(3, len(s)/3)
	for _, k := range known {
		if d := validate.EditDistance(s, k); d <= limit {
			cs = append(cs, cand{k, d})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].e < cs[j].e
	})
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		out = append(out, cs[i].e)
	}
	return out
}
