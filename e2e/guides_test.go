package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// guideBlocks returns the ```sh blocks of a Markdown file, in order.
func guideBlocks(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, block := range strings.Split(string(b), "```sh\n")[1:] {
		code, _, ok := strings.Cut(block, "```")
		if !ok {
			t.Fatalf("%s: unterminated ```sh block", path)
		}
		blocks = append(blocks, code)
	}
	return blocks
}

// guideCase is one export guide whose shell blocks are run as written.
type guideCase struct {
	guide string            // docs/export-guides/NAME.md
	files map[string]string // work dir name → testdata/export/ path
	shims map[string]string // command → shell script standing in for the real tool
	env   []string
	// after the blocks: files in the work dir equal to testdata files, and
	// strings stdout must contain.
	same   map[string]string
	stdout []string
}

// TestGuideCommands runs each export guide's shell blocks in order, as a
// site would paste them, in a folder holding the guide's input files, with
// the real tool (sacct, curl) replaced by a stand-in that checks the
// options the guide relies on and prints the bundled sample. The outputs
// must be the bundled expected files and pass the guides' check
// (issue 31: "each guide's commands run as written").
func TestGuideCommands(t *testing.T) {
	root, _ := filepath.Abs("..")
	td := filepath.Join(root, "testdata", "export")
	cases := []guideCase{{
		guide: "slurm",
		files: map[string]string{"rates.csv": "slurm/rates.csv", "accounts.csv": "slurm/accounts.csv"},
		// sacct reads -S/-E in TZ: the command must set TZ=UTC itself,
		// whatever zone the host is in (the test runs in New York).
		shims: map[string]string{"sacct": `#!/bin/sh
[ "$TZ" = UTC ] || { echo "sacct: TZ=$TZ, not UTC: the window would move" >&2; exit 3; }
case " $* " in *" --duplicates "*) echo "sacct: --duplicates charges requeued runs twice" >&2; exit 3;; esac
for want in --allusers --allocations --truncate --parsable2 "-S 2025-01-01T00:00:00" "-E 2025-02-01T00:00:00"; do
	case " $* " in *" $want "*) ;; *) echo "sacct: no $want in: $*" >&2; exit 3;; esac
done
cat "$TESTDATA/slurm/sacct-2025-01.txt"
`},
		env:    []string{"TZ=America/New_York"},
		same:   map[string]string{"hpc-2025-01.csv": "slurm/expected-2025-01.csv", "sacct-2025-01.txt": "slurm/sacct-2025-01.txt"},
		stdout: []string{"valid"},
	}, {
		guide: "kubernetes",
		files: map[string]string{"rates.csv": "kubernetes/rates.csv", "owners.csv": "kubernetes/owners.csv"},
		// curl answers with the bundled response when the query is the
		// month as RFC 3339 UTC times, one set, idle included.
		shims: map[string]string{"curl": `#!/bin/sh
args=" $* "
for want in "-sfG" "http://opencost.opencost:9003/allocation" "-d window=2025-01-01T00:00:00Z,2025-02-01T00:00:00Z" "-d aggregate=namespace" "-d accumulate=true" "-d includeIdle=true"; do
	case "$args" in *" $want "*) ;; *) echo "curl: no $want in: $*" >&2; exit 22;; esac
done
cat "$TESTDATA/kubernetes/allocation-2025-01.json"
`},
		env:    []string{"TZ=Pacific/Auckland"},
		same:   map[string]string{"k8s-2025-01.csv": "kubernetes/expected-2025-01.csv", "allocation-2025-01.json": "kubernetes/allocation-2025-01.json"},
		stdout: []string{"valid"},
	}, {
		guide: "seats",
		files: map[string]string{"prices.csv": "seats/prices.csv", "accounts.csv": "seats/accounts.csv", "assignments-2025-01.csv": "seats/assignments-2025-01.csv"},
		same:  map[string]string{"seats-2025-01.csv": "seats/expected-2025-01.csv"},
		// calendar dates: the same rows in any zone
		env:    []string{"TZ=Asia/Tokyo"},
		stdout: []string{"valid"},
	}}
	for _, c := range cases {
		t.Run(c.guide, func(t *testing.T) {
			blocks := guideBlocks(t, filepath.Join(root, "docs", "export-guides", c.guide+".md"))
			if len(blocks) == 0 {
				t.Fatal("no ```sh blocks")
			}
			dir := t.TempDir()
			shim := filepath.Join(dir, "shim")
			work := filepath.Join(dir, "work")
			for _, d := range []string{shim, work} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, script := range c.shims {
				if err := os.WriteFile(filepath.Join(shim, name), []byte(script), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for name, src := range c.files {
				b, err := os.ReadFile(filepath.Join(td, src))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(work, name), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := exec.Command("bash", "-c", "set -e -o pipefail\n"+strings.Join(blocks, "\n"))
			cmd.Dir = work
			cmd.Env = append([]string{"PATH=" + shim + ":" + binDir + ":/usr/bin:/bin", "HOME=" + dir, "TESTDATA=" + td}, c.env...)
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s.md: %v\nstdout:\n%s\nstderr:\n%s", c.guide, err, out.String(), errb.String())
			}
			for got, want := range c.same {
				g, err := os.ReadFile(filepath.Join(work, got))
				if err != nil {
					t.Fatalf("the guide's commands made no %s: %v\nstderr:\n%s", got, err, errb.String())
				}
				w, err := os.ReadFile(filepath.Join(td, want))
				if err != nil {
					t.Fatal(err)
				}
				if string(g) != string(w) {
					t.Errorf("%s differs from testdata/export/%s:\n%s", got, want, g)
				}
			}
			for _, w := range c.stdout {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s\nstderr:\n%s", w, out.String(), errb.String())
				}
			}
		})
	}
}

// fencedAfter returns the first fenced block after the line heading in a
// Markdown file.
func fencedAfter(t *testing.T, doc, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("no %q heading", heading)
	}
	_, rest, ok = strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("no fenced block after %q", heading)
	}
	_, rest, _ = strings.Cut(rest, "\n") // the info string
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatalf("unterminated block after %q", heading)
	}
	return block
}

