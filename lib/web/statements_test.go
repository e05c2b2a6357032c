package web

import (
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
)

// pdfText extracts a PDF's text with pdftotext (poppler-utils, installed by .ci/run).
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	f := t.TempDir() + "/s.pdf"
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestStatements(t *testing.T) {
	l := sampleLedger()
	l.charges[0].ProjectID, l.charges[0].FundOrg = "climate", "NSF-1"
	h := newHarness(t, l)
	b := h.loggedIn("vic")
	r := b.get("/statements?period=2025-01")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "4 statement(s) for 2025-01", "ada@uni.edu", "2,400.00", "draft (open)")
	id := regexp.MustCompile(`href="/statements/(2025-01-[0-9]{8})\?by=pi">[^<]*</a></th>\s*<td[^>]*>(?:<span class="ident">)?ada@uni.edu`).FindStringSubmatch(r.Body)
	if id == nil {
		t.Fatalf("no statement link for ada:\n%s", r.Body)
	}
	r = b.get("/statements/" + id[1] + "?by=pi")
	wantCode(t, r, http.StatusOK)
	mustContain(t, r, "Statement "+id[1], "HPC Compute", "climate", "NSF-1", "−$2,400.00", "covered $2,400.00 (100.0%)")

	r = b.get("/statements/" + id[1] + "/pdf")
	wantCode(t, r, http.StatusOK)
	if r.Hdr.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.Hdr.Get("Content-Disposition"), `attachment; filename="2025-01_ada_`) ||
		!strings.HasSuffix(r.Hdr.Get("Content-Disposition"), "_"+strings.TrimPrefix(id[1], "2025-01-")+`.pdf"`) {
		t.Errorf("headers %v", r.Hdr)
	}
	txt := pdfText(t, []byte(r.Body))
	for _, want := range []string{"ada@uni.edu", "2,400.00", "DRAFT"} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF text lacks %q:\n%s", want, txt)
		}
	}
	// A credit larger than the bill: the page says it in words, as the PDF does.
	l.adjs = append(l.adjs, ledger.Adjustment{ID: 99, Period: "2025-01", PIEmail: "ada@uni.edu", FundOrg: "NSF-1",
		Amount: decimal.RequireFromString("-12.50"), Reason: "outage"})
	r = b.get("/statements/" + id[1] + "?by=pi")
	mustContain(t, r, "Credit of $12.50 to NSF-1")

	wantCode(t, b.get("/statements/2025-01-00000000"), http.StatusNotFound)
	wantCode(t, b.get("/statements/2031-01-00000000/pdf"), http.StatusNotFound)
	wantCode(t, b.get("/statements/..%2f..%2fetc/pdf"), http.StatusNotFound)
	r = b.get("/statements?period=2025-01&by=project")
	mustContain(t, r, "4 statement(s)", `<option value="project" selected>`)
}
