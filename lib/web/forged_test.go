package web

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
)

// forgedFields is a form that every state-changing route would act on if
// it came with its token: a period, a PI, an amount, a dispute's note…
var forgedFields = [][2]string{
	{"period", "2025-01"}, {"pi", "ada@uni.edu"}, {"amount", "-10"}, {"reason", "forged"},
	{"note", "forged"}, {"notify", "1"}, {"action", "approve"}, {"id", "1"}, {"seen", "closed"},
	{"user", "ada"}, {"password", "password-ada"}, {"source", "FORGED"},
}

// forgedEncodings builds a request body without the form token in each
// encoding a browser form (or fetch with no-cors) can send cross-site.
var forgedEncodings = map[string]func() (string, []byte){
	"urlencoded": func() (string, []byte) {
		v := url.Values{}
		for _, f := range forgedFields {
			v.Set(f[0], f[1])
		}
		return "application/x-www-form-urlencoded", []byte(v.Encode())
	},
	"multipart": func() (string, []byte) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, f := range forgedFields {
			mw.WriteField(f[0], f[1])
		}
		fw, _ := mw.CreateFormFile("files", "aws.csv")
		fw.Write([]byte("BillingPeriodStart,BilledCost\n2025-01-01T00:00:00Z,1\n"))
		mw.Close()
		return mw.FormDataContentType(), b.Bytes()
	},
	"text/plain": func() (string, []byte) {
		var b strings.Builder
		for _, f := range forgedFields {
			fmt.Fprintf(&b, "%s=%s\r\n", f[0], f[1])
		}
		return "text/plain", []byte(b.String())
	},
	"json": func() (string, []byte) {
		m := map[string]string{}
		for _, f := range forgedFields {
			m[f[0]] = f[1]
		}
		b, _ := json.Marshal(m)
		return "application/json", b
	},
	"none": func() (string, []byte) { return "", nil },
}

// ledgerState is everything a forged request could change.
type ledgerState struct {
	Periods     []ledger.PeriodInfo
	Audit       int
	Adjustments []ledger.Adjustment
	Disputes    []ledger.Dispute
	Review      []ledger.ReviewItem
	Charges     []string // each charge as printed, owners included
}

