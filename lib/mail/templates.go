package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"os"
	"strings"
	texttemplate "text/template"
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
	name, src, err := read(f.Subject, "subject.tmpl")
	if err != nil {
		return nil, err
	}
	if t.subject, err = texttemplate.New(name).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("subject template: %w", err)
	}
	if name, src, err = read(f.Text, "body.txt.tmpl"); err != nil {
		return nil, err
	}
	if t.text, err = texttemplate.New(name).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("text template: %w", err)
	}
	if name, src, err = read(f.HTML, "body.html.tmpl"); err != nil {
		return nil, err
	}
	if t.html, err = htmltemplate.New(name).Option("missingkey=error").Parse(src); err != nil {
		return nil, fmt.Errorf("html template: %w", err)
	}
	return &t, nil
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
