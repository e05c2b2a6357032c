package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openchargeback/ocb/internal/pgtest"
	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/tagkeys"
	"github.com/openchargeback/ocb/lib/web"
)

// TestWebImportSaysWhatIsWrongFirst: a PDF or a spreadsheet uploaded to
// the import form is refused naming what it is (not "0 of 0 rows are
// invalid"); a good file's summary shows money and counts as money.
func TestWebImportSaysWhatIsWrongFirst(t *testing.T) {
	dir := t.TempDir()
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	imp := importPipeline(l, tagkeys.Default(), nil, "")
	file := func(name, body string) web.UploadedFile {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return web.UploadedFile{Name: name, Path: p, Size: int64(len(body))}
	}
	good, err := os.ReadFile("../../testdata/2025-01/hpc.csv")
	if err != nil {
		t.Fatal(err)
	}
	reps, err := imp(context.Background(), web.Actor{User: "ada", Origin: "web"}, web.ImportRequest{Source: "HPC", Files: []web.UploadedFile{
		file("statement.pdf", "%PDF-1.7\n"+strings.Repeat("\x00\xff\"x,y\n", 100)),
		file("usage.xlsx", "PK\x03\x04\x14\x00\x06\x00[Content_Types].xml"),
		file("empty.csv", "BilledCost,ServiceName,Tags\n"),
		file("hpc.csv", string(good)),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"not a CSV or NDJSON file: it is a PDF document", "not a CSV or NDJSON file: it is a ZIP archive (an Excel .xlsx workbook is one)", "no row", ""}
	for i, w := range want {
		r := reps[i]
		if w == "" {
			if r.Refused != "" || r.Loaded == 0 {
				t.Errorf("%s: %+v", r.Name, r)
			}
			sum := strings.Join(r.Summary, "\n")
			if !strings.Contains(sum, "list $") || !strings.Contains(sum, "before rounding") {
				t.Errorf("%s: summary without currency: %s", r.Name, sum)
			}
			continue
		}
		if !strings.HasPrefix(r.Refused, w) || strings.Contains(r.Refused, "0 of 0") || (i < 2 && (strings.Count(strings.Join(r.Diagnostics, "\n"), "[not-text]") != 1 || strings.Contains(strings.Join(r.Diagnostics, "\n"), "[csv-syntax]"))) {
			t.Errorf("%s: refused %q, %d diagnostics", r.Name, r.Refused, len(r.Diagnostics))
		}
	}
}

// TestWebImportNamesTheSourceAsKnown (issue 26 item 8): source names are
// printed on PDFs, so an upload without a Source takes the known source
// its file name matches ignoring case, and one that matches none is not
// loaded under its file's name but asks for the Source. "Check only" runs
// the import and writes nothing.
func TestWebImportNamesTheSourceAsKnown(t *testing.T) {
	dir := t.TempDir()
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	actor := web.Actor{User: "ada", Origin: "web"}
	imp := importPipeline(l, tagkeys.Default(), nil, "")
	upload := func(name, src string) web.UploadedFile {
		body, err := os.ReadFile("../../testdata/2025-01/" + src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return web.UploadedFile{Name: name, Path: p, Size: int64(len(body))}
	}
	// The first upload without a Source asks for one.
	reps, err := imp(ctx, actor, web.ImportRequest{Files: []web.UploadedFile{upload("azure.csv", "azure.csv")}})
	if err != nil || len(reps) != 1 || !strings.Contains(reps[0].Refused, `no source matches the file name "azure" (the ledger has none yet): type the source's name in the Source field`) {
		t.Fatalf("first upload without a source: %+v %v", reps, err)
	}
	// Check only: the whole import, nothing written.
	reps, err = imp(ctx, actor, web.ImportRequest{Source: "Azure", DryRun: true, Files: []web.UploadedFile{upload("azure.csv", "azure.csv")}})
	if err != nil || !reps[0].DryRun || !strings.Contains(strings.Join(reps[0].Summary, "\n"), "dry run, nothing written: it would be import 1 into 2025-01 (a new period, opened by this import): 31 rows") {
		t.Fatalf("check only: %+v %v", reps, err)
	}
	if is, _ := l.Imports(ctx, ""); len(is) != 0 {
		t.Fatalf("check only wrote %d imports", len(is))
	}
	if _, err := imp(ctx, actor, web.ImportRequest{Source: "Azure", Files: []web.UploadedFile{upload("azure.csv", "azure.csv")}}); err != nil {
		t.Fatal(err)
	}
	// Later: AZURE.csv (and a typed "azure") are the known Azure.
	reps, err = imp(ctx, actor, web.ImportRequest{Replace: true, Files: []web.UploadedFile{upload("AZURE.csv", "azure.csv")}})
	if err != nil || reps[0].Source != "Azure" || reps[0].Refused != "" {
		t.Errorf("AZURE.csv: %+v %v", reps, err)
	}
	reps, err = imp(ctx, actor, web.ImportRequest{Files: []web.UploadedFile{upload("hpc.csv", "hpc.csv")}})
	if err != nil || !strings.Contains(reps[0].Refused, `"hpc" (known: Azure)`) {
		t.Errorf("hpc.csv: %+v %v", reps, err)
	}
	is, err := l.Imports(ctx, "")
	if err != nil || len(is) != 1 || is[0].Source != "Azure" {
		t.Errorf("imports %+v %v", is, err)
	}
}

// An upload with a 2 MiB cell is refused naming its line and column, and
// the import's working copies go to --temp-dir, not the system's.
func TestWebImportLimitsAndTempDir(t *testing.T) {
	dir := t.TempDir()
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p := filepath.Join(dir, "big.csv")
	body := "BillingPeriodStart,BilledCost,ServiceName,ResourceName,Tags\n2025-01-01,1,S," + strings.Repeat("x", 2<<20) + ",\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	up := web.ImportRequest{Source: "HPC", Files: []web.UploadedFile{{Name: "big.csv", Path: p, Size: int64(len(body))}}}
	reps, err := importPipeline(l, tagkeys.Default(), nil, "")(context.Background(), web.Actor{User: "ada", Origin: "web"}, up)
	if err != nil {
		t.Fatal(err)
	}
	if d := strings.Join(reps[0].Diagnostics, "\n"); reps[0].Refused == "" || !strings.Contains(d, "big.csv:2") || !strings.Contains(d, "field longer than 1,048,576 bytes") {
		t.Errorf("refused %q, diagnostics %q", reps[0].Refused, d)
	}
	// The working folder is made in --temp-dir: a missing one is named.
	_, err = importPipeline(l, tagkeys.Default(), nil, filepath.Join(dir, "no-such-dir"))(context.Background(), web.Actor{User: "ada", Origin: "web"}, up)
	if err == nil || !strings.Contains(err.Error(), "no-such-dir") || !strings.Contains(err.Error(), "--temp-dir") {
		t.Errorf("import with a missing --temp-dir: %v", err)
	}
}

func TestServeWithoutLedger(t *testing.T) {
	serveWithoutLedger(t, filepath.Join(t.TempDir(), "ledger.db"))
}

func TestServeWithoutLedgerPostgres(t *testing.T) {
	serveWithoutLedger(t, pgtest.DSN(t))
}

func ledgerExists(db string) bool {
	l, err := ledger.OpenExisting(db)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func serveWithoutLedger(t *testing.T, db string) {
	dir := t.TempDir()
	b, imp, closer, err := newLazyLedger(db, tagkeys.Default(), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	ctx := context.Background()
	if m, ok := b.(interface{ LedgerMissing() bool }); !ok || !m.LedgerMissing() {
		t.Fatal("a missing ledger is not reported as missing")
	}
	if ps, err := b.Periods(ctx); err != nil || len(ps) != 0 {
		t.Fatalf("periods of no ledger: %v %v", ps, err)
	}
	if err := b.PeriodAction(ctx, web.Actor{User: "ada", Origin: "web"}, "2025-01", "close"); !errors.Is(err, web.ErrRefused) {
		t.Fatalf("a change without a ledger: %v", err)
	}
	// A session started now survives the ledger's creation.
	st := b.(web.SessionStore)
	exp := time.Now().Add(time.Hour)
	if err := st.AddSession(ctx, "s1", "ada", time.Now(), exp); err != nil {
		t.Fatal(err)
	}
	file := func(name, body string) web.UploadedFile {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return web.UploadedFile{Name: name, Path: p, Size: int64(len(body))}
	}
	a := web.Actor{User: "ada", Origin: "web"}
	reps, err := imp(ctx, a, web.ImportRequest{Files: []web.UploadedFile{file("bad.csv", "BilledCost,ServiceName,Tags\n")}})
	if err != nil || len(reps) != 1 || reps[0].Refused == "" {
		t.Fatalf("bad first file: %+v %v", reps, err)
	}
	if ledgerExists(db) {
		t.Fatal("a refused first import left a ledger")
	}
	if _, err := os.Stat(db); !ledger.IsPostgresDSN(db) && !os.IsNotExist(err) {
		t.Fatalf("a refused first import left a file: %v", err)
	}
	good, err := os.ReadFile("../../testdata/2025-01/hpc.csv")
	if err != nil {
		t.Fatal(err)
	}
	reps, err = imp(ctx, a, web.ImportRequest{Source: "HPC", Files: []web.UploadedFile{file("hpc.csv", string(good))}})
	if err != nil || reps[0].ImportID == 0 {
		t.Fatalf("first import: %+v %v", reps, err)
	}
	if !ledgerExists(db) {
		t.Fatal("the first import made no ledger")
	}
	if ps, err := b.Periods(ctx); err != nil || len(ps) != 1 || ps[0].Period != "2025-01" {
		t.Fatalf("periods after the first import: %v %v", ps, err)
	}
	if ok, err := st.SessionActive(ctx, "s1", time.Now(), time.Hour); !ok || err != nil {
		t.Errorf("the session started before the ledger is gone: %v %v", ok, err)
	}
	if m := b.(interface{ LedgerMissing() bool }); m.LedgerMissing() {
		t.Error("still missing after the first import")
	}
	// A second import goes to the same ledger.
	aws, err := os.ReadFile("../../testdata/2025-01/aws.csv")
	if err != nil {
		t.Fatal(err)
	}
	reps, err = imp(ctx, a, web.ImportRequest{Source: "AWS", Files: []web.UploadedFile{file("aws.csv", string(aws))}})
	if err != nil || reps[0].ImportID == 0 {
		t.Fatalf("second import: %+v %v", reps, err)
	}
	if err := b.PeriodAction(ctx, a, "2025-01", "close"); err != nil {
		t.Fatalf("close after the first import: %v", err)
	}
	// The correction pages work on the ledger the upload made, without a
	// restart: the rules page lists, a void of an unknown adjustment is the
	// ledger's refusal, not "no ledger yet".
	if rs, err := b.(web.RuleKeeper).OwnerRules(ctx); err != nil || len(rs) != 0 {
		t.Errorf("owner rules after the first import: %v %v", rs, err)
	}
	if _, _, err := b.(web.Corrector).VoidAdjustment(ctx, a, 99, "typo"); err == nil || strings.Contains(err.Error(), "no ledger yet") {
		t.Errorf("void after the first import: %v", err)
	}
}
