package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The tools this project installs.
var tools = []string{"focus-validate", "focus-flag", "focus-load", "focus-statement", "focus-journal", "focus-mail"}

// need fails the test when a program the test runs is missing. It does not
// skip: .ci/run installs them (systemd, nginx-light, man-db, zsh), and a
// skipped check of the units or the nginx site would look like a pass.
func need(t *testing.T, progs ...string) {
	t.Helper()
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is not installed (apt-get install it, as .ci/run does): %v", p, err)
		}
	}
}

func sh(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func repoRoot(t *testing.T) string {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// make install puts every piece under PREFIX (a real directory here, so
// the installed units name binaries that exist and systemd-analyze can
// check them), each piece works, and make uninstall removes all of it.
func TestMakeInstall(t *testing.T) {
	need(t, "make", "git", "systemd-analyze", "man", "bash", "zsh")
	root := repoRoot(t)
	tmp := t.TempDir()
	prefix := filepath.Join(tmp, "usr")
	mk := []string{"BIN=" + filepath.Join(tmp, "bin"), "GEN=" + filepath.Join(tmp, "gen"), "PREFIX=" + prefix}
	// -buildvcs=false: the Go build info then names no commit, and
	// --version must still (the stamp from git describe).
	sh(t, root, []string{"GOFLAGS=-buildvcs=false"}, "make", append(mk, "install")...)

	want := []string{
		"lib/openchargeback/month-end.mk", "lib/openchargeback/nightly-import.sh",
		"lib/sysusers.d/openchargeback.conf",
		"lib/systemd/system/openchargeback-month-end.service", "lib/systemd/system/openchargeback-month-end.timer",
		"lib/systemd/system/openchargeback-nightly-import.service", "lib/systemd/system/openchargeback-nightly-import.timer",
		"lib/systemd/system/openchargeback-serve.service",
		"share/doc/openchargeback/CHANGELOG.md", "share/doc/openchargeback/LICENSE", "share/doc/openchargeback/OPERATIONS.md",
		"share/openchargeback/config.example.yaml", "share/openchargeback/nginx-openchargeback.conf",
	}
	for _, tool := range tools {
		want = append(want, "bin/"+tool, "share/man/man1/"+tool+".1",
			"share/bash-completion/completions/"+tool, "share/zsh/site-functions/_"+tool)
	}
	sort.Strings(want)
	if got := files(t, prefix); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("installed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// --version names the commit (or tag) git describes, whatever the Go
	// build info says.
	version := strings.TrimSpace(sh(t, root, nil, "git", "describe", "--tags", "--always", "--dirty"))
	for _, tool := range tools {
		if got := sh(t, tmp, nil, filepath.Join(prefix, "bin", tool), "--version"); got != tool+" version "+version+"\n" {
			t.Errorf("%s --version: %q, want version %s", tool, got, version)
		}
		man := sh(t, tmp, []string{"MANPATH=" + filepath.Join(prefix, "share/man")}, "man", "-P", "cat", tool)
		if !strings.Contains(man, "--print-config") || !strings.Contains(man, tool) {
			t.Errorf("man %s lacks the tool's flags:\n%.500s", tool, man)
		}
	}

	// Completion: subcommands of the word's level, a flag's value skipped.
	bash := filepath.Join(prefix, "share/bash-completion/completions/focus-load")
	for line, want := range map[string]string{
		"focus-load rev":                 "review",
		"focus-load review l":            "list",
		"focus-load --db periods per":    "periods", // "periods" after --db is its value, not the subcommand
		"focus-load review list --sta":   "--status",
		"focus-statement --db x.db rep":  "report",
		"focus-statement serve --secure": "--secure-cookies",
	} {
		words := strings.Fields(line)
		script := `. "$1"; COMP_WORDS=(` + line + `); COMP_CWORD=` + strconv.Itoa(len(words)-1) + `; ` + compFunc(words[0]) + `; printf '%s\n' "${COMPREPLY[@]}"`
		src := bash
		if words[0] != "focus-load" {
			src = filepath.Join(prefix, "share/bash-completion/completions", words[0])
		}
		if out := sh(t, tmp, nil, "bash", "-c", script, "bash", src); !hasLine(out, want) {
			t.Errorf("bash %q: %q, want %s", line, out, want)
		}
		zsh := `compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }; _files() { :; }; words=(` + line + `); CURRENT=` + strconv.Itoa(len(words)) + `; . "$1"`
		if out := sh(t, tmp, nil, "zsh", "-f", "-c", zsh, "zsh", filepath.Join(prefix, "share/zsh/site-functions/_"+words[0])); !hasLine(out, want) {
			t.Errorf("zsh %q: %q, want %s", line, out, want)
		}
	}

	// The units: systemd's own checks (including that ExecStart's programs
	// and the Documentation= man pages exist), and hardening kept at
	// systemd-analyze security's "OK" level or better.
	units, _ := filepath.Glob(filepath.Join(prefix, "lib/systemd/system/*"))
	manEnv := []string{"MANPATH=" + filepath.Join(prefix, "share/man")}
	sh(t, tmp, manEnv, "systemd-analyze", append([]string{"verify"}, units...)...)
	for _, u := range units {
		if strings.HasSuffix(u, ".service") {
			sh(t, tmp, nil, "systemd-analyze", "security", "--offline=yes", "--threshold=25", u)
			b, _ := os.ReadFile(u)
			for _, h := range []string{"ProtectSystem=strict", "NoNewPrivileges=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n", "StateDirectory=openchargeback", "User=openchargeback"} {
				if !strings.Contains(string(b), h) {
					t.Errorf("%s lacks %q", filepath.Base(u), strings.TrimSpace(h))
				}
			}
			if strings.Contains(string(b), "@BINDIR@") || !strings.Contains(string(b), prefix) {
				t.Errorf("%s: paths not set for PREFIX", filepath.Base(u))
			}
		}
	}
	// The month-end run stops before anything permanent: no FINALIZE.
	me, _ := os.ReadFile(filepath.Join(prefix, "lib/systemd/system/openchargeback-month-end.service"))
	if regexp.MustCompile(`(?m)^ExecStart=.*FINALIZE`).Match(me) || !regexp.MustCompile(`(?m)^ExecStart=.*month-end\.mk`).Match(me) {
		t.Error("the month-end service finalizes")
	}

	// The example config is read by every tool as it is shipped.
	cfg := filepath.Join(prefix, "share/openchargeback/config.example.yaml")
	for _, tool := range tools {
		args := []string{"--config", cfg, "--print-config"}
		if tool == "focus-statement" {
			args = []string{"serve", "--config", cfg, "--print-config"}
		}
		out := sh(t, tmp, nil, filepath.Join(prefix, "bin", tool), args...)
		if !strings.Contains(out, "config file: "+cfg) {
			t.Errorf("%s: %s", tool, out)
		}
		if tool == "focus-statement" {
			for _, w := range []string{"db: /var/lib/openchargeback/ledger.db # file", "secure-cookies: true # file", "users: /etc/openchargeback/users.txt # file"} {
				if !strings.Contains(out, w) {
					t.Errorf("serve with the example config: no %q in\n%s", w, out)
				}
			}
		}
	}

	sh(t, root, nil, "make", append(mk, "uninstall")...)
	if left := files(t, prefix); len(left) > 0 {
		t.Errorf("make uninstall left %q", left)
	}
}

func compFunc(tool string) string { return "_" + strings.ReplaceAll(tool, "-", "_") }

func hasLine(out, want string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.TrimSpace(l) == want {
			return true
		}
	}
	return false
}

// make dist: one tarball of the PREFIX=/usr/local tree and its checksum;
// the tools in it run and name the version.
func TestMakeDist(t *testing.T) {
	need(t, "make", "git", "tar", "sha256sum")
	root := repoRoot(t)
	tmp := t.TempDir()
	rel := filepath.Join(tmp, "release")
	sh(t, root, nil, "make", "BIN="+filepath.Join(tmp, "bin"), "GEN="+filepath.Join(tmp, "gen"), "RELEASE="+rel, "dist")
	sh(t, rel, nil, "sha256sum", "-c", "SHA256SUMS")
	tgz, _ := filepath.Glob(filepath.Join(rel, "openchargeback-*-linux-amd64.tar.gz"))
	if len(tgz) != 1 {
		t.Fatalf("tarballs: %q", tgz)
	}
	x := filepath.Join(tmp, "x")
	os.MkdirAll(x, 0o755)
	sh(t, x, nil, "tar", "-xzf", tgz[0], "--strip-components=1")
	for _, f := range []string{"bin/focus-load", "share/man/man1/focus-mail.1", "share/bash-completion/completions/focus-statement",
		"share/zsh/site-functions/_focus-journal", "lib/systemd/system/openchargeback-serve.service",
		"share/openchargeback/config.example.yaml", "share/doc/openchargeback/LICENSE"} {
		if _, err := os.Stat(filepath.Join(x, f)); err != nil {
			t.Errorf("the tarball lacks %s", f)
		}
	}
	unit, _ := os.ReadFile(filepath.Join(x, "lib/systemd/system/openchargeback-serve.service"))
	if !regexp.MustCompile(`(?m)^ExecStart=/usr/local/bin/focus-statement serve$`).Match(unit) {
		t.Errorf("the tarball's unit is not for /usr/local:\n%s", unit)
	}
	version := strings.TrimSpace(sh(t, root, nil, "git", "describe", "--tags", "--always", "--dirty"))
	if !strings.Contains(filepath.Base(tgz[0]), version) {
		t.Errorf("%s does not name version %s", tgz[0], version)
	}
	if got := sh(t, tmp, nil, filepath.Join(x, "bin/focus-validate"), "--version"); got != "focus-validate version "+version+"\n" {
		t.Errorf("--version %q", got)
	}
}
