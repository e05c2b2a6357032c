package ledger

import (
	"hash/fnv"
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
