package e2e

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
	"github.com/openchargeback/ocb/lib/statement"
)

// The README's month end works when pasted into a fresh clone (issue 15):
// its shell blocks run in order, in a folder that has the repository's
// testdata, with `make build` answered by the binaries built for these
// tests; then the mail step run again sends nothing.
func TestReadmeMonthEnd(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	root, _ := filepath.Abs("..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## A month end\n")
	if !ok {
		t.Fatal("README has no \"## A month end\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var script []string
	for _, block := range strings.Split(section, "```sh\n")[1:] {
		code, _, _ := strings.Cut(block, "```")
		script = append(script, code)
	}
	if len(script) < 3 {
		t.Fatalf("%d shell blocks in the month end", len(script))
	}
	dir := t.TempDir()
	shim := filepath.Join(dir, "shim")
	os.Mkdir(shim, 0o755)
	// `make build` in a fresh clone puts the tools in ./bin.
	os.WriteFile(filepath.Join(shim, "make"), []byte("#!/bin/sh\n[ \"$1\" = build ] && exit 0\nexit 99\n"), 0o755)
	work := filepath.Join(dir, "clone")
	os.Mkdir(work, 0o755)
	os.Symlink(binDir, filepath.Join(work, "bin"))
	os.Symlink(filepath.Join(root, "testdata"), filepath.Join(work, "testdata"))

	run := func(code string) (string, string) {
		cmd := exec.Command("bash", "-c", "set -e\n"+code)
		cmd.Dir = work
		cmd.Env = []string{"PATH=" + shim + ":/usr/bin:/bin", "HOME=" + dir, "USER=tester"}
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("README month end: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}
	out, errs := run(strings.Join(script, "\n"))
	if strings.Contains(errs, "month end stopped") || strings.Contains(out, "failed") {
		t.Fatalf("stdout:\n%s\nstderr:\n%s", out, errs)
	}
	sts, _ := os.ReadFile(filepath.Join(work, "out/2025-01/statements.ndjson"))
	emls, _ := filepath.Glob(filepath.Join(work, "out/2025-01/outbox/*.eml"))
	if n := strings.Count(string(sts), "\n"); n < 10 || len(emls) != n || !strings.Contains(string(sts), `"status":"final"`) {
		t.Fatalf("%d statements, %d e-mails", n, len(emls))
	}
	// Each PI is billed for their own charges, the planted ones included:
	// amount due per PI equals what the testdata says, worked out here
	// from the files and the owners testdata/README.md gives the planted rows.
	checkReadmeBilling(t, filepath.Join(root, "testdata", "2025-01"), readStatements(t, filepath.Join(work, "out/2025-01/statements.ndjson")))
	// Sources named right: each file under its own name.
	imports, _ := run("export PATH=$PWD/bin:$PATH; focus-load --db ledger.db imports --format csv")
	for _, want := range []string{",AWS,", ",Azure,", ",HPC,", ",Storage,"} {
		if strings.Count(imports, want) != 1 {
			t.Errorf("imports: want one %q:\n%s", want, imports)
		}
	}
	// A re-run of the mail step sends nothing twice.
	last := script[len(script)-1]
	mailLine := last[strings.LastIndex(last, "focus-mail "):]
	again, _ := run("export PATH=$PWD/bin:$PATH; P=2025-01; " + mailLine)
	if strings.HasPrefix(again, "sent\t") || strings.Contains(again, "\nsent\t") || !strings.Contains(again, "skipped-sent") {
		t.Fatalf("second mail run:\n%s", again)
	}
}

// readmeOwners are the owners of the sample's planted rows (by ResourceId),
// as testdata/README.md describes them: the README's review step must give
// each its own.
var readmeOwners = map[string][2]string{ // ResourceId → pi_email, fund_org
	"planted-missing-pi-202501":   {"ada.lovelace@uni.edu", ""},
	"planted-bad-email-202501":    {"katherine.johnson@uni.edu", ""},
	"planted-missing-fund-202501": {"", "USDA-NIFA-2024"},
}

// checkReadmeBilling compares each PI's amount due with an expectation
// computed from the FOCUS files alone: the BilledCost of every row under its
// tagged (or planted) owner, summed per statement line (source, service,
// project, fund, unit) and rounded once per line, half away from zero.
func checkReadmeBilling(t *testing.T, dir string, sts []statement.Statement) {
	t.Helper()
	type lineKey struct{ pi, source, service, project, fund, unit string }
	lines := map[lineKey]decimal.Decimal{}
	for src, file := range map[string]string{"AWS": "aws.csv", "Azure": "azure.csv", "HPC": "hpc.csv", "Storage": "storage.csv"} {
		fh, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		r, err := focus.NewReader(fh, file)
		if err != nil {
			t.Fatal(err)
		}
		col := func(name string) int { return r.Index(name) }
		billed, service, resource, tagsCol, unit := col("BilledCost"), col("ServiceName"), col("ResourceId"), col("Tags"), col("ConsumedUnit")
		for {
			row, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			var tags map[string]string
			if err := json.Unmarshal([]byte(row.Values[tagsCol]), &tags); err != nil {
				t.Fatalf("%s: Tags %q: %v", file, row.Values[tagsCol], err)
			}
			pi, fund := tags["pi_email"], tags["fund_org"]
			if own, ok := readmeOwners[row.Values[resource]]; ok {
				if own[0] != "" {
					pi = own[0]
				}
				if own[1] != "" {
					fund = own[1]
				}
			}
			k := lineKey{pi, src, row.Values[service], tags["project_id"], fund, row.Values[unit]}
			lines[k] = lines[k].Add(decimal.RequireFromString(row.Values[billed]))
		}
		fh.Close()
	}
	want := map[string]decimal.Decimal{}
	for k, sum := range lines {
		want[k.pi] = want[k.pi].Add(sum.Round(2))
	}
	got := map[string]string{}
	for _, st := range sts {
		got[st.PI.Email] = st.Totals.AmountDue.String()
		if len(st.Adjustments) > 0 {
			t.Errorf("%s: the README enters no adjustment, the statement has %d", st.PI.Email, len(st.Adjustments))
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d statements, the testdata has %d PIs: %v", len(got), len(want), got)
	}
	for pi, w := range want {
		if got[pi] != w.StringFixed(2) {
			t.Errorf("%s: amount due %s, the testdata says %s", pi, got[pi], w.StringFixed(2))
		}
	}
}
