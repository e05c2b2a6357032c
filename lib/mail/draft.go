package mail

import (
	"time"

	"github.com/openchargeback/ocb/lib/statement"
)

// HeaderDraft is set ("yes") on draft mailings.
const HeaderDraft = "X-OpenChargeback-Draft"

// DraftTemplateFiles are the embedded draft templates' names (written by
// --write-templates beside the final ones).
var DraftTemplateFiles = TemplateFiles{Subject: "draft-subject.tmpl", Text: "draft-body.txt.tmpl", HTML: "draft-body.html.tmpl"}

// LoadDraftTemplates parses the embedded draft templates, replaced by any
// file named in f. They see the same View plus Link, FinalOn and
// FinalOnDate.
func LoadDraftTemplates(f TemplateFiles) (*Templates, error) {
	return loadTemplates(f, DraftTemplateFiles)
}

// DraftInfo is what a draft e-mail says beyond the statement.
type DraftInfo struct {
	Link    string // the PI's statement page; "" = no link (disputes by reply)
	FinalOn string // YYYY-MM-DD
}

// DraftRun makes a run a draft mailing (focus-mail --draft): each PI gets
// their draft statement, the date it becomes final and how to dispute a
// line (the link to their statement page, or by reply).
type DraftRun struct {
	FinalOn string // YYYY-MM-DD
	// Link returns the PI page of a statement ("" = none); an error fails
	// that statement.
	Link func(st *statement.Statement) (string, error)
}

// BuildDraft makes the draft e-mail of st: the draft templates, an outbox
// file <id>.draft.eml, and the X-OpenChargeback-Draft header.
func (b *Builder) BuildDraft(st *statement.Statement, pdfPath string, d DraftInfo) (*Message, error) {
	return b.build(st, pdfPath, &d)
}

func (r *Runner) build(st *statement.Statement, pdfPath string) (*Message, error) {
	if r.c.Draft == nil {
		return r.c.Builder.Build(st, pdfPath)
	}
	d := DraftInfo{FinalOn: r.c.Draft.FinalOn}
	if r.c.Draft.Link != nil {
		link, err := r.c.Draft.Link(st)
		if err != nil {
			return nil, fieldErr("statement", "link", err)
		}
		d.Link = link
	}
	return r.c.Builder.BuildDraft(st, pdfPath, d)
}

// longDate writes 2025-02-20 as "Thursday 20 February 2025".
func longDate(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.Format("Monday 2 January 2006")
}
