package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/examples/export/internal/exporttest"
)

const dir = "../../../testdata/export/slurm"

var runSlurm = exporttest.Runner(run)

func bundled(extra ...string) []string {
	return append([]string{"--period", "2025-01", "--rates", dir + "/rates.csv", "--accounts", dir + "/accounts.csv"}, extra...)
}

// TestBundledInput runs the script on the bundled January sacct dump: the
// output matches the golden file, and its totals are those worked out by
// hand in docs/export-guides/slurm.md.
func TestBundledInput(t *testing.T) {
	tot, stderr := exporttest.Bundled(t, run, dir+"/expected-2025-01.csv", bundled(dir+"/sacct-2025-01.txt")...)
	if tot.Rows != 9 {
		t.Errorf("%d rows, want 9 (account × partition × resource)", tot.Rows)
	}
	want := map[string]string{
		// 48 + 12 + 336 + 33.333333 + 0.000278 + 192 + 1283
		"Core-Hours": "1904.333611",
		"GPU-Hours":  "51", // 1004: 2 GPUs × 24 h; 1009: 1 typed GPU × 3 h
	}
	for unit, q := range want {
		if got := tot.Quantity[unit]; !got.Equal(exporttest.Dec(t, q)) {
			t.Errorf("%s = %s, want %s", unit, got, q)
		}
	}
	if !tot.List.Equal(exporttest.Dec(t, "168.94667222")) {
		t.Errorf("ListCost total %s, want 168.94667222", tot.List)
	}
	// Only the highmem partition (2.52) and GPUs (3 + 48) are billed; the
	// standard partition is fully subsidized but still listed at $0.
	if !tot.Billed.Equal(exporttest.Dec(t, "53.52")) {
		t.Errorf("BilledCost total %s, want 53.52", tot.Billed)
	}
	if !tot.ByService["HPC GPU"].Equal(exporttest.Dec(t, "51")) {
		t.Errorf("HPC GPU billed %s, want 51", tot.ByService["HPC GPU"])
	}
	for _, w := range []string{
		`account "legacy-proj" is not in`,
		// the het job 1003+0/1003+1 and the array tail 1011_[4-6%1] were
		// cancelled pending; 1012 ran 0 seconds.
		"9 rows; 14 jobs read, 10 charged; not charged: 3 cancelled before they started, 0 never started, 1 ran 0 seconds, 0 outside the period; 0 job steps skipped",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

// TestNDJSON: --out ndjson writes one object a row with Tags as an object.
func TestNDJSON(t *testing.T) {
	code, out, stderr := runSlurm(t, "", bundled("--out", "ndjson", dir+"/sacct-2025-01.txt")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 9 {
		t.Fatalf("%d lines, want 9", len(lines))
	}
	if !strings.Contains(lines[0], `"Tags":{"fund_org":"NIH-R01-778"`) {
		t.Errorf("first row: %s", lines[0])
	}
}

const header = "JobID|Account|User|Partition|AllocCPUS|AllocTRES|Elapsed|Start|End|State\n"

// TestClipsToPeriod: a dump taken without --truncate (or a wider -S/-E)
// still charges only the month's share of a job crossing a month end.
func TestClipsToPeriod(t *testing.T) {
	in := header +
		"1|chem-lab|a|standard|10|cpu=10|2-00:00:00|2024-12-31T00:00:00|2025-01-02T00:00:00|COMPLETED\n" + // 24 h in Jan
		"2|chem-lab|a|standard|10|cpu=10|1-00:00:00|2025-01-31T12:00:00|2025-02-01T12:00:00|COMPLETED\n" + // 12 h in Jan
		"3|chem-lab|a|standard|10|cpu=10|01:00:00|2024-12-30T00:00:00|2024-12-30T01:00:00|COMPLETED\n" // none
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "360")) {
		t.Errorf("core-hours %s, want 360 (10 CPUs × 36 h)", got)
	}
	if !strings.Contains(stderr, "1 outside the period") {
		t.Errorf("stderr: %s", stderr)
	}
}

// TestTimeZone: sacct run without TZ=UTC prints local times; --tz converts
// them, so a job at 20:00 New York time on 31 January is February in UTC.
func TestTimeZone(t *testing.T) {
	in := header + "1|chem-lab|a|standard|1|cpu=1|02:00:00|2025-01-31T18:00:00|2025-01-31T20:00:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled("--tz", "America/New_York")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	// 18:00–19:00 EST is 23:00–24:00 UTC: one hour in January.
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "1")) {
		t.Errorf("core-hours %s, want 1", got)
	}
}

