// Command specgen builds lib/focus's FOCUS column tables from the FOCUS
// specification's own sources, so that the tables are read, not typed.
//
// Two steps:
//
//	specgen extract -git DIR -tag v1.2 -version 1.2 -out lib/focus/specsrc
//	    reads each specification/columns/*.md of a release tag from a git
//	    directory of FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec and writes
//	    a trimmed copy (Column ID, the Content Constraints table, the
//	    allowed-values table without descriptions, Introduced) to
//	    OUT/VERSION/columns/<ColumnID>.md, plus OUT/VERSION/SOURCE.
//
//	specgen generate -src lib/focus/specsrc -o lib/focus/spec_gen.go
//	    (what `go generate` in lib/focus runs; offline) reads the trimmed
//	    copies of every version and writes the Go table.
//
// A version directory's SOURCE file may say `base 1.2` (start from that
// version's columns), `remove COLUMN` (not in this version) and
// `deprecate COLUMN REPLACEMENT…` (deprecated from this version on); its
// columns/*.md then add or override columns. `json OBJECT FILE` names the
// JSON schema of a JSON Object Format column (schemas/FILE, committed).
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: specgen extract|generate [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "extract":
		err = extractCmd(os.Args[2:])
	case "generate":
		err = generateCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q (want extract or generate)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "specgen:", err)
		os.Exit(1)
	}
}

// ---- extract ----

func extractCmd(args []string) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	gitDir := fs.String("git", "", "git directory of FOCUS_Spec")
	tag := fs.String("tag", "", "release tag, e.g. v1.2")
	version := fs.String("version", "", "FOCUS version, e.g. 1.2")
	out := fs.String("out", "", "specsrc directory")
	dir := fs.String("dir", "specification/columns", "column directory in the repository")
	if err := fs.Parse(args); err != nil {
		return err
	}
	git := func(a ...string) ([]byte, error) {
		cmd := exec.Command("git", append([]string{"--git-dir=" + *gitDir}, a...)...)
		b, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("git %s: %w", strings.Join(a, " "), err)
		}
		return b, nil
	}
	commit, err := git("rev-parse", *tag+"^{commit}")
	if err != nil {
		return err
	}
	ls, err := git("ls-tree", "--name-only", *tag+":"+*dir)
	if err != nil {
		return err
	}
	vdir := filepath.Join(*out, *version, "columns")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	n := 0
	for _, name := range strings.Fields(string(ls)) {
		if !strings.HasSuffix(name, ".md") {
			continue
		}
		src, err := git("show", *tag+":"+*dir+"/"+name)
		if err != nil {
			return err
		}
		trimmed, id, err := trim(string(src))
		if err != nil {
			return fmt.Errorf("%s:%s/%s: %w", *tag, *dir, name, err)
		}
		hdr := fmt.Sprintf("<!-- FOCUS_Spec %s (%s) %s/%s, CC-BY-4.0; trimmed by internal/specgen -->\n", *tag, strings.TrimSpace(string(commit)), *dir, name)
		if err := os.WriteFile(filepath.Join(vdir, id+".md"), []byte(hdr+trimmed), 0o644); err != nil {
			return err
		}
		n++
	}
	srcFile := fmt.Sprintf("version %s\nsource github.com/FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec tag %s commit %s path %s (%d columns)\n",
		*version, *tag, strings.TrimSpace(string(commit)), *dir, n)
	return os.WriteFile(filepath.Join(*out, *version, "SOURCE"), []byte(srcFile), 0o644)
}

// trim keeps the parts of a column page the generator reads.
func trim(src string) (string, string, error) {
	secs := sections(src)
	id := strings.TrimSpace(firstLine(secs["column id"]))
	if id == "" {
		return "", "", fmt.Errorf("no Column ID")
	}
	cons := secs["content constraints"]
	if cons == "" {
		return "", "", fmt.Errorf("no Content Constraints")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Column ID\n\n%s\n\n## Content Constraints\n\n", id)
	started := false
	for _, l := range strings.Split(cons, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "|") {
			started = true
			b.WriteString(t + "\n")
		} else if started {
			break // the constraints table ends; descriptions are not kept
		}
	}
	if rows := allowedTable(cons); rows != nil {
		b.WriteString("\nAllowed values:\n\n")
		for _, r := range rows {
			b.WriteString("| " + strings.Join(r, " | ") + " |\n")
		}
	}
	intro := secs["introduced (version)"]
	if intro == "" {
		intro = secs["version introduced"]
	}
	fmt.Fprintf(&b, "\n## Introduced (version)\n\n%s\n", strings.TrimSpace(firstLine(intro)))
	return b.String(), id, nil
}

