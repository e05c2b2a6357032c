package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/openchargeback/ocb/lib/flag"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// Remembered owners (issue 26 item 12). Every month the same untagged
// instance, the same bad address and the same storage without a fund come
// back; `review assign --remember` keeps the assignment as a rule for the
// charge's resource, and later imports fill it into rows of that resource
// that lack the tag or carry an invalid one. Rules fill gaps only: a valid
// tag from the export is never overridden (the export stays the source of
// truth). A rule is keyed by ResourceId, the one resource column every
// ledger charge keeps.

// OwnerRule is a remembered owner.
type OwnerRule struct {
	ID         int64
	ResourceID string
	PIEmail    string // "" = the rule does not fill pi_email
	FundOrg    string // "" = the rule does not fill fund_org
	CreatedAt  string
	CreatedBy  string
	Uses       int    // rows it filled, over all imports
	LastUsedAt string // "" = never used
}

// rememberTx keeps values (their pi_email and fund_org) as the owner rule
// of charge id's resource: a new rule, or the resource's rule updated.
func (l *Ledger) rememberTx(tx *Tx, a Actor, id int64, values map[string]string) error {
	pi, fund := values[RolePIEmail], values[RoleFundOrg]
	if pi == "" && fund == "" {
		return refused("--remember keeps a PI or fund for the resource: give --tag pi_email=… or --tag fund_org=…")
	}
	var resource, period string
	if err := tx.QueryRow(`SELECT resource_id, period FROM charges WHERE id = ?`, id).Scan(&resource, &period); err != nil {
		return fmt.Errorf("remember charge %d: %w", id, err)
	}
	if resource == "" {
		return refused("charge %d has no ResourceId, so there is nothing to remember its owner by: assign it without --remember", id)
	}
	var rule OwnerRule
	err := tx.QueryRow(`SELECT id, pi_email, fund_org FROM owner_rules WHERE resource_id = ?`, resource).Scan(&rule.ID, &rule.PIEmail, &rule.FundOrg)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		rid, err := tx.Insert(`INSERT INTO owner_rules(resource_id, pi_email, fund_org, created_at, created_by) VALUES (?,?,?,?,?)`,
			resource, pi, fund, l.stamp(), a.User)
		if err != nil {
			return fmt.Errorf("remember the owner of %s: %w", resource, err)
		}
		return l.audit(tx, a, "rule-add", fmt.Sprintf("rule %d", rid), period, nil,
			map[string]string{"resource_id": resource, "pi_email": pi, "fund_org": fund, "from": fmt.Sprintf("charge %d", id)}, "")
	case err != nil:
		return fmt.Errorf("remember the owner of %s: %w", resource, err)
	}
	before := map[string]string{"pi_email": rule.PIEmail, "fund_org": rule.FundOrg}
	if pi != "" {
		rule.PIEmail = pi
	}
	if fund != "" {
		rule.FundOrg = fund
	}
	if _, err := tx.Exec(`UPDATE owner_rules SET pi_email = ?, fund_org = ? WHERE id = ?`, rule.PIEmail, rule.FundOrg, rule.ID); err != nil {
		return fmt.Errorf("update rule %d: %w", rule.ID, err)
	}
	return l.audit(tx, a, "rule-update", fmt.Sprintf("rule %d", rule.ID), period, before,
		map[string]string{"resource_id": resource, "pi_email": rule.PIEmail, "fund_org": rule.FundOrg, "from": fmt.Sprintf("charge %d", id)}, "")
}

