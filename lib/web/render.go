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
	"github.com/openchargeback/ocb/lib/statement"
)

type pageTemplate = *template.Template

// amount reads a template's money argument (an exact decimal or Money).
func amount(v any) money.Money {
	switch x := v.(type) {
	case money.Money:
		return x
	case decimal.Decimal:
		return money.Cents(x)
	case *money.Money:
		return *x
	}
	panic(fmt.Sprintf("money: %T is not an amount", v))
}

// moneyHTML is an amount as a statement shows it ("$1,234.50",
// "−$12.50"); a negative amount is marked for its own colour.
func moneyHTML(cur string, v any) template.HTML {
	m := amount(v)
	s := template.HTMLEscapeString(money.Display(m, cur))
	if m.IsNegative() {
		return template.HTML(`<span class="neg">` + s + `</span>`)
	}
	return template.HTML(s)
}

// qty writes a quantity with thousands separators, keeping its decimals
// ("12,345.678").
func qty(v any) string {
	var s string
	switch x := v.(type) {
	case decimal.Decimal:
		s = x.String()
	case string:
		if _, err := decimal.NewFromString(x); err != nil {
			return x
		}
		s = x
	default:
		return fmt.Sprint(v)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	i, f, hasF := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString("\u2212")
	}
	for k, c := range i {
		if k > 0 && (len(i)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasF {
		b.WriteString("." + f)
	}
	return b.String()
}

var funcs = template.FuncMap{
	// money formats an exact amount in the ledger's currency; moneyc in a given one.
	"money":  func(v any) template.HTML { return moneyHTML("", v) },
	"moneyc": moneyHTML,
	// discount shows a discount the way statements do: as a reduction (−).
	"discount": func(v any) template.HTML { return moneyHTML("", amount(v).Neg()) },
	// moneytext is an amount in plain text (attributes, labels).
	"moneytext": func(v any) string { return money.Display(amount(v), "") },
	// qty is a quantity with thousands separators and its own decimals.
	"qty": qty,
	// covered and credit are a statement's sentences, as on its PDF.
	"covered": statement.CoveredSentence,
	"credit": func(st *statement.Statement) string {
		return statement.CreditSentence(st, func(m money.Money) string { return money.Display(m, st.Currency) })
	},
	// qualifiers, underreview and reviewmark explain a statement's lines
	// as its PDF does (lib/statement): the keys that tell look-alike lines
	// apart, and what a line under review means.
	"qualifiers": statement.Qualifiers,
	"underreview": func(st *statement.Statement) string {
		if statement.HasUnderReview(st) {
			return statement.UnderReviewSentence
		}
		return ""
	},
	"reviewmark": func() string { return statement.UnderReviewMark },
	// linecell bundles a line and its qualifier for "line-service".
	"linecell": func(l statement.Line, q string) map[string]any { return map[string]any{"L": l, "Q": q} },
	"can": func(q *req, role string) bool {
		r, err := ParseRole(role)
		return err == nil && q != nil && q.User.Role >= r
	},
	// flaglist splits x_Flags ("orphan-instance;missing-tag:pi_email") so
	// each flag is shown whole and the list wraps between flags only.
	"flaglist": func(f string) []string {
		var out []string
		for _, x := range strings.Split(f, ";") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
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
