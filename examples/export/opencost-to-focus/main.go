// Command opencost-to-focus turns OpenCost's allocation API (Kubernetes
// costs per namespace or label) into FOCUS rows: one per namespace (or
// label value) and resource kind for the month, with the quantities
// OpenCost measured, priced from the site's rates or at OpenCost's own
// costs, less the site's subsidy, and the PI's tags from an owner mapping.
//
//	curl -sfG http://opencost.opencost:9003/allocation \
//	  -d window=2025-01-01T00:00:00Z,2025-02-01T00:00:00Z \
//	  -d aggregate=namespace -d accumulate=true -d includeIdle=true \
//	  > allocation-2025-01.json
//	opencost-to-focus --period 2025-01 --rates rates.csv --owners owners.csv allocation-2025-01.json > k8s.csv
//	focus-validate --strict --strict-profile=false k8s.csv > /dev/null
//
// See docs/export-guides/kubernetes.md.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/examples/export/internal/exportkit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exportkit.Main("opencost-to-focus", parseFlags, export, args, stdin, stdout, stderr)
}

const usageText = `usage: opencost-to-focus --period YYYY-MM --rates FILE --owners FILE [flags] [ALLOCATION.json...]

Reads OpenCost /allocation responses (JSON; stdin when no file is given) for
the month and writes one FOCUS row per namespace (or label value) and resource
kind: cpu, gpu, ram, pv, and the cost-only kinds network, loadbalancer,
shared and external.

Example:
  curl -sfG http://opencost.opencost:9003/allocation \
    -d window=2025-01-01T00:00:00Z,2025-02-01T00:00:00Z \
    -d aggregate=namespace -d accumulate=true -d includeIdle=true |
  opencost-to-focus --period 2025-01 --rates rates.csv --owners owners.csv |
  focus-validate --strict --strict-profile=false > k8s-2025-01.csv

Flags:
`

type options struct {
	exportkit.Common
	rates      string
	owners     string
	aggregate  string // "namespace" or "label:KEY", as in the query
	ownerLabel string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := exportkit.NewFlags("opencost-to-focus", usageText, stderr, "billing month `YYYY-MM` (UTC); every allocation's window must lie in it (required)", "k8s", "Research Kubernetes")
	rates := fs.String("rates", "", "rate table `CSV`: resource,list_rate,billed_rate (required)")
	owners := fs.String("owners", "", "owner mapping `CSV`: owner,pi_email,pi_name,project_id,fund_org,... (required)")
	aggregate := fs.String("aggregate", "namespace", "the query's `aggregate`: namespace or label:KEY")
	ownerLabel := fs.String("owner-label", "", "with aggregate=namespace: the namespace label `KEY` (as OpenCost prints it, e.g. chargeback_account) whose value is the owner; namespaces without it are their own owner")
	if err := fs.Parse(args, "rates", "owners"); err != nil {
		return nil, err
	}
	o := &options{rates: *rates, owners: *owners, aggregate: *aggregate, ownerLabel: *ownerLabel}
	if o.aggregate != "namespace" && !(strings.HasPrefix(o.aggregate, "label:") && len(o.aggregate) > len("label:")) {
		return nil, fmt.Errorf("--aggregate: %q is not namespace or label:KEY", o.aggregate)
	}
	if o.ownerLabel != "" && o.aggregate != "namespace" {
		return nil, fmt.Errorf("--owner-label goes with --aggregate namespace (with label:KEY the label value is already the owner)")
	}
	var err error
	if o.Common, err = fs.Common(nil); err != nil {
		return nil, err
	}
	return o, nil
}

// kind is one resource kind of an allocation: the fields OpenCost reports
// it in, and how it is shown.
type kind struct {
	name     string // rate table key
	quantity string // OpenCost field with the quantity, "" for cost-only kinds
	divisor  int64  // quantity ÷ divisor = ConsumedQuantity (bytes → GiB)
	unit     string // ConsumedUnit
	costs    []string
	label    string // in ChargeDescription
	storage  bool   // ServiceCategory Storage rather than Compute
}

