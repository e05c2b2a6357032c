package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axe-core (npm package axe-core, MPL-2.0), vendored so the test needs no network.
//
//go:embed testdata/axe.min.js
var axeSource string

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// runAxe checks the page in the browser and fails on serious or critical
// violations of WCAG 2.1 A/AA.
func runAxe(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	vs := axeRun(t, ctx, what)
	if testing.Verbose() {
		for _, v := range vs {
			t.Logf("%s: axe %s (%s) on %d node(s)", what, v.ID, v.Impact, len(v.Nodes))
		}
	}
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var nodes []string
		for i, n := range v.Nodes {
			if i == 3 {
				nodes = append(nodes, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			nodes = append(nodes, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("%s: axe %s (%s): %s\n  %s", what, v.ID, v.Impact, v.Help, strings.Join(nodes, "\n  "))
	}
}

func axeRun(t *testing.T, ctx context.Context, what string) []axeViolation {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(c, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		t.Fatalf("%s: load axe: %v", what, err)
	}
	out, err := chromedp.Run(c, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", what, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("%s: axe result: %v", what, err)
	}
	return vs
}

// TestChromiumEveryPage signs in through the real login form (with a
// hostile next=), then opens every page at 1280 px and 390 px, light and
// dark: axe finds no serious or critical violation, and a phone never
// scrolls sideways.
func TestChromiumEveryPage(t *testing.T) {
	b := realLedger(t)
	h := newHarness(t, b)
	ctx, _ := chromium(t)

	// Open redirect: the browser strips the tab of /%09/other-host and would
	// follow //other-host; the server must send it home instead.
	step(t, ctx, "login with a hostile next",
		chromedp.Navigate(h.ts.URL+"/login?next=/%09/other-host/x"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "ada"),
		chromedp.SendKeys(chromedp.ID("password"), "password-ada"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		// Not "h1": the sign-in page has one too, and navigating on while
		// the sign-in is in flight aborts it (a flaky ERR_ABORTED).
		chromedp.WaitReady(chromedp.CSS(`form[action="/logout"]`)))
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string]("location.href"))
	if err != nil || !strings.HasPrefix(loc, h.ts.URL+"/") {
		t.Fatalf("after login with next=/%%09/other-host the browser is at %q (%v)", loc, err)
	}
	// Signed in, the same link must not leave the site either.
	step(t, ctx, "hostile next while signed in", chromedp.Navigate(h.ts.URL+"/login?next=/%09/other-host/x"),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if loc, _ = chromedp.Run(ctx, chromedp.Evaluate[string]("location.href")); !strings.HasPrefix(loc, h.ts.URL+"/") {
		t.Fatalf("signed in, next=/%%09/other-host went to %q", loc)
	}

	pages := []string{"/dashboard?period=2025-01", "/charges?period=2025-01", "/review?period=2025-01",
		"/statements?period=2025-01", "/adjustments?period=2025-01", "/disputes?period=2025-01", "/import", "/audit?period=2025-01",
		"/periods/2025-01/confirm?action=close"}
	// One statement page, found through the list.
	step(t, ctx, "statements", chromedp.Navigate(h.ts.URL+"/statements?period=2025-01"),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="/statements/2025-01"]`)))
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('a[href^="/statements/2025-01"]').getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	pages = append(pages, href)

	for _, width := range []int64{1280, 390} {
		for _, theme := range []string{"light", "dark"} {
			step(t, ctx, "viewport", chromedp.EmulateViewport(width, 900))
			for _, p := range pages {
				what := fmt.Sprintf("%s at %d px, %s", p, width, theme)
				step(t, ctx, what, chromedp.Navigate(h.ts.URL+p), chromedp.WaitVisible(chromedp.CSS("h1")))
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.documentElement.setAttribute("data-theme", %q); true`, theme))); err != nil {
					t.Fatal(err)
				}
				runAxe(t, ctx, what)
				over, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`))
				if err != nil || over > 0 {
					t.Errorf("%s: the page scrolls sideways by %d px (%v)", what, over, err)
				}
			}
		}
	}
	// The sign-in page, signed out.
	step(t, ctx, "sign out", chromedp.EmulateViewport(390, 900), chromedp.Navigate(h.ts.URL+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS("h1")))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form[action="/logout"]').submit(); true`)); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "login page", chromedp.WaitVisible(chromedp.ID("user")))
	runAxe(t, ctx, "/login at 390 px")
	// The check itself works: an image without alt text is caught.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.appendChild(document.createElement("img")); true`)); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, v := range axeRun(t, ctx, "self-check") {
		found = found || v.ID == "image-alt"
	}
	if !found {
		t.Error("axe did not report an image without alt: is it running?")
	}
}

