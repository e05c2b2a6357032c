// Command storage-to-focus turns storage quota/usage reports (Isilon,
// Qumulo and similar, collected daily by cron) into FOCUS rows: TB-months per
// quota directory and month, prorated by day, priced by path prefix, with
// the PI's tags from a group mapping.
//
//	storage-to-focus --period 2025-01 --rates rates.csv --groups groups.csv usage-2025-01.csv > storage.csv
//	focus-validate --strict --strict-profile=false storage.csv > /dev/null
//
// See docs/export-guides/storage.md.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/examples/export/internal/exportkit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exportkit.Main("storage-to-focus", parseFlags, export, args, stdin, stdout, stderr)
}

const usageText = `usage: storage-to-focus --period YYYY-MM --rates FILE --groups FILE [flags] [REPORT.csv...]

Reads usage reports (CSV: snapshot_date,path,group,used_bytes; stdin when no
file is given) and writes one FOCUS row per quota directory and owner group
for the month: TB-months = sum over the days of the month of that day's TB,
divided by the days in the month. A day without a report of its own uses the
latest report before it; a directory missing from a report had no usage
that day.

Example:
  storage-to-focus --period 2025-01 --rates rates.csv --groups groups.csv \
    /var/log/quota/2025-01-*.csv | focus-validate --strict --strict-profile=false > storage-2025-01.csv

Flags:
`

