package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// diagRE splits "FILE:LINE: REST [rule]" (focus-validate's and focus-flag's
// diagnostics).
var diagRE = regexp.MustCompile(`^(.*?):([0-9]+): (.*?)( \[[a-z0-9:-]+\])?$`)

// diagFirstLines is how many line numbers a grouped diagnostic names.
const diagFirstLines = 5

// groupDiagnostics says a problem once: diagnostics of one file with the
// same column and rule (a file of the wrong month gives one per row) become
// the first of them, with how many rows have it and their first line
// numbers. Order is kept (each group where it first appeared); lines that
// do not parse, or carry no rule, pass unchanged.
func groupDiagnostics(diags []string) []string {
	type group struct {
		first string
		lines []int
		n     int
	}
	var order []string
	groups := map[string]*group{}
	var out []string
	for _, d := range diags {
		m := diagRE.FindStringSubmatch(d)
		if m == nil || m[4] == "" {
			order = append(order, "\x00"+strconv.Itoa(len(out)))
			out = append(out, d)
			continue
		}
		col, _, _ := strings.Cut(m[3], ": ")
		key := m[1] + "\x00" + col + "\x00" + m[4]
		g := groups[key]
		if g == nil {
			g = &group{first: d}
			groups[key] = g
			order = append(order, key)
		}
		g.n++
		if len(g.lines) < diagFirstLines {
			n, _ := strconv.Atoi(m[2])
			g.lines = append(g.lines, n)
		}
	}
	var res []string
	for _, k := range order {
		if strings.HasPrefix(k, "\x00") {
			i, _ := strconv.Atoi(k[1:])
			res = append(res, out[i])
			continue
		}
		g := groups[k]
		if g.n == 1 {
			res = append(res, g.first)
			continue
		}
		nums := make([]string, len(g.lines))
		for i, n := range g.lines {
			nums[i] = strconv.Itoa(n)
		}
		more := ""
		if g.n > len(g.lines) {
			more = fmt.Sprintf(" and %d more", g.n-len(g.lines))
		}
		res = append(res, fmt.Sprintf("%s — the same on %d rows: lines %s%s", g.first, g.n, strings.Join(nums, ", "), more))
	}
	return res
}
