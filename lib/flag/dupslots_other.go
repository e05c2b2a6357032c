//go:build !linux

package flag

func makeSlots(n int) ([]dupSlot, func()) { return make([]dupSlot, n), func() {} }
