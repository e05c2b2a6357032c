// Command vm-to-focus turns a monthly inventory of local virtual machines
// (VMware vCenter, Azure Local / Hyper-V, Proxmox, OpenStack) into FOCUS
// rows: one per VM and size for the month, in hours powered on, priced by
// the smallest size in the rate table that fits the VM's vCPUs and memory.
//
//	vm-to-focus --period 2025-01 --sizes sizes.csv --projects projects.csv inventory-2025-01.csv > vms.csv
//	focus-validate --strict --strict-profile=false vms.csv > /dev/null
//
// See docs/export-guides/vm.md.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/examples/export/internal/exportkit"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return exportkit.Main("vm-to-focus", parseFlags, export, args, stdin, stdout, stderr)
}

const usageText = `usage: vm-to-focus --period YYYY-MM --sizes FILE --projects FILE [flags] [INVENTORY.csv...]

Reads a monthly VM inventory (CSV: vm_name,project,vcpus,memory_gb,power_on_hours
and optionally vm_id; stdin when no file is given) and writes one FOCUS row
per VM and size: hours powered on, priced at the hourly rate of the smallest
size that has at least the VM's vCPUs and memory.

Example:
  vm-to-focus --period 2025-01 --sizes sizes.csv --projects projects.csv \
    inventory-2025-01.csv | focus-validate --strict --strict-profile=false > vms-2025-01.csv

Flags:
`

type options struct {
	exportkit.Common
	sizes    string
	projects string
	service  string
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := exportkit.NewFlags("vm-to-focus", usageText, stderr, "billing month `YYYY-MM` (required)", "private-cloud", "Research private cloud")
	sizes := fs.String("sizes", "", "size table `CSV`: size,vcpus,memory_gb,list_rate,billed_rate (per hour; required)")
	projects := fs.String("projects", "", "project mapping `CSV`: project,pi_email,pi_name,project_id,fund_org,... (required)")
	service := fs.String("service", "Virtual Machines", "ServiceName of the rows")
	if err := fs.Parse(args, "sizes", "projects"); err != nil {
		return nil, err
	}
	o := &options{sizes: *sizes, projects: *projects, service: *service}
	var err error
	if o.Common, err = fs.Common(nil); err != nil {
		return nil, err
	}
	return o, nil
}

type size struct {
	name         string
	vcpus, memGB decimal.Decimal
	list, billed decimal.Decimal
}

func readSizes(path string) ([]size, error) {
	t, err := exportkit.ReadTable(path, nil, "size", "vcpus", "memory_gb", "list_rate", "billed_rate")
	if err != nil {
		return nil, fmt.Errorf("sizes: %w", err)
	}
	var sizes []size
	seen := map[string]bool{}
	for _, r := range t.Rows {
		s := size{name: r.Cells["size"]}
		if s.name == "" {
			return nil, exportkit.Dataf("%s:%d: size: empty", t.File, r.Line)
		}
		if seen[s.name] {
			return nil, exportkit.Dataf("%s:%d: size %q is listed twice", t.File, r.Line, s.name)
		}
		seen[s.name] = true
		for col, dst := range map[string]*decimal.Decimal{"vcpus": &s.vcpus, "memory_gb": &s.memGB, "list_rate": &s.list, "billed_rate": &s.billed} {
			if *dst, err = exportkit.ParseRate(t.File, r.Line, col, r.Cells[col]); err != nil {
				return nil, err
			}
		}
		sizes = append(sizes, s)
	}
	// Cheapest list rate first (then fewest vCPUs, then file order), so a
	// VM is priced at the smallest size it fits.
	sort.SliceStable(sizes, func(i, j int) bool {
		a, b := sizes[i], sizes[j]
		if !a.list.Equal(b.list) {
			return a.list.LessThan(b.list)
		}
		if !a.vcpus.Equal(b.vcpus) {
			return a.vcpus.LessThan(b.vcpus)
		}
		return a.memGB.LessThan(b.memGB)
	})
	return sizes, nil
}

func fit(sizes []size, vcpus, memGB decimal.Decimal) (size, bool) {
	for _, s := range sizes {
		if vcpus.LessThanOrEqual(s.vcpus) && memGB.LessThanOrEqual(s.memGB) {
			return s, true
		}
	}
	return size{}, false
}

