package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/openchargeback/ocb/lib/flag"
)

// Tag roles that review can assign (the default tag key names).
const (
	RolePIEmail           = "pi_email"
	RolePIName            = "pi_name"
	RoleFundOrg           = "fund_org"
	RoleProjectID         = "project_id"
	RoleCostCenter        = "cost_center"
	RoleAccountCode       = "account_code"
	RoleEndDate           = "end_date"
	RoleReconciliationEnd = "reconciliation_end"
)

// Roles lists the assignable roles.
var Roles = []string{RolePIEmail, RolePIName, RoleFundOrg, RoleProjectID, RoleCostCenter, RoleAccountCode, RoleEndDate, RoleReconciliationEnd}

// ReviewItem is a flagged charge and its disposition.
type ReviewItem struct {
	ChargeID     int64
	Period       string
	Source       string
	Status       string // pending | approved | rejected
	Flags        string
	PIEmail      string
	ProjectID    string
	FundOrg      string
	ServiceName  string
	ResourceID   string
	ResourceName string
	BilledCost   string
	ListCost     string
	DecidedBy    string
	Note         string
}

// ReviewItems lists review items; period and status may be "" (all).
func (l *Ledger) ReviewItems(ctx context.Context, period, status string) ([]ReviewItem, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT r.charge_id, r.period, i.source, r.status, r.flags,
		coalesce(op.value, c.pi_email), coalesce(oj.value, c.project_id), coalesce(of.value, c.fund_org),
		c.service_name, c.resource_id, c.resource_name, c.billed_cost, c.list_cost, coalesce(r.decided_by,''), coalesce(r.note,'')
		FROM review r JOIN charges c ON c.id = r.charge_id JOIN imports i ON i.id = c.import_id
		LEFT JOIN tag_overrides op ON op.charge_id = c.id AND op.role = 'pi_email'
		LEFT JOIN tag_overrides oj ON oj.charge_id = c.id AND oj.role = 'project_id'
		LEFT JOIN tag_overrides of ON of.charge_id = c.id AND of.role = 'fund_org'
		WHERE (? = '' OR r.period = ?) AND (? = '' OR r.status = ?) ORDER BY r.charge_id`, period, period, status, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReviewItem
	for rows.Next() {
		var r ReviewItem
		if err := rows.Scan(&r.ChargeID, &r.Period, &r.Source, &r.Status, &r.Flags, &r.PIEmail, &r.ProjectID, &r.FundOrg,
			&r.ServiceName, &r.ResourceID, &r.ResourceName, &r.BilledCost, &r.ListCost, &r.DecidedBy, &r.Note); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Approve marks pending review items approved.
func (l *Ledger) Approve(ctx context.Context, a Actor, ids []int64, note string) error {
	_, err := l.Decide(ctx, a, ids, "approved", DecideOptions{Note: note})
	return err
}

// Reject marks pending review items rejected: the charges stay in the
// ledger but are left out of statements.
func (l *Ledger) Reject(ctx context.Context, a Actor, ids []int64, note string) error {
	_, err := l.Decide(ctx, a, ids, "rejected", DecideOptions{Note: note})
	return err
}

// DecideOptions qualify a review decision.
type DecideOptions struct {
	Note string
	// Any lets a decision or an assignment act on a charge outside the
	// review queue: one already decided, or one never flagged. Without it
	// only pending items change, so a mistyped id cannot silently undo
	// someone's decision or move a clean charge.
	Any bool
	// Seen, when set, refuses a decision about a charge whose review
	// status differs from the one the reviewer's page showed (StaleError).
	Seen Seen
	// NewPI and NewFund let an assignment name a PI e-mail or a fund/org
	// the ledger has never seen; without them a typo is refused with the
	// nearest known values, as adjust does.
	NewPI, NewFund bool
	// Remember keeps the assignment's pi_email and fund_org as the owner
	// rule of each charge's resource (rules.go): later imports fill them
	// into that resource's rows that lack them.
	Remember bool
}

// reviewActions are the audit action names of decisions: whole words.
var reviewActions = map[string]string{"approved": "review-approve", "rejected": "review-reject"}

// Decide approves or rejects (status "approved" or "rejected") review
// items, all or none, and returns one line per change, e.g.
// "charge 7: pending → rejected".
func (l *Ledger) Decide(ctx context.Context, a Actor, ids []int64, status string, opt DecideOptions) ([]string, error) {
	if len(ids) == 0 {
		return nil, errors.New("no review item ids given")
	}
	action, ok := reviewActions[status]
	if !ok {
		return nil, fmt.Errorf("review decision %q: want approved or rejected", status)
	}
	var changes []string
	err := l.withTx(ctx, func(tx *Tx) error {
		for _, id := range ids {
			before, period, err := reviewStatus(tx, id)
			if err != nil {
				return err
			}
			if before == "" && !opt.Any {
				verb := strings.TrimPrefix(action, "review-")
				return refused("charge %d is not in the review queue (it was never flagged); give --any to %s it anyway", id, verb)
			}
			if err := opt.Seen.check(tx, id, before); err != nil {
				return err
			}
			if before != "" && before != "pending" && !opt.Any {
				return refused("charge %d is not pending: %s; give --any to change that decision", id, decidedText(tx, id, before))
			}
			if status == "approved" {
				if err := billable(tx, id); err != nil {
					return err
				}
			}
			if before == "" {
				_, err = tx.Exec(`INSERT INTO review(charge_id, period, flags, status, decided_by, decided_at, note) VALUES (?,?,'',?,?,?,?)`,
					id, period, status, a.User, l.stamp(), opt.Note)
			} else {
				_, err = tx.Exec(`UPDATE review SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE charge_id = ?`,
					status, a.User, l.stamp(), opt.Note, id)
			}
			if err != nil {
				return fmt.Errorf("review item %d: %w", id, err)
			}
			if err := l.audit(tx, a, action, fmt.Sprintf("charge %d", id), period,
				map[string]string{"status": before}, map[string]string{"status": status}, opt.Note); err != nil {
				return err
			}
			from := before
			if from == "" {
				from = "not flagged"
			}
			changes = append(changes, fmt.Sprintf("charge %d: %s → %s", id, from, status))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// decidedText says who decided a review item, what and when.
func decidedText(tx *Tx, id int64, status string) string {
	var by, at, note string
	tx.QueryRow(`SELECT coalesce(decided_by,''), coalesce(decided_at,''), coalesce(note,'') FROM review WHERE charge_id = ?`, id).Scan(&by, &at, &note)
	s := status
	if by != "" {
		s += " by " + by
	}
	if at != "" {
		s += " at " + at
	}
	if note != "" {
		s += fmt.Sprintf(" (%q)", note)
	}
	return s
}

// billable refuses to approve a charge nobody can be billed for.
func billable(tx *Tx, id int64) error {
	var pi, fund string
	err := tx.QueryRow(`SELECT coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = 'pi_email'), c.pi_email),
		coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = 'fund_org'), c.fund_org)
		FROM charges c WHERE c.id = ?`, id).Scan(&pi, &fund)
	if err != nil {
		return err
	}
	var missing []string
	if pi == "" {
		missing = append(missing, "pi_email")
	} else if !flag.ValidEmail(pi) {
		return refused("charge %d has pi_email %q, which is not an e-mail address (its statement could never be mailed): assign the right one (`focus-load review assign --tag pi_email=... %d`) or reject it", id, pi, id)
	}
	if fund == "" {
		missing = append(missing, "fund_org")
	}
	if len(missing) > 0 {
		return refused("charge %d has no %s: assign it (`focus-load review assign --tag %s=... %d`) or reject it", id, strings.Join(missing, " or "), missing[0], id)
	}
	return nil
}

func reviewStatus(tx *Tx, id int64) (status, period string, err error) {
	if tx.d.LockPeriod != "" {
		// Lock the charge's period first (PostgreSQL, see
		// Dialect.LockPeriod): decisions on one period then run one after
		// the other, each reading the status the one before left.
		var st string
		err := tx.QueryRow(`SELECT state FROM periods WHERE period = (SELECT period FROM charges WHERE id = ?)`+tx.d.LockPeriod, id).Scan(&st)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", "", err
		}
	}
	err = tx.QueryRow(`SELECT status, period FROM review WHERE charge_id = ?`, id).Scan(&status, &period)
	if errors.Is(err, sql.ErrNoRows) {
		var p string
		if tx.QueryRow(`SELECT period FROM charges WHERE id = ?`, id).Scan(&p) == nil {
			// A clean charge has no review item; assigning to it creates one.
			return "", p, nil
		}
		return "", "", refused("charge %d does not exist", id)
	}
	return status, period, err
}

// Assign records tag values for pending review items; see AssignTags.
func (l *Ledger) Assign(ctx context.Context, a Actor, ids []int64, values map[string]string, tagKey func(role string) string) error {
	_, err := l.AssignTags(ctx, a, ids, values, tagKey, DecideOptions{})
	return err
}

// AssignTags records tag values for charges (fixing missing or wrong tags)
// beside the immutable rows, and clears the flags they answer
// (missing-tag:KEY, bad-email for pi_email, bad-fund for fund_org). An item
// left with no flag is approved. tagKey maps a role to the site's tag key,
// so missing-tag flags that name a renamed key clear too. Only pending
// items change unless opt.Any (a decided item, or a clean charge moved to
// another PI). It returns one line per changed value, e.g.
// "charge 7: pi_email grace.hopper@uni.edu → ada.lovelace@uni.edu"; the
// audit record's "before" holds the old values.
func (l *Ledger) AssignTags(ctx context.Context, a Actor, ids []int64, values map[string]string, tagKey func(role string) string, opt DecideOptions) ([]string, error) {
	if len(ids) == 0 {
		return nil, errors.New("no charge ids given")
	}
	if len(values) == 0 {
		return nil, errors.New("nothing to assign: give --tag ROLE=VALUE")
	}
	for role, v := range values {
		if !validRole(role) {
			return nil, fmt.Errorf("unknown tag role %q (one of %s)", role, strings.Join(Roles, ", "))
		}
		values[role] = strings.TrimSpace(v)
		if role == RolePIEmail {
			values[role] = strings.ToLower(values[role])
			if !flag.ValidEmail(values[role]) {
				return nil, refused("pi_email %q is not an e-mail address: give the PI's address, e.g. --tag pi_email=ada.lovelace@uni.edu", v)
			}
		}
		if values[role] == "" {
			return nil, fmt.Errorf("--tag %s: the value is empty", role)
		}
	}
	roles := make([]string, 0, len(values))
	for r := range values {
		roles = append(roles, r)
	}
	sort.Strings(roles)
	var changes []string
	err := l.withTx(ctx, func(tx *Tx) error {
		if v, ok := values[RolePIEmail]; ok {
			if err := knownPI(tx, v, opt.NewPI); err != nil {
				return err
			}
		}
		if v, ok := values[RoleFundOrg]; ok {
			if err := knownFund(tx, v, opt.NewFund); err != nil {
				return err
			}
		}
		for _, id := range ids {
			before, period, err := reviewStatus(tx, id)
			if err != nil {
				return err
			}
			if before == "" && !opt.Any {
				return refused("charge %d is not in the review queue (it was never flagged); give --any to assign tags to it anyway (e.g. to move it to another PI)", id)
			}
			if err := opt.Seen.check(tx, id, before); err != nil {
				return err
			}
			if before != "" && before != "pending" && !opt.Any {
				return refused("charge %d is not pending: %s; give --any to change it", id, decidedText(tx, id, before))
			}
			var flags string
			if before != "" {
				tx.QueryRow(`SELECT flags FROM review WHERE charge_id = ?`, id).Scan(&flags)
			}
			old := map[string]string{}
			for _, role := range roles {
				// role is a checked role name, which is also its column.
				var v string
				if err := tx.QueryRow(`SELECT coalesce((SELECT value FROM tag_overrides WHERE charge_id = c.id AND role = ?), c.`+role+`)
					FROM charges c WHERE c.id = ?`, role, id).Scan(&v); err != nil {
					return fmt.Errorf("assign charge %d: %w", id, err)
				}
				old[role] = v
				if _, err := tx.Exec(`INSERT INTO tag_overrides(charge_id, period, role, value) VALUES (?,?,?,?)
					ON CONFLICT(charge_id, role) DO UPDATE SET value = excluded.value`, id, period, role, values[role]); err != nil {
					return fmt.Errorf("assign charge %d: %w", id, err)
				}
				flags = clearFlags(flags, role, tagKey(role))
				if v != values[role] {
					from := v
					if from == "" {
						from = "(empty)"
					}
					changes = append(changes, fmt.Sprintf("charge %d: %s %s → %s", id, role, from, values[role]))
				}
			}
			status := before
			switch {
			case before == "":
				status = "approved"
				_, err = tx.Exec(`INSERT INTO review(charge_id, period, flags, status, decided_by, decided_at, note) VALUES (?,?,?,?,?,?,'assigned')`,
					id, period, flags, status, a.User, l.stamp())
			default:
				if flags == "" && before == "pending" {
					status = "approved"
				}
				_, err = tx.Exec(`UPDATE review SET flags = ?, status = ?, decided_by = ?, decided_at = ?, note = 'assigned' WHERE charge_id = ?`,
					flags, status, a.User, l.stamp(), id)
			}
			if err != nil {
				return fmt.Errorf("assign charge %d: %w", id, err)
			}
			if status != before {
				from := before
				if from == "" {
					from = "not flagged"
				}
				changes = append(changes, fmt.Sprintf("charge %d: %s → %s", id, from, status))
			}
			if err := l.audit(tx, a, "review-assign", fmt.Sprintf("charge %d", id), period,
				map[string]any{"status": before, "tags": old}, map[string]any{"status": status, "flags": flags, "tags": values}, opt.Note); err != nil {
				return err
			}
			if opt.Remember {
				if err := l.rememberTx(tx, a, id, values); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

func validRole(r string) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// clearFlags removes the flags an assigned role answers.
func clearFlags(flags, role, key string) string {
	var keep []string
	for _, f := range strings.Split(flags, ";") {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case f == "missing-tag:"+role || f == "missing-tag:"+key:
			continue
		case role == RolePIEmail && f == "bad-email":
			continue
		case role == RoleFundOrg && f == "bad-fund":
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, ";")
}
