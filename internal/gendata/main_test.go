package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/focus"
)

func run(t *testing.T, args ...string) []byte {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gendata")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatalf("gendata %v: %v", args, err)
	}
	return out
}

func TestDeterministicAndExact(t *testing.T) {
	a := run(t, "--rows", "2000", "--seed", "7")
	b := run(t, "--rows", "2000", "--seed", "7")
	if !bytes.Equal(a, b) {
		t.Fatal("same seed gave different output")
	}
	r, err := focus.NewReader(bytes.NewReader(a), "gen")
	if err != nil {
		t.Fatal(err)
	}
	list, qty, price := r.Index("ListCost"), r.Index("PricingQuantity"), r.Index("ListUnitPrice")
	n := 0
	for {
		row, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		// ListUnitPrice × PricingQuantity = ListCost exactly (FOCUS rule).
		want := decimal.RequireFromString(row.Values[qty]).Mul(decimal.RequireFromString(row.Values[price]))
		if !want.Equal(decimal.RequireFromString(row.Values[list])) {
			t.Fatalf("line %d: %s × %s != %s", row.Line, row.Values[qty], row.Values[price], row.Values[list])
		}
	}
	if n != 2000 {
		t.Fatalf("rows = %d", n)
	}
}

func TestBundledSamplesAreCurrent(t *testing.T) {
	for _, tc := range []struct {
		args []string
		file string
	}{
		{[]string{"--sample", "--source", "HPC", "--period", "2025-01"}, "../../testdata/2025-01/hpc.csv"},
		{[]string{"--sample", "--profile", "openchargeback", "--source", "AWS", "--period", "2025-02"}, "../../testdata/openchargeback/2025-02/aws.csv"},
	} {
		want, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if got := run(t, tc.args...); !bytes.Equal(got, want) {
			t.Errorf("%s differs from gendata %s: run scripts/gen-testdata.sh", tc.file, strings.Join(tc.args, " "))
		}
	}
}
