// Package exportkit is what the reference export scripts share: the flags
// and exit codes they have in common, the FOCUS columns they write, the
// billing period, the PI mapping file and exact decimal pricing. It is
// kept small on purpose so that a site can copy one export script and this
// file and have a working exporter.
package exportkit

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

// Exit codes, as for the focus-* tools: 1 = the input data has problems,
// 2 = usage or I/O.
const (
	ExitOK    = 0
	ExitData  = 1
	ExitUsage = 2
)

// DataError marks a problem in the input data (exit 1) as opposed to a usage
// or I/O problem (exit 2).
type DataError struct{ Err error }

func (e *DataError) Error() string { return e.Err.Error() }
func (e *DataError) Unwrap() error { return e.Err }

// Dataf returns a DataError.
func Dataf(format string, a ...any) error { return &DataError{fmt.Errorf(format, a...)} }

// ExitCode maps an error to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var de *DataError
	if errors.As(err, &de) {
		return ExitData
	}
	return ExitUsage
}

// Main runs an export script called name and returns its exit code. parse
// reads the flags (it prints -h and flag errors to stderr itself); export
// writes the rows. -h exits 0, any other error of parse is a usage error
// (exit 2), and an error of export exits as ExitCode says; both are
// printed as "name: error".
func Main[T any](name string, parse func(args []string, stderr io.Writer) (T, error), export func(o T, stdin io.Reader, stdout, stderr io.Writer) error, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parse(args, stderr)
	if err == flag.ErrHelp {
		return ExitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return ExitUsage
	}
	if err := export(o, stdin, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, name+":", err)
		return ExitCode(err)
	}
	return ExitOK
}

// Flags is an export script's flag set, with the flags every script has:
// --period, --out, --currency, --billing-account, --billing-account-name
// and --provider. A script defines its own flags on it as on any FlagSet.
type Flags struct {
	*flag.FlagSet
	period, out, currency, account, accountName, provider *string
}

// NewFlags starts the flags of the script called name. usage is printed
// before the flags' defaults (by -h, and when a required flag is missing);
// periodHelp is the help of --period; account and accountName are the
// defaults of --billing-account and --billing-account-name.
func NewFlags(name, usage string, stderr io.Writer, periodHelp, account, accountName string) *Flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	return &Flags{
		FlagSet:     fs,
		period:      fs.String("period", "", periodHelp),
		out:         fs.String("out", "csv", "output `format`: csv or ndjson"),
		currency:    fs.String("currency", "USD", "BillingCurrency"),
		account:     fs.String("billing-account", account, "BillingAccountId: the service centre's account"),
		accountName: fs.String("billing-account-name", accountName, "BillingAccountName"),
		provider:    fs.String("provider", "Research Computing", "ProviderName, PublisherName and InvoiceIssuerName"),
	}
}