// sections splits markdown at "## " headings (lower-cased titles).
func sections(src string) map[string]string {
	m := map[string]string{}
	cur := ""
	var b strings.Builder
	flush := func() {
		if cur != "" {
			m[cur] += b.String()
		}
		b.Reset()
	}
	for _, l := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(l, "## ") {
			flush()
			cur = strings.ToLower(strings.TrimSpace(l[3:]))
			continue
		}
		b.WriteString(l + "\n")
	}
	flush()
	return m
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			return l
		}
	}
	return ""
}

// tableAfter returns the rows (cells trimmed, separator row dropped) of the
// first markdown table after a line starting with marker (case-insensitive).
func tableAfter(s, marker string) [][]string {
	lines := strings.Split(s, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(l)), strings.ToLower(marker)) {
			start = i + 1
			break
		}
	}
	if start < 0 {
		return nil
	}
	var rows [][]string
	for _, l := range lines[start:] {
		t := strings.TrimSpace(l)
		if t == "" && rows == nil {
			continue
		}
		if !strings.HasPrefix(t, "|") {
			break
		}
		cells := strings.Split(strings.Trim(t, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if strings.Trim(strings.Join(cells, ""), ":- ") == "" {
			continue // separator
		}
		rows = append(rows, cells)
	}
	return rows
}

// allowedTable returns the allowed-values table without description
// columns (header row first).
func allowedTable(s string) [][]string {
	rows := tableAfter(s, "Allowed values")
	if len(rows) == 0 {
		return nil
	}
	var keep []int
	for i, h := range rows[0] {
		if !strings.Contains(strings.ToLower(h), "description") {
			keep = append(keep, i)
		}
	}
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		var k []string
		for _, i := range keep {
			if i < len(r) {
				k = append(k, r[i])
			}
		}
		out = append(out, k)
	}
	return out
}

// ---- generate ----

type column struct {
	ID          string
	ColumnType  string
	Level       string // Mandatory, Conditional, …
	Nullable    bool
	DataType    string
	Format      string
	Enum        []string
	Parents     []string // for a two-column allowed-values table (ServiceSubcategory)
	NonNegative bool
	Object      string
	Introduced  string
}

type version struct {
	name       string
	base       string
	removes    []string
	deprecates map[string]string
	schemas    map[string]string // column → schema file
	dir        string
	sources    []string
	cols       map[string]*column
}

func generateCmd(args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	src := fs.String("src", "specsrc", "specsrc directory")
	out := fs.String("o", "spec_gen.go", "output Go file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ents, err := os.ReadDir(*src)
	if err != nil {
		return err
	}
	var vs []*version
	byName := map[string]*version{}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		v, err := readVersion(filepath.Join(*src, e.Name()), e.Name())
		if err != nil {
			return err
		}
		vs = append(vs, v)
		byName[v.name] = v
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].name < vs[j].name })
	// Resolve bases in order (a base is always an older version).
	for _, v := range vs {
		if v.base == "" {
			continue
		}
		b, ok := byName[v.base]
		if !ok {
			return fmt.Errorf("%s: base %s not found", v.name, v.base)
		}
		merged := map[string]*column{}
		for id, c := range b.cols {
			cc := *c
			merged[id] = &cc
		}
		for _, r := range v.removes {
			if merged[r] == nil {
				return fmt.Errorf("%s: remove %s: not in %s", v.name, r, v.base)
			}
			delete(merged, r)
		}
		for id, c := range v.cols {
			merged[id] = c
		}
		v.cols = merged
		for id := range v.deprecates {
			if v.cols[id] == nil {
				return fmt.Errorf("%s: deprecate %s: no such column", v.name, id)
			}
		}
	}
	code, err := emit(vs)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, code, 0o644)
}

