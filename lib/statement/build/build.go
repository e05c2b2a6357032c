package build

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"github.com/openchargeback/ocb/lib/statement"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

// Grouping of statements.
const (
	ByPI      = "pi"      // one statement per PI and period (default)
	ByProject = "project" // one per PI, project and period (grant paperwork)
)

// NoteWindow is how close to the period end a project end date must be for
// the statement to warn about it.
const NoteWindow = 60 * 24 * time.Hour

// Options choose how statements are grouped and filtered.
type Options struct {
	By string // ByPI ("" = ByPI) or ByProject
	PI string // only this PI's statements (case-insensitive); "" = all
	// Observe, when set, sees every charge the statements include (a view
	// that also counts, e.g. pending review items, reads the period once).
	Observe func(*ledger.Charge)
}

func (o Options) validate() error {
	switch o.By {
	case "", ByPI, ByProject:
		return nil
	}
	return fmt.Errorf("--by %q: want %q or %q", o.By, ByPI, ByProject)
}

// lineKey is what makes two charges the same statement line. Beyond the
// source, service, project, fund and unit of DESIGN.md it holds the fields
// focus-journal posts per line (account override, cost center, refs): a line
// must never merge two charges that finance would book differently.
type lineKey struct {
	source, service, project, fund, unit string
	account, costCenter, ref1, ref2      string
	desc                                 string // ChargeDescription of non-usage charges
}

type lineAcc struct {
	category       string
	qty, list, bil decimal.Decimal
	n              int
	pending        bool // a charge of the line waits for review
}

type stmtKey struct{ pi, project string }

type stmtAcc struct {
	key      stmtKey
	name     string
	currency string
	lines    map[lineKey]*lineAcc
	// project → role ("end_date"/"reconciliation_end") → latest date seen
	ends map[string]map[string]string
	adjs []ledger.Adjustment
	// placed lists the PI-level adjustments placeLoose put on this
	// per-project statement (each gets a note saying so).
	placed []int64
}

// Builder accumulates a period's charges into statements. It is pure: feed
// it charges (in any order) and adjustments, then call Statements.
type Builder struct {
	period ledger.PeriodInfo
	opts   Options
	pi     string
	accs   map[stmtKey]*stmtAcc
	loose  []ledger.Adjustment // ByProject: adjustments tied to no project
	err    error
}

// NewBuilder starts the statements of one period.
func NewBuilder(p ledger.PeriodInfo, opts Options) (*Builder, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if _, err := periodEnd(p.Period); err != nil {
		return nil, err
	}
	return &Builder{period: p, opts: opts, pi: strings.ToLower(strings.TrimSpace(opts.PI)),
		accs: map[stmtKey]*stmtAcc{}}, nil
}

func (b *Builder) acc(pi, project string) *stmtAcc {
	k := stmtKey{pi: pi}
	if b.opts.By == ByProject {
		k.project = project
	}
	a := b.accs[k]
	if a == nil {
		a = &stmtAcc{key: k, lines: map[lineKey]*lineAcc{}, ends: map[string]map[string]string{}}
		b.accs[k] = a
	}
	return a
}

// Add adds one charge. The charge is copied; the caller may reuse it.
func (b *Builder) Add(c *ledger.Charge) error {
	if b.err != nil {
		return b.err
	}
	pi := strings.ToLower(strings.TrimSpace(c.PIEmail))
	if b.pi != "" && pi != b.pi {
		return nil
	}
	if b.opts.Observe != nil {
		b.opts.Observe(c)
	}
	a := b.acc(pi, c.ProjectID)
	if a.name == "" {
		a.name = c.PIName
	}
	cur := c.Currency
	if cur == "" {
		cur = statement.DefaultCurrency
	}
	if a.currency == "" {
		a.currency = cur
	} else if a.currency != cur {
		// One statement has one currency: a mixed statement could not be
		// totalled honestly, so refuse rather than add dollars to euros.
		b.err = fmt.Errorf("statement for %s: charges in %s and %s (charge %d); one currency per statement", pi, a.currency, cur, c.ID)
		return b.err
	}
	k := lineKey{source: c.Source, service: c.ServiceName, project: c.ProjectID, fund: c.FundOrg,
		unit: c.Unit, account: c.AccountCode, costCenter: c.CostCenter, ref1: c.Ref1, ref2: c.Ref2, desc: c.Description}
	l := a.lines[k]
	if l == nil {
		l = &lineAcc{category: c.ServiceCategory}
		a.lines[k] = l
	}
	l.n += max(c.Count, 1)
	if c.ReviewStatus == "pending" {
		l.pending = true
	}
	l.qty = l.qty.Add(c.Quantity)
	l.list = l.list.Add(c.ListCost)
	l.bil = l.bil.Add(c.BilledCost)
	a.noteEnd(c.ProjectID, "end_date", c.EndDate)
	a.noteEnd(c.ProjectID, "reconciliation_end", c.ReconciliationEnd)
	return nil
}

