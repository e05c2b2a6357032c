package flag

import "testing"

func TestDupSet(t *testing.T) {
	var s dupSet
	const n = 100000
	for i := uint64(0); i < n; i++ {
		// Keys that share their first half collide on every probe start.
		k := [2]uint64{i % 1000 * 0x9e3779b97f4a7c15, i}
		if _, dup := s.firstOrAdd(k, i); dup {
			t.Fatalf("key %d reported as seen", i)
		}
	}
	for i := uint64(0); i < n; i++ {
		k := [2]uint64{i % 1000 * 0x9e3779b97f4a7c15, i}
		v, dup := s.firstOrAdd(k, 7)
		if !dup || v != i {
			t.Fatalf("key %d: got %d %v, want %d true", i, v, dup, i)
		}
	}
	if s.n != n {
		t.Fatalf("n = %d, want %d", s.n, n)
	}
	s.release()
	if _, dup := s.firstOrAdd([2]uint64{1, 2}, 3); dup || s.n != 1 {
		t.Fatal("a released set is not empty")
	}
	s.release()
	// Zero values and zero keys are ordinary.
	var z dupSet
	if _, dup := z.firstOrAdd([2]uint64{}, 0); dup {
		t.Fatal("zero key seen in an empty set")
	}
	if v, dup := z.firstOrAdd([2]uint64{}, 5); !dup || v != 0 {
		t.Fatalf("zero key: got %d %v", v, dup)
	}
}

// BenchmarkDuplicateKeys looks up and adds 1M random keys, as pass 1 does
// for the generated month: the table against the Go map it replaced
// (lookup, then assign).
func BenchmarkDuplicateKeys(b *testing.B) {
	const n = 1 << 20
	keys := make([][2]uint64, n)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range keys {
		// xorshift: uniform keys, as maphash makes them
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		keys[i] = [2]uint64{x, x * 0xbf58476d1ce4e5b9}
	}
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			var s dupSet
			for i, k := range keys {
				s.firstOrAdd(k, uint64(i))
			}
			s.release()
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
	})
	b.Run("map", func(b *testing.B) {
		for b.Loop() {
			m := map[[2]uint64]uint64{}
			for i, k := range keys {
				if _, ok := m[k]; !ok {
					m[k] = uint64(i)
				}
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "keys/s")
	})
}
