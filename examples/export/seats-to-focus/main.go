// Command seats-to-focus turns assignments of per-seat, per-month services
// (a campus AI assistant licence, MATLAB or other software seats,
// GPU-workstation bookings) into FOCUS rows: one per user and seat type for
// the month, prorated by the days the seat was held, priced from a price
// list per seat-month, with the subsidy shown as the discount and the PI's
// tags from an account mapping.
//
//	seats-to-focus --period 2025-01 --prices prices.csv --accounts accounts.csv assignments.csv > seats.csv
//	focus-validate --strict --strict-profile=false seats.csv > /dev/null
//
// See docs/export-guides/seats.md.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/examples/export/internal/exportkit"
	"github.com/openchargeback/ocb/lib/focus"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exportkit.Main("seats-to-focus", parseFlags, export, args, stdin, stdout, stderr)
}

const usageText = `usage: seats-to-focus --period YYYY-MM --prices FILE --accounts FILE [flags] [ASSIGNMENTS.csv...]

Reads seat assignments (CSV: user,account,seat_type,start_date,end_date; stdin
when no file is given) and writes one FOCUS row per user and seat type for the
month: Seat-Months prorated by day (start and end dates inclusive, an empty
end_date = still assigned), priced at the seat type's monthly list and billed
prices.

Example:
  seats-to-focus --period 2025-01 --prices prices.csv --accounts accounts.csv \
    assignments.csv | focus-validate --strict --strict-profile=false > seats-2025-01.csv

Flags:
`

type options struct {
	exportkit.Common
	prices   string
	accounts string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := exportkit.NewFlags("seats-to-focus", usageText, stderr, "billing month `YYYY-MM` (required)", "licences", "Software and seat licences")
	prices := fs.String("prices", "", "price list `CSV`: seat_type,service_name,service_category,list_price,billed_price (per seat-month; required)")
	accounts := fs.String("accounts", "", "account mapping `CSV`: account,pi_email,pi_name,project_id,fund_org,... (required)")
	if err := fs.Parse(args, "prices", "accounts"); err != nil {
		return nil, err
	}
	o := &options{prices: *prices, accounts: *accounts}
	var err error
	if o.Common, err = fs.Common(nil); err != nil {
		return nil, err
	}
	return o, nil
}

// price is one seat type of the price list, per seat-month.
type price struct {
	service, category string
	list, billed      decimal.Decimal
}

func readPrices(path string) (map[string]price, error) {
	t, err := exportkit.ReadTable(path, nil, "seat_type", "service_name", "service_category", "list_price", "billed_price")
	if err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	col, _ := focus.AnyColumn("ServiceCategory")
	categories := map[string]bool{}
	for _, c := range col.Enum {
		categories[c] = true
	}
	prices := map[string]price{}
	serviceCat := map[string]string{} // FOCUS: one ServiceName, one ServiceCategory
	for _, r := range t.Rows {
		seat := r.Cells["seat_type"]
		if seat == "" {
			return nil, exportkit.Dataf("%s:%d: seat_type: empty", t.File, r.Line)
		}
		if err := exportkit.CheckText(seat); err != nil {
			return nil, exportkit.Dataf("%s:%d: seat_type: %v", t.File, r.Line, err)
		}
		if _, dup := prices[seat]; dup {
			return nil, exportkit.Dataf("%s:%d: seat_type %q is listed twice", t.File, r.Line, seat)
		}
		p := price{service: r.Cells["service_name"], category: r.Cells["service_category"]}
		if p.service == "" {
			return nil, exportkit.Dataf("%s:%d: service_name: empty", t.File, r.Line)
		}
		if !categories[p.category] {
			return nil, exportkit.Dataf("%s:%d: service_category: %q is not a FOCUS ServiceCategory (e.g. AI and Machine Learning, Business Applications, Compute, Developer Tools, Other)", t.File, r.Line, p.category)
		}
		if c, ok := serviceCat[p.service]; ok && c != p.category {
			return nil, exportkit.Dataf("%s:%d: service_category: %s is %q on an earlier line; FOCUS gives a ServiceName one ServiceCategory", t.File, r.Line, p.service, c)
		}
		serviceCat[p.service] = p.category
		if p.list, err = exportkit.ParseRate(t.File, r.Line, "list_price", r.Cells["list_price"]); err != nil {
			return nil, err
		}
		if p.billed, err = exportkit.ParseBilled(t.File, r.Line, "billed_price", r.Cells["billed_price"], p.list); err != nil {
			return nil, err
		}
		prices[seat] = p
	}
	return prices, nil
}

// seatKey is what one output row aggregates over.
type seatKey struct{ account, user, seat string }

// held is one user's days with one seat type in the month.
type held struct {
	days       map[int]string // day of the month (0-based) → where it was assigned
	start, end time.Time      // first day held, day after the last
}

