package main

import (
	"strings"
	"testing"

	"github.com/openchargeback/ocb/examples/export/internal/exporttest"
)

const dir = "../../../testdata/export/storage"

var runStorage = exporttest.Runner(run)

func bundled(extra ...string) []string {
	return append([]string{"--period", "2025-01", "--rates", dir + "/rates.csv", "--groups", dir + "/groups.csv"}, extra...)
}

// TestBundledInput: reports on the 1st, 10th, 20th and 25th of January.
// Each day is charged at the latest report on or before it, so the 1st
// report covers days 1–9, the 10th days 10–19, and so on.
func TestBundledInput(t *testing.T) {
	tot, stderr := exporttest.Bundled(t, run, dir+"/expected-2025-01.csv", bundled(dir+"/usage-2025-01.csv")...)
	if tot.Rows != 6 {
		t.Errorf("%d rows, want 6", tot.Rows)
	}
	// TB-months by directory, worked by hand (TB-days / 31, 6 places):
	want := map[string]string{
		"/ifs/projects/chem-lab":         "11.870968", // (9×10 + 10×12 + 5×12 + 7×14) / 31 = 368/31
		"/ifs/projects/physics-qcd":      "50",        // 50 TB every day
		"/ifs/scratch/physics-qcd":       "54.83871",  // (9×100 + 10×80) / 31; gone from the 20th on
		"/ifs/projects/bio-genomics":     "1.354839",  // created on the 20th: 12×3.5 / 31
		`/ifs/projects/shared, "legacy"`: "0.477897",  // 12 × 1.234567890123 / 31
		"/qumulo/archive/chem-lab":       "0.5",
	}
	idx := tot.Index()
	for _, rec := range tot.Records {
		path := rec[idx["ResourceId"]]
		w, ok := want[path]
		if !ok {
			t.Errorf("unexpected row for %s", path)
			continue
		}
		if got := rec[idx["ConsumedQuantity"]]; got != w {
			t.Errorf("%s: %s TB-months, want %s", path, got, w)
		}
		if rec[idx["ConsumedUnit"]] != "TB-Months" {
			t.Errorf("%s: unit %s", path, rec[idx["ConsumedUnit"]])
		}
		delete(want, path)
	}
	if len(want) > 0 {
		t.Errorf("rows missing for %v", want)
	}
	// Research Storage at 5.00 billed: (1.354839 + 11.870968 + 50 + 0.477897) × 5.
	if got := tot.ByService["Research Storage"]; !got.Equal(exporttest.Dec(t, "318.51852")) {
		t.Errorf("Research Storage billed %s, want 318.51852", got)
	}
	if got := tot.ByService["Scratch Storage"]; !got.IsZero() {
		t.Errorf("scratch billed %s, want 0 (fully subsidized, kept as a $0 line)", got)
	}
	for _, w := range []string{
		`group "legacy-proj" is not in`,
		"6 directories; 27 days carried forward from an earlier report, 0 days before the first report not charged; 1 rows outside the period",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

const header = "snapshot_date,path,group,used_bytes\n"

// TestMonthlyReport: a single report mid-month charges only from its date,
// with a warning; --backfill charges the whole month at it.
func TestMonthlyReport(t *testing.T) {
	in := header + "2025-01-16,/ifs/projects/chem-lab,chem-lab,31000000000000\n"
	code, out, stderr := runStorage(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["TB-Months"]; !got.Equal(exporttest.Dec(t, "16")) {
		t.Errorf("TB-months %s, want 16 (31 TB × 16/31 days)", got)
	}
	if !strings.Contains(stderr, "--backfill charges the 15 days before it") {
		t.Errorf("stderr: %s", stderr)
	}
	code, out, stderr = runStorage(t, in, bundled("--backfill")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot = exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["TB-Months"]; !got.Equal(exporttest.Dec(t, "31")) {
		t.Errorf("backfilled TB-months %s, want 31", got)
	}
}

// TestTiBAndFebruary: TiB units and a 28-day month.
func TestTiBAndFebruary(t *testing.T) {
	in := header + "2025-02-01,/ifs/projects/chem-lab,chem-lab,1099511627776\n" + // 1 TiB
		"2025-02-15,/ifs/projects/chem-lab,chem-lab,3298534883328\n" // 3 TiB from the 15th
	code, out, stderr := runStorage(t, in, "--period", "2025-02", "--unit", "TiB", "--rates", dir+"/rates.csv", "--groups", dir+"/groups.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z")
	if got := tot.Quantity["TiB-Months"]; !got.Equal(exporttest.Dec(t, "2")) {
		t.Errorf("TiB-months %s, want 2 ((14×1 + 14×3) / 28)", got)
	}
}

// TestPrefixBoundary: /ifs/projectsX is not under /ifs/projects.
func TestPrefixBoundary(t *testing.T) {
	in := header + "2025-01-01,/ifs/projectsX/a,chem-lab,1\n"
	code, out, stderr := runStorage(t, in, bundled()...)
	if code != 1 || out != "" || !strings.Contains(stderr, "no path_prefix matches /ifs/projectsX/a") {
		t.Errorf("exit %d, out %q, stderr %s", code, out, stderr)
	}
}

func TestDataProblems(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"units in bytes", header + "2025-01-01,/ifs/projects/a,chem-lab,12TB\n", `<stdin>:2: used_bytes: "12TB" is not a byte count`},
		{"negative", header + "2025-01-01,/ifs/projects/a,chem-lab,-5\n", `used_bytes: "-5" is not a byte count`},
		{"bad date", header + "01/05/2025,/ifs/projects/a,chem-lab,5\n", `<stdin>:2: snapshot_date: "01/05/2025" is not a date`},
		{"twice a day", header + "2025-01-01,/ifs/projects/a,chem-lab,5\n2025-01-01,/ifs/projects/a/,chem-lab,6\n", "<stdin>:3: path: /ifs/projects/a is reported twice on 2025-01-01 (also <stdin>:2)"},
		{"no group", header + "2025-01-01,/ifs/projects/a,,5\n", "<stdin>:2: path and group must not be empty"},
		{"missing column", "snapshot_date,path,used_bytes\n2025-01-01,/a,5\n", "missing column(s) group"},
		{"nothing in period", header + "2024-12-31,/ifs/projects/a,chem-lab,5\n", "no report dated in 2025-01 (1 rows outside it)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runStorage(t, c.in, bundled()...)
			if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, out %q; stderr lacks %q:\n%s", code, out, c.want, stderr)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		bundled("--unit", "GB"),
		bundled(dir + "/no-such-file.csv"),
	} {
		if code, _, _ := runStorage(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

func TestHostilePath(t *testing.T) {
	in := header + "2025-01-01,\"/ifs/projects/a\nb\",chem-lab,5\n"
	code, out, stderr := runStorage(t, in, bundled()...)
	if code != 1 || out != "" || !strings.Contains(stderr, "<stdin>:2: path: ") || !strings.Contains(stderr, "control character 0x0a") {
		t.Errorf("exit %d, out %q, stderr %s", code, out, stderr)
	}
}

// TestLocalDateKeepsItsMonth: a report taken at 20:00 on 31 January in
// Chicago (02:00 UTC on 1 February) describes 31 January: the guide keeps
// local dates, so it is charged in January (docs/export-guides/storage.md,
// "Time zones"), and a February run does not see it.
func TestLocalDateKeepsItsMonth(t *testing.T) {
	in := header + "2025-01-01,/ifs/projects/chem-lab,chem-lab,31000000000000\n" +
		"2025-01-31T20:00:00-06:00,/ifs/projects/chem-lab,chem-lab,62000000000000\n"
	code, out, stderr := runStorage(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["TB-Months"]; !got.Equal(exporttest.Dec(t, "32")) {
		t.Errorf("TB-months %s, want 32 (30 days at 31 TB, the 31st at 62 TB)", got)
	}
}
