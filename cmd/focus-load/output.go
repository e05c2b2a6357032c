package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/cliutil"
)

func formatFlag() cli.Flag {
	return &cli.StringFlag{Name: "format", Usage: "table, csv or ndjson (default: table on a terminal, csv otherwise)"}
}

// table is a list command's output.
type table struct {
	header []string
	rows   [][]string
}

func (t *table) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = fmt.Sprint(c)
	}
	t.rows = append(t.rows, row)
}

// write prints t as --format asks. CSV cells that a spreadsheet would run
// as a formula are prefixed with a quote.
func (t *table) write(c *cli.Context) error {
	w := c.App.Writer
	format := c.String("format")
	if format == "" {
		format = "csv"
		if cliutil.IsTerminal(w) {
			format = "table"
		}
	}
	switch format {
	case "table":
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(t.header, "\t")))
		for _, r := range t.rows {
			clean := make([]string, len(r))
			for i, s := range r {
				// One cell, one line; nothing a terminal would obey.
				clean[i] = cliutil.Printable(strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s))
			}
			fmt.Fprintln(tw, strings.Join(clean, "\t"))
		}
		return tw.Flush()
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(t.header)
		for _, r := range t.rows {
			safe := make([]string, len(r))
			for i, s := range r {
				safe[i] = formulaSafe(s)
			}
			cw.Write(safe)
		}
		cw.Flush()
		return cw.Error()
	case "ndjson":
		enc := json.NewEncoder(w)
		for _, r := range t.rows {
			obj := make(map[string]string, len(r))
			for i, h := range t.header {
				obj[h] = r[i]
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("--format %q: want table, csv or ndjson", format)
}

func formulaSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return "'" + s
	case '-':
		// A number, or a lone "-" (copy's "no period" row: a spreadsheet
		// reads it as text), is not a formula; "'-" was printed for it.
		if s == "-" || isNumber(s) {
			return s
		}
		return "'" + s
	}
	return s
}

func isNumber(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' && i == 0, r == '.':
		default:
			return false
		}
	}
	return digits > 0
}