// Parse parses args and checks that --period and the flags named in
// required (without the dashes) are given; when one is not, it prints the
// usage and returns an error naming them all.
func (f *Flags) Parse(args []string, required ...string) error {
	if err := f.FlagSet.Parse(args); err != nil {
		return err
	}
	names := []string{"--period"}
	missing := *f.period == ""
	for _, r := range required {
		names = append(names, "--"+r)
		missing = missing || f.Lookup(r).Value.String() == ""
	}
	if missing {
		f.Usage()
		return fmt.Errorf("%s and %s are required", strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
	}
	return nil
}

// Common is what the flags every script has give, and its input files.
type Common struct {
	Period Period
	Format focus.Format
	Source Source
	Files  []string // the arguments; "-" (stdin) when there are none
}

// Common reads the shared flags after Parse. check, when not nil, checks
// the script's own flags after --period is read and before --out, so that
// of several bad flags the first in that order is the one reported.
func (f *Flags) Common(check func() error) (Common, error) {
	var c Common
	var err error
	if c.Period, err = ParsePeriod(*f.period); err != nil {
		return c, err
	}
	if check != nil {
		if err := check(); err != nil {
			return c, err
		}
	}
	if c.Format, err = focus.ParseFormat(*f.out); err != nil {
		return c, fmt.Errorf("--out: %w", err)
	}
	c.Source = Source{
		BillingAccountID: *f.account, BillingAccountName: *f.accountName,
		Currency: *f.currency, Provider: *f.provider, Period: c.Period,
	}
	c.Files = f.Args()
	if len(c.Files) == 0 {
		c.Files = []string{"-"}
	}
	return c, nil
}

// Columns are the FOCUS 1.0 columns every reference script writes: all the
// spec-mandatory ones plus the conditional ones a chargeback uses, in the
// same (alphabetical) order as the bundled sample exports.
var Columns = []string{
	"BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
	"BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
	"ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
	"ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice",
	"EffectiveCost", "InvoiceIssuerName", "ListCost", "ListUnitPrice",
	"PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName",
	"PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName",
	"ResourceType", "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId",
	"SubAccountId", "SubAccountName", "Tags",
}

// TimeFormat is the FOCUS date/time format: UTC, ISO 8601, seconds, Z.
const TimeFormat = "2006-01-02T15:04:05Z"

// Period is one billing month in UTC, end exclusive.
type Period struct {
	Start, End time.Time
}

// ParsePeriod reads YYYY-MM.
func ParsePeriod(s string) (Period, error) {
	t, err := time.ParseInLocation("2006-01", s, time.UTC)
	if err != nil {
		return Period{}, fmt.Errorf("period %q: want YYYY-MM", s)
	}
	return Period{Start: t, End: t.AddDate(0, 1, 0)}, nil
}

// Days is the number of days in the month.
func (p Period) Days() int { return int(p.End.Sub(p.Start).Hours() / 24) }

// Hours is the number of hours in the month.
func (p Period) Hours() int { return int(p.End.Sub(p.Start).Hours()) }

// String is YYYY-MM.
func (p Period) String() string { return p.Start.Format("2006-01") }

// Mapping maps a source's own key (Slurm account, storage group, VM project)
// to the Tags of its PI.
type Mapping struct {
	Tags map[string]map[string]string
}

// ReadMapping reads a CSV whose first column is the key and whose other
// columns are tag keys (pi_email, pi_name, project_id, fund_org, ...). Empty
// cells leave the tag out. A key listed twice is an error: which line wins
// would otherwise be a guess.
func ReadMapping(path string) (*Mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	defer f.Close()
	r, err := focus.NewReader(f, path)
	if err != nil {
		return nil, fmt.Errorf("mapping: %w", err)
	}
	h := r.Header()
	if len(h) < 2 {
		return nil, Dataf("%s: want a key column and at least one tag column (e.g. account,pi_email,fund_org)", path)
	}
	m := &Mapping{Tags: map[string]map[string]string{}}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &DataError{fmt.Errorf("mapping: %w", err)}
		}
		key := strings.TrimSpace(row.Values[0])
		if key == "" {
			return nil, Dataf("%s:%d: %s: empty key", path, row.Line, h[0])
		}
		if err := CheckText(key); err != nil {
			return nil, Dataf("%s:%d: %s: %v", path, row.Line, h[0], err)
		}
		if _, dup := m.Tags[key]; dup {
			return nil, Dataf("%s:%d: %s: %q is listed twice", path, row.Line, h[0], key)
		}
		tags := map[string]string{}
		for i := 1; i < len(h); i++ {
			v := strings.TrimSpace(row.Values[i])
			if err := CheckText(v); err != nil {
				return nil, Dataf("%s:%d: %s: %v", path, row.Line, h[i], err)
			}
			if v != "" {
				tags[h[i]] = v
			}
		}
		m.Tags[key] = tags
	}
	return m, nil
}

// Lookup returns the tags for key, and whether the key is mapped.
func (m *Mapping) Lookup(key string) (map[string]string, bool) {
	t, ok := m.Tags[key]
	return t, ok
}