var giB = int64(1) << 30

// kinds are in output order. Each cost field of an allocation belongs to
// exactly one kind, so that the kinds add up to totalCost (checked).
var kinds = []kind{
	{name: "cpu", quantity: "cpuCoreHours", divisor: 1, unit: "Core-Hours", costs: []string{"cpuCost", "cpuCostAdjustment"}, label: "CPU"},
	{name: "gpu", quantity: "gpuHours", divisor: 1, unit: "GPU-Hours", costs: []string{"gpuCost", "gpuCostAdjustment"}, label: "GPU"},
	{name: "ram", quantity: "ramByteHours", divisor: giB, unit: "GiB-Hours", costs: []string{"ramCost", "ramCostAdjustment"}, label: "memory"},
	{name: "pv", quantity: "pvByteHours", divisor: giB, unit: "GiB-Hours", costs: []string{"pvCost", "pvCostAdjustment"}, label: "persistent volumes", storage: true},
	{name: "network", costs: []string{"networkCost", "networkCostAdjustment"}, label: "network"},
	{name: "loadbalancer", costs: []string{"loadBalancerCost", "loadBalancerCostAdjustment"}, label: "load balancers"},
	{name: "shared", costs: []string{"sharedCost"}, label: "shared cluster services"},
	{name: "external", costs: []string{"externalCost"}, label: "external (out-of-cluster) costs"},
}

// rate is one line of the rate table. opencost: the list price is what
// OpenCost costed; billed is then a share of it.
type rate struct {
	opencost     bool
	list, billed decimal.Decimal // per unit, or when opencost: billed is the share (0..1)
}

func readRates(path string) (map[string]rate, error) {
	t, err := exportkit.ReadTable(path, nil, "resource", "list_rate", "billed_rate")
	if err != nil {
		return nil, fmt.Errorf("rates: %w", err)
	}
	known := map[string]kind{}
	for _, k := range kinds {
		known[k.name] = k
	}
	rates := map[string]rate{}
	for _, r := range t.Rows {
		name := strings.ToLower(r.Cells["resource"])
		k, ok := known[name]
		if !ok {
			return nil, exportkit.Dataf("%s:%d: resource: %q is not one of cpu, gpu, ram, pv, network, loadbalancer, shared, external", t.File, r.Line, r.Cells["resource"])
		}
		if _, dup := rates[name]; dup {
			return nil, exportkit.Dataf("%s:%d: resource %s is listed twice", t.File, r.Line, name)
		}
		var rt rate
		if strings.EqualFold(r.Cells["list_rate"], "opencost") {
			rt.opencost = true
			if !strings.HasSuffix(r.Cells["billed_rate"], "%") {
				return nil, exportkit.Dataf("%s:%d: billed_rate: %q: with list_rate opencost give the share billed as a percentage (100%% = no subsidy)", t.File, r.Line, r.Cells["billed_rate"])
			}
			if rt.billed, err = exportkit.ParseBilled(t.File, r.Line, "billed_rate", r.Cells["billed_rate"], decimal.New(1, 0)); err != nil {
				return nil, err
			}
		} else {
			if k.quantity == "" {
				return nil, exportkit.Dataf("%s:%d: list_rate: %s has no quantity to put a rate on; give opencost (OpenCost's cost) and a percentage", t.File, r.Line, name)
			}
			if rt.list, err = exportkit.ParseRate(t.File, r.Line, "list_rate", r.Cells["list_rate"]); err != nil {
				return nil, err
			}
			if rt.billed, err = exportkit.ParseBilled(t.File, r.Line, "billed_rate", r.Cells["billed_rate"], rt.list); err != nil {
				return nil, err
			}
		}
		rates[name] = rt
	}
	return rates, nil
}

// amounts are one namespace's (or label value's) sums per OpenCost field,
// over the sets of the response: exact decimals as OpenCost printed them.
type amounts struct {
	fields map[string]decimal.Decimal
	total  decimal.Decimal // Σ totalCost
	where  string          // first place it was read, for messages
	// owner is the key into the owner mapping: the namespace's
	// --owner-label value, or the allocation's own name.
	owner string
}