func readVersion(dir, name string) (*version, error) {
	v := &version{name: name, dir: dir, deprecates: map[string]string{}, schemas: map[string]string{}, cols: map[string]*column{}}
	b, err := os.ReadFile(filepath.Join(dir, "SOURCE"))
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch f[0] {
		case "version":
			if f[1] != name {
				return nil, fmt.Errorf("%s/SOURCE: version %s in directory %s", dir, f[1], name)
			}
		case "base":
			v.base = f[1]
		case "remove":
			v.removes = append(v.removes, f[1])
		case "deprecate":
			v.deprecates[f[1]] = strings.Join(f[2:], " ")
		case "json":
			v.schemas[f[1]] = f[2]
		case "source", "file":
			v.sources = append(v.sources, strings.Join(f, " "))
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "columns", "*.md"))
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			return nil, err
		}
		c, err := parseColumn(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn, err)
		}
		v.cols[c.ID] = c
	}
	for col, f := range v.schemas {
		if _, err := os.Stat(filepath.Join(dir, "schemas", f)); err != nil {
			return nil, fmt.Errorf("%s: json %s: %w", dir, col, err)
		}
	}
	return v, nil
}

func parseColumn(src string) (*column, error) {
	secs := sections(src)
	c := &column{ID: strings.TrimSpace(firstLine(secs["column id"]))}
	if c.ID == "" {
		return nil, fmt.Errorf("no Column ID")
	}
	cons := secs["content constraints"]
	// The constraints table is the first table of the section.
	rows := tableAfter("x\n"+cons, "x")
	for _, r := range rows {
		if len(r) < 2 {
			continue
		}
		k, val := strings.ToLower(r[0]), stripLink(r[1])
		switch k {
		case "column type":
			c.ColumnType = val
		case "feature level":
			c.Level = val
		case "allows nulls":
			c.Nullable = strings.EqualFold(val, "true")
		case "data type":
			c.DataType = val
		case "value format":
			c.Format = val
		case "number range":
			c.NonNegative = strings.Contains(strings.ToLower(val), "non-negative")
		case "object":
			c.Object = val
		}
	}
	if c.Level == "" || c.DataType == "" {
		return nil, fmt.Errorf("%s: constraints table without feature level or data type", c.ID)
	}
	if at := tableAfter(cons, "Allowed values"); len(at) > 1 {
		for _, r := range at[1:] {
			v := r[len(r)-1]
			c.Enum = append(c.Enum, v)
			if len(r) >= 2 {
				c.Parents = append(c.Parents, r[0])
			}
		}
		if len(at[0]) < 2 {
			c.Parents = nil
		}
	}
	c.Introduced = strings.TrimSpace(firstLine(secs["introduced (version)"]))
	if f := strings.Fields(c.Introduced); len(f) > 0 {
		c.Introduced = f[0]
	}
	return c, nil
}

// stripLink turns "[Numeric Format](#numericformat)" into "Numeric Format"
// and "\<not specified>" into "<not specified>".
func stripLink(s string) string {
	s = strings.ReplaceAll(s, `\<`, "<")
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]("); i > 0 {
			return s[1:i]
		}
	}
	return s
}

func goType(dt string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(dt, " ", "")) {
	case "string":
		return "String", nil
	case "decimal":
		return "Decimal", nil
	case "date/time", "datetime":
		return "DateTime", nil
	case "json":
		return "JSON", nil
	}
	return "", fmt.Errorf("unknown data type %q", dt)
}

func goFormat(f string) string {
	l := strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(f, " ", ""), "-", ""))
	switch {
	case strings.Contains(l, "numeric"):
		return "FormatNumeric"
	case strings.Contains(l, "date/time"), strings.Contains(l, "datetime"):
		return "FormatDateTime"
	case strings.Contains(l, "currency"):
		return "FormatCurrency"
	case strings.Contains(l, "keyvalue"):
		return "FormatKeyValue"
	case strings.Contains(l, "jsonobject"):
		return "FormatJSONObject"
	case strings.Contains(l, "unit"):
		return "FormatUnit"
	case strings.Contains(l, "allowedvalues"):
		return "FormatAllowedValues"
	}
	return "FormatNone"
}

