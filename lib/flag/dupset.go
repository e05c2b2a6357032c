package flag

// dupSet maps a row's 128-bit duplicate key to where its first copy was
// (source index << 32 | line). It is an open-addressing table probed
// linearly from the key's first half, which is already a uniform hash, so
// a row costs one probe sequence (usually one cache line) for both the
// lookup and the insert; a Go map of 1M such keys spent most of its time
// in two probe sequences a row (lookup, then assign) and hashing the key
// again. Memory: 24 bytes a slot, at most 3/4 full.
type dupSet struct {
	slots []dupSlot
	free  func() // releases slots (makeSlots)
	n     int
	mask  uint64
}

type dupSlot struct {
	k0, k1 uint64
	v      uint64 // the value + 1; 0 = empty
}

// firstOrAdd returns the value stored under key and true, or stores v under
// key and returns false.
func (s *dupSet) firstOrAdd(key [2]uint64, v uint64) (uint64, bool) {
	if 4*(s.n+1) > 3*len(s.slots) {
		s.grow()
	}
	for i := key[0] & s.mask; ; i = (i + 1) & s.mask {
		sl := &s.slots[i]
		if sl.v == 0 {
			*sl = dupSlot{key[0], key[1], v + 1}
			s.n++
			return 0, false
		}
		if sl.k0 == key[0] && sl.k1 == key[1] {
			return sl.v - 1, true
		}
	}
}

func (s *dupSet) grow() {
	old, freeOld := s.slots, s.free
	size := 2 * len(old)
	if size == 0 {
		size = 1 << 12
	}
	s.slots, s.free = makeSlots(size)
	s.mask = uint64(size - 1)
	if freeOld != nil {
		defer freeOld()
	}
	for _, sl := range old {
		if sl.v == 0 {
			continue
		}
		i := sl.k0 & s.mask
		for s.slots[i].v != 0 {
			i = (i + 1) & s.mask
		}
		s.slots[i] = sl
	}
}

// release gives the table's memory back; the set is empty after it.
func (s *dupSet) release() {
	if s.free != nil {
		s.free()
	}
	*s = dupSet{}
}
