package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedUpToDate: lib/focus/spec_gen.go is what the committed spec
// sources generate (run `go generate ./lib/focus` after changing them).
func TestGeneratedUpToDate(t *testing.T) {
	out := filepath.Join(t.TempDir(), "spec_gen.go")
	if err := generateCmd([]string{"-src", "../../lib/focus/specsrc", "-o", out}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(out)
	want, err := os.ReadFile("../../lib/focus/spec_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("lib/focus/spec_gen.go is stale: run go generate ./lib/focus")
	}
}

func TestTrim(t *testing.T) {
	src := "# X\n\ntext\n\n## Column ID\n\nChargeClass\n\n## Content Constraints\n\n| Constraint | Value |\n|:--|:--|\n| Feature level | Mandatory |\n| Allows nulls | True |\n| Data type | String |\n| Value format | Allowed values |\n\nAllowed values:\n\n| Value | Description |\n|:--|:--|\n| Correction | long text |\n\n## Introduced (version)\n\n1.0\n"
	out, id, err := trim(src)
	if err != nil || id != "ChargeClass" {
		t.Fatal(id, err)
	}
	c, err := parseColumn(out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Level != "Mandatory" || !c.Nullable || len(c.Enum) != 1 || c.Enum[0] != "Correction" || c.Introduced != "1.0" {
		t.Errorf("%+v", c)
	}
}