// TagsJSON writes tags as a JSON object with sorted keys, without the HTML
// escaping encoding/json does by default (these are not HTML).
func TagsJSON(tags map[string]string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if tags == nil {
		tags = map[string]string{}
	}
	enc.Encode(tags) // a map of strings always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// Charge is one output row before it is written.
type Charge struct {
	Category string // Usage or Credit
	// Frequency is the ChargeFrequency; empty means Usage-Based for usage
	// and One-Time otherwise. A monthly seat is Recurring.
	Frequency       string
	Description     string
	ServiceCategory string // Compute, Storage, ...
	ServiceName     string
	// Consumed is what was used, in ConsumedUnit; Pricing is what is priced,
	// in PricingUnit (e.g. core-hours × partition weight).
	Consumed, Pricing         decimal.Decimal
	ConsumedUnit, PricingUnit string
	// ListRate and BilledRate are per PricingUnit. The costs are their exact
	// products with Pricing, so ListUnitPrice × PricingQuantity = ListCost
	// holds to the last digit, as FOCUS requires.
	ListRate, BilledRate decimal.Decimal
	// Amount is the (negative) amount of a Credit row, which has no
	// quantity or unit price: FOCUS then wants ListCost = BilledCost.
	Amount                 decimal.Decimal
	ResourceID             string
	ResourceName           string
	ResourceType           string
	SkuID, SkuPriceID      string
	SubAccountID, SubName  string
	Tags                   map[string]string
	ChargeStart, ChargeEnd time.Time // zero = the billing period
}

// Source is what every row of one export shares.
type Source struct {
	BillingAccountID   string
	BillingAccountName string
	Currency           string
	Provider           string // ProviderName, PublisherName, InvoiceIssuerName
	Period             Period
}

// Values renders one charge as a row aligned with Columns.
func (s Source) Values(c Charge) []string {
	start, end := c.ChargeStart, c.ChargeEnd
	if start.IsZero() {
		start, end = s.Period.Start, s.Period.End
	}
	list := c.ListRate.Mul(c.Pricing)
	billed := c.BilledRate.Mul(c.Pricing)
	usage := c.Category == "Usage"
	opt := func(v string) string { // columns FOCUS nulls on non-usage rows
		if usage {
			return v
		}
		return ""
	}
	freq := c.Frequency
	if freq == "" && usage {
		freq = "Usage-Based"
	} else if freq == "" {
		freq = "One-Time"
	}
	pricingCat := "Standard"
	if c.BilledRate.LessThan(c.ListRate) {
		pricingCat = "Other" // a subsidized (institutional) rate
	}
	if !usage {
		list, billed = c.Amount, c.Amount
	}
	return []string{
		billed.String(), s.BillingAccountID, s.BillingAccountName, s.Currency,
		s.Period.End.Format(TimeFormat), s.Period.Start.Format(TimeFormat), c.Category, "",
		c.Description, freq, end.Format(TimeFormat), start.Format(TimeFormat),
		opt(c.Consumed.String()), opt(c.ConsumedUnit), billed.String(), opt(c.BilledRate.String()),
		billed.String(), s.Provider, list.String(), opt(c.ListRate.String()),
		opt(pricingCat), opt(c.Pricing.String()), opt(c.PricingUnit), s.Provider,
		s.Provider, "", "", c.ResourceID, c.ResourceName,
		c.ResourceType, c.ServiceCategory, c.ServiceName, opt(c.SkuID), opt(c.SkuPriceID),
		c.SubAccountID, c.SubName, TagsJSON(c.Tags),
	}
}

// Write writes charges in the order given, as CSV or NDJSON.
func Write(w io.Writer, format focus.Format, s Source, charges []Charge) error {
	fw := focus.NewWriter(w, format)
	if err := fw.WriteHeader(Columns); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	for _, c := range charges {
		if err := fw.Write(s.Values(c)); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	if err := fw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// ParseRate reads a non-negative decimal rate from a rate table cell.
func ParseRate(file string, line int, column, cell string) (decimal.Decimal, error) {
	d, err := decimal.NewFromString(strings.TrimSpace(cell))
	if err != nil {
		return d, Dataf("%s:%d: %s: %q is not a decimal number", file, line, column, cell)
	}
	if d.IsNegative() {
		return d, Dataf("%s:%d: %s: rate %s is negative (give credits as credit rows, not negative rates)", file, line, column, cell)
	}
	return d, nil
}

// Table reads a small CSV (rate table, inventory) into rows of named cells,
// checking that the required columns are there.
type Table struct {
	File   string
	Header []string
	Rows   []TableRow
}

// TableRow is one row of a Table.
type TableRow struct {
	Line  int
	Cells map[string]string
}

// ReadTable reads a CSV file ("-" = r) with a header. Header names are
// matched case-insensitively and trimmed, so "Used Bytes" and "used_bytes"
// are not the same column but "pi_email " and "PI_EMAIL" are.
func ReadTable(path string, stdin io.Reader, required ...string) (*Table, error) {
	var in io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	r, err := focus.NewReader(in, path)
	if err != nil {
		return nil, &DataError{err}
	}
	t := &Table{File: r.Name()}
	for _, h := range r.Header() {
		t.Header = append(t.Header, strings.ToLower(strings.TrimSpace(h)))
	}
	have := map[string]bool{}
	for _, h := range t.Header {
		have[h] = true
	}
	var missing []string
	for _, c := range required {
		if !have[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, Dataf("%s:1: missing column(s) %s (have %s)", t.File, strings.Join(missing, ", "), strings.Join(t.Header, ","))
	}
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, &DataError{err}
		}
		cells := make(map[string]string, len(t.Header))
		for i, h := range t.Header {
			cells[h] = strings.TrimSpace(row.Values[i])
		}
		t.Rows = append(t.Rows, TableRow{Line: row.Line, Cells: cells})
	}
	return t, nil
}

// Quantity rounds a derived quantity (hours from seconds, TB-months from
// bytes and days) to six decimal places, half away from zero. Quantities
// derived by division do not terminate (1 second = 0.000277… hours); the
// costs are then computed exactly from the rounded quantity, so every
// printed product checks out.
func Quantity(d decimal.Decimal) decimal.Decimal { return d.Round(6) }

// CheckText refuses control characters (NUL, CR, LF, ESC, DEL …) in a name
// that becomes a FOCUS string and, later, part of statements, file names
// and mail: they are never part of a real account, path or VM name, and
// they break the tools downstream in ways that are hard to see.
func CheckText(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("%q contains control character 0x%02x", s, c)
		}
	}
	return nil
}

