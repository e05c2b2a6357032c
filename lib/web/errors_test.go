package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// failingLedger answers every charge query with a database error.
type failingLedger struct{ *memLedger }

var errDB = errors.New(`sqlite3: LIKE or GLOB pattern too complex: SELECT id FROM charges WHERE pi_email LIKE ?`)

func (f failingLedger) Charges(ctx context.Context, flt ChargeFilter) ([]ChargeRow, int, error) {
	return nil, 0, errDB
}

// A server-side failure shows a reference, never the database's message,
// which the log keeps under the same reference.
func TestInternalErrorIsGeneric(t *testing.T) {
	h := newHarness(t, failingLedger{sampleLedger()})
	b := h.loggedIn("vic")
	r := b.get("/charges?pi=" + strings.Repeat("%25_", 5000))
	wantCode(t, r, http.StatusInternalServerError)
	if strings.Contains(r.Body, "sqlite") || strings.Contains(r.Body, "SELECT") {
		t.Errorf("the page shows the database error:\n%s", r.Body)
	}
	mustContain(t, r, "Something went wrong on the server (reference ")
	ref := r.Body[strings.Index(r.Body, "(reference ")+len("(reference "):]
	ref = ref[:8]
	if !strings.Contains(h.logs.String(), "ref="+ref) || !strings.Contains(h.logs.String(), "pattern too complex") {
		t.Errorf("the log lacks reference %s or the detail:\n%s", ref, h.logs)
	}
}

// /static/ serves files, never a listing of its directory.
func TestStaticHasNoDirectoryListing(t *testing.T) {
	h := newHarness(t, sampleLedger())
	b := h.browser()
	for _, p := range []string{"/static/", "/static", "/static/./"} {
		r := b.get(p)
		if r.Code == http.StatusOK || strings.Contains(r.Body, "app.css") {
			t.Errorf("GET %s: %d, lists the directory:\n%s", p, r.Code, r.Body)
		}
	}
	wantCode(t, b.get("/static/app.css"), http.StatusOK)
}

// A filter longer than SQLite's LIKE pattern limit finds nothing instead
// of failing (a real ledger).
func TestLongFilterIsNotAnError(t *testing.T) {
	b := piLedger(t)
	h := newHarness(t, b)
	br := h.loggedIn("vic")
	for _, p := range []string{"pi", "project", "service", "source", "flag"} {
		r := br.get("/charges?period=2025-01&" + p + "=" + strings.Repeat("%25_", 20000))
		if r.Code != http.StatusOK {
			t.Errorf("%s filter of 60,000 bytes: %d", p, r.Code)
		}
	}
}
