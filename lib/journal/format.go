package journal

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/openchargeback/ocb/lib/money"
)

// templates are the built-in formats, one text/template each, embedded so
// the binary needs no files at run time. An institution's own layout is a
// file in the same language (--template), with the same functions.
//
//go:embed templates/*.tmpl
var templates embed.FS

// Formats lists the built-in format names.
func Formats() []string {
	ents, _ := fs.ReadDir(templates, "templates")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".csv.tmpl"))
	}
	sort.Strings(names)
	return names
}

// BuiltinTemplate returns the source of a built-in format's template (for
// an institution to copy and adapt).
func BuiltinTemplate(format string) (string, error) {
	b, err := templates.ReadFile("templates/" + format + ".csv.tmpl")
	if err != nil {
		return "", fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
	}
	return string(b), nil
}

// Funcs are the functions every journal template may call. Values may be
// strings, money.Money, ints or anything with a String method.
//
//	csv X        X as one CSV field: formula-safe, quoted when needed
//	row X Y ...  the fields as one CSV record (no line end): csv of each, joined by ","
//	safe X       formula-safe, unquoted (for non-CSV layouts)
//	cut N X      X cut to N characters (runes), leaving room for the formula quote
//	date LAYOUT X a YYYY-MM-DD date in a Go layout, e.g. date "01/02/2006" .AccountingDate
//	upper X, lower X
//	amount X     a money value as a plain two-place decimal ("-12.50")
//	abs X        a money value without its sign
//	nz X         a money value, or "" when it is zero (separate debit/credit columns)
func Funcs() template.FuncMap {
	return template.FuncMap{
		"csv": func(v any) string { return CSVField(str(v)) },
		"row": func(vs ...any) string {
			fs := make([]string, len(vs))
			for i, v := range vs {
				fs[i] = CSVField(str(v))
			}
			return strings.Join(fs, ",")
		},
		"safe": func(v any) string { return SafeCell(str(v)) },
		"cut": func(n int, v any) string {
			s := str(v)
			t := Truncate(s, n)
			if SafeCell(t) != t {
				t = Truncate(s, n-1) // the quote that defuses it counts too
			}
			return t
		},
		"date": func(layout string, v any) (string, error) {
			t, err := time.Parse("2006-01-02", str(v))
			if err != nil {
				return "", fmt.Errorf("date: %q is not YYYY-MM-DD", str(v))
			}
			return t.Format(layout), nil
		},
		"upper":  func(v any) string { return strings.ToUpper(str(v)) },
		"lower":  func(v any) string { return strings.ToLower(str(v)) },
		"amount": func(m money.Money) string { return m.String() },
		"abs":    func(m money.Money) money.Money { return money.Money{Decimal: m.Abs()} },
		"nz": func(m money.Money) string {
			if m.IsZero() {
				return ""
			}
			return m.String()
		},
	}
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case money.Money:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case fmt.Stringer:
		return x.String()
	case nil:
		return ""
	default:
		return fmt.Sprint(x)
	}
}

// ParseTemplate parses a journal template (built-in or an institution's).
func ParseTemplate(name, src string) (*template.Template, error) {
	t, err := template.New(name).Funcs(Funcs()).Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return t, nil
}

// Render writes the journal through a template into memory, so that a
// template error leaves nothing half-written on stdout.
func Render(t *template.Template, j *Journal) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(j.Lines)*200 + 256)
	if err := t.Execute(&buf, j); err != nil {
		return nil, fmt.Errorf("template %s: %w", t.Name(), err)
	}
	return buf.Bytes(), nil
}
