package cliutil

import (
	"runtime/debug"
	"strings"
)

// stamped is the version `make build`, `make install` and `make dist` write
// into the binary with -ldflags "-X …/lib/cliutil.stamped=$(git describe
// --tags --always --dirty)". The Go build info alone is not enough: a build
// from a work tree says "(devel)", and with -buildvcs=false (or from a
// tarball without .git) it names no commit at all, so an admin could not
// tell which release runs.
var stamped string

// Version is the tool's version: the stamped one when the build set it,
// else the Go build info's module version ("v1.2.0", or "(devel)" for a
// local build) and the commit it was built from, with "+dirty" when the
// work tree had changes, e.g. "v1.2.0 (commit 0123abcd4567,
// 2025-02-01T10:00:00Z)". urfave/cli prints it for --version.
func Version() string {
	if stamped != "" {
		return stamped
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build info)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, at string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "+dirty"
	}
	parts := []string{"commit " + rev}
	if at != "" {
		parts = append(parts, at)
	}
	return v + " (" + strings.Join(parts, ", ") + ")"
}
