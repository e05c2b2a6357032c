// Package validate checks FOCUS charge rows against the chargeback profile
// (what OpenChargeback needs to bill a row) and the FOCUS specification
// (1.0–1.4), normalising the deviations real exports carry in tolerant mode.
//
// A Schema is built once per header; Checker.Check then validates a row in
// place with precomputed column indices and hand-written syntax checks, so
// a row costs no allocation unless it needs rewriting or has a problem.
package validate

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/tagkeys"
)

// Severities of a Diagnostic.
const (
	Error   = "error"
	Warning = "warning"
)

// Rule names (the [rule] of a diagnostic). Documented in docs/decisions-validate.md.
const (
	RuleCSV               = "csv-syntax"
	RuleEmpty             = "empty-input"
	RuleEncoding          = "encoding"
	RuleHeader            = "header"
	RuleHeaderMismatch    = "header-mismatch"
	RuleFieldCount        = "field-count"
	RuleNeededColumn      = "chargeback-columns"
	RuleBillingPeriod     = "chargeback-billing-period"
	RulePIEmail           = "chargeback-pi-email"
	RuleCurrencyDefault   = "chargeback-currency"
	RuleSpecMandatory     = "spec-mandatory-columns"
	RuleUnknownColumn     = "unknown-column"
	RuleColumnCase        = "column-case"
	RuleColumnVersion     = "column-version"
	RuleNUL               = "nul-byte"
	RuleNullLiteral       = "null-literal"
	RuleNotNull           = "not-null"
	RuleNumeric           = "numeric-format"
	RuleNonNegative       = "non-negative"
	RuleDateTime          = "datetime-format"
	RuleDateOnly          = "date-only"
	RuleEnum              = "enum-value"
	RuleEnumCase          = "enum-case"
	RuleCurrency          = "currency-format"
	RuleKeyValue          = "key-value-format"
	RuleChargeOrder       = "charge-period-order"
	RuleBillingOrder      = "billing-period-order"
	RuleOutsideBilling    = "charge-outside-billing-period"
	RuleInclusiveBilling  = "inclusive-billing-period-end"
	RuleInclusiveCharge   = "inclusive-charge-period-end"
	RulePeriodMismatch    = "period-mismatch"
	RuleCostSign          = "cost-sign"
	RuleFrequencyPurchase = "charge-frequency"
	RuleSubcategory       = "service-subcategory"
	RuleJSONObject        = "json-object-format"
	RuleJSONSchema        = "json-object-schema"
	RuleColumnDeprecated  = "column-deprecated"
	RuleColumnRemoved     = "column-removed"
	RuleDataset           = "dataset"
	RuleNotText           = "not-text"
)