// noteEnd keeps the latest date a project's charges carry for a role: when
// tags disagree, the latest is the one most likely updated by an extension,
// and warning about an older one would cry wolf.
func (a *stmtAcc) noteEnd(project, role, date string) {
	date = strings.TrimSpace(date)
	if date == "" {
		return
	}
	m := a.ends[project]
	if m == nil {
		m = map[string]string{}
		a.ends[project] = m
	}
	if date > m[role] {
		m[role] = date
	}
}

// AddAdjustments attaches the period's adjustments. With ByProject an
// adjustment tied to a project goes on that project's statement; one tied to
// none is placed by placeLoose once every charge is known. A PI with
// adjustments but no charges still gets a statement: the credit or charge
// must be shown.
func (b *Builder) AddAdjustments(adjs []ledger.Adjustment) {
	for _, adj := range adjs {
		pi := strings.ToLower(strings.TrimSpace(adj.PIEmail))
		if b.pi != "" && pi != b.pi {
			continue
		}
		adj.PIEmail = pi
		if b.opts.By == ByProject && adj.ProjectID == "" {
			b.loose = append(b.loose, adj)
			continue
		}
		a := b.acc(pi, adj.ProjectID)
		a.adjs = append(a.adjs, adj)
	}
}

// PlacedNote is the note on a per-project statement that carries a PI-level
// adjustment (one that names no project).
const PlacedNote = "PI-level adjustment %d (no project named) is shown on this statement: per-project statements place it on the PI's project with the largest billed amount, so it is billed and posted exactly once."

// placeLoose puts the ByProject adjustments tied to no project, after all
// charges and project adjustments are known so the result does not depend
// on call order. The rule (docs/DESIGN.md): the PI's statement with the
// largest billed amount, then the largest list price, then the first
// project id — one whole adjustment on one billed statement, so per-PI and
// per-project statements carry the same money and the same journal lines.
// A PI with no statement yet gets one without a project.
func (b *Builder) placeLoose() {
	best := map[string]*stmtAcc{}
	for _, a := range b.accs {
		cur := best[a.key.pi]
		if cur == nil || placeBefore(a, cur) {
			best[a.key.pi] = a
		}
	}
	for _, adj := range b.loose {
		a := best[adj.PIEmail]
		if a == nil {
			a = b.acc(adj.PIEmail, "")
			best[adj.PIEmail] = a
		}
		if a.key.project != "" {
			a.placed = append(a.placed, adj.ID)
		}
		a.adjs = append(a.adjs, adj)
	}
	b.loose = nil
}

// placeBefore orders a PI's statements for placeLoose. Amounts are compared
// as the statement shows them (sums of lines rounded to cents).
func placeBefore(a, b *stmtAcc) bool {
	ab, al := a.rounded()
	bb, bl := b.rounded()
	if c := ab.Cmp(bb); c != 0 {
		return c > 0
	}
	if c := al.Cmp(bl); c != 0 {
		return c > 0
	}
	return a.key.project < b.key.project
}

// rounded returns the statement's billed and list totals under the one
// rounding rule: each line rounded to cents, then summed.
func (a *stmtAcc) rounded() (billed, list decimal.Decimal) {
	for _, l := range a.lines {
		billed = billed.Add(money.Cents(l.bil).Decimal)
		list = list.Add(money.Cents(l.list).Decimal)
	}
	return billed, list
}

