package main

import (
	"strings"
	"testing"

	"github.com/openchargeback/ocb/examples/export/internal/exporttest"
)

const dir = "../../../testdata/export/vm"

var runVM = exporttest.Runner(run)

func bundled(extra ...string) []string {
	return append([]string{"--period", "2025-01", "--sizes", dir + "/sizes.csv", "--projects", dir + "/projects.csv"}, extra...)
}

func TestBundledInput(t *testing.T) {
	tot, stderr := exporttest.Bundled(t, run, dir+"/expected-2025-01.csv", bundled(dir+"/inventory-2025-01.csv")...)
	if tot.Rows != 7 {
		t.Errorf("%d rows, want 7 (one per VM and size, powered-off VMs kept at $0)", tot.Rows)
	}
	idx := tot.Index()
	// VM → size it fits, hours and list cost, worked by hand.
	want := map[string][3]string{
		"vm-1001/small":   {"744", "29.76", "14.88"},    // 2 vCPU, 4 GB: small
		"vm-1002/large":   {"744", "119.04", "59.52"},   // 8 vCPU, 32 GB: exactly large
		"vm-1002/xlarge":  {"0", "0", "0"},              // resized at month end, not yet on
		"vm-2001/medium":  {"312.5", "25", "12.5"},      // 4 vCPU, 16 GB
		"vm-2002/medium":  {"0", "0", "0"},              // powered off all month
		"vm-3001/highmem": {"100.25", "48.12", "24.06"}, // 128 GB needs highmem
		"vm-9001/small":   {"744", "29.76", "14.88"},    // unmapped project: kept, no tags
	}
	for _, rec := range tot.Records {
		k := rec[idx["ResourceId"]] + "/" + rec[idx["SkuId"]]
		w, ok := want[k]
		if !ok {
			t.Errorf("unexpected row %s", k)
			continue
		}
		got := [3]string{rec[idx["ConsumedQuantity"]], rec[idx["ListCost"]], rec[idx["BilledCost"]]}
		if got != w {
			t.Errorf("%s: hours, list, billed = %v, want %v", k, got, w)
		}
		delete(want, k)
	}
	if len(want) > 0 {
		t.Errorf("missing rows %v", want)
	}
	if !tot.Billed.Equal(exporttest.Dec(t, "125.84")) || !tot.List.Equal(exporttest.Dec(t, "251.68")) {
		t.Errorf("totals list %s billed %s, want 251.68 and 125.84", tot.List, tot.Billed)
	}
	if !strings.Contains(stderr, `project "legacy-proj" is not in`) {
		t.Errorf("stderr: %s", stderr)
	}
}

const header = "vm_name,project,vcpus,memory_gb,power_on_hours\n"

func TestDataProblems(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"too many hours", header + "a,chem-lab,2,4,745\n", "<stdin>:2: power_on_hours: 745 is more than the 744 hours in 2025-01"},
		{"too big", header + "a,chem-lab,64,512,10\n", "<stdin>:2: vcpus: no size in " + dir + "/sizes.csv fits 64 vCPUs and 512 GB"},
		{"not a number", header + "a,chem-lab,two,4,10\n", `<stdin>:2: vcpus: "two" is not a non-negative number`},
		{"negative hours", header + "a,chem-lab,2,4,-1\n", `power_on_hours: "-1" is not a non-negative number`},
		{"duplicate", header + "a,chem-lab,2,4,10\na,chem-lab,1,2,10\n", "<stdin>:3: vm_name: a (a) is listed twice at size small (also <stdin>:2)"},
		{"no project", header + "a,,2,4,10\n", "<stdin>:2: vm_name and project must not be empty"},
		{"missing column", "vm_name,project,vcpus\na,b,1\n", "missing column(s) memory_gb, power_on_hours"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runVM(t, c.in, bundled()...)
			if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, out %q; stderr lacks %q:\n%s", code, out, c.want, stderr)
			}
		})
	}
}

// TestFebruary: a 28-day month allows 672 hours.
func TestFebruary(t *testing.T) {
	in := header + "a,chem-lab,2,4,672\n"
	code, out, stderr := runVM(t, in, "--period", "2025-02", "--sizes", dir+"/sizes.csv", "--projects", dir+"/projects.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")
	if !tot.List.Equal(exporttest.Dec(t, "26.88")) {
		t.Errorf("list %s, want 26.88", tot.List)
	}
	in = header + "a,chem-lab,2,4,673\n"
	if code, _, _ := runVM(t, in, "--period", "2025-02", "--sizes", dir+"/sizes.csv", "--projects", dir+"/projects.csv"); code != 1 {
		t.Errorf("673 hours in February: exit %d, want 1", code)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, bundled("--out", "xml"), bundled(dir + "/none.csv")} {
		if code, _, _ := runVM(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestHostileName(t *testing.T) {
	in := header + "a\x1b[31m,chem-lab,2,4,10\n"
	code, out, stderr := runVM(t, in, bundled()...)
	if code != 1 || out != "" || !strings.Contains(stderr, "control character 0x1b") {
		t.Errorf("exit %d, out %q, stderr %s", code, out, stderr)
	}
}
