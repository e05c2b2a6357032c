package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/openchargeback/ocb/lib/money"
	"github.com/openchargeback/ocb/lib/statement"
)

//go:embed templates/*.tmpl
var defaultTemplates embed.FS

// Templates render a statement's subject, plain-text body and HTML body.
// The HTML body goes through html/template, so a PI name or service name
// like "<script>" arrives escaped.
type Templates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// TemplateFiles names site templates; an empty name keeps the default.
type TemplateFiles struct {
	Subject, Text, HTML string
}

// LoadTemplates parses the embedded defaults, replaced by any file named in f.
func LoadTemplates(f TemplateFiles) (*Templates, error) {
	return loadTemplates(f, DefaultTemplateFiles)
}

func loadTemplates(f, defs TemplateFiles) (*Templates, error) {
	read := func(file, def string) (string, string, error) {
		if file == "" {
			b, err := defaultTemplates.ReadFile("templates/" + def)
			return def, string(b), err
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return "", "", fmt.Errorf("read template: %w", err)
		}
		return file, string(b), nil
	}
	var t Templates
	name, src, err := read(f.Subject, defs.Subject)
	if err != nil {
		return nil, err
	}
	if t.subject, err = texttemplate.New(name).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("subject template: %w", err)
	}
	if name, src, err = read(f.Text, defs.Text); err != nil {
		return nil, err
	}
	if t.text, err = texttemplate.New(name).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("text template: %w", err)
	}
	if name, src, err = read(f.HTML, defs.HTML); err != nil {
		return nil, err
	}
	if t.html, err = htmltemplate.New(name).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("html template: %w", err)
	}
	// A template naming a field that does not exist fails only when run;
	// run it once on a sample so that is a usage error before any sending,
	// not the same failure once per PI.
	sample := sampleStatement()
	v := NewView(&sample, "2025-01-0001.pdf", "billing@example.edu")
	v.Link, v.FinalOn, v.FinalOnDate = "https://billing.example.edu/pi/sample", "Thursday 20 February 2025", "2025-02-20"
	if _, err := t.Render(&v); err != nil {
		return nil, err
	}
	return &t, nil
}

// sampleStatement has every optional part filled so templates are
// exercised on each branch they are likely to take.
func sampleStatement() statement.Statement {
	m := func(s string) money.Money { v, _ := money.Parse(s); return v }
	return statement.Statement{
		StatementID: "2025-01-0001", Period: "2025-01", Status: statement.StatusDraft, Currency: "USD",
		PI: statement.Person{Email: "pi@example.edu", Name: "Sample PI"}, FundOrg: "FUND-1", ProjectID: "project-1",
		Lines: []statement.Line{{Source: "HPC", Service: "HPC Compute", ProjectID: "project-1", FundOrg: "FUND-1",
			Quantity: "10", Unit: "Core-Hours", ListCost: m("20"), Discount: m("-5"), BilledCost: m("15")}},
		Adjustments: []statement.Adjustment{{Amount: m("-1"), Reason: "credit"}},
		Totals:      statement.Totals{ListCost: m("20"), Discount: m("-5"), BilledCost: m("15"), Adjustments: m("-1"), AmountDue: m("14")},
		Notes:       []string{"project-1 ends 2025-03-31"},
		FinalizedAt: "2025-02-05T10:00:00Z",
	}
}

// Rendered is one statement's subject and bodies.
type Rendered struct {
	Subject, Text, HTML string
}

// Render executes the three templates for v. The subject must come out as
// one line: surrounding whitespace (a template file's final newline) is
// trimmed, and a line break inside it is an error rather than a header
// injection.
func (t *Templates) Render(v *View) (Rendered, error) {
	var r Rendered
	var b bytes.Buffer
	if err := t.subject.Execute(&b, v); err != nil {
		return r, fmt.Errorf("subject template: %w", err)
	}
	r.Subject = strings.TrimSpace(b.String())
	if err := checkHeaderValue("subject", r.Subject); err != nil {
		return r, err
	}
	if r.Subject == "" {
		return r, fmt.Errorf("subject template produced an empty subject")
	}
	b.Reset()
	if err := t.text.Execute(&b, v); err != nil {
		return r, fmt.Errorf("text template: %w", err)
	}
	r.Text = b.String()
	b.Reset()
	if err := t.html.Execute(&b, v); err != nil {
		return r, fmt.Errorf("html template: %w", err)
	}
	r.HTML = b.String()
	return r, nil
}

// DefaultTemplateFiles are the embedded defaults' names, as written by
// WriteDefaultTemplates: a site copies and edits them.
var DefaultTemplateFiles = TemplateFiles{Subject: "subject.tmpl", Text: "body.txt.tmpl", HTML: "body.html.tmpl"}

// WriteDefaultTemplates writes the embedded default templates into dir
// (created if needed), refusing to overwrite a site's edited copies.
func WriteDefaultTemplates(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write templates: %w", err)
	}
	var written []string
	for _, name := range []string{DefaultTemplateFiles.Subject, DefaultTemplateFiles.Text, DefaultTemplateFiles.HTML,
		DraftTemplateFiles.Subject, DraftTemplateFiles.Text, DraftTemplateFiles.HTML} {
		b, err := defaultTemplates.ReadFile("templates/" + name)
		if err != nil {
			return written, err
		}
		path := filepath.Join(dir, name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return written, fmt.Errorf("write templates: %w", err)
		}
		_, err = f.Write(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, fmt.Errorf("write templates: %w", err)
		}
		written = append(written, path)
	}
	return written, nil
}