// Diagnostic is one problem, GNU style: FILE:LINE: Column: message [rule].
type Diagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   string `json:"column"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(d.Line))
	}
	b.WriteString(": ")
	if d.Column != "" {
		b.WriteString(d.Column)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(d.Message)
	if d.Rule != "" {
		b.WriteString(" [")
		b.WriteString(d.Rule)
		b.WriteByte(']')
	}
	return b.String()
}

// Options select the checks.
type Options struct {
	Spec          string // "auto" (or "") or a version: "1.0" … "1.4"
	Dataset       string // "" or "auto" (Cost and Usage; another dataset is refused), or a dataset name to validate (focus.ParseDataset)
	Strict        bool   // full FOCUS conformance: every deviation is an error
	StrictProfile bool   // a missing pi_email tag is an error (the CLI's --strict sets it unless --strict-profile=false)
	Period        string // YYYY-MM: the billing period when rows carry none (and the one they must carry)
	Currency      string // billing currency when there is no BillingCurrency column (default USD)
	Keys          tagkeys.Keys
}

type colKind uint8

const (
	kPass colKind = iota // x_ or unknown column: only the NUL check
	kString
	kDecimal
	kDateTime
	kEnum
	kCurrency
	kKeyValue
	kJSON       // any JSON (not used by a FOCUS 1.0–1.4 column; kept for other datasets)
	kJSONObject // JSON Object Format (1.3+): AllocatedMethodDetails, ContractApplied, CommitmentProgramEligibilityDetails
)

// Slots for the cross-field checks.
const (
	slotNone = iota
	slotBilled
	slotEffective
	slotContracted
	slotList
	slotBPS
	slotBPE
	slotCPS
	slotCPE
	numSlots
)

// setScalarKind sets the check of a currency, enum, decimal or date-time
// column and reports whether c is one (the other kinds are the caller's).
func (cc *colCheck) setScalarKind(c *focus.Column) bool {
	switch {
	case c.Currency && c.ID == "BillingCurrency":
		cc.kind = kCurrency
	case len(c.Enum) > 0:
		cc.kind = kEnum
		cc.enum = c.Enum
		cc.enumSet = make(map[string]struct{}, len(c.Enum))
		for _, e := range c.Enum {
			cc.enumSet[e] = struct{}{}
		}
	case c.Type == focus.Decimal:
		cc.kind = kDecimal
	case c.Type == focus.DateTime:
		cc.kind = kDateTime
	default:
		return false
	}
	return true
}

type colCheck struct {
	name     string
	kind     colKind
	nullable bool
	needed   bool // a null is an error in default mode too
	nonneg   bool
	tags     bool // the Tags column: look up the PI e-mail key
	slot     uint8
	enum     []string
	enumSet  map[string]struct{}
	shape    *objectShape // kJSONObject: the column's schema
}

// Schema is the per-header part of validation.
type Schema struct {
	File    string
	Header  []string
	Version focus.Version
	Dataset focus.Dataset
	opts    Options
	cols    []colCheck
	idx     [numSlots]int // column index per slot, -1 when absent
	iTags   int
	iFreq   int
	iCat    int
	iSvcCat int
	iSvcSub int
	// From --period: used when the rows carry no billing period.
	periodSet              bool
	periodStart, periodEnd int64
	// Fatal is the header problem that makes every row invalid ("" = none).
	Fatal string
	// HeaderErrors counts header diagnostics of severity error (exit 1).
	HeaderErrors int
}

// profileNeeded are the columns whose nulls are errors in default mode: a
// chargeback cannot be computed or dated without them.
var profileNeeded = map[string]bool{
	"BilledCost": true, "ServiceName": true, "BillingPeriodStart": true, "BillingPeriodEnd": true,
	"ChargePeriodStart": true, "ChargePeriodEnd": true, "BillingCurrency": true,
}

// NewSchema analyses a header. The diagnostics are header-level (Line is
// the header line); Schema.Fatal is set when no row can be billed.
func NewSchema(file string, headerLine int, header []string, opts Options) (*Schema, []Diagnostic, error) {
	s := &Schema{File: file, Header: header, opts: opts, iTags: -1, iFreq: -1, iCat: -1, iSvcCat: -1, iSvcSub: -1}
	for i := range s.idx {
		s.idx[i] = -1
	}
	if opts.Keys.PIEmail == "" {
		opts.Keys = tagkeys.Default()
		s.opts.Keys = opts.Keys
	}
	if opts.Currency == "" {
		s.opts.Currency = "USD"
	}
	if opts.Spec == "" || opts.Spec == "auto" {
		s.Version = focus.DetectVersion(header)
	} else {
		v, err := focus.ParseVersion(opts.Spec)
		if err != nil {
			return nil, nil, err
		}
		s.Version = v
	}
	ds, refuse, err := CheckDataset(header, opts)
	if err != nil {
		return nil, nil, err
	}
	s.Dataset = ds
	if ds != focus.CostAndUsage {
		return newDatasetSchema(s, file, headerLine, header, refuse)
	}
	if opts.Period != "" {
		start, err := ParsePeriod(opts.Period)
		if err != nil {
			return nil, nil, err
		}
		s.periodSet = true
		s.periodStart, s.periodEnd = monthBounds(start)
	}
	var diags []Diagnostic
	add := func(col, sev, rule, msg string) {
		if sev == Error {
			s.HeaderErrors++
		}
		diags = append(diags, Diagnostic{File: file, Line: headerLine, Column: col, Severity: sev, Rule: rule, Message: msg})
	}
	strictSev := Warning
	if opts.Strict {
		strictSev = Error
	}
	present := make(map[string]bool, len(header))
	s.cols = make([]colCheck, len(header))
	for i, name := range header {
		present[name] = true
		cc := colCheck{name: name}
		if strings.HasPrefix(name, "x_") {
			s.cols[i] = cc
			continue
		}
		c, ok := focus.LookupColumn(s.Version, name)
		if ok && c.Deprecated != 0 && s.Version >= c.Deprecated {
			add(name, Warning, RuleColumnDeprecated, fmt.Sprintf("deprecated in FOCUS %s; use %s (it is removed in a later version)", c.Deprecated, c.ReplacedBy))
		}
		if !ok {
			if sug, ok := focus.SuggestColumn(name); ok {
				add(name, strictSev, RuleColumnCase, fmt.Sprintf("unknown column; did you mean `%s`? (FOCUS column names are case-sensitive)", sug))
			} else if ac, ok := focus.AnyColumn(name); ok && ac.Removed != 0 && s.Version >= ac.Removed {
				msg := fmt.Sprintf("removed in FOCUS %s", ac.Removed)
				if ac.Deprecated != 0 {
					msg += fmt.Sprintf(" (deprecated in %s)", ac.Deprecated)
				}
				if ac.ReplacedBy != "" {
					msg += "; use " + ac.ReplacedBy
				}
				add(name, strictSev, RuleColumnRemoved, msg+"; checked as FOCUS "+(ac.Removed-1).String())
				c = ac
			} else if ok {
				first := ac.FirstVersion()
				add(name, strictSev, RuleColumnVersion, fmt.Sprintf("not a FOCUS %s column (introduced in %s; use --spec %s); checked as FOCUS %s", s.Version, first, first, first))
				c = ac
			} else {
				add(name, strictSev, RuleUnknownColumn, fmt.Sprintf("not a FOCUS %s column; custom columns must start with x_ (passed through unchecked)", s.Version))
			}
		}
		if c != nil {
			cc.nullable = c.Nullable
			cc.needed = profileNeeded[name]
			cc.nonneg = c.NonNegative
			switch {
			case cc.setScalarKind(c):
			case c.Type == focus.JSON && c.Format == focus.FormatJSONObject && c.Schema != "":
				cc.kind = kJSONObject
				sh, err := shapeFor(c.Schema)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", name, err)
				}
				cc.shape = sh
			case c.Type == focus.JSON:
				cc.kind = kKeyValue
			default:
				cc.kind = kString
			}
			slot := map[string]uint8{"BilledCost": slotBilled, "EffectiveCost": slotEffective,
				"ContractedCost": slotContracted, "ListCost": slotList, "BillingPeriodStart": slotBPS,
				"BillingPeriodEnd": slotBPE, "ChargePeriodStart": slotCPS, "ChargePeriodEnd": slotCPE}[name]
			cc.slot = slot
			if slot != slotNone {
				s.idx[slot] = i
			}
			switch name {
			case "Tags":
				cc.tags = true
				s.iTags = i
			case "ChargeFrequency":
				s.iFreq = i
			case "ChargeCategory":
				s.iCat = i
			case "ServiceCategory":
				s.iSvcCat = i
			case "ServiceSubcategory":
				s.iSvcSub = i
			}
		}
		s.cols[i] = cc
	}
	// The chargeback profile.
	var missing []string
	for _, n := range []string{"BilledCost", "ServiceName", "Tags"} {
		if !present[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("missing column(s) a chargeback needs: %s", strings.Join(missing, ", "))
		add(missing[0], Error, RuleNeededColumn, msg)
		s.Fatal = msg + " [" + RuleNeededColumn + "]"
	}
	if !present["BillingPeriodStart"] && !s.periodSet {
		msg := "no billing period: the input has no BillingPeriodStart column; give --period YYYY-MM"
		add("BillingPeriodStart", Error, RuleBillingPeriod, msg)
		if s.Fatal == "" {
			s.Fatal = msg + " [" + RuleBillingPeriod + "]"
		}
	}
	if !present["BillingCurrency"] {
		add("BillingCurrency", Warning, RuleCurrencyDefault, fmt.Sprintf("no BillingCurrency column: every row is billed in --currency %s", s.opts.Currency))
	}
	// Spec-mandatory columns.
	var mand []string
	for _, c := range focus.Columns(s.Version) {
		if c.Levels[s.Version] == focus.Mandatory && !present[c.ID] {
			mand = append(mand, c.ID)
		}
	}
	if len(mand) > 0 {
		add("", strictSev, RuleSpecMandatory, fmt.Sprintf("%d FOCUS %s mandatory column(s) missing: %s", len(mand), s.Version, strings.Join(mand, ", ")))
	}
	return s, diags, nil
}

// ParsePeriod reads YYYY-MM and returns its first instant (Unix seconds).
func ParsePeriod(p string) (int64, error) {
	if len(p) != 7 || p[4] != '-' {
		return 0, fmt.Errorf("--period %q: want YYYY-MM", p)
	}
	t, form, why := parseDateTime(p + "-01")
	if why != "" || form != dtDateOnly {
		return 0, fmt.Errorf("--period %q: want YYYY-MM", p)
	}
	return t, nil
}

// Checker validates rows of one Schema. It is not safe for concurrent use.
type Checker struct {
	s    *Schema
	line int
	// Errs are the error diagnostics of the last row (reused).
	Errs []Diagnostic
	// Warns are the warning diagnostics of the last row (reused).
	Warns []Diagnostic
	// Changed reports that the last row was rewritten (normalised).
	Changed bool
	// NoNUL tells Check that the caller has seen the row's bytes and they
	// have no NUL (one scan of the record instead of one per cell).
	NoNUL bool
	// TagValues are the values of the keys given to WantTags in the last
	// row's Tags cell, as focus.ParseTags reads them ("" when absent), set
	// when Check returns true: the one scan of the cell that checks it
	// also extracts what focus-load bills by.
	TagValues []string
	tagKeys   []string // the PI e-mail key, then WantTags' keys
	tagVals   []string // their values (TagValues is tagVals[1:])
	kv        kvKeys   // scanKV's keys, for every row
	undo      []undo

	warnCount map[warnKey]int
	warnOrder []warnKey
	dtCache   []dtCached // per column: the last normalised date-time
	dtParsed  []dtParsed // per column: the last parsed date-time
}

type dtParsed struct {
	v    string
	t    int64
	form dtForm
}

type dtCached struct {
	t int64
	s string
}

// set rewrites a value (normalisation), remembering the original so that a
// rejected row can be written out as it was read (Restore).
func (c *Checker) set(vals []string, i int, v string) {
	c.undo = append(c.undo, undo{i, vals[i]})
	vals[i] = v
	c.Changed = true
}

type undo struct {
	i int
	v string
}

// Restore puts back the values the last Check rewrote.
func (c *Checker) Restore(vals []string) {
	for k := len(c.undo) - 1; k >= 0; k-- {
		vals[c.undo[k].i] = c.undo[k].v
	}
	c.undo = c.undo[:0]
}

// NewChecker returns a Checker for s.
func (s *Schema) NewChecker() *Checker {
	c := &Checker{s: s, warnCount: map[warnKey]int{}, dtCache: make([]dtCached, len(s.cols)), dtParsed: make([]dtParsed, len(s.cols))}
	c.WantTags(nil)
	return c
}

// WantTags asks Check for the values of keys in each row's Tags cell
// (TagValues).
func (c *Checker) WantTags(keys []string) {
	c.tagKeys = append([]string{c.s.opts.Keys.PIEmail}, keys...)
	c.tagVals = make([]string, len(c.tagKeys))
	c.TagValues = c.tagVals[1:]
}

func (c *Checker) errf(col, rule, msg string) {
	c.Errs = append(c.Errs, Diagnostic{File: c.s.File, Line: c.line, Column: col, Severity: Error, Rule: rule, Message: msg})
}

func (c *Checker) warnf(col, rule, msg string) {
	c.Warns = append(c.Warns, Diagnostic{File: c.s.File, Line: c.line, Column: col, Severity: Warning, Rule: rule, Message: msg})
}

// firstWarn counts a warning and reports whether it is the first of its
// column and rule in this file: only then is its message built (a whole
// file of date-only values would otherwise format millions of messages
// that the runner does not print).
func (c *Checker) firstWarn(col, rule string) bool {
	k := warnKey{col, rule}
	n := c.warnCount[k]
	c.warnCount[k] = n + 1
	if n == 0 {
		c.warnOrder = append(c.warnOrder, k)
	}
	return n == 0
}

// report says whether to build a deviation's diagnostic: always when it is
// an error (--strict), else for the first warning of its kind.
func (c *Checker) report(col, rule string) bool {
	return c.s.opts.Strict || c.firstWarn(col, rule)
}

// WarningCounts returns, in first-seen order, each warning kind of the file
// so far with the number of rows it occurred on.
func (c *Checker) WarningCounts() ([]warnKey, map[warnKey]int) { return c.warnOrder, c.warnCount }

// deviation reports a real-export deviation: a warning in default mode
// (the caller normalises), an error with --strict.
func (c *Checker) deviation(col, rule, msg string) {
	if c.s.opts.Strict {
		c.errf(col, rule, msg)
	} else {
		c.warnf(col, rule, msg)
	}
}

// quote shows a cell value in a message: Go-quoted (control characters
// escaped, so a value cannot forge a diagnostic line) and cut to 60 bytes.
func quote(v string) string {
	if len(v) > 60 {
		return strconv.Quote(v[:60]) + "…"
	}
	return strconv.Quote(v)
}

// Check validates one row in place: in default mode deviations are rewritten
// in vals (normalised). It returns true when the row has no error; the
// row's diagnostics are in c.Errs and c.Warns until the next call.
func (c *Checker) Check(line int, vals []string) bool {
	c.line = line
	c.Errs = c.Errs[:0]
	c.Warns = c.Warns[:0]
	c.Changed = false
	c.undo = c.undo[:0]
	clear(c.tagVals)
	s := c.s
	strict := s.opts.Strict
	var times [numSlots]int64
	var have [numSlots]bool
	var dateOnly [numSlots]bool
	var sign [numSlots]int8
	var orig [numSlots]string
	piFound := false
	for i := range s.cols {
		cc := &s.cols[i]
		v := vals[i]
		if !c.NoNUL && strings.IndexByte(v, 0) >= 0 {
			c.errf(cc.name, RuleNUL, "contains a NUL byte")
			continue
		}
		if cc.kind == kPass {
			continue
		}
		if len(v) == 4 && (v == "NULL" || v == "null") {
			if c.report(cc.name, RuleNullLiteral) {
				c.deviation(cc.name, RuleNullLiteral, "literal "+v+" read as null (FOCUS nulls are empty)")
			}
			if !strict {
				c.set(vals, i, "")
			}
			v = ""
		}
		if v == "" {
			if !cc.nullable {
				if cc.needed || strict {
					c.errf(cc.name, RuleNotNull, "must not be null")
				} else {
					if c.firstWarn(cc.name, RuleNotNull) {
						c.warnf(cc.name, RuleNotNull, "must not be null (FOCUS); not needed for a chargeback")
					}
				}
			}
			continue
		}
		switch cc.kind {
		case kDecimal:
			r, why := scanDecimal(v)
			if why != "" {
				c.errf(cc.name, RuleNumeric, quote(v)+" "+why)
				continue
			}
			if r.plus {
				if c.report(cc.name, RuleNumeric) {
					c.deviation(cc.name, RuleNumeric, quote(v)+" has a '+' sign (FOCUS Numeric Format: '-' only, no '+' in the exponent)")
				}
				if !strict {
					c.set(vals, i, stripPlus(v))
				}
			}
			if r.neg && r.nonzero && cc.nonneg {
				c.errf(cc.name, RuleNonNegative, quote(v)+" is negative; a unit price must not be")
			}
			if cc.slot != slotNone && r.nonzero {
				if r.neg {
					sign[cc.slot] = -1
				} else {
					sign[cc.slot] = 1
				}
			}
		case kDateTime:
			// Exports repeat the same period bounds on every row: one
			// comparison instead of a parse.
			pc := &c.dtParsed[i]
			var t int64
			var form dtForm
			var why string
			if pc.v != "" && pc.v == v {
				t, form = pc.t, pc.form
			} else if t, form, why = parseDateTime(v); why == "" {
				pc.v, pc.t, pc.form = v, t, form
			}
			if why != "" {
				c.errf(cc.name, RuleDateTime, quote(v)+" "+why)
				continue
			}
			switch form {
			case dtDateOnly:
				if c.report(cc.name, RuleDateOnly) {
					c.deviation(cc.name, RuleDateOnly, quote(v)+" is a date without a time; read as midnight UTC")
				}
			case dtLoose:
				if c.report(cc.name, RuleDateTime) {
					c.deviation(cc.name, RuleDateTime, quote(v)+" is not YYYY-MM-DDTHH:MM:SSZ; read as UTC")
				}
			}
			if form != dtExact && !strict {
				// Exports repeat the same few period bounds on every row.
				if dc := &c.dtCache[i]; dc.s == "" || dc.t != t {
					dc.t, dc.s = t, formatDateTime(t)
				}
				c.set(vals, i, c.dtCache[i].s)
			}
			if cc.slot != slotNone {
				times[cc.slot], have[cc.slot], dateOnly[cc.slot], orig[cc.slot] = t, true, form == dtDateOnly, v
			}
		case kEnum:
			if _, ok := cc.enumSet[v]; ok {
				continue
			}
			canon := ""
			for _, e := range cc.enum {
				if strings.EqualFold(e, v) {
					canon = e
					break
				}
			}
			if canon != "" {
				if c.report(cc.name, RuleEnumCase) {
					c.deviation(cc.name, RuleEnumCase, quote(v)+" has the wrong case; the FOCUS value is "+quote(canon))
				}
				if !strict {
					c.set(vals, i, canon)
				}
				continue
			}
			msg := quote(v) + " is not an allowed value"
			if sug := suggest(v, cc.enum); sug != "" {
				msg += "; did you mean " + quote(sug) + "?"
			} else if len(cc.enum) <= 6 {
				msg += " (allowed: " + strings.Join(cc.enum, ", ") + ")"
			}
			c.errf(cc.name, RuleEnum, msg)
		case kCurrency:
			if isISO4217(v) {
				continue
			}
			if up := strings.ToUpper(v); isISO4217(up) {
				if c.report(cc.name, RuleCurrency) {
					c.deviation(cc.name, RuleCurrency, quote(v)+" is not upper case; the ISO 4217 code is "+quote(up))
				}
				if !strict {
					c.set(vals, i, up)
				}
				continue
			}
			c.errf(cc.name, RuleCurrency, quote(v)+" is not an ISO 4217 currency code")
		case kKeyValue:
			var why string
			if cc.tags {
				why = c.kv.scan(v, c.tagKeys, c.tagVals)
			} else {
				why = c.kv.scan(v, nil, nil)
			}
			if why != "" {
				c.errf(cc.name, RuleKeyValue, why)
				if cc.tags {
					piFound = true // reported already; no second diagnostic
				}
				continue
			}
			if cc.tags && strings.TrimSpace(c.tagVals[0]) != "" {
				piFound = true
			}
		case kJSON:
			if !jsonValid(v) {
				c.errf(cc.name, RuleKeyValue, "is not valid JSON")
			}
		case kJSONObject:
			if why := scanObjectShape(v, cc.shape); why != "" {
				c.errf(cc.name, RuleJSONObject, why)
			} else if strict {
				if why := cc.shape.schema.validateJSON(v); why != "" {
					c.errf(cc.name, RuleJSONSchema, why+" (FOCUS JSON schema)")
				}
			}
		}
	}
	if s.iTags >= 0 && !piFound {
		const why = " tag: nobody to bill (focus-flag marks it; an admin assigns the PI in review)"
		if s.opts.StrictProfile {
			c.errf("Tags", RulePIEmail, "no "+s.opts.Keys.PIEmail+why)
		} else if c.firstWarn("Tags", RulePIEmail) {
			c.warnf("Tags", RulePIEmail, "no "+s.opts.Keys.PIEmail+why)
		}
	}
	c.crossChecks(vals, &times, &have, &dateOnly, &sign, &orig)
	return len(c.Errs) == 0
}

func (c *Checker) crossChecks(vals []string, times *[numSlots]int64, have, dateOnly *[numSlots]bool, sign *[numSlots]int8, orig *[numSlots]string) {
	s := c.s
	strict := s.opts.Strict
	// Billing period.
	inclusive := false
	if have[slotBPS] && have[slotBPE] {
		bps, bpe := times[slotBPS], times[slotBPE]
		ms, me := monthBounds(bps)
		if dateOnly[slotBPE] && bps == ms && bpe == me-86400 {
			inclusive = true
			if c.report("BillingPeriodEnd", RuleInclusiveBilling) {
				c.deviation("BillingPeriodEnd", RuleInclusiveBilling, fmt.Sprintf("%s is the last day of the month, an inclusive end; FOCUS ends are exclusive: read as %s",
					quote(orig[slotBPE]), formatDateTime(me)))
			}
			if !strict {
				c.set(vals, s.idx[slotBPE], formatDateTime(me))
			}
			times[slotBPE] = me
		}
		if times[slotBPE] <= bps {
			c.errf("BillingPeriodEnd", RuleBillingOrder, "BillingPeriodEnd is not after BillingPeriodStart")
		}
	}
	bps, bpe, haveBP := times[slotBPS], times[slotBPE], have[slotBPS] && have[slotBPE]
	if s.periodSet {
		if have[slotBPS] && bps != s.periodStart {
			c.errf("BillingPeriodStart", RulePeriodMismatch, fmt.Sprintf("%s is not in --period %s", quote(orig[slotBPS]), s.opts.Period))
		}
		if s.idx[slotBPS] < 0 {
			bps, bpe, haveBP = s.periodStart, s.periodEnd, true
		}
	}
	// Charge period.
	if inclusive && have[slotCPE] && dateOnly[slotCPE] && (!have[slotCPS] || times[slotCPE] >= times[slotCPS]) {
		old := orig[slotCPE]
		times[slotCPE] += 86400
		if c.report("ChargePeriodEnd", RuleInclusiveCharge) {
			c.deviation("ChargePeriodEnd", RuleInclusiveCharge, fmt.Sprintf("%s read as inclusive like BillingPeriodEnd: exclusive end %s", quote(old), formatDateTime(times[slotCPE])))
		}
		if !strict {
			c.set(vals, s.idx[slotCPE], formatDateTime(times[slotCPE]))
		}
	}
	if have[slotCPS] && have[slotCPE] && times[slotCPS] >= times[slotCPE] {
		c.errf("ChargePeriodStart", RuleChargeOrder, fmt.Sprintf("ChargePeriodStart %s is not before ChargePeriodEnd %s (the end is exclusive)",
			formatDateTime(times[slotCPS]), formatDateTime(times[slotCPE])))
	}
	if haveBP {
		if have[slotCPS] && (times[slotCPS] < bps || times[slotCPS] >= bpe) {
			c.errf("ChargePeriodStart", RuleOutsideBilling, fmt.Sprintf("%s is outside the billing period %s – %s",
				formatDateTime(times[slotCPS]), formatDateTime(bps), formatDateTime(bpe)))
		}
		if have[slotCPE] && (times[slotCPE] <= bps || times[slotCPE] > bpe) {
			c.errf("ChargePeriodEnd", RuleOutsideBilling, fmt.Sprintf("%s is outside the billing period %s – %s",
				formatDateTime(times[slotCPE]), formatDateTime(bps), formatDateTime(bpe)))
		}
	}
	// Costs in one row must not disagree in sign.
	if b := sign[slotBilled]; b != 0 {
		for _, slot := range [...]int{slotEffective, slotContracted, slotList} {
			if o := sign[slot]; o != 0 && o != b {
				name := s.cols[s.idx[slot]].name
				c.errf(name, RuleCostSign, fmt.Sprintf("%s and BilledCost %s disagree in sign",
					quote(vals[s.idx[slot]]), quote(vals[s.idx[slotBilled]])))
			}
		}
	}
	// A ServiceSubcategory belongs to exactly one ServiceCategory.
	if s.iSvcCat >= 0 && s.iSvcSub >= 0 && vals[s.iSvcSub] != "" && vals[s.iSvcCat] != "" {
		if p := focus.SubcategoryParent(vals[s.iSvcSub]); p != "" && p != vals[s.iSvcCat] {
			if c.report("ServiceSubcategory", RuleSubcategory) {
				c.deviation("ServiceSubcategory", RuleSubcategory, fmt.Sprintf("%s belongs to ServiceCategory %s, not %s",
					quote(vals[s.iSvcSub]), quote(p), quote(vals[s.iSvcCat])))
			}
		}
	}
	// ChargeFrequency MUST NOT be Usage-Based for a Purchase.
	if s.iFreq >= 0 && s.iCat >= 0 && vals[s.iFreq] == "Usage-Based" && vals[s.iCat] == "Purchase" {
		c.errf("ChargeFrequency", RuleFrequencyPurchase, "must not be \"Usage-Based\" when ChargeCategory is \"Purchase\"")
	}
}

// suggest returns the allowed value closest to v (edit distance, ignoring
// case), when it is close enough to be a typo.
func suggest(v string, allowed []string) string {
	best, bestD := "", 1<<30
	lv := strings.ToLower(v)
	for _, a := range allowed {
		d := EditDistance(lv, strings.ToLower(a))
		if d < bestD {
			best, bestD = a, d
		}
	}
	if bestD <= 2 || (bestD <= len(best)/3) {
		return best
	}
	return ""
}

// EditDistance is the Levenshtein distance of a and b in bytes, for "did
// you mean" suggestions (enum values here, PI e-mails in lib/ledger);
// strings over 64 bytes are never near anything.
func EditDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