func export(o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	rates, err := readRates(o.rates)
	if err != nil {
		return err
	}
	mapping, err := exportkit.ReadMapping(o.owners)
	if err != nil {
		return err
	}
	owners := map[string]*amounts{}
	var problems []string
	sets := 0
	for _, name := range o.Files {
		n, err := readAllocation(o, name, stdin, owners, &problems)
		if err != nil {
			return err
		}
		sets += n
	}
	if len(owners) == 0 && len(problems) == 0 {
		// OpenCost answers a window it has no data for with empty sets:
		// a wrong window, or Prometheus not kept that long. Not a month
		// of zero usage.
		return exportkit.Dataf("no allocations in %s: check the query's window and that OpenCost has data for %s", strings.Join(o.Files, ", "), o.Period)
	}
	names := make([]string, 0, len(owners))
	for n := range owners {
		names = append(names, n)
	}
	sort.Strings(names)
	var charges []exportkit.Charge
	missing, unmapped := map[string]bool{}, map[string]bool{}
	for _, n := range names {
		a := owners[n]
		// The kinds must add up to what OpenCost says the allocation cost:
		// a cost field this script does not know (a newer OpenCost) would
		// otherwise go uncharged. OpenCost prints each figure rounded, so
		// allow a cent of rounding.
		sum := decimal.Zero
		for _, k := range kinds {
			for _, f := range k.costs {
				sum = sum.Add(a.fields[f])
			}
		}
		if sum.Sub(a.total).Abs().GreaterThan(decimal.New(1, -2)) {
			problems = append(problems, fmt.Sprintf("%s: %s: totalCost %s, but its parts add up to %s: a cost field this script does not read?", a.where, n, a.total, sum))
			continue
		}
		tags, ok := mapping.Lookup(a.owner)
		if !ok && !unmapped[a.owner] {
			unmapped[a.owner] = true
			fmt.Fprintf(stderr, "opencost-to-focus: warning: owner %q is not in %s; its rows carry no pi_email and will be flagged for review\n", a.owner, o.owners)
		}
		for _, k := range kinds {
			cost := decimal.Zero
			for _, f := range k.costs {
				cost = cost.Add(a.fields[f])
			}
			qty := decimal.Zero
			if k.quantity != "" {
				qty = exportkit.Quantity(a.fields[k.quantity].Div(decimal.New(k.divisor, 0)))
			}
			if qty.IsNegative() {
				problems = append(problems, fmt.Sprintf("%s: %s: %s %s is negative", a.where, n, k.quantity, qty))
				continue
			}
			if qty.IsZero() && cost.IsZero() {
				continue // nothing used, nothing costed: no row
			}
			rt, ok := rates[k.name]
			if !ok {
				if !missing[k.name] {
					missing[k.name] = true
					problems = append(problems, fmt.Sprintf("%s: no rate for resource %s (used by %s; add a line: a rate, or opencost and a percentage)", o.rates, k.name, n))
				}
				continue
			}
			if cost.IsNegative() {
				problems = append(problems, fmt.Sprintf("%s: %s: %s cost %s is negative (adjustments larger than the cost?)", a.where, n, k.name, cost))
				continue
			}
			c := exportkit.Charge{
				Category:     "Usage",
				ResourceID:   n,
				ResourceName: n,
				SkuID:        k.name,
				SkuPriceID:   k.name,
				Tags:         tags,
			}
			c.ServiceCategory, c.ServiceName = "Compute", "Kubernetes"
			if k.storage {
				c.ServiceCategory, c.ServiceName = "Storage", "Kubernetes Storage"
			}
			c.ResourceType = "Kubernetes Namespace"
			if o.aggregate != "namespace" {
				c.ResourceType = "Kubernetes Label " + strings.TrimPrefix(o.aggregate, "label:")
			}
			what := "namespace " + n
			if o.aggregate != "namespace" {
				what = o.aggregate + "=" + n
			}
			switch n { // OpenCost's own names
			case "__idle__":
				what = "idle capacity (__idle__)"
			case "__unallocated__":
				what = "workloads without " + strings.TrimPrefix(o.aggregate, "label:") + " (__unallocated__)"
			}
			if a.owner != n {
				c.SubAccountID, c.SubName = a.owner, a.owner
			}
			if rt.opencost {
				// OpenCost's cost is the price of the month's allocation:
				// one unit at that price keeps ListUnitPrice ×
				// PricingQuantity = ListCost exact, where a price per hour
				// (cost ÷ hours) would not terminate.
				c.Pricing, c.PricingUnit = decimal.New(1, 0), "Months"
				c.ListRate, c.BilledRate = cost, cost.Mul(rt.billed)
				c.SkuPriceID = k.name + "/opencost"
				c.Description = fmt.Sprintf("Kubernetes %s %s, as costed by OpenCost", what, k.label)
			} else {
				c.Pricing, c.PricingUnit = qty, k.unit
				c.ListRate, c.BilledRate = rt.list, rt.billed
				c.Description = fmt.Sprintf("Kubernetes %s %s", what, k.label)
			}
			if k.quantity != "" {
				c.Consumed, c.ConsumedUnit = qty, k.unit
			} else {
				c.Consumed, c.ConsumedUnit = decimal.New(1, 0), "Months"
			}
			charges = append(charges, c)
		}
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		return exportkit.Dataf("%d problem(s); no rows written", len(problems))
	}
	fmt.Fprintf(stderr, "opencost-to-focus: %s: %d allocation set(s), %d allocations, %d rows\n", o.Period, sets, len(names), len(charges))
	return exportkit.Write(stdout, o.Format, o.Source, charges)
}