// TestStepsSkipped: job steps repeat the allocation's CPUs, so a dump made
// without --allocations must not double-charge.
func TestStepsSkipped(t *testing.T) {
	in := header +
		"7|chem-lab|a|standard|4|cpu=4|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n" +
		// steps as sacct prints them: no User, no Partition
		"7.batch|chem-lab|||4|cpu=4,mem=8G,node=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n" +
		"7.extern|chem-lab|||4|billing=4,cpu=4,mem=8G,node=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n" +
		"7.0|chem-lab|||4|cpu=4,mem=8G,node=1|00:59:00|2025-01-05T00:00:00|2025-01-05T00:59:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "4")) {
		t.Errorf("core-hours %s, want 4", got)
	}
	if !strings.Contains(stderr, "3 job steps skipped") {
		t.Errorf("stderr: %s", stderr)
	}
}

// TestCRLFAndParsable1: a dump copied through Windows, made with
// --parsable (trailing '|'), reads the same.
func TestCRLFAndParsable1(t *testing.T) {
	in := "\uFEFFJobID|Account|Partition|AllocCPUS|Elapsed|Start|End|\r\n" +
		"1|chem-lab|standard|2|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|\r\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "2")) {
		t.Errorf("core-hours %s, want 2", got)
	}
}

// TestDataProblems: bad input is reported with file:line: column and no
// row is written (exit 1), so a half export never reaches the ledger.
func TestDataProblems(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"no rate", header + "1|chem-lab|a|debug|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n",
			`no rate for partition "debug" resource cpu`},
		{"bad cpus", header + "1|chem-lab|a|standard|x|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n",
			`<stdin>:2: AllocCPUS: "x" is not a CPU count`},
		{"bad elapsed", header + "1|chem-lab|a|standard|1|cpu=1|1:2:3:4|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n",
			`<stdin>:2: Elapsed: "1:2:3:4" is not [D-]HH:MM:SS`},
		{"empty account", header + "1||a|standard|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n",
			`<stdin>:2: Account: empty`},
		{"pipe in field", header + "1|chem-lab|a|b|standard|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n",
			`<stdin>:2: JobID: 11 fields, header has 10`},
		{"bad gpu", header + "1|chem-lab|a|gpu|1|cpu=1,gres/gpu=two|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n",
			`<stdin>:2: AllocTRES: gres/gpu="two" is not a GPU count`},
		{"end before start", header + "1|chem-lab|a|standard|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-04T01:00:00|COMPLETED\n",
			`<stdin>:2: End: 2025-01-04T01:00:00 is before Start`},
		{"missing column", "JobID|Account|AllocCPUS\n1|a|1\n", "<stdin>:1: missing column Partition"},
		{"empty", "", "empty input"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runSlurm(t, c.in, bundled()...)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			if out != "" {
				t.Errorf("rows written despite problems:\n%s", out)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr lacks %q:\n%s", c.want, stderr)
			}
		})
	}
}