// Statements returns the statements, ordered by PI e-mail, then project.
func (b *Builder) Statements() ([]statement.Statement, error) {
	if b.err != nil {
		return nil, b.err
	}
	b.placeLoose()
	keys := make([]stmtKey, 0, len(b.accs))
	for k := range b.accs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].pi != keys[j].pi {
			return keys[i].pi < keys[j].pi
		}
		return keys[i].project < keys[j].project
	})
	end, _ := periodEnd(b.period.Period)
	out := make([]statement.Statement, 0, len(keys))
	ids := map[string]bool{}
	for _, k := range keys {
		st := b.statement(b.accs[k], end)
		st.StatementID = uniqueID(b.period.Period, k, b.opts.By == ByProject, ids)
		out = append(out, st)
	}
	return out, nil
}

func (b *Builder) statement(a *stmtAcc, periodLast time.Time) statement.Statement {
	st := statement.Statement{
		Period:      b.period.Period,
		Status:      statement.StatusDraft,
		Currency:    a.currency,
		PI:          statement.Person{Email: a.key.pi, Name: a.name},
		Lines:       make([]statement.Line, 0, len(a.lines)),
		Adjustments: make([]statement.Adjustment, 0, len(a.adjs)),
	}
	if st.Currency == "" {
		st.Currency = statement.DefaultCurrency
	}
	if b.period.State == ledger.StateFinalized {
		st.Status = statement.StatusFinal
		if !b.period.FinalizedAt.IsZero() {
			st.FinalizedAt = b.period.FinalizedAt.UTC().Format(time.RFC3339)
		}
	}
	for k, l := range a.lines {
		list, billed := money.Cents(l.list), money.Cents(l.bil)
		ln := statement.Line{
			Source: k.source, Service: k.service, ProjectID: k.project, FundOrg: k.fund,
			Unit: k.unit, ListCost: list, BilledCost: billed, Discount: billed.Sub(list),
			ServiceCategory: l.category, CostCenter: k.costCenter, AccountCode: k.account,
			Ref1: k.ref1, Ref2: k.ref2, Charges: l.n, BilledCostExact: statement.ExactString(l.bil),
			Description: k.desc,
			// Only a draft can have charges waiting: finalize refuses while
			// review items are pending; the check keeps a final statement
			// free of the mark whatever the reader says.
			UnderReview: l.pending && st.Status == statement.StatusDraft,
		}
		if !l.qty.IsZero() || k.unit != "" {
			ln.Quantity = l.qty.String()
		}
		st.Lines = append(st.Lines, ln)
	}
	sort.Slice(st.Lines, func(i, j int) bool { return lineLess(&st.Lines[i], &st.Lines[j]) })

	t := statement.Totals{ListCost: money.Zero, Discount: money.Zero, BilledCost: money.Zero, Adjustments: money.Zero}
	for i := range st.Lines {
		t.ListCost = t.ListCost.Add(st.Lines[i].ListCost)
		t.BilledCost = t.BilledCost.Add(st.Lines[i].BilledCost)
		t.Discount = t.Discount.Add(st.Lines[i].Discount)
	}
	sort.SliceStable(a.adjs, func(i, j int) bool { return a.adjs[i].ID < a.adjs[j].ID })
	for _, adj := range a.adjs {
		m := money.Cents(adj.Amount)
		st.Adjustments = append(st.Adjustments, statement.Adjustment{Amount: m, Reason: adj.Reason, ID: adj.ID,
			FundOrg: adj.FundOrg, ProjectID: adj.ProjectID, Ref: adj.Ref})
		t.Adjustments = t.Adjustments.Add(m)
	}
	t.AmountDue = t.BilledCost.Add(t.Adjustments) // negative = a credit to the fund, never clamped
	st.Totals = t

	st.FundOrg = shared(st.Lines, func(l *statement.Line) string { return l.FundOrg })
	st.ProjectID = shared(st.Lines, func(l *statement.Line) string { return l.ProjectID })
	if len(st.Lines) == 0 {
		// Only adjustments: each names its fund and maybe project, so the
		// statement says what it is for (not "Fund/org —").
		st.FundOrg = sharedAdjustment(st.Adjustments, func(a *statement.Adjustment) string { return a.FundOrg })
		st.ProjectID = sharedAdjustment(st.Adjustments, func(a *statement.Adjustment) string { return a.ProjectID })
		if b.opts.By == ByProject {
			st.ProjectID = a.key.project
		}
	}
	st.Notes = endNotes(a.ends, periodLast)
	for _, id := range a.placed {
		st.Notes = append(st.Notes, fmt.Sprintf(PlacedNote, id))
	}
	return st
}

