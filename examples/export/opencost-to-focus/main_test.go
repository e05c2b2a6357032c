package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/examples/export/internal/exporttest"
)

const dir = "../../../testdata/export/kubernetes"

var runOC = exporttest.Runner(run)

func bundled(extra ...string) []string {
	return append([]string{"--period", "2025-01", "--rates", dir + "/rates.csv", "--owners", dir + "/owners.csv"}, extra...)
}

// TestBundledInput: the bundled January response (aggregate=namespace,
// accumulate=true, includeIdle=true) gives the golden
// rows and the totals worked out in docs/export-guides/kubernetes.md.
func TestBundledInput(t *testing.T) {
	tot, stderr := exporttest.Bundled(t, run, dir+"/expected-2025-01.csv", bundled("--owner-label", "chargeback_account", dir+"/allocation-2025-01.json")...)
	if tot.Rows != 16 {
		t.Errorf("%d rows, want 16", tot.Rows)
	}
	for unit, q := range map[string]string{
		// 16 cores × 744 h: the namespaces' and idle, kube-system included
		"Core-Hours": "11904",
		// one GPU all month: 528 h genomics-pipeline, 216 h idle
		"GPU-Hours": "744",
		// memory 128 GiB × 744 h, plus volumes 100 GiB and 10 GiB × 744 h
		"GiB-Hours": "177072",
		// cost-only rows: genomics-pipeline's network, jupyterhub's load
		// balancer
		"Months": "2",
	} {
		if got := tot.Quantity[unit]; !got.Equal(exporttest.Dec(t, q)) {
			t.Errorf("%s = %s, want %s", unit, got, q)
		}
	}
	// list: cpu 11904 × 0.024 + gpu 744 × 0.95 + ram 95232 × 0.003 + pv 4.4
	// + network 0.35 + load balancer 18.6
	if !tot.List.Equal(exporttest.Dec(t, "1301.542")) {
		t.Errorf("ListCost %s, want 1301.542", tot.List)
	}
	// billed: cpu at 0.012 (142.848), gpu at 50% (353.4), ram at list
	// (285.696), pv and network at OpenCost's cost (4.4 + 0.35), load
	// balancer given away
	if !tot.Billed.Equal(exporttest.Dec(t, "786.694")) {
		t.Errorf("BilledCost %s, want 786.694", tot.Billed)
	}
	if !tot.ByService["Kubernetes Storage"].Equal(exporttest.Dec(t, "4.4")) {
		t.Errorf("storage billed %s, want 4.4", tot.ByService["Kubernetes Storage"])
	}
	for _, w := range []string{`owner "jupyterhub" is not in`, "1 allocation set(s), 5 allocations, 16 rows"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	// genomics-pipeline is billed to its label's owner, bio-genomics.
	var found bool
	for _, r := range tot.Records {
		if r[27] == "genomics-pipeline" {
			found = true
			if r[34] != "bio-genomics" || !strings.Contains(r[36], "rosalind.franklin@uni.edu") {
				t.Errorf("genomics-pipeline row: SubAccountId %q Tags %s", r[34], r[36])
			}
		}
	}
	if !found {
		t.Error("no genomics-pipeline rows")
	}
}

// response builds a one-set /allocation response as OpenCost prints it.
func response(allocs ...string) string {
	return `{"code":200,"data":[{` + strings.Join(allocs, ",") + `}]}`
}

func alloc(name, window, fields string) string {
	return `"` + name + `":{"name":"` + name + `","properties":{"cluster":"c1","namespace":"` + name + `"},"window":` + window + `,` + fields + `}`
}

const jan = `{"start":"2025-01-01T00:00:00Z","end":"2025-02-01T00:00:00Z"}`

// TestSteps: a response queried with step=1d has one set per day; they add
// up. The label aggregation's __unallocated__ is kept for review.
func TestSteps(t *testing.T) {
	in := `{"code":200,"data":[{` +
		alloc("chem-lab", `{"start":"2025-01-01T00:00:00Z","end":"2025-01-02T00:00:00Z"}`, `"cpuCoreHours":24.000000,"cpuCost":0.576000,"totalCost":0.576000`) + `,` +
		alloc("__unallocated__", `{"start":"2025-01-01T00:00:00Z","end":"2025-01-02T00:00:00Z"}`, `"cpuCoreHours":1.000000,"cpuCost":0.024000,"totalCost":0.024000`) + `},{` +
		alloc("chem-lab", `{"start":"2025-01-02T00:00:00Z","end":"2025-01-03T00:00:00Z"}`, `"cpuCoreHours":12.500000,"cpuCost":0.300000,"totalCost":0.300000`) + `}]}`
	code, out, stderr := runOC(t, in, bundled("--aggregate", "label:chargeback_account")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "37.5")) {
		t.Errorf("core-hours %s, want 37.5", got)
	}
	if !strings.Contains(out, "Kubernetes Label chargeback_account") || !strings.Contains(out, "workloads without chargeback_account (__unallocated__)") {
		t.Errorf("label rows:\n%s", out)
	}
	if !strings.Contains(stderr, "2 allocation set(s), 2 allocations, 2 rows") || !strings.Contains(stderr, `owner "__unallocated__" is not in`) {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestDataProblems: every problem names file, line and column; nothing
// is written (exit 1).
func TestDataProblems(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"window outside", response(alloc("chem-lab", `{"start":"2024-12-25T00:00:00Z","end":"2025-01-25T00:00:00Z"}`, `"cpuCoreHours":1.000000,"cpuCost":0.024000,"totalCost":0.024000`)),
			`<stdin>:1:33: chem-lab: window 2024-12-25T00:00:00Z to 2025-01-25T00:00:00Z is not inside 2025-01 (query window=2025-01-01T00:00:00Z,2025-02-01T00:00:00Z)`},
		{"NaN as null", response(alloc("chem-lab", jan, `"cpuCoreHours":1.000000,"cpuCost":null,"totalCost":0.024000`)),
			`<stdin>:1:33: chem-lab: cpuCost is null (OpenCost could not compute it)`},
		{"unknown cost", response(alloc("chem-lab", jan, `"cpuCoreHours":1.000000,"cpuCost":0.024000,"totalCost":5.024000`)),
			`<stdin>:1:33: chem-lab: totalCost 5.024, but its parts add up to 0.024`},
		{"no rate", response(alloc("chem-lab", jan, `"cpuCoreHours":1.000000,"cpuCost":0.024000,"externalCost":1.000000,"totalCost":1.024000`)),
			`no rate for resource external (used by chem-lab`},
		{"error answer", `{"code":400,"data":null,"message":"invalid window"}`, `<stdin>:1:2: code 400`},
		{"syntax", "{\"code\":200,\n\"data\":[{\"a\":{]}", `<stdin>:2:`},
		{"not allocation", `[1,2]`, `<stdin>:1:1: want a JSON object`},
		{"empty", ``, `<stdin>:1:1: unexpected end of input`},
		{"no allocations", `{"code":200,"data":[{}]}`, `no allocations in -: check the query's window`},
		{"label changed", `{"code":200,"data":[{` +
			`"a":{"name":"a","properties":{"namespace":"a","namespaceLabels":{"chargeback_account":"x"}},"window":{"start":"2025-01-01T00:00:00Z","end":"2025-01-16T00:00:00Z"},"cpuCoreHours":1.000000,"cpuCost":0.024000,"totalCost":0.024000}},{` +
			"\n" + `"a":{"name":"a","properties":{"namespace":"a","namespaceLabels":{"chargeback_account":"y"}},"window":{"start":"2025-01-16T00:00:00Z","end":"2025-02-01T00:00:00Z"},"cpuCoreHours":1.000000,"cpuCost":0.024000,"totalCost":0.024000}}]}`,
			`<stdin>:2:5: a: owner "y", but "x" at <stdin>:1:26 (its chargeback_account label changed within the month`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runOC(t, c.in, bundled("--owner-label", "chargeback_account")...)
			if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, out %q, stderr lacks %q:\n%s", code, out, c.want, stderr)
			}
		})
	}
}

