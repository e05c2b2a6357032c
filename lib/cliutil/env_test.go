package cliutil

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Environment variables configure; they do not act or select (issue 15):
// no per-run selection or action of any tool reads a FOCUS_* variable,
// and every variable a tool reads is listed in docs/OPERATIONS.md.
func TestEnvOnlyForSettings(t *testing.T) {
	perRun := PerRun
	files, _ := filepath.Glob("../../cmd/*/*.go")
	files = append(files, "../tagkeys/tagkeys.go")
	re := regexp.MustCompile(`Env\("([a-z0-9-]+)"\)`)
	ops, err := os.ReadFile("../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen++
			if perRun[m[1]] {
				t.Errorf("%s: --%s is a per-run selection or action but reads %s", f, m[1], Env(m[1])[0])
			}
			if v := Env(m[1])[0]; !strings.Contains(string(ops), "`"+v+"`") {
				t.Errorf("%s: %s is not listed in docs/OPERATIONS.md", f, v)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d variables: is the test reading the right files?", seen)
	}
	// The tag keys (tagkeys.go builds its names from a table).
	for _, k := range []string{"FOCUS_TAG_PI_EMAIL", "FOCUS_TAG_FUND_ORG", "FOCUS_TAG_REF2"} {
		if !strings.Contains(string(ops), k) {
			t.Errorf("%s is not listed in docs/OPERATIONS.md", k)
		}
	}
}