// allocation is the part of an OpenCost allocation the script reads. The
// numbers stay json.Number, i.e. the digits OpenCost printed: money is
// never a float here.
type allocation struct {
	Name       string `json:"name"`
	Properties struct {
		Namespace       string            `json:"namespace"`
		NamespaceLabels map[string]string `json:"namespaceLabels"`
	} `json:"properties"`
	Window struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"window"`
}

// numeric fields read from every allocation.
func numericFields() []string {
	f := []string{"totalCost"}
	for _, k := range kinds {
		if k.quantity != "" {
			f = append(f, k.quantity)
		}
		f = append(f, k.costs...)
	}
	return f
}

// readAllocation reads one /allocation response: {"code":200,"data":[SET,
// ...]}, each SET an object of allocations keyed by name. It walks the
// tokens so that every message can name the line and column.
func readAllocation(o *options, name string, stdin io.Reader, owners map[string]*amounts, problems *[]string) (int, error) {
	display := name
	var data []byte
	var err error
	if name == "-" {
		display = "<stdin>"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return 0, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	at := func(off int64) string {
		l, c := exportkit.LineCol(data, off)
		return fmt.Sprintf("%s:%d:%d", display, l, c)
	}
	syntax := func(err error) error {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return exportkit.Dataf("%s: %v", at(se.Offset), err)
		}
		if err == io.EOF {
			return exportkit.Dataf("%s: unexpected end of input", at(int64(len(data))))
		}
		return exportkit.Dataf("%s: %v", at(dec.InputOffset()), err)
	}
	delim := func(want json.Delim, what string) error {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return syntax(err)
		}
		if d, ok := tok.(json.Delim); !ok || d != want {
			return exportkit.Dataf("%s: want %s, found %v (is this an OpenCost /allocation response?)", at(off), what, tok)
		}
		return nil
	}
	if err := delim('{', "a JSON object"); err != nil {
		return 0, err
	}
	sets, sawData := 0, false
	code := ""
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return 0, syntax(err)
		}
		key, _ := tok.(string)
		switch key {
		case "code":
			var n json.Number
			if err := dec.Decode(&n); err != nil {
				return 0, syntax(err)
			}
			code = n.String()
			if code != "200" {
				return 0, exportkit.Dataf("%s: code %s: OpenCost did not answer the query (see its message)", at(off), code)
			}
		case "data":
			sawData = true
			vo := dec.InputOffset()
			if err := delim('[', `"data": [ ... ] (one set per step)`); err != nil {
				// OpenCost answers an error with data null or a string.
				return 0, exportkit.Dataf("%s: data is not a list of allocation sets", at(vo))
			}
			for dec.More() {
				if err := delim('{', "an allocation set"); err != nil {
					return 0, err
				}
				sets++
				for dec.More() {
					tok, err := dec.Token()
					if err != nil {
						return 0, syntax(err)
					}
					key, _ := tok.(string)
					var raw json.RawMessage
					if err := dec.Decode(&raw); err != nil {
						return 0, syntax(err)
					}
					// raw is the value's bytes, so it starts len(raw)
					// before where the decoder stopped.
					voff := dec.InputOffset() - int64(len(raw))
					if msg := addAllocation(o, key, raw, at(voff), owners); msg != "" {
						*problems = append(*problems, msg)
					}
				}
				if err := delim('}', "the end of the allocation set"); err != nil {
					return 0, err
				}
			}
			if err := delim(']', "the end of data"); err != nil {
				return 0, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return 0, syntax(err)
			}
		}
	}
	if !sawData {
		return 0, exportkit.Dataf("%s: no \"data\": not an OpenCost /allocation response", at(0))
	}
	if code == "" {
		return 0, exportkit.Dataf("%s: no \"code\": not an OpenCost /allocation response", at(0))
	}
	return sets, nil
}

// addAllocation adds one allocation to its owner's sums; a non-empty
// result is a problem, prefixed with where.
func addAllocation(o *options, key string, raw json.RawMessage, where string, owners map[string]*amounts) string {
	var a allocation
	if err := json.Unmarshal(raw, &a); err != nil {
		return fmt.Sprintf("%s: %s: %v", where, key, err)
	}
	var nums map[string]json.RawMessage
	if err := json.Unmarshal(raw, &nums); err != nil {
		return fmt.Sprintf("%s: %s: %v", where, key, err)
	}
	if err := exportkit.CheckText(key); err != nil {
		return fmt.Sprintf("%s: name: %v", where, err)
	}
	// The window is the query's: it must lie inside the billing month, or
	// the month would be charged for another month's usage (a window given
	// as "month" or "30d" is relative to now, and in OpenCost's zone).
	start, err1 := time.Parse(time.RFC3339, a.Window.Start)
	end, err2 := time.Parse(time.RFC3339, a.Window.End)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("%s: %s: window %q to %q is not two RFC 3339 times", where, key, a.Window.Start, a.Window.End)
	}
	if start.Before(o.Period.Start) || end.After(o.Period.End) || !end.After(start) {
		return fmt.Sprintf("%s: %s: window %s to %s is not inside %s (query window=%s,%s)", where, key, a.Window.Start, a.Window.End, o.Period,
			o.Period.Start.Format(exportkit.TimeFormat), o.Period.End.Format(exportkit.TimeFormat))
	}
	owner := key
	if o.ownerLabel != "" {
		if v := a.Properties.NamespaceLabels[o.ownerLabel]; v != "" {
			owner = v
		}
	}
	am := owners[key]
	if am == nil {
		am = &amounts{fields: map[string]decimal.Decimal{}, where: where, owner: owner}
		owners[key] = am
	} else if am.owner != owner {
		return fmt.Sprintf("%s: %s: owner %q, but %q at %s (its %s label changed within the month: split the query at the change)", where, key, owner, am.owner, am.where, o.ownerLabel)
	}
	for _, f := range numericFields() {
		v, ok := nums[f]
		if !ok {
			continue // OpenCost leaves out fields of kinds it does not have
		}
		s := strings.TrimSpace(string(v))
		if s == "null" {
			// OpenCost writes NaN and infinities as null.
			return fmt.Sprintf("%s: %s: %s is null (OpenCost could not compute it)", where, key, f)
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			return fmt.Sprintf("%s: %s: %s: %s is not a number", where, key, f, s)
		}
		if f == "totalCost" {
			am.total = am.total.Add(d)
			continue
		}
		am.fields[f] = am.fields[f].Add(d)
	}
	return ""
}
