// Package tagkeys names the Tags keys that carry people and account
// metadata. The defaults are those OpenChargeback sites already use, so no
// cloud resource needs retagging; every key can be renamed by a flag or a
// FOCUS_TAG_* environment variable.
package tagkeys

import (
	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
)

// Keys maps each role to the tag key that carries it.
type Keys struct {
	PIEmail           string // who is billed (required)
	PIName            string
	FundOrg           string // fund/org code to debit (required)
	ProjectID         string
	CostCenter        string
	AccountCode       string // GL account override
	EndDate           string // YYYY-MM-DD
	ReconciliationEnd string // YYYY-MM-DD
	Ref1, Ref2        string // extra keys carried into statements and journals; "" = none
}

// Default returns the OpenChargeback tag keys.
func Default() Keys {
	return Keys{
		PIEmail: "pi_email", PIName: "pi_name", FundOrg: "fund_org", ProjectID: "project_id",
		CostCenter: "cost_center", AccountCode: "account_code",
		EndDate: "end_date", ReconciliationEnd: "reconciliation_end",
	}
}

type flagSpec struct {
	name, usage string
	field       func(*Keys) *string
}

var specs = []flagSpec{
	{"tag-pi-email", "tag key holding the PI's e-mail (who is billed)", func(k *Keys) *string { return &k.PIEmail }},
	{"tag-pi-name", "tag key holding the PI's name", func(k *Keys) *string { return &k.PIName }},
	{"tag-fund-org", "tag key holding the fund/org code to debit", func(k *Keys) *string { return &k.FundOrg }},
	{"tag-project-id", "tag key holding the project id", func(k *Keys) *string { return &k.ProjectID }},
	{"tag-cost-center", "tag key holding the cost center", func(k *Keys) *string { return &k.CostCenter }},
	{"tag-account-code", "tag key holding a GL account override", func(k *Keys) *string { return &k.AccountCode }},
	{"tag-end-date", "tag key holding the project end date (YYYY-MM-DD)", func(k *Keys) *string { return &k.EndDate }},
	{"tag-reconciliation-end", "tag key holding the reconciliation end date (YYYY-MM-DD)", func(k *Keys) *string { return &k.ReconciliationEnd }},
	{"tag-ref1", "extra tag key carried into statements and journals as ref1 (e.g. grant_number)", func(k *Keys) *string { return &k.Ref1 }},
	{"tag-ref2", "extra tag key carried into statements and journals as ref2", func(k *Keys) *string { return &k.Ref2 }},
}

// Flags returns the --tag-* flags, each also read from FOCUS_TAG_*.
func Flags() []cli.Flag {
	d := Default()
	fs := make([]cli.Flag, 0, len(specs))
	for _, s := range specs {
		fs = append(fs, &cli.StringFlag{
			Name: s.name, Usage: s.usage, Value: *s.field(&d),
			EnvVars: cliutil.Env(s.name), Category: "Tag keys",
		})
	}
	return fs
}

// FromContext reads the --tag-* flags.
func FromContext(c *cli.Context) Keys {
	k := Default()
	for _, s := range specs {
		*s.field(&k) = c.String(s.name)
	}
	return k
}