type options struct {
	exportkit.Common
	rates    string
	groups   string
	unit     string
	bytesPer decimal.Decimal
	backfill bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := exportkit.NewFlags("storage-to-focus", usageText, stderr, "billing month `YYYY-MM` (required)", "storage", "Research storage")
	rates := fs.String("rates", "", "rate table `CSV`: path_prefix,service_name,list_rate,billed_rate (per unit-month; required)")
	groups := fs.String("groups", "", "group mapping `CSV`: group,pi_email,pi_name,project_id,fund_org,... (required)")
	unit := fs.String("unit", "TB", "capacity `unit`: TB (10^12 bytes) or TiB (2^40 bytes)")
	backfill := fs.Bool("backfill", false, "charge the days before the month's first report at that report (for monthly reports)")
	if err := fs.Parse(args, "rates", "groups"); err != nil {
		return nil, err
	}
	o := &options{rates: *rates, groups: *groups, backfill: *backfill}
	var err error
	o.Common, err = fs.Common(func() error {
		switch *unit {
		case "TB":
			o.unit, o.bytesPer = "TB", decimal.New(1, 12)
		case "TiB":
			o.unit, o.bytesPer = "TiB", decimal.New(1<<40, 0)
		default:
			return fmt.Errorf("--unit %q: want TB or TiB", *unit)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

type tier struct {
	prefix, service string
	list, billed    decimal.Decimal
}

func readRates(path string) ([]tier, error) {
	t, err := exportkit.ReadTable(path, nil, "path_prefix", "service_name", "list_rate", "billed_rate")
	if err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	var tiers []tier
	seen := map[string]bool{}
	for _, r := range t.Rows {
		tr := tier{prefix: strings.TrimSuffix(r.Cells["path_prefix"], "/"), service: r.Cells["service_name"]}
		if tr.prefix == "" || tr.service == "" {
			return nil, exportkit.Dataf("%s:%d: path_prefix and service_name must not be empty", t.File, r.Line)
		}
		if seen[tr.prefix] {
			return nil, exportkit.Dataf("%s:%d: path_prefix %q is listed twice", t.File, r.Line, tr.prefix)
		}
		seen[tr.prefix] = true
		if tr.list, err = exportkit.ParseRate(t.File, r.Line, "list_rate", r.Cells["list_rate"]); err != nil {
			return nil, err
		}
		if tr.billed, err = exportkit.ParseRate(t.File, r.Line, "billed_rate", r.Cells["billed_rate"]); err != nil {
			return nil, err
		}
		tiers = append(tiers, tr)
	}
	// Longest prefix first, so /ifs/projects/scratch can be priced apart
	// from /ifs/projects.
	sort.Slice(tiers, func(i, j int) bool { return len(tiers[i].prefix) > len(tiers[j].prefix) })
	return tiers, nil
}

// tierOf finds the tier of a path: the longest prefix that matches whole
// path components (/ifs/proj does not match /ifs/projects).
func tierOf(tiers []tier, path string) (tier, bool) {
	for _, t := range tiers {
		if path == t.prefix || strings.HasPrefix(path, t.prefix+"/") {
			return t, true
		}
	}
	return tier{}, false
}

// dirKey is one output row: a quota directory and the group that owned it.
type dirKey struct{ path, group string }

type sample struct {
	bytes int64
	line  string // file:line, for diagnostics
}

func export(o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	tiers, err := readRates(o.rates)
	if err != nil {
		return err
	}
	mapping, err := exportkit.ReadMapping(o.groups)
	if err != nil {
		return err
	}
	// reports[day] = usage per directory in the report of that day (day 0 =
	// the 1st of the month).
	days := o.Period.Days()
	reports := make([]map[dirKey]sample, days)
	var problems []string
	outside := 0
	for _, name := range o.Files {
		t, err := exportkit.ReadTable(name, stdin, "snapshot_date", "path", "group", "used_bytes")
		if err != nil {
			if _, ok := err.(*exportkit.DataError); ok {
				return err
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, r := range t.Rows {
			at := fmt.Sprintf("%s:%d", t.File, r.Line)
			c := r.Cells
			day, err := parseDay(c["snapshot_date"])
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: snapshot_date: %v", at, err))
				continue
			}
			if day.Before(o.Period.Start) || !day.Before(o.Period.End) {
				outside++
				continue
			}
			n, err := strconv.ParseInt(c["used_bytes"], 10, 64)
			if err != nil || n < 0 {
				problems = append(problems, fmt.Sprintf("%s: used_bytes: %q is not a byte count (whole bytes, no units)", at, c["used_bytes"]))
				continue
			}
			if c["path"] == "" || c["group"] == "" {
				problems = append(problems, fmt.Sprintf("%s: path and group must not be empty", at))
				continue
			}
			if err := exportkit.CheckText(c["path"] + c["group"]); err != nil {
				problems = append(problems, fmt.Sprintf("%s: path: %v", at, err))
				continue
			}
			k := dirKey{strings.TrimSuffix(c["path"], "/"), c["group"]}
			i := int(day.Sub(o.Period.Start).Hours() / 24)
			if reports[i] == nil {
				reports[i] = map[dirKey]sample{}
			}
			if prev, dup := reports[i][k]; dup {
				// Two reports of one directory on one day: which is right
				// is a guess, so ask.
				problems = append(problems, fmt.Sprintf("%s: path: %s is reported twice on %s (also %s); keep one report a day", at, k.path, c["snapshot_date"], prev.line))
				continue
			}
			reports[i][k] = sample{bytes: n, line: at}
		}
	}
	// Each day is charged at the latest report on or before it.
	first := -1
	for i := range reports {
		if reports[i] != nil {
			first = i
			break
		}
	}
	if first < 0 && len(problems) == 0 {
		return exportkit.Dataf("no report dated in %s (%d rows outside it)", o.Period, outside)
	}
	byteDays := map[dirKey]decimal.Decimal{}
	charged := map[dirKey]int{}
	carried, uncharged := 0, 0
	current := -1
	if first >= 0 && o.backfill {
		current = first
	}
	for d := 0; d < days && first >= 0; d++ {
		if reports[d] != nil {
			current = d
		} else if current >= 0 {
			carried++
		}
		if current < 0 {
			uncharged++
			continue
		}
		for k, s := range reports[current] {
			byteDays[k] = byteDays[k].Add(decimal.New(s.bytes, 0))
			charged[k]++
		}
	}
	keys := make([]dirKey, 0, len(byteDays))
	var missing []string
	for k := range byteDays {
		keys = append(keys, k)
		if _, ok := tierOf(tiers, k.path); !ok {
			missing = append(missing, fmt.Sprintf("%s: no path_prefix matches %s", o.rates, k.path))
		}
	}
	sort.Strings(missing)
	problems = append(problems, missing...)
	if len(problems) > 0 {
		for i, p := range problems {
			if i == 50 {
				fmt.Fprintf(stderr, "... and %d more\n", len(problems)-i)
				break
			}
			fmt.Fprintln(stderr, p)
		}
		return exportkit.Dataf("%d problem(s); no rows written", len(problems))
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].group < keys[j].group
	})
	unit := o.unit + "-Months"
	divisor := o.bytesPer.Mul(decimal.New(int64(days), 0))
	unmapped := map[string]bool{}
	charges := make([]exportkit.Charge, 0, len(keys))
	for _, k := range keys {
		tr, _ := tierOf(tiers, k.path)
		tags, ok := mapping.Lookup(k.group)
		if !ok && !unmapped[k.group] {
			unmapped[k.group] = true
			fmt.Fprintf(stderr, "storage-to-focus: warning: group %q is not in %s; its rows carry no pi_email and will be flagged for review\n", k.group, o.groups)
		}
		qty := exportkit.Quantity(byteDays[k].DivRound(divisor, 12))
		charges = append(charges, exportkit.Charge{
			Category:        "Usage",
			Description:     fmt.Sprintf("%s %s, %d of %d days", tr.service, k.path, charged[k], days),
			ServiceCategory: "Storage",
			ServiceName:     tr.service,
			Consumed:        qty, Pricing: qty,
			ConsumedUnit: unit, PricingUnit: unit,
			ListRate: tr.list, BilledRate: tr.billed,
			ResourceID: k.path, ResourceName: k.path, ResourceType: "Quota Directory",
			SkuID: tr.prefix, SkuPriceID: tr.prefix,
			Tags: tags,
		})
	}
	fmt.Fprintf(stderr, "storage-to-focus: %s: %d directories; %d days carried forward from an earlier report, %d days before the first report not charged; %d rows outside the period\n",
		o.Period, len(charges), carried, uncharged, outside)
	if uncharged > 0 {
		fmt.Fprintf(stderr, "storage-to-focus: warning: the first report is dated %s; --backfill charges the %d days before it at that report\n",
			o.Period.Start.AddDate(0, 0, first).Format("2006-01-02"), uncharged)
	}
	return exportkit.Write(stdout, o.Format, o.Source, charges)
}

// parseDay reads the report date: 2025-01-31, or a timestamp whose date
// part is taken (the report's own local date is the day it describes).
func parseDay(s string) (time.Time, error) {
	if len(s) >= 10 {
		if t, err := time.ParseInLocation("2006-01-02", s[:10], time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD)", s)
}
