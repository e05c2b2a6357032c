// Package browsertest starts the headless Chromium that the web tests
// (lib/web and e2e) drive, and runs their browser steps with a time limit.
package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Path is Debian's Chromium, which .ci/run installs.
const Path = "/usr/bin/chromium"

// Start starts a headless Chromium for the test, stopped at its end. The
// test is skipped only when the binary is absent and not in CI. With
// downloads "" the browser refuses downloads; otherwise they go there.
func Start(t *testing.T, downloads string) context.Context {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no %s: .ci/run installs it (apt-get install chromium)", Path)
		}
		t.Skip("no " + Path + " (apt-get install chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(Path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelC(); cancelA() })
	// The first run opens the tab, which lives as long as the context of
	// that run: it must be ctx itself, not a step's timeout context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	p := cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny}
	if downloads != "" {
		p = cdpbrowser.SetDownloadBehaviorParams{Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads}
	}
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, p); err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return ctx
}

// Step runs browser actions with a time limit, so that a hung page fails
// the test, naming the step and showing the page.
func Step(t *testing.T, ctx context.Context, what string, acts ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(c, acts...); err != nil {
		c2, cancel2 := context.WithTimeout(ctx, 5*time.Second)
		defer cancel2()
		page, perr := chromedp.Run(c2, chromedp.Evaluate[string]("location.href + '\\n' + document.body.innerText"))
		t.Fatalf("%s: %v\npage (%v):\n%s", what, err, perr, page)
	}
}
