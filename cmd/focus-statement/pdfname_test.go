package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/openchargeback/ocb/lib/statement"
	"github.com/openchargeback/ocb/lib/statement/pdf"
)

// The file name --help and OPERATIONS show is the one the tool writes
// (issue 29: both used to say DIR/PERIOD/ID.pdf).
func TestHelpNamesPDFsAsWritten(t *testing.T) {
	app := newApp(nil, nil, nil)
	name := pdf.FileName(&statement.Statement{StatementID: "2025-01-27321688", Period: "2025-01",
		PI: statement.Person{Email: "ada@uni.edu", Name: "Ada Lovelace"}})
	if !strings.Contains(strings.Join(strings.Fields(app.Description), " "), "DIR/"+name) {
		t.Errorf("help does not show DIR/%s:\n%s", name, app.Description)
	}
	ops, err := os.ReadFile("../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ops), "/"+name+"`") {
		t.Errorf("OPERATIONS.md does not show %s", name)
	}
	if regexp.MustCompile(`PERIOD/ID\.pdf`).Match(ops) {
		t.Error("OPERATIONS.md still says PERIOD/ID.pdf")
	}
}
