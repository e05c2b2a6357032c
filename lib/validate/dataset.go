package validate

import (
	"fmt"
	"strings"

	"github.com/openchargeback/ocb/lib/focus"
)

// CheckDataset tells which FOCUS dataset a header is (focus.DetectDataset)
// and whether this run reads it. With Options.Dataset unset (or "auto" or
// Cost and Usage) a file of another dataset is refused: refuse is the one
// message that says so. With Options.Dataset naming another dataset, a
// file of that dataset is read, and a Cost and Usage file is refused.
func CheckDataset(header []string, opts Options) (ds focus.Dataset, refuse string, err error) {
	ds = focus.DetectDataset(header)
	want := focus.CostAndUsage
	if opts.Dataset != "" && opts.Dataset != "auto" {
		if want, err = focus.ParseDataset(opts.Dataset); err != nil {
			return ds, "", fmt.Errorf("--dataset: %w", err)
		}
	}
	if ds == want {
		return ds, "", nil
	}
	if want == focus.CostAndUsage {
		return ds, fmt.Sprintf("this is a FOCUS %s %s dataset; chargeback reads Cost and Usage (check it with --dataset %s)",
			ds.Version(), ds, ds.Slug()), nil
	}
	return ds, fmt.Sprintf("this is not a FOCUS %s dataset (its header reads as %s)", want, ds), nil
}

// newDatasetSchema is the Schema of a file of a dataset other than Cost
// and Usage (--dataset): columns it shares with Cost and Usage are checked
// with their Cost and Usage definitions, its own columns by the format
// their names imply (…Cost → Numeric, …Start/…End/…Date/…Created/
// …LastUpdated → Date/Time, PaymentCurrency → Currency), unknown non-x_
// columns are warned about. No chargeback profile applies. When refuse is
// set, the Schema is Fatal (the runner refuses the file before reading it).
func newDatasetSchema(s *Schema, file string, headerLine int, header []string, refuse string) (*Schema, []Diagnostic, error) {
	var diags []Diagnostic
	if refuse != "" {
		s.Fatal = refuse + " [" + RuleDataset + "]"
		s.HeaderErrors++
		s.cols = make([]colCheck, len(header))
		for i, n := range header {
			s.cols[i] = colCheck{name: n}
		}
		return s, []Diagnostic{{File: file, Line: headerLine, Severity: Error, Rule: RuleDataset, Message: refuse}}, nil
	}
	sev := Warning
	if s.opts.Strict {
		sev = Error
	}
	s.Version = s.Dataset.Version()
	s.cols = make([]colCheck, len(header))
	for i, name := range header {
		cc := colCheck{name: name, nullable: true}
		switch {
		case strings.HasPrefix(name, "x_"):
		case !focus.HasDatasetColumn(s.Dataset, name):
			diags = append(diags, Diagnostic{File: file, Line: headerLine, Column: name, Severity: sev, Rule: RuleUnknownColumn,
				Message: fmt.Sprintf("not a column of the FOCUS %s dataset; custom columns must start with x_ (passed through unchecked)", s.Dataset)})
			if sev == Error {
				s.HeaderErrors++
			}
		default:
			if c, ok := focus.AnyColumn(name); ok {
				cc.nullable = c.Nullable
				if !cc.setScalarKind(c) {
					cc.kind = kString
				}
				break
			}
			switch {
			case name == "PaymentCurrency":
				cc.kind = kCurrency
			case strings.HasSuffix(name, "Cost") || strings.HasSuffix(name, "Quantity") || strings.HasSuffix(name, "Percentage"):
				cc.kind = kDecimal
			case strings.HasSuffix(name, "Start") || strings.HasSuffix(name, "End") || strings.HasSuffix(name, "Date") ||
				strings.HasSuffix(name, "Created") || strings.HasSuffix(name, "LastUpdated"):
				cc.kind = kDateTime
			default:
				cc.kind = kString
			}
		}
		s.cols[i] = cc
	}
	return s, diags, nil
}
