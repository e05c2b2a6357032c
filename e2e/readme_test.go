package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
