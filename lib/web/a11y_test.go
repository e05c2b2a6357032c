package web

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
)

// checkPage parses a page leniently and checks the markup rules every page
// keeps: one h1, labelled form controls, captioned tables, no inline script
// or style (the CSP would block them anyway).
func checkPage(t *testing.T, path, body string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	var stack []string
	labelFor := map[string]bool{}
	type control struct{ id, desc string }
	var unlabelled []control
	h1, tables, captions := 0, 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not well-formed enough to parse: %v", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(e.Name.Local)
			attr := map[string]string{}
			for _, a := range e.Attr {
				attr[strings.ToLower(a.Name.Local)] = a.Value
			}
			if _, ok := attr["style"]; ok {
				t.Errorf("%s: inline style on <%s>", path, name)
			}
			for k := range attr {
				if strings.HasPrefix(k, "on") {
					t.Errorf("%s: inline handler %s on <%s>", path, k, name)
				}
			}
			switch name {
			case "script":
				if attr["src"] == "" {
					t.Errorf("%s: inline <script>", path)
				}
			case "h1":
				h1++
			case "table":
				tables++
			case "caption":
				captions++
			case "label":
				if f := attr["for"]; f != "" {
					labelFor[f] = true
				}
			case "input", "select", "textarea":
				typ := attr["type"]
				if typ == "hidden" || typ == "submit" || typ == "button" {
					break
				}
				inLabel := false
				for _, s := range stack {
					if s == "label" {
						inLabel = true
					}
				}
				if !inLabel && attr["aria-label"] == "" {
					unlabelled = append(unlabelled, control{attr["id"], name + " name=" + attr["name"]})
				}
			}
			if !voidElement(name) {
				stack = append(stack, name)
			}
		case xml.EndElement:
			name := strings.ToLower(e.Name.Local)
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i] == name {
					stack = stack[:i]
					break
				}
			}
		}
	}
	for _, c := range unlabelled {
		if c.id == "" || !labelFor[c.id] {
			t.Errorf("%s: %s has no label", path, c.desc)
		}
	}
	if h1 != 1 {
		t.Errorf("%s: %d h1 headings", path, h1)
	}
	if tables != captions {
		t.Errorf("%s: %d tables but %d captions", path, tables, captions)
	}
}

func voidElement(n string) bool {
	switch n {
	case "input", "br", "meta", "link", "img", "hr":
		return true
	}
	return false
}

func TestPagesMarkup(t *testing.T) {
	l := sampleLedger()
	l.disputes = []Dispute{{ID: 1, Period: "2025-01", PIEmail: "bob@uni.edu", Reason: "r", Status: "open"}}
	rc := &recorder{t: t}
	h := newHarness(t, l, func(c *Config) { c.Import = rc.Import })
	b := h.loggedIn("ada")
	st := b.get("/statements?period=2025-01")
	i := strings.Index(st.Body, `href="/statements/2025-01-`)
	one := st.Body[i+6 : i+6+len("/statements/2025-01-00000000")]
	for _, p := range []string{"/dashboard?period=2025-01", "/charges?period=2025-01", "/review?period=2025-01",
		"/adjustments?period=2025-01", "/disputes?period=2025-01", "/statements?period=2025-01", one,
		"/import", "/periods/2025-01/confirm?action=close", "/dashboard?period=2099-01"} {
		r := b.get(p)
		if r.Code != http.StatusOK && r.Code != http.StatusNotFound {
			t.Fatalf("%s: %d", p, r.Code)
		}
		checkPage(t, p, r.Body)
	}
	checkPage(t, "/login", h.browser().get("/login").Body)
}