func export(o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	prices, err := readPrices(o.prices)
	if err != nil {
		return err
	}
	mapping, err := exportkit.ReadMapping(o.accounts)
	if err != nil {
		return err
	}
	seats := map[seatKey]*held{}
	var problems []string
	read, outside := 0, 0
	for _, name := range o.Files {
		t, err := exportkit.ReadTable(name, stdin, "user", "account", "seat_type", "start_date", "end_date")
		if err != nil {
			return fmt.Errorf("assignments: %w", err)
		}
		for _, r := range t.Rows {
			read++
			bad := func(column, format string, a ...any) {
				problems = append(problems, fmt.Sprintf("%s:%d: %s: %s", t.File, r.Line, column, fmt.Sprintf(format, a...)))
			}
			k := seatKey{r.Cells["account"], r.Cells["user"], r.Cells["seat_type"]}
			if k.user == "" {
				bad("user", "empty")
				continue
			}
			if k.account == "" {
				bad("account", "empty; every seat must be charged to an account")
				continue
			}
			if err := exportkit.CheckText(k.user + k.account); err != nil {
				bad("user", "%v", err)
				continue
			}
			if _, ok := prices[k.seat]; !ok {
				bad("seat_type", "%q is not in %s", k.seat, o.prices)
				continue
			}
			// Dates are calendar days, inclusive at both ends: a seat
			// assigned on the 10th and removed on the 12th is held 3 days.
			start, err := time.ParseInLocation("2006-01-02", r.Cells["start_date"], time.UTC)
			if err != nil {
				bad("start_date", "%q is not YYYY-MM-DD", r.Cells["start_date"])
				continue
			}
			end := o.Period.End // still assigned: to the month end
			if s := r.Cells["end_date"]; s != "" {
				e, err := time.ParseInLocation("2006-01-02", s, time.UTC)
				if err != nil {
					bad("end_date", "%q is not YYYY-MM-DD (empty: still assigned)", s)
					continue
				}
				if e.Before(start) {
					bad("end_date", "%s is before start_date %s", s, r.Cells["start_date"])
					continue
				}
				end = e.AddDate(0, 0, 1)
			}
			if start.Before(o.Period.Start) {
				start = o.Period.Start
			}
			if end.After(o.Period.End) {
				end = o.Period.End
			}
			if !end.After(start) {
				outside++
				continue
			}
			h := seats[k]
			if h == nil {
				h = &held{days: map[int]string{}, start: start, end: end}
				seats[k] = h
			}
			// A day held twice is two lines for the same seat: a mistake
			// in the assignments (or a seat given twice), never merged.
			where := fmt.Sprintf("%s:%d", t.File, r.Line)
			clash := ""
			for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
				i := int(d.Sub(o.Period.Start).Hours() / 24)
				if first, dup := h.days[i]; dup && clash == "" {
					clash = fmt.Sprintf("%s holds %s on %s already (%s)", k.user, k.seat, d.Format("2006-01-02"), first)
				}
				h.days[i] = where
			}
			if clash != "" {
				bad("start_date", "%s", clash)
				continue
			}
			if start.Before(h.start) {
				h.start = start
			}
			if end.After(h.end) {
				h.end = end
			}
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return exportkit.Dataf("%d problem(s); no rows written", len(problems))
	}
	keys := make([]seatKey, 0, len(seats))
	for k := range seats {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.account != b.account {
			return a.account < b.account
		}
		if a.user != b.user {
			return a.user < b.user
		}
		return a.seat < b.seat
	})
	unmapped := map[string]bool{}
	days := decimal.New(int64(o.Period.Days()), 0)
	charges := make([]exportkit.Charge, 0, len(keys))
	for _, k := range keys {
		h, p := seats[k], prices[k.seat]
		tags, ok := mapping.Lookup(k.account)
		if !ok && !unmapped[k.account] {
			unmapped[k.account] = true
			fmt.Fprintf(stderr, "seats-to-focus: warning: account %q is not in %s; its rows carry no pi_email and will be flagged for review\n", k.account, o.accounts)
		}
		n := len(h.days)
		// Days ÷ days in the month does not terminate (17/31); the
		// quantity is rounded once and the costs are its exact products.
		qty := exportkit.Quantity(decimal.New(int64(n), 0).Div(days))
		desc := fmt.Sprintf("%s seat, %s", k.seat, k.user)
		if n < o.Period.Days() {
			desc += fmt.Sprintf(", %d of %d days", n, o.Period.Days())
		}
		charges = append(charges, exportkit.Charge{
			Category:        "Usage",
			Frequency:       "Recurring",
			Description:     desc,
			ServiceCategory: p.category,
			ServiceName:     p.service,
			Consumed:        qty,
			Pricing:         qty,
			ConsumedUnit:    "Seat-Months",
			PricingUnit:     "Seat-Months",
			ListRate:        p.list,
			BilledRate:      p.billed,
			ResourceID:      k.user,
			ResourceName:    k.user,
			ResourceType:    "Seat",
			SkuID:           k.seat,
			SkuPriceID:      k.seat,
			SubAccountID:    k.account,
			SubName:         k.account,
			Tags:            tags,
			ChargeStart:     h.start,
			ChargeEnd:       h.end,
		})
	}
	fmt.Fprintf(stderr, "seats-to-focus: %s: %d assignments read, %d outside the period, %d rows\n", o.Period, read, outside, len(charges))
	return exportkit.Write(stdout, o.Format, o.Source, charges)
}