type vm struct {
	id, name, project string
	size              size
	hours             decimal.Decimal
	vcpus, memGB      decimal.Decimal
	at                string
}

func export(o *options, stdin io.Reader, stdout, stderr io.Writer) error {
	sizes, err := readSizes(o.sizes)
	if err != nil {
		return err
	}
	mapping, err := exportkit.ReadMapping(o.projects)
	if err != nil {
		return err
	}
	maxHours := decimal.New(int64(o.Period.Hours()), 0)
	var vms []vm
	var problems []string
	seen := map[string]string{}
	for _, name := range o.Files {
		t, err := exportkit.ReadTable(name, stdin, "vm_name", "project", "vcpus", "memory_gb", "power_on_hours")
		if err != nil {
			if _, ok := err.(*exportkit.DataError); ok {
				return err
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, r := range t.Rows {
			at := fmt.Sprintf("%s:%d", t.File, r.Line)
			c := r.Cells
			v := vm{id: c["vm_id"], name: c["vm_name"], project: c["project"], at: at}
			if v.id == "" {
				v.id = v.name
			}
			if v.name == "" || v.project == "" {
				problems = append(problems, at+": vm_name and project must not be empty")
				continue
			}
			if err := exportkit.CheckText(v.id + v.name + v.project); err != nil {
				problems = append(problems, fmt.Sprintf("%s: vm_name: %v", at, err))
				continue
			}
			bad := false
			for col, dst := range map[string]*decimal.Decimal{"vcpus": &v.vcpus, "memory_gb": &v.memGB, "power_on_hours": &v.hours} {
				d, err := decimal.NewFromString(c[col])
				if err != nil || d.IsNegative() {
					problems = append(problems, fmt.Sprintf("%s: %s: %q is not a non-negative number", at, col, c[col]))
					bad = true
					continue
				}
				*dst = d
			}
			if bad {
				continue
			}
			if v.hours.GreaterThan(maxHours) {
				problems = append(problems, fmt.Sprintf("%s: power_on_hours: %s is more than the %s hours in %s (an inventory of another period?)", at, v.hours, maxHours, o.Period))
				continue
			}
			s, ok := fit(sizes, v.vcpus, v.memGB)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: vcpus: no size in %s fits %s vCPUs and %s GB", at, o.sizes, v.vcpus, v.memGB))
				continue
			}
			v.size = s
			// A VM resized during the month appears once per size; the same
			// VM and size twice is a duplicated inventory line.
			key := v.id + "\x00" + s.name
			if prev, dup := seen[key]; dup {
				problems = append(problems, fmt.Sprintf("%s: vm_name: %s (%s) is listed twice at size %s (also %s)", at, v.name, v.id, s.name, prev))
				continue
			}
			seen[key] = at
			vms = append(vms, v)
		}
	}
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
	sort.SliceStable(vms, func(i, j int) bool {
		if vms[i].project != vms[j].project {
			return vms[i].project < vms[j].project
		}
		if vms[i].name != vms[j].name {
			return vms[i].name < vms[j].name
		}
		return vms[i].size.name < vms[j].size.name
	})
	unmapped := map[string]bool{}
	charges := make([]exportkit.Charge, 0, len(vms))
	for _, v := range vms {
		tags, ok := mapping.Lookup(v.project)
		if !ok && !unmapped[v.project] {
			unmapped[v.project] = true
			fmt.Fprintf(stderr, "vm-to-focus: warning: project %q is not in %s; its rows carry no pi_email and will be flagged for review\n", v.project, o.projects)
		}
		charges = append(charges, exportkit.Charge{
			Category:        "Usage",
			Description:     fmt.Sprintf("VM %s, size %s (%s vCPU, %s GB)", v.name, v.size.name, v.vcpus, v.memGB),
			ServiceCategory: "Compute",
			ServiceName:     o.service,
			Consumed:        v.hours, Pricing: v.hours,
			ConsumedUnit: "Hours", PricingUnit: "Hours",
			ListRate: v.size.list, BilledRate: v.size.billed,
			ResourceID: v.id, ResourceName: v.name, ResourceType: "Virtual Machine",
			SkuID: v.size.name, SkuPriceID: v.size.name,
			Tags: tags,
		})
	}
	fmt.Fprintf(stderr, "vm-to-focus: %s: %d VM rows\n", o.Period, len(charges))
	return exportkit.Write(stdout, o.Format, o.Source, charges)
}