func snapshot(t *testing.T, b *LedgerBackend) ledgerState {
	t.Helper()
	ctx := context.Background()
	var s ledgerState
	var err error
	if s.Periods, err = b.Ledger.Periods(ctx); err != nil {
		t.Fatal(err)
	}
	a, err := b.Ledger.Audit(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	s.Audit = len(a)
	if s.Adjustments, err = b.Ledger.Adjustments(ctx, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if s.Disputes, err = b.Ledger.Disputes(ctx, "2025-01"); err != nil {
		t.Fatal(err)
	}
	if s.Review, err = b.Ledger.ReviewItems(ctx, "2025-01", ""); err != nil {
		t.Fatal(err)
	}
	if err := b.Ledger.EachCharge(ctx, "2025-01", func(c *ledger.Charge) error {
		s.Charges = append(s.Charges, fmt.Sprintf("%+v", *c))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestEveryPostRefusesAForgedForm sends every state-changing route the
// server registers a request without its token, in every encoding, from
// a signed-in admin's browser, and with the right token but Origin: null.
// Each must be refused with 403 and leave the ledger exactly as it was:
// the period closed (finalize would succeed with the token), the dispute
// open, no adjustment, no import, no mail, the session alive.
func TestEveryPostRefusesAForgedForm(t *testing.T) {
	b := piLedger(t)
	ctx := context.Background()
	disputeID, err := b.Ledger.OpenDispute(ctx, ledger.Actor{User: "t", Origin: "cli"},
		ledger.Dispute{Period: "2025-01", PIEmail: "ada@uni.edu", Reason: "too high"})
	if err != nil {
		t.Fatal(err)
	}
	var imports, mails atomic.Int32
	h := newHarness(t, b, func(c *Config) {
		c.LinkKey = piKey
		c.Import = func(context.Context, Actor, ImportRequest) ([]FileReport, error) {
			imports.Add(1)
			return nil, nil
		}
		c.Notify = func(context.Context, Dispute) (string, error) {
			mails.Add(1)
			return "mail", nil
		}
	})
	admin := h.loggedIn("ada")
	tok := piToken(t, b, "ada@uni.edu", h.clock.Now().Add(24*time.Hour))
	admin.get("/pi/" + tok) // the PI's form cookie, as a PI's browser would have it

	var paths []string
	for _, p := range h.srv.posts {
		method, path, _ := strings.Cut(p, " ")
		if method != http.MethodPost {
			t.Fatalf("route %s: only POST changes state here; add its method to this test", p)
		}
		path = strings.NewReplacer("{period}", "2025-01", "{id}", fmt.Sprint(disputeID), "{token}", tok).Replace(path)
		if strings.Contains(path, "{action}") {
			for a := range periodActions {
				paths = append(paths, strings.Replace(path, "{action}", a, 1))
			}
			continue
		}
		if strings.Contains(path, "{") {
			t.Fatalf("route %s: give its wildcard a value in this test", p)
		}
		paths = append(paths, path)
	}
	if len(paths) < 10 {
		t.Fatalf("only %d POST routes registered: %v", len(paths), paths)
	}
	// Logout last: were it forged, every later request would be refused
	// for want of a session, whatever the token check does.
	last := func(p string) int {
		if p == "/logout" {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(paths, func(a, b string) int { return cmp.Compare(last(a), last(b)) })
	before := snapshot(t, b)
	for _, path := range paths {
		for enc, body := range forgedEncodings {
			ct, data := body()
			r, _ := http.NewRequest("POST", h.ts.URL+path, bytes.NewReader(data))
			if ct != "" {
				r.Header.Set("Content-Type", ct)
			}
			if got := admin.do(r); got.Code != http.StatusForbidden {
				t.Errorf("POST %s (%s, no token): status %d, want 403", path, enc, got.Code)
			}
		}
		if after := snapshot(t, b); !reflect.DeepEqual(before, after) {
			t.Fatalf("forged requests to %s changed the ledger:\nbefore %+v\nafter  %+v", path, before, after)
		}
		if strings.HasPrefix(path, "/pi/") || path == "/login" {
			continue // not staff routes: a PI's mail client may send Origin: null
		}
		// The right token from an opaque origin (a sandboxed frame, a
		// data: page on a sibling subdomain) is refused too.
		v := url.Values{"csrf": {admin.csrf}}
		for _, f := range forgedFields {
			v.Set(f[0], f[1])
		}
		r, _ := http.NewRequest("POST", h.ts.URL+path, strings.NewReader(v.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "null")
		if got := admin.do(r); got.Code != http.StatusForbidden {
			t.Errorf("POST %s (Origin: null, with token): status %d, want 403", path, got.Code)
		}
	}
	if after := snapshot(t, b); !reflect.DeepEqual(before, after) {
		t.Errorf("forged requests changed the ledger:\nbefore %+v\nafter  %+v", before, after)
	}
	if imports.Load() != 0 || mails.Load() != 0 {
		t.Errorf("forged requests imported %d times and mailed %d times", imports.Load(), mails.Load())
	}
	if r := admin.get("/dashboard"); r.Code != http.StatusOK {
		t.Errorf("a forged logout ended the session: dashboard %d", r.Code)
	}

	// The same admin with the token can still do each thing: the refusals
	// above were the token's doing, not a broken route.
	r := admin.post(fmt.Sprintf("/disputes/%d/resolve", disputeID), url.Values{"note": {"ok"}})
	wantCode(t, r, http.StatusSeeOther)
	admin.get("/periods/2025-01/confirm?action=finalize")
	r = admin.post("/periods/2025-01/finalize", url.Values{})
	wantCode(t, r, http.StatusSeeOther)
	if info, err := b.Ledger.Period(ctx, "2025-01"); err != nil || info.State != ledger.StateFinalized {
		t.Fatalf("finalize with the token: %v %v", info.State, err)
	}
}

// TestUploadTokenMustComeFirst: the one route that takes multipart reads
// the token as the first part; a token after a file is too late.
func TestUploadTokenMustComeFirst(t *testing.T) {
	var imports atomic.Int32
	h := newHarness(t, sampleLedger(), func(c *Config) {
		c.Import = func(context.Context, Actor, ImportRequest) ([]FileReport, error) {
			imports.Add(1)
			return nil, nil
		}
	})
	admin := h.loggedIn("ada")
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("files", "aws.csv")
	fw.Write([]byte("BillingPeriodStart,BilledCost\n"))
	mw.WriteField("csrf", admin.csrf)
	mw.Close()
	r, _ := http.NewRequest("POST", h.ts.URL+"/import", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	wantCode(t, admin.do(r), http.StatusForbidden)
	if imports.Load() != 0 {
		t.Fatal("an upload with its token after the file was imported")
	}
}
