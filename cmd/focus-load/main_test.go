package main

import (
	"bytes"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// These tests run the real focus-load binary as separate processes.

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "focus-load-test")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "focus-load")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	gen := filepath.Join(dir, "gendata")
	if out, err := exec.Command("go", "build", "-o", gen, "../../internal/gendata").CombinedOutput(); err != nil {
		panic(string(out))
	}
	os.Setenv("GENDATA", gen)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func generate(t *testing.T, rows, seed string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "usage-"+seed+".csv")
	out, err := exec.Command(os.Getenv("GENDATA"), "--rows", rows, "--seed", seed, "--period", "2025-03").Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func count(t *testing.T, db, query string) int {
	t.Helper()
	d, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestKillMidImportLeavesNoPartialImport(t *testing.T) {
	data := generate(t, "200000", "3")
	db := filepath.Join(t.TempDir(), "l.db")
	// An existing ledger, so that the import writes through its WAL (a
	// first import is written to an unpublished file instead).
	if out, err := exec.Command(bin, "--db", db, "import", "--source", "SMALL", "../../testdata/2025-12/aws.csv").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	small := count(t, db, `SELECT count(*) FROM charges`)
	cmd := exec.Command(bin, "--db", db, "import", "--source", "BIG", data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once the transaction has written to the WAL, well before commit.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if fi, err := os.Stat(db + "-wal"); err == nil && fi.Size() > 4<<20 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	// Either the kill landed mid-import (nothing of it is visible) or the
	// import had already committed (all of it is): never a part.
	charges := count(t, db, `SELECT count(*) FROM charges`) - small
	imports := count(t, db, `SELECT count(*) FROM imports`) - 1
	switch {
	case charges == 0 && imports == 0:
	case charges == 200000 && imports == 1:
		t.Logf("the import committed before the kill")
	default:
		t.Fatalf("partial import after kill -9: %d charges, %d imports\n%s", charges, imports, stderr.String())
	}
	out, err := exec.Command("sqlite3", db, "PRAGMA integrity_check").CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("integrity_check: %s %v", out, err)
	}
	// The charges' insert guard, lifted inside the import's transaction,
	// is back with the rollback.
	if n := count(t, db, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'charges_open_insert'`); n != 1 {
		t.Fatalf("after kill -9 the ledger has %d charges_open_insert triggers", n)
	}
	// The same import then succeeds whole.
	if out, err := exec.Command(bin, "--db", db, "import", "--source", "BIG", data).CombinedOutput(); err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	if n := count(t, db, `SELECT count(*) FROM charges`) - small; n != 200000 {
		t.Fatalf("after re-import the ledger has %d charges of it", n)
	}
}

func TestConcurrentImportsBothSucceed(t *testing.T) {
	a, b := generate(t, "30000", "4"), generate(t, "30000", "5")
	db := filepath.Join(t.TempDir(), "l.db")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	outs := make([][]byte, 2)
	for i, f := range []string{a, b} {
		wg.Add(1)
		go func(i int, f string) {
			defer wg.Done()
			outs[i], errs[i] = exec.Command(bin, "--db", db, "import", "--source", []string{"A", "B"}[i], f).CombinedOutput()
		}(i, f)
	}
	wg.Wait()
	for i := range errs {
		if errs[i] != nil {
			t.Fatalf("import %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	if n := count(t, db, `SELECT count(*) FROM charges`); n != 60000 {
		t.Fatalf("charges = %d, want 60000", n)
	}
}

// Six cron jobs starting together on a ledger that does not exist yet: all
// create, migrate and import without "database is locked".
func TestManyConcurrentImportsOnANewLedger(t *testing.T) {
	concurrentFirstImports(t, false)
}

// The same with every import read from a pipe (validate | flag | load in
// cron), which cannot be read twice: the imports take turns at creating
// the ledger, so each lands once, and none is copied to a file first.
func TestManyConcurrentPipedImportsOnANewLedger(t *testing.T) {
	concurrentFirstImports(t, true)
}

func concurrentFirstImports(t *testing.T, piped bool) {
	files := []string{"2025-01/aws", "2025-01/azure", "2025-01/hpc", "2025-01/storage", "2025-12/aws", "2025-12/azure"}
	for round := 0; round < 5; round++ {
		dir := t.TempDir()
		db := filepath.Join(dir, "l.db")
		var wg sync.WaitGroup
		outs := make([][]byte, len(files))
		errs := make([]error, len(files))
		for i, f := range files {
			wg.Add(1)
			go func(i int, f string) {
				defer wg.Done()
				path := "../../testdata/" + f + ".csv"
				cmd := exec.Command(bin, "--db", db, "import", "--source", f, path)
				if piped {
					b, err := os.ReadFile(path)
					if err != nil {
						errs[i] = err
						return
					}
					cmd = exec.Command(bin, "--db", db, "import", "--source", f)
					cmd.Stdin = bytes.NewReader(b) // not a file: exec gives the child a pipe
				}
				outs[i], errs[i] = cmd.CombinedOutput()
			}(i, f)
		}
		wg.Wait()
		for i := range errs {
			if errs[i] != nil {
				t.Fatalf("round %d, %s: %v\n%s", round, files[i], errs[i], outs[i])
			}
		}
		if n := count(t, db, `SELECT count(*) FROM imports`); n != len(files) {
			t.Fatalf("round %d: %d imports", round, n)
		}
		if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
			t.Fatalf("round %d: files left beside the ledger: %v", round, left)
		}
	}
}

// A first import killed with -9 leaves its unpublished file behind and
// no ledger; the next import that creates the ledger, holding the same
// turn, removes what the killed one left.
func TestKilledFirstImportLeavesNoLedgerAndIsCleanedUp(t *testing.T) {
	data := generate(t, "200000", "6")
	dir := t.TempDir()
	db := filepath.Join(dir, "l.db")
	cmd := exec.Command(bin, "--db", db, "import", "--source", "BIG", data)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	staged := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, ".l.db.new-*"))
		return m
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := staged(); len(m) > 0 {
			if fi, err := os.Stat(m[0]); err == nil && fi.Size() > 4<<20 {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(db); err == nil {
		t.Fatal("the import was published before the kill: kill earlier")
	}
	if len(staged()) == 0 {
		t.Fatal("no unpublished file after the kill: the test did not kill a first import")
	}
	if out, err := exec.Command(bin, "--db", db, "import", "--source", "SMALL", "../../testdata/2025-12/aws.csv").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if left := staged(); len(left) > 0 {
		t.Errorf("left beside the ledger: %v", left)
	}
	if n := count(t, db, `SELECT count(*) FROM imports`); n != 1 {
		t.Errorf("%d imports, want the one that landed", n)
	}
}
