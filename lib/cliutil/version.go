package cliutil

import (
	"runtime/debug"
	"strings"
)

// Version is the tool's version from the Go build info: the module version
// ("v1.2.0", or "(devel)" for a local build) and the commit it was built
// from, with "+dirty" when the work tree had changes, e.g.
// "v1.2.0 (commit 0123abcd4567, 2025-02-01T10:00:00Z)". urfave/cli prints it
// for --version.
func Version() string {
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
