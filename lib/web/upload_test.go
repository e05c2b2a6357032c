package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
)

type upload struct {
	fields [][2]string // in order
	files  [][2]string // name, content
}

func (u upload) request(t *testing.T, url string) *http.Request {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range u.fields {
		mw.WriteField(f[0], f[1])
	}
	for _, f := range u.files {
		w, _ := mw.CreateFormFile("files", f[0])
		w.Write([]byte(f[1]))
	}
	mw.Close()
	r, err := http.NewRequest("POST", url+"/import", &buf)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// recorder is an ImportFunc that checks the spooled files and reports on them.
type recorder struct {
	t      *testing.T
	reqs   []ImportRequest
	paths  []string
	refuse string
}

func (rc *recorder) Import(_ context.Context, a Actor, req ImportRequest) ([]FileReport, error) {
	rc.reqs = append(rc.reqs, req)
	var out []FileReport
	for _, f := range req.Files {
		rc.paths = append(rc.paths, f.Path)
		b, err := os.ReadFile(f.Path)
		if err != nil {
			rc.t.Errorf("spooled file unreadable: %v", err)
		}
		rep := FileReport{Name: f.Name, Source: req.Source, Rows: strings.Count(string(b), "\n") - 1,
			Diagnostics: []string{f.Name + ":3: BilledCost: not a decimal \"abc\" [type]"}, Refused: rc.refuse}
		if a.User != "ada" || a.Origin != "web" {
			rc.t.Errorf("actor %+v", a)
		}
		out = append(out, rep)
	}
	return out, nil
}

func uploadHarness(t *testing.T, max int64) (*harness, *recorder) {
	rc := &recorder{t: t}
	h := newHarness(t, sampleLedger(), func(c *Config) { c.Import = rc.Import; c.MaxUpload = max })
	return h, rc
}

func assertRemoved(t *testing.T, h *harness, rc *recorder) {
	t.Helper()
	for _, p := range rc.paths {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("temp file %s left behind", p)
		}
	}
	ents, _ := os.ReadDir(h.srv.cfg.TempDir)
	if len(ents) != 0 {
		t.Errorf("temp dir not empty: %v", ents)
	}
}

func TestImportUpload(t *testing.T) {
	h, rc := uploadHarness(t, 1<<20)
	b := h.loggedIn("ada")
	r := b.get("/import")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, `enctype="multipart/form-data"`, `id="drop-zone"`, `<label for="files">`, "1 MiB")
	csv := "BillingPeriodStart,BilledCost\n2025-01-01,1\n2025-01-01,abc\n"
	r = b.do(upload{fields: [][2]string{{"csrf", b.csrf}, {"source", "AWS"}, {"period", "2025-01"}},
		files: [][2]string{{"../../etc/aws<b>.csv", csv}, {"hpc.csv", csv}}}.request(t, h.ts.URL))
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "aws&lt;b&gt;.csv", "hpc.csv", "BilledCost: not a decimal", "(source AWS)")
	if len(rc.reqs) != 1 || len(rc.reqs[0].Files) != 2 || rc.reqs[0].Files[0].Name != "aws<b>.csv" || rc.reqs[0].Period != "2025-01" {
		t.Fatalf("import request %+v", rc.reqs)
	}
	assertRemoved(t, h, rc)

	// A ledger refusal shows its message with 409.
	rc.refuse = "period 2025-01 is closed"
	r = b.do(upload{fields: [][2]string{{"csrf", b.csrf}}, files: [][2]string{{"aws.csv", csv}}}.request(t, h.ts.URL))
	wantCode(t, r, http.StatusConflict)
	mustContain(t, r, "Refused: period 2025-01 is closed")
	assertRemoved(t, h, rc)
}

func TestImportRefusals(t *testing.T) {
	h, rc := uploadHarness(t, 64<<10)
	b := h.loggedIn("ada")
	csv := "BillingPeriodStart,BilledCost\n2025-01-01,1\n"
	// Token missing, after the file, or wrong: 403 before anything is imported.
	for _, u := range []upload{
		{files: [][2]string{{"a.csv", csv}}},
		{files: [][2]string{{"a.csv", csv}}, fields: nil},
		{fields: [][2]string{{"csrf", "forged"}}, files: [][2]string{{"a.csv", csv}}},
	} {
		wantCode(t, b.do(u.request(t, h.ts.URL)), http.StatusForbidden)
	}
	// Too large: 413, and the partial spool is removed.
	big := strings.Repeat("2025-01-01,1\n", 10000)
	r := b.do(upload{fields: [][2]string{{"csrf", b.csrf}}, files: [][2]string{{"a.csv", csv}, {"big.csv", big}}}.request(t, h.ts.URL))
	wantCode(t, r, http.StatusRequestEntityTooLarge)
	mustContain(t, r, "larger than the limit of 64 KiB")
	// No files; bad period.
	wantCode(t, b.do(upload{fields: [][2]string{{"csrf", b.csrf}}}.request(t, h.ts.URL)), http.StatusBadRequest)
	wantCode(t, b.do(upload{fields: [][2]string{{"csrf", b.csrf}, {"period", "2025-13"}}, files: [][2]string{{"a.csv", csv}}}.request(t, h.ts.URL)), http.StatusBadRequest)
	if len(rc.reqs) != 0 {
		t.Errorf("refused uploads were imported: %+v", rc.reqs)
	}
	ents, _ := os.ReadDir(h.srv.cfg.TempDir)
	if len(ents) != 0 {
		t.Errorf("temp files left: %v", ents)
	}
	// Reviewers and viewers may not import.
	for _, u := range []string{"rev", "vic"} {
		o := h.loggedIn(u)
		wantCode(t, o.get("/import"), http.StatusForbidden)
		wantCode(t, o.do(upload{fields: [][2]string{{"csrf", o.csrf}}, files: [][2]string{{"a.csv", csv}}}.request(t, h.ts.URL)), http.StatusForbidden)
	}
	if len(rc.reqs) != 0 {
		t.Error("a non-admin imported")
	}
}

func TestSafeName(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd": "passwd", `C:\Users\x\aws.csv`: "aws.csv", "a\r\nb.csv": "ab.csv", "..": "upload.csv", "": "upload.csv",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
