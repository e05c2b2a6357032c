package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/openchargeback/ocb/internal/browsertest"
)

// chromium starts a headless Chromium for the test, downloads allowed
// into a directory of its own.
func chromium(t *testing.T) (context.Context, string) {
	t.Helper()
	downloads := t.TempDir()
	return browsertest.Start(t, downloads), downloads
}

// step runs browser actions with a time limit (browsertest.Step).
var step = browsertest.Step

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitDownload waits for one finished file in dir.
func waitDownload(t *testing.T, dir string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".crdownload") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil && len(b) > 0 {
				return b
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no download arrived")
	return nil
}

func TestChromiumSmoke(t *testing.T) {
	l := sampleLedger()
	h := newHarness(t, l)
	ctx, downloads := chromium(t)
	step(t, ctx, "login",
		chromedp.Navigate(h.ts.URL+"/review?period=2025-01"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "ada"),
		chromedp.SendKeys(chromedp.ID("password"), "password-ada"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#select-all")),
	)
	step(t, ctx, "approve all", chromedp.Click(chromedp.ID("select-all")),
		chromedp.Click(chromedp.CSS(`button[value=approve]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	if n := text(t, ctx, ".notice"); n != "Approved 2 charge(s)." {
		t.Fatalf("notice %q", n)
	}
	step(t, ctx, "dark mode", chromedp.Click(chromedp.ID("theme-toggle")))
	theme, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.getAttribute("data-theme")`))
	if err != nil || (theme != "dark" && theme != "light") {
		t.Errorf("theme toggle: %q %v", theme, err)
	}
	step(t, ctx, "statement pdf", chromedp.Navigate(h.ts.URL+"/statements?period=2025-01"),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/pdf?by=pi"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/pdf?by=pi"]`)))
	pdf := waitDownload(t, downloads)
	if !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("download is not a PDF: %q", pdf[:min(20, len(pdf))])
	}
}