func goLevel(l string) (string, error) {
	switch strings.ToLower(l) {
	case "mandatory":
		return "'M'", nil
	case "conditional":
		return "'C'", nil
	case "recommended":
		return "'R'", nil
	case "optional":
		return "'O'", nil
	}
	return "", fmt.Errorf("unknown feature level %q", l)
}

func vconst(name string) string { return "V" + strings.ReplaceAll(name, ".", "_") }

func emit(vs []*version) ([]byte, error) {
	ids := map[string]bool{}
	for _, v := range vs {
		for id := range v.cols {
			ids[id] = true
		}
	}
	var sorted []string
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	var b bytes.Buffer
	b.WriteString("// Code generated by internal/specgen from lib/focus/specsrc; DO NOT EDIT.\n\npackage focus\n\n")
	b.WriteString("// specSources says where each version's table came from.\nvar specSources = map[Version][]string{\n")
	for _, v := range vs {
		fmt.Fprintf(&b, "%s: {", vconst(v.name))
		for _, s := range v.sources {
			fmt.Fprintf(&b, "%q,", s)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")
	b.WriteString("// specColumns is the Cost and Usage column table of every version, sorted by id.\nvar specColumns = []Column{\n")
	parents := map[string]string{}
	for _, id := range sorted {
		var newest *column
		var levels []string
		var deprecated, removed, replacement, schema, introducedIn string
		for _, v := range vs {
			c := v.cols[id]
			if c == nil {
				levels = append(levels, "0")
				if newest != nil && removed == "" {
					removed = vconst(v.name)
				}
				continue
			}
			if introducedIn == "" {
				introducedIn = v.name
			}
			if newest != nil && (newest.Nullable != c.Nullable || newest.DataType != c.DataType) {
				fmt.Fprintf(os.Stderr, "specgen: note: %s changes nullability or type in %s; the newest definition is used\n", id, v.name)
			}
			newest = c
			l, err := goLevel(c.Level)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", v.name, id, err)
			}
			levels = append(levels, l)
			if r, ok := v.deprecates[id]; ok && deprecated == "" {
				deprecated, replacement = vconst(v.name), r
			}
			if s, ok := v.schemas[id]; ok {
				raw, err := os.ReadFile(filepath.Join(v.dir, "schemas", s))
				if err != nil {
					return nil, err
				}
				var cb bytes.Buffer
				if err := json.Compact(&cb, raw); err != nil {
					return nil, fmt.Errorf("%s/schemas/%s: %w", v.name, s, err)
				}
				schema = cb.String()
			}
		}
		c := newest
		t, err := goType(c.DataType)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		fmt.Fprintf(&b, "{ID: %q, Type: %s, Nullable: %v, Levels: [numVersions]Level{%s}, Format: %s, Introduced: %q",
			id, t, c.Nullable, strings.Join(levels, ", "), goFormat(c.Format), c.Introduced)
		if c.Introduced == "" {
			fmt.Fprintf(os.Stderr, "specgen: note: %s has no Introduced; first seen in %s\n", id, introducedIn)
		}
		if len(c.Enum) > 0 {
			b.WriteString(", Enum: []string{")
			for i, e := range c.Enum {
				fmt.Fprintf(&b, "%q,", e)
				if len(c.Parents) == len(c.Enum) {
					parents[e] = c.Parents[i]
				}
			}
			b.WriteString("}")
		}
		if goFormat(c.Format) == "FormatCurrency" {
			b.WriteString(", Currency: true")
		}
		if c.NonNegative {
			b.WriteString(", NonNegative: true")
		}
		if c.Object != "" {
			fmt.Fprintf(&b, ", Object: %q", c.Object)
		}
		if schema != "" {
			fmt.Fprintf(&b, ", Schema: `%s`", schema)
		}
		if deprecated != "" {
			fmt.Fprintf(&b, ", Deprecated: %s, ReplacedBy: %q", deprecated, replacement)
		}
		if removed != "" {
			fmt.Fprintf(&b, ", Removed: %s", removed)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n// subcategoryParent maps each ServiceSubcategory to its one ServiceCategory.\nvar subcategoryParent = map[string]string{\n")
	var ks []string
	for k := range parents {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Fprintf(&b, "%q: %q,\n", k, parents[k])
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
