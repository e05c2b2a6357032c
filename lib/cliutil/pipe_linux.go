package cliutil

import (
	"os"

	"golang.org/x/sys/unix"
)

// pipeBytes is the pipe capacity the tools ask for on stdin and stdout: the
// default 64 KiB makes a tool writing 256 KiB blocks (lib/focus) and the
// next one reading them switch places several times a block.
const pipeBytes = 1 << 20

// growPipes raises the capacity of stdin and stdout where they are pipes.
func growPipes() {
	growPipe(os.Stdin)
	growPipe(os.Stdout)
}

// growPipe raises f's capacity to pipeBytes when f is a pipe with less. It
// only asks: a smaller system limit (fs.pipe-max-size) or an error leaves
// the pipe as it was.
func growPipe(f *os.File) {
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		if n, err := unix.FcntlInt(fd, unix.F_GETPIPE_SZ, 0); err == nil && n < pipeBytes {
			_, _ = unix.FcntlInt(fd, unix.F_SETPIPE_SZ, pipeBytes)
		}
	})
}
