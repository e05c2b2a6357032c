package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDashboard measures the dashboard's aggregation and rendering
// over a period of 100k charges (the ledger read itself is not included).
func BenchmarkDashboard(b *testing.B) {
	l := sampleLedger()
	for i := int64(0); i < 100_000; i++ {
		l.charges = append(l.charges, row(100+i, []string{"AWS", "HPC", "Azure", "Storage"}[i%4],
			fmt.Sprintf("pi%02d@uni.edu", i%60), fmt.Sprintf("svc-%d", i%40), "12.345", "10.10", "", ""))
	}
	h := newHarness(b, l)
	br := h.loggedIn("vic")
	req := httptest.NewRequest("GET", "/dashboard?period=2025-01", nil)
	for _, c := range br.c.Jar.Cookies(mustURL(h.ts.URL)) {
		req.AddCookie(c)
	}
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.srv.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "charges/s")
}
