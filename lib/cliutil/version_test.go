package cliutil

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestVersionOf(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123abcd4567890ffff"}, {Key: "vcs.time", Value: "2025-02-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := versionOf(bi), "v1.2.0 (commit 0123abcd4567+dirty, 2025-02-01T10:00:00Z)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := versionOf(&debug.BuildInfo{}); got != "(devel)" {
		t.Errorf("no info: %q", got)
	}
	if Version() == "" {
		t.Error("empty version")
	}
}

func TestEveryToolHasVersion(t *testing.T) {
	var out strings.Builder
	app := &cli.App{Name: "focus-x", Writer: &out, Action: func(*cli.Context) error { return nil }}
	if code := Run(app, []string{"focus-x", "--version"}); code != 0 || !strings.HasPrefix(out.String(), "focus-x version ") {
		t.Errorf("exit %d, %q", code, out.String())
	}
}

// make build stamps the git version; it wins over the build info.
func TestStampedVersion(t *testing.T) {
	old := stamped
	defer func() { stamped = old }()
	stamped = "v1.3.0-4-gabcdef0-dirty"
	if got := Version(); got != stamped {
		t.Errorf("Version() = %q, want the stamped %q", got, stamped)
	}
}
