package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/money"
)

type pageTemplate = *template.Template

var funcs = template.FuncMap{
	// money formats an exact amount as a statement shows it: cents, thousands separators.
	"money": func(d decimal.Decimal) string { return money.Cents(d).Format() },
	"can": func(q *req, role string) bool {
		r, err := ParseRole(role)
		return err == nil && q != nil && q.User.Role >= r
	},
	"add":   func(a, b int) int { return a + b },
	"sub":   func(a, b int) int { return a - b },
	"lower": strings.ToLower,
	"picker": func(ps []ledger.PeriodInfo, sel string) map[string]any {
		return map[string]any{"Periods": ps, "Selected": sel}
	},
	// table bundles a breakdown for the "breakdown" template.
	"table": func(title, key string, rows []group) map[string]any {
		return map[string]any{"Title": title, "Key": key, "Rows": rows}
	},
}

// parseTemplates parses each page together with the layout, so every page
// defines its own "content" block.
func parseTemplates() (map[string]pageTemplate, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]pageTemplate{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// view is what every page template gets.
type view struct {
	Title   string
	Q       *req
	Period  string // the period the page is about, for the nav
	Notice  string
	Error   string
	Data    any
	NavItem string
}

func (s *Server) render(w http.ResponseWriter, status int, page string, v view) {
	t, ok := s.pages[page]
	if !ok {
		http.Error(w, "no template "+page, http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer // render fully first: a template error must not leave half a page
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("render", "page", page, "err", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows a refusal or error with its status and a way back.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, q *req, status int, msg string) {
	s.render(w, status, "error", view{Title: http.StatusText(status), Q: q, Error: msg,
		Data: struct{ Back string }{safeBack(r.Referer(), r.Host)}})
}

// safeBack returns a same-site path to go back to, or "/".
func safeBack(ref, host string) string {
	if ref == "" {
		return "/"
	}
	if i := strings.Index(ref, "://"); i >= 0 {
		rest := ref[i+3:]
		h, p, _ := strings.Cut(rest, "/")
		if h != host {
			return "/"
		}
		return "/" + p
	}
	if strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//") {
		return ref
	}
	return "/"
}
