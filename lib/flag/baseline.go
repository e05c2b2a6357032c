package flag

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
)

// Amounts are exact sums of one PI's cost for one service.
type Amounts struct {
	List, Billed decimal.Decimal
}

// Baseline is last month's cost per PI and service, read from statements
// NDJSON (lib/statement schema: pi.email, lines[].service,
// lines[].list_cost, lines[].billed_cost). Adjustments are not usage and
// are ignored.
type Baseline struct {
	pis map[string]map[string]*Amounts // lower-case e-mail → service → sums
}

// HasPI reports whether the baseline has a statement for the PI.
func (b *Baseline) HasPI(email string) bool {
	_, ok := b.pis[strings.ToLower(email)]
	return ok
}

// Get returns the PI's baseline for a service (zero when absent).
func (b *Baseline) Get(email, service string) Amounts {
	if a := b.pis[strings.ToLower(email)][service]; a != nil {
		return *a
	}
	return Amounts{}
}

type baselineStatement struct {
	PI struct {
		Email string `json:"email"`
	} `json:"pi"`
	Lines []struct {
		Service    string          `json:"service"`
		ListCost   decimal.Decimal `json:"list_cost"`
		BilledCost decimal.Decimal `json:"billed_cost"`
	} `json:"lines"`
}

// LoadBaseline reads statements NDJSON. Several statements of one PI (per
// project statements) are summed.
func LoadBaseline(r io.Reader, name string) (*Baseline, error) {
	b := &Baseline{pis: map[string]map[string]*Amounts{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		var st baselineStatement
		if err := json.Unmarshal(t, &st); err != nil {
			return nil, fmt.Errorf("%s:%d: baseline statement: %w", name, line, err)
		}
		email := strings.ToLower(strings.TrimSpace(st.PI.Email))
		if email == "" {
			return nil, fmt.Errorf("%s:%d: baseline statement has no pi.email", name, line)
		}
		svc := b.pis[email]
		if svc == nil {
			svc = map[string]*Amounts{}
			b.pis[email] = svc
		}
		for _, l := range st.Lines {
			a := svc[l.Service]
			if a == nil {
				a = &Amounts{List: decimal.Zero, Billed: decimal.Zero}
				svc[l.Service] = a
			}
			a.List = a.List.Add(l.ListCost)
			a.Billed = a.Billed.Add(l.BilledCost)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return b, nil
}

// isJump reports whether cur rose against base by more than factor and by
// more than min.
func isJump(base, cur, factor, min decimal.Decimal) bool {
	return cur.Sub(base).GreaterThan(min) && cur.GreaterThan(base.Mul(factor))
}