// TestBadTables: problems in the rate table and mapping are data errors.
func TestBadTables(t *testing.T) {
	tmp := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	in := header + "1|chem-lab|a|standard|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n"
	cases := []struct {
		name, rates, accounts, want string
	}{
		{"negative rate", "partition,resource,weight,list_rate,billed_rate\nstandard,cpu,1,-0.02,0\n", "account,pi_email\nchem-lab,a@b.edu\n", "list_rate: rate -0.02 is negative"},
		{"float rate", "partition,resource,weight,list_rate,billed_rate\nstandard,cpu,1,$0.02,0\n", "account,pi_email\nchem-lab,a@b.edu\n", `list_rate: "$0.02" is not a decimal number`},
		{"bad resource", "partition,resource,weight,list_rate,billed_rate\nstandard,memory,1,0.02,0\n", "account,pi_email\nchem-lab,a@b.edu\n", `resource: "memory" is not cpu or gpu`},
		{"dup rate", "partition,resource,weight,list_rate,billed_rate\nstandard,cpu,1,0.02,0\nstandard,CPU,1,0.02,0\n", "account,pi_email\nchem-lab,a@b.edu\n", "listed twice"},
		{"missing rate column", "partition,resource,list_rate,billed_rate\nstandard,cpu,0.02,0\n", "account,pi_email\nchem-lab,a@b.edu\n", "missing column(s) weight"},
		{"dup account", "partition,resource,weight,list_rate,billed_rate\nstandard,cpu,1,0.02,0\n", "account,pi_email\nchem-lab,a@b.edu\nchem-lab,c@d.edu\n", `"chem-lab" is listed twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, stderr := runSlurm(t, in, "--period", "2025-01", "--rates", write("r.csv", c.rates), "--accounts", write("a.csv", c.accounts))
			if code != 1 || out != "" || !strings.Contains(stderr, c.want) {
				t.Errorf("exit %d, out %q, stderr lacks %q:\n%s", code, out, c.want, stderr)
			}
		})
	}
}

// TestUsage: missing flags and bad values are usage errors (exit 2).
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--period", "2025-1", "--rates", "r", "--accounts", "a"},
		bundled("--tz", "Mars/Olympus"),
		bundled("--out", "xml"),
		bundled(dir + "/no-such-file.txt"),
	} {
		if code, _, _ := runSlurm(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// The example is the guide's: --allusers, and the guides' check, which
	// keeps the rows of unmapped accounts (issue 31, item 7).
	code, _, stderr := runSlurm(t, "", "--help")
	if code != 0 || !strings.Contains(stderr, "TZ=UTC sacct --allusers --allocations --truncate --parsable2") {
		t.Errorf("--help: exit %d\n%s", code, stderr)
	}
	if strings.Count(stderr, "focus-validate --strict") != strings.Count(stderr, "focus-validate --strict --strict-profile=false") || !strings.Contains(stderr, "--strict-profile=false") {
		t.Errorf("--help pipes into focus-validate --strict without --strict-profile=false:\n%s", stderr)
	}
}

func TestParseElapsed(t *testing.T) {
	for in, want := range map[string]int64{
		"00:00:01": 1, "01:00:00": 3600, "1-00:00:00": 86400, "12:34": 754,
		"2-03:04:05": 2*86400 + 3*3600 + 4*60 + 5, "05:06.789": 306, "": 0,
	} {
		d, err := parseElapsed(in)
		if err != nil || int64(d.Seconds()) != want {
			t.Errorf("parseElapsed(%q) = %v, %v; want %ds", in, d, err, want)
		}
	}
}

func TestGPUCount(t *testing.T) {
	for in, want := range map[string]int64{
		"cpu=4,mem=8G":                          0,
		"cpu=8,gres/gpu=2,gres/gpu:a100=2":      2,
		"cpu=8,gres/gpu:a100=2,gres/gpu:v100=1": 3,
		"":                                      0,
		"gres/gpumem=40G,gres/gpu=1":            1,
	} {
		if got, err := gpuCount(in); err != nil || got != want {
			t.Errorf("gpuCount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// TestHostileInput: control characters in an account are refused; a
// formula-looking account is data, written as it is (quoting is the CSV
// writer's job, defusing formulas that of the tools that write spreadsheets).
func TestHostileInput(t *testing.T) {
	in := header + "1|chem\x00lab|a|standard|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 1 || out != "" || !strings.Contains(stderr, `<stdin>:2: Account: "chem\x00lab" contains control character 0x00`) {
		t.Errorf("NUL: exit %d, out %q, stderr %s", code, out, stderr)
	}
	in = header + "1|=HYPERLINK(\"http://x\",\"y\")|a|standard|1|cpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n"
	code, out, stderr = runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if tot.Rows != 1 || tot.Records[0][27] != `=HYPERLINK("http://x","y")` {
		t.Errorf("formula account not kept verbatim: %q", tot.Records)
	}
	tmp := t.TempDir() + "/a.csv"
	if err := os.WriteFile(tmp, []byte("account,pi_email\nchem-lab,\"a@b.edu\r\nBcc: x@evil\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runSlurm(t, header, "--period", "2025-01", "--rates", dir+"/rates.csv", "--accounts", tmp)
	if code != 1 || !strings.Contains(stderr, "pi_email: \"a@b.edu\\nBcc: x@evil\" contains control character 0x0a") {
		t.Errorf("CRLF in a tag: exit %d, stderr %s", code, stderr)
	}
}

// BenchmarkExport: a month of a busy cluster, 100k jobs over 50 accounts.
func BenchmarkExport(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(header)
	parts := []string{"standard", "highmem", "gpu"}
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&sb, "%d|acct-%02d|u|%s|%d|cpu=%d,gres/gpu=%d|02:00:00|2025-01-%02dT08:00:00|2025-01-%02dT10:00:00|COMPLETED\n",
			i, i%50, parts[i%3], 1+i%64, 1+i%64, i%3/2, 1+i%28, 1+i%28)
	}
	in := sb.String()
	args := bundled("--rates", dir+"/rates.csv")
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out, errb bytes.Buffer
		if code := run(args, strings.NewReader(in), &out, &errb); code != 0 {
			b.Fatalf("exit %d: %s", code, errb.String())
		}
	}
	b.ReportMetric(float64(100000*b.N)/b.Elapsed().Seconds(), "jobs/s")
}

// TestRepeatedColumn: --format naming a column twice makes sacct print it
// twice; fields are counted against the header's fields, not its distinct
// names, and the first copy is read (issue 31, item 1).
func TestRepeatedColumn(t *testing.T) {
	in := "JobID|Account|User|Partition|AllocCPUS|AllocTRES|Elapsed|Start|End|State|AllocTRES\n" +
		"1|chem-lab|a|gpu|4|cpu=4,gres/gpu:a100=1,gres/gpu=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED|cpu=4,gres/gpu:a100=1,gres/gpu=1\n" +
		"2|chem-lab|a|gpu|4|cpu=4,gres/gpu:a100=2,gres/gpu=2|01:00:00|2025-01-06T00:00:00|2025-01-06T01:00:00|COMPLETED|cpu=4,gres/gpu:a100=2,gres/gpu=2\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["GPU-Hours"]; !got.Equal(exporttest.Dec(t, "3")) {
		t.Errorf("GPU-hours %s, want 3", got)
	}
	if !strings.Contains(stderr, "<stdin>:1: note: column AllocTRES is repeated (fields 6 and 11); reading field 6") {
		t.Errorf("stderr does not name the repeated column:\n%s", stderr)
	}
	// A line with one field too many is still caught, against 11 fields.
	code, _, stderr = runSlurm(t, in+"3|chem-lab|a|gpu|4|cpu=4|x|01:00:00|2025-01-06T00:00:00|2025-01-06T01:00:00|COMPLETED|cpu=4\n", bundled()...)
	if code != 1 || !strings.Contains(stderr, "<stdin>:4: JobID: 12 fields, header has 11") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
}

// TestEmptyLastField: with --parsable2 an empty last column (AllocTRES of
// a job that never got an allocation) is a field, not a trailing '|'.
func TestEmptyLastField(t *testing.T) {
	in := "JobID|Account|Partition|AllocCPUS|Elapsed|Start|End|State|AllocTRES\n" +
		"1|chem-lab|standard|2|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED|cpu=2\n" +
		"2|chem-lab|standard|0|00:00:00|None|2025-01-05T00:00:00|CANCELLED by 0|\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "2")) || !strings.Contains(stderr, "1 cancelled before they started") {
		t.Errorf("core-hours %s, want 2\n%s", got, stderr)
	}
}

// TestSkipReasons: each reason a job is not charged is counted apart and
// named (issue 31, item 2).
func TestSkipReasons(t *testing.T) {
	in := header +
		// charged: 1 hour
		"1|chem-lab|a|standard|1|billing=1,cpu=1,mem=1G,node=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n" +
		// heterogeneous job cancelled while pending: both parts
		"20+0|chem-lab|a|standard|0||00:00:00|2025-01-06T10:00:00|2025-01-06T10:00:00|CANCELLED by 0\n" +
		"20+1|chem-lab|a|gpu|0||00:00:00|2025-01-06T10:00:00|2025-01-06T10:00:00|CANCELLED by 0\n" +
		// the pending tail of an array, cancelled
		"25_[2-4%1]|chem-lab|a|standard|0||00:00:00|None|2025-01-07T10:00:00|CANCELLED by 1001\n" +
		// pending (only in an export without -S/-E)
		"26|chem-lab|a|standard|0||00:00:00|Unknown|Unknown|PENDING\n" +
		// ran 0 seconds
		"27|chem-lab|a|standard|1|billing=1,cpu=1,mem=1G,node=1|00:00:00|2025-01-08T10:00:00|2025-01-08T10:00:00|FAILED\n" +
		// ran, but in December (an export without --truncate)
		"28|chem-lab|a|standard|1|billing=1,cpu=1,mem=1G,node=1|01:00:00|2024-12-30T10:00:00|2024-12-30T11:00:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "1")) {
		t.Errorf("core-hours %s, want 1", got)
	}
	want := "1 rows; 7 jobs read, 1 charged; not charged: 3 cancelled before they started, 1 never started, 1 ran 0 seconds, 1 outside the period; 0 job steps skipped"
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// TestExclusiveGPU: a job run with --exclusive in a CPU partition holds
// every GPU of its node. Without a GPU rate for that partition the month
// is refused with a hint; a *,gpu line prices GPUs in any partition
// (issue 31, item 4).
func TestExclusiveGPU(t *testing.T) {
	in := header + "1|chem-lab|a|standard|64|billing=64,cpu=64,gres/gpu:a100=4,gres/gpu=4,mem=500G,node=1|02:00:00|2025-01-05T00:00:00|2025-01-05T02:00:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 1 || out != "" || !strings.Contains(stderr, `no rate for partition "standard" resource gpu (jobs run with --exclusive hold every GPU of their nodes, even in a CPU partition: add a *,gpu line`) {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	rates := filepath.Join(t.TempDir(), "rates.csv")
	if err := os.WriteFile(rates, []byte("partition,resource,weight,list_rate,billed_rate\nstandard,cpu,1,0.02,0\n*,gpu,1,2.50,1.00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runSlurm(t, in, bundled("--rates", rates)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	tot := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z")
	if got := tot.Quantity["GPU-Hours"]; !got.Equal(exporttest.Dec(t, "8")) {
		t.Errorf("GPU-hours %s, want 8 (4 GPUs × 2 h)", got)
	}
	if !tot.Billed.Equal(exporttest.Dec(t, "8")) || !strings.Contains(out, "standard/gpu") {
		t.Errorf("billed %s, want 8 at the * rate, SkuId standard/gpu:\n%s", tot.Billed, out)
	}
}

// TestRequeued: sacct --duplicates lists every run of a requeued job.
// Only the last run is charged (the guide's command, without
// --duplicates); a job listed twice is refused, naming both lines
// (issue 31, item 5). Jobs of two clusters may share an id.
func TestRequeued(t *testing.T) {
	in := header +
		"30|chem-lab|a|standard|4|billing=4,cpu=4,mem=8G,node=1|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|REQUEUED\n" +
		"30|chem-lab|a|standard|4|billing=4,cpu=4,mem=8G,node=1|02:00:00|2025-01-05T01:10:00|2025-01-05T03:10:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled()...)
	if code != 1 || out != "" || !strings.Contains(stderr, "<stdin>:3: JobID: job 30 is listed again (first at <stdin>:2)") || !strings.Contains(stderr, "without --duplicates") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	two := "Cluster|" + header +
		"east|30|chem-lab|a|standard|4|cpu=4|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n" +
		"west|30|chem-lab|a|standard|4|cpu=4|01:00:00|2025-01-05T00:00:00|2025-01-05T01:00:00|COMPLETED\n"
	code, out, stderr = runSlurm(t, two, bundled()...)
	if code != 0 {
		t.Fatalf("two clusters: exit %d: %s", code, stderr)
	}
	if got := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z").Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "8")) {
		t.Errorf("core-hours %s, want 8", got)
	}
}

// TestTruncatedInLocalZone: sacct run in New York reads -S/-E as New York
// times, so --truncate cuts every job at 05:00 UTC on the 1st; the hours
// before are gone and --tz cannot put them back. The script says so
// (issue 31, item 6).
func TestTruncatedInLocalZone(t *testing.T) {
	in := header + "1|chem-lab|a|standard|1|cpu=1|05:00:00|2025-01-01T00:00:00|2025-01-01T05:00:00|COMPLETED\n"
	code, out, stderr := runSlurm(t, in, bundled("--tz", "America/New_York")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := exporttest.Check(t, []byte(out), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z").Quantity["Core-Hours"]; !got.Equal(exporttest.Dec(t, "5")) {
		t.Errorf("core-hours %s, want 5", got)
	}
	if !strings.Contains(stderr, "warning: 1 job(s) start exactly at 2025-01-01T00:00:00 in America/New_York, the month start in that zone") {
		t.Errorf("no warning:\n%s", stderr)
	}
	// In UTC a job starting at the month start is ordinary.
	_, _, stderr = runSlurm(t, in, bundled()...)
	if strings.Contains(stderr, "start exactly at") {
		t.Errorf("warning in UTC:\n%s", stderr)
	}
}
