package flag

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// hugeSlots is the size from which the duplicate table's slots are mapped
// outside the Go heap with transparent huge pages asked for: probes land
// anywhere in tens of megabytes, and with 4 KiB pages nearly every one
// missed the TLB as well as the cache.
const hugeSlots = 1 << 16

// makeSlots returns n zeroed slots and a function that releases them.
func makeSlots(n int) ([]dupSlot, func()) {
	size := n * int(unsafe.Sizeof(dupSlot{}))
	if n < hugeSlots {
		return make([]dupSlot, n), func() {}
	}
	b, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return make([]dupSlot, n), func() {}
	}
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
	return unsafe.Slice((*dupSlot)(unsafe.Pointer(&b[0])), n), func() { _ = unix.Munmap(b) }
}