// TestGuideSamples: the input a guide shows is the bundled input, so that
// what a reader sees is what the tests run, shaped as the real tool
// prints it.
func TestGuideSamples(t *testing.T) {
	root, _ := filepath.Abs("..")
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// Slurm: every job line shown is a line of the sample, header first.
	slurm := read("docs/export-guides/slurm.md")
	sample := read("testdata/export/slurm/sacct-2025-01.txt")
	lines := strings.Split(strings.TrimSpace(fencedAfter(t, slurm, "### sacct output (the bundled `sacct-2025-01.txt`)")), "\n")
	if !strings.HasPrefix(sample, lines[0]+"\n") {
		t.Errorf("slurm.md header %q is not the sample's", lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.Contains(sample, "\n"+l+"\n") {
			t.Errorf("slurm.md shows a line the sample does not have: %s", l)
		}
	}
	// Kubernetes: the allocation shown is the sample's, digit for digit.
	k8s := read("docs/export-guides/kubernetes.md")
	shown := fencedAfter(t, k8s, "### The `/allocation` response (the bundled `allocation-2025-01.json`)")
	decode := func(what, s string) any {
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber() // compare the digits as printed
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	got := decode("kubernetes.md", "{"+shown+"}").(map[string]any)
	resp := decode("allocation-2025-01.json", read("testdata/export/kubernetes/allocation-2025-01.json")).(map[string]any)
	set := resp["data"].([]any)[0].(map[string]any)
	if len(got) != 1 {
		t.Fatalf("kubernetes.md shows %d allocations, want 1", len(got))
	}
	for name, a := range got {
		if !reflect.DeepEqual(a, set[name]) {
			t.Errorf("kubernetes.md's %s is not the sample's:\n%v\n%v", name, a, set[name])
		}
	}
	// Seats: the CSVs shown are the bundled files.
	seats := read("docs/export-guides/seats.md")
	for heading, file := range map[string]string{
		"### Assignments (the bundled `assignments-2025-01.csv`)": "testdata/export/seats/assignments-2025-01.csv",
		"### Price list (`prices.csv`)":                           "testdata/export/seats/prices.csv",
	} {
		if got := fencedAfter(t, seats, heading); got != read(file) {
			t.Errorf("seats.md %s differs from %s:\n%s", heading, file, got)
		}
	}
	for heading, file := range map[string]string{
		"### Rate table (`rates.csv`)":     "testdata/export/kubernetes/rates.csv",
		"### Owner mapping (`owners.csv`)": "testdata/export/kubernetes/owners.csv",
	} {
		if got := fencedAfter(t, k8s, heading); got != read(file) {
			t.Errorf("kubernetes.md %s differs from %s:\n%s", heading, file, got)
		}
	}
}
