package web

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// A client that sends a sign-in body slowly is cut off by the read
// timeout instead of holding its connection open.
func TestSlowBodyIsCutOff(t *testing.T) {
	h := newHarness(t, sampleLedger(), func(c *Config) { c.ReadTimeout = 300 * time.Millisecond })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := h.srv.HTTPServer(nil)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	if hs.ReadHeaderTimeout == 0 || hs.IdleTimeout == 0 {
		t.Errorf("header timeout %v, idle timeout %v", hs.ReadHeaderTimeout, hs.IdleTimeout)
	}
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nuser=a")
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		res.Body.Close()
		if res.StatusCode < 400 {
			t.Errorf("a slow body got %d", res.StatusCode)
		}
	} else if ne := (net.Error)(nil); errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still held the connection after 5 s (read timeout 300 ms)")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("cut off after %v", d)
	}
}

// The import route alone may read its body past the read timeout.
func TestUploadOutlivesReadTimeout(t *testing.T) {
	rc := &recorder{t: t}
	h := newHarness(t, sampleLedger(), func(c *Config) { c.ReadTimeout, c.Import = 300*time.Millisecond, rc.Import })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := h.srv.HTTPServer(nil)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	h.ts.URL = "http://" + ln.Addr().String()
	b := h.loggedIn("ada")
	pr, pw := io.Pipe()
	go func() {
		fmt.Fprintf(pw, "--B\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nBillingPeriodStart,BilledCost\r\n", b.csrf)
		time.Sleep(700 * time.Millisecond) // longer than the read timeout
		fmt.Fprintf(pw, "2025-01-01,1\r\n--B--\r\n")
		pw.Close()
	}()
	r, _ := http.NewRequest("POST", h.ts.URL+"/import", pr)
	r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
	res, err := b.c.Do(r)
	if err != nil {
		t.Fatalf("a slow upload was cut off: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || len(rc.reqs) != 1 {
		t.Errorf("slow upload: %d, %d import(s)", res.StatusCode, len(rc.reqs))
	}
}
