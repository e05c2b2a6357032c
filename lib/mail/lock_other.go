//go:build !unix

package mail

import "os"

// lockFile is a no-op where flock is not available; overlapping runs there
// rely on the sent-log records alone.
func lockFile(*os.File) error { return nil }
