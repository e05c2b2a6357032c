//go:build unix

package mail

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock, waiting for another run to
// finish; it is released when f is closed.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			return err
		}
	}
}
