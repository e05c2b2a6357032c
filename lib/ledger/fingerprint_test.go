package ledger

import (
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// Fingerprints are stored: the hand-written FNV-1a must stay hash/fnv's.
func TestFNV1aIsHashFNV(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.SliceOf(rapid.Byte()).Draw(t, "b")
		h := fnv.New64a()
		h.Write(b)
		if got, want := fnv1a(b), h.Sum64(); got != want {
			t.Fatalf("fnv1a(%x) = %x, want %x", b, got, want)
		}
	})
}

// sortPrints sorts as slices.Sort does, whatever the values share.
func TestSortPrints(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 255, 256, 1000, 5000} {
		for _, mask := range []uint64{^uint64(0), 0xff, 0xff00ff0000000000, 0} {
			s := make([]uint64, n)
			for i := range s {
				s[i] = r.Uint64()&mask | 0x0100000000000000
			}
			want := slices.Clone(s)
			slices.Sort(want)
			sortPrints(s)
			if !slices.Equal(s, want) {
				t.Fatalf("n %d mask %x: not sorted as slices.Sort", n, mask)
			}
		}
	}
}

// printer.print is fingerprint, its remembered prefixes included: rows of
// a few charge periods (the same slot for some), any amounts and cells.
func TestPrinterIsFingerprint(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	var p printer
	for n := 0; n < 20000; n++ {
		start := pick("2025-01-17T00:00:00Z", "2025-01-71T00:00:00Z", "2025-01-17T03:00:00Z", "2025-01-01", "", "x", "2025-02-17T00:00:00Z")
		v := []string{start, pick("2025-01-18T00:00:00Z", "2025-01-17T00:00:00Z", "")}
		cols := columns{chargeStart: 0, chargeEnd: 1}
		if r.IntN(3) == 0 {
			cols.chargeStart = -1
		}
		period := pick("2025-01", "2025-02", "")
		amt := func() amount {
			a, err := parseAmount("x", pick("1.50", "1.5", "-0.000", "12345678901234567890.5", "1e-3", "0"))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		am := rowAmounts{billed: amt(), list: amt(), qty: amt(), hasQty: r.IntN(2) == 0}
		c := Charge{Unit: pick("", "GB", "Hours"), ServiceName: pick("S3", "EC2\x00"), ResourceID: pick("", "i-1"), ResourceName: pick("a", "bb"),
			Currency: "USD", PIEmail: pick("", "a@b.c"), FundOrg: pick("F", ""), ProjectID: pick("p", "")}
		if got, want := p.print(period, v, cols, &c, &am), fingerprint(period, v, cols, &c, &am); got != want {
			t.Fatalf("row %d %q %q: print %x, fingerprint %x", n, period, v, got, want)
		}
	}
}
