package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/cliutil"
)

const in = "BillingPeriodStart,ServiceName,ResourceName,ListCost,BilledCost,Tags\n" +
	`2025-01-01,HPC GPU,a,2,1,"{""pi_email"":""ada@uni.edu"",""owner"":""bob@uni.edu""}"` + "\n" +
	`2025-01-01,Storage,b,2,1,"{""owner"":""bad@@x""}"` + "\n"

func runApp(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	var out, errb bytes.Buffer
	code := cliutil.Run(newApp(strings.NewReader(stdin), &out, &errb), append([]string{"focus-flag"}, args...))
	return code, out.String(), errb.String()
}

func TestStdinAndSummary(t *testing.T) {
	code, out, errs := runApp(t, in)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := "BillingPeriodStart,ServiceName,ResourceName,ListCost,BilledCost,Tags,x_Flags\n" +
		`2025-01-01,HPC GPU,a,2,1,"{""pi_email"":""ada@uni.edu"",""owner"":""bob@uni.edu""}",` + "\n" +
		`2025-01-01,Storage,b,2,1,"{""owner"":""bad@@x""}",missing-tag:pi_email` + "\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	if !strings.HasPrefix(errs, "focus-flag: 2 rows, 1 flagged (50.0%), period 2025-01\n  missing-tag:pi_email        1\n") {
		t.Errorf("stderr = %q", errs)
	}
}

func TestTagRenameAndEnv(t *testing.T) {
	// --tag-pi-email renames the key the rules read, and the code names it.
	t.Setenv("FOCUS_WATCH", "(?i)gpu")
	code, out, _ := runApp(t, in, "-q", "--tag-pi-email", "owner", "--require-tags", "pi_email,fund_org")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.HasSuffix(lines[1], ",missing-tag:fund_org;watch") || !strings.HasSuffix(lines[2], ",missing-tag:fund_org;bad-email") {
		t.Errorf("rows:\n%s", out)
	}
}

func TestFilesAndOut(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(p, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runApp(t, "", "-q", "--out", "ndjson", "--only-flagged", p)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, `"x_Flags":"missing-tag:pi_email"`) {
		t.Errorf("exit %d, out %q", code, out)
	}
	// stdin may be named once.
	if code, _, errs := runApp(t, in, "-", "-"); code != 2 || !strings.Contains(errs, "twice") {
		t.Errorf("- -: exit %d, %q", code, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--period", "2025"}, {"--period", "2025-13"}, {"--watch", "("}, {"--outlier-z", "0"},
		{"--outlier-min-group", "1"}, {"--outlier-min", "-1"}, {"--jump-factor", "x"},
		{"--baseline", "/nonexistent/last.ndjson"}, {"--require-tags", "a;b"}, {"/nonexistent/in.csv"},
	} {
		if code, _, _ := runApp(t, in, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code, out, errs := runApp(t, "a,b\n1,2,3\n"); code != 1 || out != "" || !strings.Contains(errs, "focus-validate") {
		t.Errorf("broken input: exit %d, out %q, err %q", code, out, errs)
	}
}

func TestErrorsJSON(t *testing.T) {
	code, _, errs := runApp(t, in, "--explain", "--errors", "json", "--require-tags", "pi_email,fund_org")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 4 { // two missing fund_org, one missing pi_email, the summary
		t.Fatalf("stderr:\n%s", errs)
	}
	for _, l := range lines {
		var d map[string]any
		if err := json.Unmarshal([]byte(l), &d); err != nil || d["severity"] != "notice" {
			t.Errorf("not a JSON diagnostic: %q (%v)", l, err)
		}
	}
	if !strings.Contains(lines[0], `"file":"<stdin>","line":2,"column":"Tags"`) || !strings.Contains(lines[0], `"rule":"missing-tag:fund_org"`) {
		t.Errorf("first diagnostic = %s", lines[0])
	}
	if !strings.Contains(lines[3], `"rule":"summary"`) || !strings.Contains(lines[3], `"flagged":2`) {
		t.Errorf("summary = %s", lines[3])
	}
	if code, _, _ := runApp(t, in, "--errors", "xml"); code != 2 {
		t.Errorf("--errors xml: exit %d", code)
	}
}
