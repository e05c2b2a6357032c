package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestChromiumTablesAtAnyWidth (issue 28, item 9): identifiers are never
// broken inside, at 1280 px or on a phone; at 390 px the review,
// statements and disputes tables become cards whose amounts, flags and
// forms are all inside the screen.
func TestChromiumTablesAtAnyWidth(t *testing.T) {
	b := realLedger(t)
	if _, err := b.OpenDispute(context.Background(), Actor{User: "rev", Origin: "web"}, NewDispute{Period: "2025-01",
		PIEmail: "ada.lovelace@uni.edu", Reason: "the GPU queue was down"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, b)
	ctx, _ := chromium(t)
	step(t, ctx, "login", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "ada"), chromedp.SendKeys(chromedp.ID("password"), "password-ada"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS(`form[action="/logout"]`)))

	// broken lists identifiers whose text runs over more than one line.
	const broken = `Array.from(document.querySelectorAll(".ident")).filter(e => {
	  const tw = document.createTreeWalker(e, NodeFilter.SHOW_TEXT); const tops = new Set();
	  for (let n = tw.nextNode(); n; n = tw.nextNode()) {
	    const r = document.createRange(); r.selectNodeContents(n);
	    for (const x of r.getClientRects()) if (x.width > 0) tops.add(Math.round(x.top));
	  }
	  return tops.size > 1 }).map(e => e.textContent).join(" | ")`
	// outside lists table cells and controls that end beyond the screen.
	const outside = `Array.from(document.querySelectorAll("table.cards td, table.cards button, table.cards input")).filter(e => {
	  const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > window.innerWidth + 0.5 || r.left < -0.5) }).map(e => e.outerHTML.slice(0, 120)).join(" | ")`
	pages := []string{"/review?period=2025-01", "/charges?period=2025-01", "/statements?period=2025-01", "/disputes?period=2025-01"}
	for _, w := range []int64{1280, 390} {
		for _, p := range pages {
			what := fmt.Sprintf("%s at %d px", p, w)
			step(t, ctx, what, chromedp.EmulateViewport(w, 900), chromedp.Navigate(h.ts.URL+p), chromedp.WaitVisible(chromedp.CSS("h1")))
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.querySelectorAll("table.cards .ident").length`))
			if err != nil || n == 0 {
				t.Fatalf("%s: no identifiers marked (%v)", what, err)
			}
			if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](broken)); err != nil || s != "" {
				t.Errorf("%s: identifiers broken across lines: %s (%v)", what, s, err)
			}
			if w == 390 {
				if s, err := chromedp.Run(ctx, chromedp.Evaluate[string](outside)); err != nil || s != "" {
					t.Errorf("%s: cells or controls outside the screen: %s (%v)", what, s, err)
				}
				disp, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("table.cards tbody tr")).display`))
				if disp != "block" {
					t.Errorf("%s: rows are %q, not cards", what, disp)
				}
			}
		}
	}
}
