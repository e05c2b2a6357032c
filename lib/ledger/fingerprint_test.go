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