// TestNumberForms: any JSON number form is read as the exact decimal it
// spells, not through a float.
func TestNumberForms(t *testing.T) {
	in := response(alloc("chem-lab", jan, `"cpuCoreHours":1.488e3,"cpuCost":35.712,"ramByteHours":6390911336448,"ramCost":17.856000000000000001,"totalCost":53.568000000000000001`))
	code, out, stderr := runOC(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if !tot.Quantity["Core-Hours"].Equal(exporttest.Dec(t, "1488")) || !tot.Quantity["GiB-Hours"].Equal(exporttest.Dec(t, "5952")) {
		t.Errorf("quantities %v", tot.Quantity)
	}
}

// TestSharedAndExternal: costs OpenCost (or Kubecost) spread over the
// allocations are rows of their own kind, priced as the rate table says.
func TestSharedAndExternal(t *testing.T) {
	rates := filepath.Join(t.TempDir(), "r.csv")
	if err := os.WriteFile(rates, []byte("resource,list_rate,billed_rate\ncpu,0.024,0.012\nshared,opencost,0%\nexternal,opencost,100%\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := response(alloc("chem-lab", jan, `"cpuCoreHours":10.000000,"cpuCost":0.240000,"sharedCost":1.500000,"externalCost":2.250000,"totalCost":3.990000`))
	code, out, stderr := runOC(t, in, "--period", "2025-01", "--owners", dir+"/owners.csv", "--rates", rates)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	// list 0.24 + 1.5 + 2.25; billed 0.12 + 0 + 2.25
	if tot.Rows != 3 || !tot.List.Equal(exporttest.Dec(t, "3.99")) || !tot.Billed.Equal(exporttest.Dec(t, "2.37")) {
		t.Errorf("%d rows, list %s, billed %s:\n%s", tot.Rows, tot.List, tot.Billed, out)
	}
	if !strings.Contains(out, "shared/opencost") || !strings.Contains(out, "external (out-of-cluster) costs, as costed by OpenCost") {
		t.Errorf("rows:\n%s", out)
	}
}

// TestRates: OpenCost's costs as list prices with a percentage billed,
// and rate table mistakes.
func TestRates(t *testing.T) {
	tmp := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(tmp, "r.csv")
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in := response(alloc("chem-lab", jan, `"cpuCoreHours":1488.000000,"cpuCost":35.712000,"totalCost":35.712000`))
	code, out, stderr := runOC(t, in, "--period", "2025-01", "--owners", dir+"/owners.csv", "--rates", write("resource,list_rate,billed_rate\ncpu,opencost,25%\n"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if !tot.List.Equal(exporttest.Dec(t, "35.712")) || !tot.Billed.Equal(exporttest.Dec(t, "8.928")) || !tot.Quantity["Core-Hours"].Equal(exporttest.Dec(t, "1488")) {
		t.Errorf("list %s billed %s quantity %v", tot.List, tot.Billed, tot.Quantity)
	}
	for _, c := range []struct{ rates, want string }{
		{"resource,list_rate,billed_rate\ncpu,opencost,0.01\n", "billed_rate: \"0.01\": with list_rate opencost give the share billed as a percentage"},
		{"resource,list_rate,billed_rate\ncpu,0.02,0.03\n", "billed_rate: 0.03 is above the list rate 0.02"},
		{"resource,list_rate,billed_rate\ncpu,0.02,150%\n", `billed_rate: "150%" is not a percentage from 0% to 100%`},
		{"resource,list_rate,billed_rate\nshared,0.02,0.01\n", "list_rate: shared has no quantity to put a rate on"},
		{"resource,list_rate,billed_rate\nmemory,0.02,0.01\n", `resource: "memory" is not one of cpu, gpu, ram, pv`},
		{"resource,list_rate,billed_rate\ncpu,0.02,0.01\nCPU,0.02,0.01\n", "r.csv:3: resource cpu is listed twice"},
	} {
		code, out, stderr := runOC(t, in, "--period", "2025-01", "--owners", dir+"/owners.csv", "--rates", write(c.rates))
		if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr lacks %q:\n%s", c.rates, code, c.want, stderr)
		}
	}
}

// TestUsage: usage errors exit 2; --help shows the guides' check.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		bundled("--aggregate", "pod"),
		bundled("--aggregate", "label:x", "--owner-label", "y"),
		bundled(dir + "/no-such.json"),
	} {
		if code, _, _ := runOC(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	code, _, stderr := runOC(t, "", "--help")
	if code != 0 || !strings.Contains(stderr, "focus-validate --strict --strict-profile=false") || !strings.Contains(stderr, "-d aggregate=namespace -d accumulate=true") {
		t.Errorf("--help: exit %d\n%s", code, stderr)
	}
}

// TestNDJSON: --out ndjson writes one object a row, Tags as an object.
func TestNDJSON(t *testing.T) {
	code, out, stderr := runOC(t, "", bundled("--out", "ndjson", "--owner-label", "chargeback_account", dir+"/allocation-2025-01.json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 16 || !strings.Contains(lines[0], `"Tags":{"fund_org":"RC-OVERHEAD"`) {
		t.Errorf("%d lines; first: %s", len(lines), lines[0])
	}
}
