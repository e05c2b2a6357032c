package ledger

import (
	"fmt"
	"strings"
)

// adjustmentFund returns the fund an adjustment without --fund posts to:
// the one fund of the PI's charges on that project in the period, else the
// one fund of all the PI's charges in the period. An adjustment that would
// end up with no fund, or with a choice of several, is refused here, when
// it is entered, rather than by focus-journal after the period is final.
func adjustmentFund(tx *Tx, period, pi, project string) (string, error) {
	if project != "" {
		funds, err := chargeFunds(tx, period, pi, project)
		if err != nil {
			return "", err
		}
		if len(funds) == 1 {
			return funds[0], nil
		}
	}
	funds, err := chargeFunds(tx, period, pi, "")
	if err != nil {
		return "", err
	}
	switch len(funds) {
	case 1:
		return funds[0], nil
	case 0:
		return "", refused("%s has no charges with a fund in %s to post the adjustment to: give --fund FUND", pi, period)
	}
	return "", refused("%s has charges on %d funds in %s (%s): say which one with --fund", pi, len(funds), period, strings.Join(funds, ", "))
}

// chargeFunds lists the distinct non-empty funds of a PI's not rejected
// charges in a period (and project, unless ""), after review assignments.
func chargeFunds(tx *Tx, period, pi, project string) ([]string, error) {
	rows, err := tx.Query(chargeFundsSQL, RolePIEmail, RoleProjectID, RoleFundOrg, period, pi, project, project)
	if err != nil {
		return nil, fmt.Errorf("funds of %s in %s: %w", pi, period, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var f string
		if err := rows.Scan(&f); err != nil {
			return nil, fmt.Errorf("funds of %s in %s: %w", pi, period, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// chargeFundsSQL: the funds of a PI's not rejected charges in a period
// (and project), after assignments.
const chargeFundsSQL = `SELECT DISTINCT coalesce(f.value, c.fund_org) AS fund FROM` + periodCharges + `
	LEFT JOIN review r ON r.charge_id = c.id
	LEFT JOIN tag_overrides p ON p.charge_id = c.id AND p.role = ?
	LEFT JOIN tag_overrides j ON j.charge_id = c.id AND j.role = ?
	LEFT JOIN tag_overrides f ON f.charge_id = c.id AND f.role = ?
	WHERE i.period = ? AND coalesce(r.status, '') <> 'rejected'
	  AND lower(coalesce(p.value, c.pi_email)) = ?
	  AND (? = '' OR coalesce(j.value, c.project_id) = ?)
	  AND coalesce(f.value, c.fund_org) <> ''
	ORDER BY fund`
