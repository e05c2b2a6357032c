package flag

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// Config is what the rules need; the zero value of a threshold means its default.
type Config struct {
	Keys tagkeys.Keys
	// RequireTags are role names (pi_email, fund_org, project_id, pi_name,
	// cost_center, account_code, end_date, reconciliation_end, ref1, ref2),
	// mapped through Keys to the actual tag keys; any other name is taken as
	// a literal tag key (e.g. grant_number).
	RequireTags  []string
	FundPatterns []*regexp.Regexp // bad-fund: fund_org must match one (whole value)
	Watch        []*regexp.Regexp // watch: ServiceName or ResourceName matches one
	Period       string           // YYYY-MM; "" = the majority of the input

	OutlierZ        float64         // robust z-score threshold (default 6)
	OutlierMinGroup int             // minimum rows (unit cost) or PIs (totals) in a group (default 5)
	OutlierMin      decimal.Decimal // minimum row cost or PI total to consider (default 10)

	Baseline   *Baseline       // nil: no jump rule
	JumpFactor decimal.Decimal // default 3
	JumpMin    decimal.Decimal // default 100

	OnlyFlagged bool
	Out         *focus.Format // nil: the format of the first input
	TempDir     string        // spool directory ("" = os.TempDir)
	TopPIs      int           // PIs in the summary (default 5)
	Explain     io.Writer     // non-nil: a "FILE:LINE: Column: message [code]" line per flag
	ExplainJSON bool          // ... as one JSON object a line (--errors json)

	parsedOnly bool // tests: never copy raw records in pass 2
}

// DefaultConfig returns the documented defaults.
func DefaultConfig() Config {
	return Config{
		Keys:            tagkeys.Default(),
		RequireTags:     []string{"pi_email"},
		OutlierZ:        6,
		OutlierMinGroup: 5,
		OutlierMin:      decimal.NewFromInt(10),
		JumpFactor:      decimal.NewFromInt(3),
		JumpMin:         decimal.NewFromInt(100),
		TopPIs:          5,
	}
}

func (c *Config) fill() {
	d := DefaultConfig()
	if c.Keys == (tagkeys.Keys{}) {
		c.Keys = d.Keys
	}
	if c.OutlierZ <= 0 {
		c.OutlierZ = d.OutlierZ
	}
	if c.OutlierMinGroup <= 0 {
		c.OutlierMinGroup = d.OutlierMinGroup
	}
	if c.JumpFactor.IsZero() {
		c.JumpFactor = d.JumpFactor
	}
	if c.TopPIs <= 0 {
		c.TopPIs = d.TopPIs
	}
}

// ResolveTag maps a role name to the tag key configured for it.
func ResolveTag(k tagkeys.Keys, name string) string {
	switch strings.TrimSpace(name) {
	case "pi_email":
		return k.PIEmail
	case "pi_name":
		return k.PIName
	case "fund_org":
		return k.FundOrg
	case "project_id":
		return k.ProjectID
	case "cost_center":
		return k.CostCenter
	case "account_code":
		return k.AccountCode
	case "end_date":
		return k.EndDate
	case "reconciliation_end":
		return k.ReconciliationEnd
	case "ref1":
		return k.Ref1
	case "ref2":
		return k.Ref2
	}
	return strings.TrimSpace(name)
}

// ParseRequireTags splits a comma-separated --require-tags value.
func ParseRequireTags(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CompileFundPatterns compiles --fund-pattern values. A pattern must match
// the whole fund code ("NSF-.*" does not accept "XNSF-1"), as a fund code is
// a value checked against a format, not text searched for a word.
func CompileFundPatterns(pats []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range pats {
		re, err := regexp.Compile(`^(?:` + p + `)$`)
		if err != nil {
			return nil, fmt.Errorf("--fund-pattern %q: %w", p, err)
		}
		out = append(out, re)
	}
	return out, nil
}

// CompileWatch compiles --watch values; they match anywhere in the name
// (use (?i) for case-insensitive, ^…$ to anchor).
func CompileWatch(pats []string) ([]*regexp.Regexp, error) {
	var out []*regexp.Regexp
	for _, p := range pats {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("--watch %q: %w", p, err)
		}
		out = append(out, re)
	}
	return out, nil
}
