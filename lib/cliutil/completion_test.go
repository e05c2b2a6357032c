package cliutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The man page and the completion come from the app's definitions, with
// the settings the config helper adds; bash runs the completion.
func TestGenerate(t *testing.T) {
	out, code := run(t, nil, "--generate-man")
	if code != 0 || !strings.HasPrefix(out, ".nh\n.TH focus-x 1") || !strings.Contains(out, "print-config") {
		t.Errorf("man: exit %d\n%.300s", code, out)
	}
	out, code = run(t, nil, "--generate-bash-completion-script")
	if code != 0 || !strings.Contains(out, "complete -o filenames -F _focus_x focus-x") {
		t.Fatalf("bash: exit %d\n%s", code, out)
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "focus-x")
	os.WriteFile(f, []byte(out), 0o644)
	for line, want := range map[string]string{
		"focus-x per":              "periods",
		"focus-x --db periods per": "periods",
		"focus-x periods l":        "list",
		"focus-x report --d":       "--db",
	} {
		words := strings.Fields(line)
		script := `. "$1"; COMP_WORDS=(` + line + `); COMP_CWORD=` + string(rune('0'+len(words)-1)) + `; _focus_x; printf '%s\n' "${COMPREPLY[@]}"`
		got, err := exec.Command("bash", "-c", script, "bash", f).CombinedOutput()
		if err != nil || !strings.Contains("\n"+string(got), "\n"+want+"\n") {
			t.Errorf("%q: %v %q, want %s", line, err, got, want)
		}
	}
	// Only as the sole argument: elsewhere it is an unknown flag.
	if _, code := run(t, nil, "report", "--generate-man"); code != ExitInternal {
		t.Errorf("--generate-man after a subcommand: exit %d", code)
	}
}
