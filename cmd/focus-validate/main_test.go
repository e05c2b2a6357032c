package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/cliutil"
)

// runApp runs focus-validate in-process and returns exit code, stdout, stderr.
func runApp(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cliutil.Run(newApp(strings.NewReader(stdin), &out, &errb), append([]string{"focus-validate"}, args...))
	return code, out.String(), errb.String()
}

const good = "BillingPeriodStart,BillingPeriodEnd,BilledCost,ServiceName,Tags\n" +
	"2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,1.50,HPC,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\"}\"\n"

func TestExitCodes(t *testing.T) {
	if code, out, errs := runApp(t, good); code != 0 || out != good || !strings.Contains(errs, "1 rows read, 1 valid, 0 invalid") {
		t.Errorf("valid: %d %q %s", code, out, errs)
	}
	bad := strings.Replace(good, "1.50", "1.5.0", 1)
	if code, _, errs := runApp(t, bad); code != 1 || !strings.Contains(errs, `<stdin>:2: BilledCost: "1.5.0" is not a number`) {
		t.Errorf("invalid: %d %s", code, errs)
	}
	for _, args := range [][]string{
		{"--errors", "xml"}, {"--out", "xml"}, {"--spec", "0.5"}, {"--period", "Jan"},
		{"--currency", "usd"}, {"--max-errors", "-1"}, {"no-such-file.csv"}, {"--nope"},
	} {
		if code, _, errs := runApp(t, good, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

func TestRejectFileAndEnv(t *testing.T) {
	dir := t.TempDir()
	rej := filepath.Join(dir, "rej.csv")
	bad := good + strings.Replace(good[strings.IndexByte(good, '\n')+1:], "HPC", "", 1)
	// FOCUS_REJECT is a per-run file, never read from the environment.
	t.Setenv("FOCUS_REJECT", filepath.Join(dir, "env-rej.csv"))
	t.Setenv("FOCUS_STRICT_PROFILE", "true")
	code, out, errs := runApp(t, bad, "--reject", rej)
	if _, err := os.Stat(filepath.Join(dir, "env-rej.csv")); err == nil {
		t.Error("FOCUS_REJECT was read from the environment")
	}
	if code != 1 || strings.Count(out, "\n") != 2 {
		t.Fatalf("%d %q %s", code, out, errs)
	}
	b, err := os.ReadFile(rej)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "BillingPeriodStart,BillingPeriodEnd,BilledCost,ServiceName,Tags,x_Errors\n") ||
		!strings.Contains(string(b), "ServiceName: must not be null [not-null]") {
		t.Errorf("reject file:\n%s", b)
	}
	// FOCUS_STRICT_PROFILE: a row without pi_email is an error.
	noPI := strings.Replace(good, `""pi_email""`, `""pi_name""`, 1)
	if code, _, errs := runApp(t, noPI); code != 1 || !strings.Contains(errs, "[chargeback-pi-email]") {
		t.Errorf("strict profile from env: %d %s", code, errs)
	}
}

func TestFlagsAndHelp(t *testing.T) {
	code, out, _ := runApp(t, "", "--help")
	if code != 0 || !strings.Contains(out, "focus-validate --reject rejected.csv") || !strings.Contains(out, "--tag-pi-email") {
		t.Errorf("help: %d\n%s", code, out)
	}
	// --tag-pi-email renames the key; --out ndjson writes JSON objects.
	in := strings.Replace(good, `""pi_email""`, `""owner""`, 1)
	code, out, errs := runApp(t, in, "--strict-profile", "--tag-pi-email", "owner", "--out", "ndjson")
	if code != 0 || !strings.HasPrefix(out, `{"BillingPeriodStart":"2025-01-01T00:00:00Z",`) || !strings.Contains(out, `"Tags":{"owner":"a@uni.edu"}`) {
		t.Errorf("%d %q %s", code, out, errs)
	}
	// A flag after a file name is a usage error, not a file.
	if code, _, errs := runApp(t, good, "-", "--strict"); code != 2 || !strings.Contains(errs, "after a file name") {
		t.Errorf("flag after file: %d %s", code, errs)
	}
}

func TestStrictImpliesStrictProfileUnlessFalse(t *testing.T) {
	noPI := strings.Replace(good, `""pi_email""`, `""pi_name""`, 1)
	if code, _, errs := runApp(t, noPI, "--strict", "--spec", "1.0"); code != 1 || !strings.Contains(errs, "<stdin>:2: Tags: no pi_email tag") {
		t.Errorf("--strict: %d %s", code, errs)
	}
	code, _, errs := runApp(t, noPI, "--strict", "--strict-profile=false")
	if strings.Contains(errs, "<stdin>:2: Tags: no pi_email") || !strings.Contains(errs, "<stdin>:2: Tags: warning: no pi_email tag") {
		t.Errorf("--strict --strict-profile=false: %d %s", code, errs)
	}
}

func TestSpec14AndDataset(t *testing.T) {
	if code, _, errs := runApp(t, good, "--spec", "1.4"); code != 0 {
		t.Errorf("--spec 1.4: %d %s", code, errs)
	}
	if code, _, errs := runApp(t, good, "--dataset", "costs"); code != 2 || !strings.Contains(errs, "--dataset") {
		t.Errorf("--dataset costs: %d %s", code, errs)
	}
	bp := "BillingPeriodStart,BillingPeriodEnd,BillingPeriodStatus\n2025-01-01T00:00:00Z,2025-02-01T00:00:00Z,Open\n"
	code, out, errs := runApp(t, bp)
	if code != 1 || out != "" || !strings.Contains(errs, "this is a FOCUS 1.4 Billing Period dataset; chargeback reads Cost and Usage") {
		t.Errorf("billing period: %d %q %s", code, out, errs)
	}
	if code, out, errs := runApp(t, bp, "--dataset", "billing-period"); code != 0 || out != bp {
		t.Errorf("--dataset billing-period: %d %q %s", code, out, errs)
	}
}

// A field over --max-field refuses its row, naming line and column; the
// other rows pass. A bad size is a usage error.
func TestMaxFieldAndRow(t *testing.T) {
	in := "BillingPeriodStart,BilledCost,ServiceName,ResourceName,Tags\n" +
		"2025-01-01,1,S,short,\"{\"\"pi_email\"\":\"\"a@uni.edu\"\"}\"\n" +
		"2025-01-01,1,S," + strings.Repeat("x", 2000) + ",\"{\"\"pi_email\"\":\"\"a@uni.edu\"\"}\"\n"
	code, out, errs := runApp(t, in, "--max-field", "1K")
	if code != 1 || strings.Count(out, "\n") != 2 || !strings.Contains(errs, "<stdin>:3: ResourceName: field longer than 1,024 bytes") {
		t.Errorf("exit %d, %d lines out, stderr:\n%.400s", code, strings.Count(out, "\n"), errs)
	}
	if code, _, _ := runApp(t, in); code != 0 {
		t.Errorf("default limits: exit %d", code)
	}
	for _, bad := range [][]string{{"--max-field", "lots"}, {"--max-row", "1K", "--max-field", "2K"}} {
		if code, _, errs := runApp(t, in, bad...); code != 2 || !strings.Contains(errs, "--max-") {
			t.Errorf("%v: exit %d %s", bad, code, errs)
		}
	}
}
