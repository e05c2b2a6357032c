//go:build unix

package main

import (
	"errors"
	"os"
	"syscall"
)

// lockCreation takes an exclusive flock on dir, the folder of a ledger
// file that does not exist yet, so that imports creating it take turns:
// the next one finds the ledger and imports into it, and a first import
// never has to be made twice (which for a pipe meant copying all of stdin
// to a file as it was read: 1.8 s of system time for the 1M-row month).
// A file system without flock on folders (NFS) gives no lock: locked is
// then false, unlock a no-op, and publish may still lose a race (see
// importLedger).
func lockCreation(dir string) (unlock func(), locked bool, err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, false, err
	}
	for {
		err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		d.Close()
		return func() {}, false, nil
	}
	return func() { d.Close() }, true, nil // closing the last descriptor releases the lock
}