// applyRules fills the owner rules into the pending review items of an
// import: a role the row lacks (or, for pi_email, carries as no address)
// takes the rule's value as an assignment, the flags it answers clear,
// and an item left without flags is approved; decided_by says "rule N".
// Each rule's use is audited once per import. It returns the rows each
// rule filled.
func (l *Ledger) applyRules(tx *Tx, a Actor, importID int64, period string, keys func(string) string) (map[int64]int, error) {
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM owner_rules`).Scan(&n); err != nil {
		return nil, fmt.Errorf("owner rules: %w", err)
	}
	if n == 0 {
		return nil, nil
	}
	type item struct {
		charge           int64
		pi, fund, flags  string
		ruleID           int64
		rulePI, ruleFund string
	}
	// Rows without a PI or fund are always review items (import), and so
	// is every row focus-flag flagged (bad-email): the pending items of
	// the import are all a rule can apply to.
	rows, err := tx.Query(`SELECT r.charge_id, c.pi_email, c.fund_org, r.flags, o.id, o.pi_email, o.fund_org
		FROM review r JOIN charges c ON c.id = r.charge_id JOIN owner_rules o ON o.resource_id = c.resource_id
		WHERE r.period = ? AND r.status = 'pending' AND c.import_id = ? ORDER BY r.charge_id`, period, importID)
	if err != nil {
		return nil, fmt.Errorf("owner rules of import %d: %w", importID, err)
	}
	var items []item
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.charge, &it.pi, &it.fund, &it.flags, &it.ruleID, &it.rulePI, &it.ruleFund); err != nil {
			rows.Close()
			return nil, fmt.Errorf("owner rules of import %d: %w", importID, err)
		}
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("owner rules of import %d: %w", importID, err)
	}
	used := map[int64]int{}
	now := l.stamp()
	for _, it := range items {
		filled := map[string]string{}
		if it.rulePI != "" && (it.pi == "" || !flag.ValidEmail(it.pi)) {
			filled[RolePIEmail] = it.rulePI
		}
		if it.ruleFund != "" && it.fund == "" {
			filled[RoleFundOrg] = it.ruleFund
		}
		if len(filled) == 0 {
			continue // the source's tags are valid: the export wins
		}
		flags := it.flags
		for _, role := range []string{RolePIEmail, RoleFundOrg} {
			v, ok := filled[role]
			if !ok {
				continue
			}
			if _, err := tx.Exec(`INSERT INTO tag_overrides(charge_id, period, role, value) VALUES (?,?,?,?)`, it.charge, period, role, v); err != nil {
				return nil, fmt.Errorf("rule %d on charge %d: %w", it.ruleID, it.charge, err)
			}
			flags = clearFlags(flags, role, keys(role))
		}
		status := "pending"
		if flags == "" {
			status = "approved"
		}
		by := fmt.Sprintf("rule %d", it.ruleID)
		if _, err := tx.Exec(`UPDATE review SET flags = ?, status = ?, decided_by = ?, decided_at = ?, note = ? WHERE charge_id = ?`,
			flags, status, by, now, "assigned by "+by, it.charge); err != nil {
			return nil, fmt.Errorf("rule %d on charge %d: %w", it.ruleID, it.charge, err)
		}
		used[it.ruleID]++
	}
	for id, rows := range used {
		if _, err := tx.Exec(`UPDATE owner_rules SET uses = uses + ?, last_used_at = ? WHERE id = ?`, rows, now, id); err != nil {
			return nil, fmt.Errorf("rule %d: %w", id, err)
		}
		if err := l.audit(tx, a, "rule-apply", fmt.Sprintf("rule %d", id), period, nil,
			map[string]any{"import": importID, "rows": rows}, ""); err != nil {
			return nil, err
		}
	}
	return used, nil
}

// OwnerRules lists the remembered owners, with their last use.
func (l *Ledger) OwnerRules(ctx context.Context) ([]OwnerRule, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, resource_id, pi_email, fund_org, created_at, created_by, uses, last_used_at FROM owner_rules ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("owner rules: %w", err)
	}
	defer rows.Close()
	var out []OwnerRule
	for rows.Next() {
		var r OwnerRule
		if err := rows.Scan(&r.ID, &r.ResourceID, &r.PIEmail, &r.FundOrg, &r.CreatedAt, &r.CreatedBy, &r.Uses, &r.LastUsedAt); err != nil {
			return nil, fmt.Errorf("owner rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RemoveOwnerRule forgets a remembered owner (audited); what it filled in
// earlier imports stays, as assignments.
func (l *Ledger) RemoveOwnerRule(ctx context.Context, a Actor, id int64) error {
	return l.withTx(ctx, func(tx *Tx) error {
		var r OwnerRule
		err := tx.QueryRow(`SELECT resource_id, pi_email, fund_org FROM owner_rules WHERE id = ?`, id).Scan(&r.ResourceID, &r.PIEmail, &r.FundOrg)
		if errors.Is(err, sql.ErrNoRows) {
			return refused("rule %d does not exist (see `focus-load rules list`)", id)
		}
		if err != nil {
			return fmt.Errorf("rule %d: %w", id, err)
		}
		if _, err := tx.Exec(`DELETE FROM owner_rules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("remove rule %d: %w", id, err)
		}
		return l.audit(tx, a, "rule-remove", fmt.Sprintf("rule %d", id), "",
			map[string]string{"resource_id": r.ResourceID, "pi_email": r.PIEmail, "fund_org": r.FundOrg}, nil, "")
	})
}

// roleKeyOf maps an assignable role to the site's tag key (a renamed
// pi_email key's missing-tag flag clears too).
func roleKeyOf(k tagkeys.Keys) func(string) string {
	return func(role string) string {
		switch role {
		case RolePIEmail:
			return k.PIEmail
		case RoleFundOrg:
			return k.FundOrg
		}
		return role
	}
}