// ParseBilled reads a billed rate: a decimal rate, or a percentage of the
// list rate ("50%": the institution pays half). A percentage of an exact
// decimal is exact, so the billed unit price still multiplies out to the
// billed cost to the last digit. A billed rate above the list rate is
// refused: the difference is shown to PIs as a discount, never a markup.
func ParseBilled(file string, line int, column, cell string, list decimal.Decimal) (decimal.Decimal, error) {
	cell = strings.TrimSpace(cell)
	if pct, ok := strings.CutSuffix(cell, "%"); ok {
		p, err := decimal.NewFromString(strings.TrimSpace(pct))
		if err != nil || p.IsNegative() || p.GreaterThan(decimal.New(100, 0)) {
			return decimal.Decimal{}, Dataf("%s:%d: %s: %q is not a percentage from 0%% to 100%%", file, line, column, cell)
		}
		return list.Mul(p).Shift(-2), nil
	}
	d, err := ParseRate(file, line, column, cell)
	if err != nil {
		return d, err
	}
	if d.GreaterThan(list) {
		return d, Dataf("%s:%d: %s: %s is above the list rate %s", file, line, column, cell, list)
	}
	return d, nil
}

// LineCol turns a byte offset in data into a 1-based line and column, for
// messages about JSON input (the decoder reports offsets only).
func LineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	line, col = 1, 1
	for _, b := range data[:offset] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