func lineLess(a, b *statement.Line) bool {
	ka := [...]string{a.ProjectID, a.Source, a.Service, a.FundOrg, a.Unit, a.AccountCode, a.CostCenter, a.Ref1, a.Ref2, a.Description}
	kb := [...]string{b.ProjectID, b.Source, b.Service, b.FundOrg, b.Unit, b.AccountCode, b.CostCenter, b.Ref1, b.Ref2, b.Description}
	for i := range ka {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
	}
	return false
}

// shared returns the value every line has, or "" when they differ or there
// are no lines.
// sharedAdjustment is the value every adjustment has, or "".
func sharedAdjustment(adjs []statement.Adjustment, f func(*statement.Adjustment) string) string {
	if len(adjs) == 0 {
		return ""
	}
	v := f(&adjs[0])
	for i := range adjs[1:] {
		if f(&adjs[i+1]) != v {
			return ""
		}
	}
	return v
}

func shared(lines []statement.Line, f func(*statement.Line) string) string {
	if len(lines) == 0 {
		return ""
	}
	v := f(&lines[0])
	for i := range lines[1:] {
		if f(&lines[i+1]) != v {
			return ""
		}
	}
	return v
}

// periodEnd returns the last day of a YYYY-MM period (midnight UTC).
func periodEnd(period string) (time.Time, error) {
	t, err := time.Parse("2006-01", period)
	if err != nil || len(period) != 7 {
		return time.Time{}, fmt.Errorf("period %q: want YYYY-MM", period)
	}
	return t.AddDate(0, 1, -1), nil
}

var roleLabel = map[string]string{"end_date": "end date", "reconciliation_end": "reconciliation end"}

// endNotes warns about projects whose end date or reconciliation end has
// passed by the period's last day or falls within NoteWindow after it.
func endNotes(ends map[string]map[string]string, last time.Time) []string {
	var notes []string
	projects := make([]string, 0, len(ends))
	for p := range ends {
		projects = append(projects, p)
	}
	sort.Strings(projects)
	for _, p := range projects {
		name := p
		if name == "" {
			name = "(no project)"
		}
		for _, role := range []string{"end_date", "reconciliation_end"} {
			ds, ok := ends[p][role]
			if !ok {
				continue
			}
			d, err := time.Parse("2006-01-02", ds)
			if err != nil {
				notes = append(notes, fmt.Sprintf("Project %s: %s %q is not a date (YYYY-MM-DD); please check it.", name, roleLabel[role], ds))
				continue
			}
			switch {
			case !d.After(last):
				notes = append(notes, fmt.Sprintf("Project %s: %s %s has passed.", name, roleLabel[role], ds))
			case !d.After(last.Add(NoteWindow)):
				days := int(d.Sub(last).Hours() / 24)
				notes = append(notes, fmt.Sprintf("Project %s: %s %s is %d days after the end of this period.", name, roleLabel[role], ds, days))
			}
		}
	}
	return notes
}

// StatementID returns the stable id of a PI's (and, by project, a
// project's) statement for a period: the period and eight decimal digits of
// a SHA-256 of the PI e-mail (and project). A hash, not a sequence number,
// so the id does not change when other PIs appear in a later import.
func StatementID(period, piEmail, project string, byProject bool) string {
	return hashID(period, piEmail, project, byProject, 0)
}

func hashID(period, pi, project string, byProject bool, salt int) string {
	h := sha256.New()
	h.Write([]byte(strings.ToLower(pi)))
	if byProject {
		h.Write([]byte{0})
		h.Write([]byte(project))
	}
	if salt > 0 {
		fmt.Fprintf(h, "\x00%d", salt)
	}
	var sum [sha256.Size]byte
	n := binary.BigEndian.Uint64(h.Sum(sum[:0])[:8]) % 100_000_000
	return fmt.Sprintf("%s-%08d", period, n)
}

// uniqueID resolves the (about one in ten million for 60 PIs) case of two
// statements hashing alike: keys are visited in sorted order and the later
// one is re-hashed with a salt, so the result is still deterministic.
func uniqueID(period string, k stmtKey, byProject bool, seen map[string]bool) string {
	for salt := 0; ; salt++ {
		id := hashID(period, k.pi, k.project, byProject, salt)
		if !seen[id] {
			seen[id] = true
			return id
		}
	}
}