// TestChromiumDashboardTrend: the dashboard's trend chart (two periods) in
// a real browser, light and dark, 1280 and 390 px: drawn, labelled, no
// serious axe violation, its text ≥ 4.5:1 and its bars ≥ 3:1 against the
// background, and on a phone the chart scrolls in its own box, never the page.
func TestChromiumDashboardTrend(t *testing.T) {
	b := twoPeriodLedger(t)
	h := newHarness(t, b)
	ctx, _ := chromium(t)
	step(t, ctx, "login",
		chromedp.Navigate(h.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("user")),
		chromedp.SendKeys(chromedp.ID("user"), "ada"),
		chromedp.SendKeys(chromedp.ID("password"), "password-ada"),
		chromedp.Click(chromedp.CSS("form.login button[type=submit]")),
		chromedp.WaitReady(chromedp.CSS(`form[action="/logout"]`))) // the sign-in page has an h1 too
	const probe = `(() => {
  const lum = c => { const m = c.match(/[\d.]+/g).slice(0, 3).map(Number).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const bg = getComputedStyle(document.body).backgroundColor;
  const out = {text: 99, graphics: 99, texts: 0, bars: 0, drawn: 0, svgW: 0, boxScroll: 0};
  document.querySelectorAll('svg.trend text').forEach(e => { out.texts++; out.text = Math.min(out.text, ratio(getComputedStyle(e).fill, bg)); });
  document.querySelectorAll('svg rect.list, svg rect.billed').forEach(e => { out.bars++; out.graphics = Math.min(out.graphics, ratio(getComputedStyle(e).fill, bg)); });
  document.querySelectorAll('svg.trend rect').forEach(e => { if (e.getBoundingClientRect().height > 0.5) out.drawn++; });
  const s = document.querySelector('svg.trend'); out.svgW = s ? s.getBoundingClientRect().width : 0;
  const box = document.querySelector('.chart-box'); out.boxScroll = box ? box.scrollWidth - box.clientWidth : -1;
  return JSON.stringify(out);
})()`
	for _, width := range []int64{1280, 390} {
		for _, theme := range []string{"light", "dark"} {
			what := fmt.Sprintf("dashboard trend at %d px, %s", width, theme)
			step(t, ctx, what, chromedp.EmulateViewport(width, 900), chromedp.Navigate(h.ts.URL+"/dashboard?period=2025-12"),
				chromedp.WaitVisible(chromedp.CSS("svg.trend")))
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.documentElement.setAttribute("data-theme", %q); true`, theme))); err != nil {
				t.Fatal(err)
			}
			runAxe(t, ctx, what)
			js, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe))
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Text, Graphics     float64
				Texts, Bars, Drawn int
				SvgW               float64
				BoxScroll          float64
			}
			if err := json.Unmarshal([]byte(js), &got); err != nil {
				t.Fatal(err)
			}
			if got.Texts < 6 || got.Drawn < 4 || got.SvgW < 500 {
				t.Errorf("%s: chart not drawn: %s", what, js)
			}
			if got.Text < 4.5 || got.Graphics < 3 {
				t.Errorf("%s: contrast text %.2f:1 (want ≥ 4.5), graphics %.2f:1 (want ≥ 3)", what, got.Text, got.Graphics)
			}
			over, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil || over > 0 {
				t.Errorf("%s: the page scrolls sideways by %d px (%v)", what, over, err)
			}
			if width == 390 && got.BoxScroll <= 0 {
				t.Errorf("%s: the chart is squeezed instead of scrolling in its box: %s", what, js)
			}
			if testing.Verbose() {
				t.Logf("%s: %s", what, js)
			}
			if dir := os.Getenv("KEEP_SCREENSHOTS"); dir != "" {
				if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
					os.WriteFile(fmt.Sprintf("%s/trend-%d-%s.png", dir, width, theme), png, 0o644)
				}
			}
		}
	}
}
