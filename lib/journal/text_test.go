package journal

import (
	"encoding/csv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeCell(t *testing.T) {
	cases := map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`,
		"+cmd|' /C calc'!A0":         "'+cmd|' /C calc'!A0",
		"-2+3":                       "'-2+3",
		"@SUM(A1:A9)":                "'@SUM(A1:A9)",
		"\t=1":                       "'\t=1",
		"\r=1":                       "'\r=1",
		"-12.50":                     "-12.50", // numbers stay numbers
		"+3":                         "+3",
		"-0.01":                      "-0.01",
		"12.50":                      "12.50",
		"-":                          "'-",
		"-12.50e3":                   "'-12.50e3",
		"a=b":                        "a=b",
		"":                           "",
		"NSF-ATM-2024":               "NSF-ATM-2024",
	}
	for in, want := range cases {
		if got := SafeCell(in); got != want {
			t.Errorf("SafeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVFieldRoundTrip(t *testing.T) {
	for _, s := range []string{"plain", "a,b", `say "hi"`, "line\nbreak", "cr\rhere", " padded ", "=1+1", "-12.50", "Müller, José", ""} {
		got := readOne(t, CSVField(s)+","+CSVField("end")+"\n")
		if got[0] != SafeCell(s) || got[1] != "end" {
			t.Errorf("CSVField(%q) reads back as %q", s, got)
		}
	}
}

func readOne(t testing.TB, rec string) []string {
	t.Helper()
	r := csv.NewReader(strings.NewReader(rec))
	f, err := r.Read()
	if err != nil {
		t.Fatalf("%q: %v", rec, err)
	}
	return f
}

func FuzzCSVField(f *testing.F) {
	for _, s := range []string{"", "a", `=HYPERLINK("x")`, "a,\"b\"\r\n", "-12.50", " x", "\x00", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || strings.Contains(s, "\r") {
			// encoding/csv turns \r\n into \n inside quotes; NUL and
			// invalid UTF-8 are cleaned by CleanText before they get here.
			return
		}
		got := readOne(t, CSVField(s)+",z\n")
		if len(got) != 2 || got[0] != SafeCell(s) || got[1] != "z" {
			t.Fatalf("CSVField(%q) reads back as %q", s, got)
		}
		if c := got[0]; c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !number.MatchString(c) {
			t.Fatalf("cell %q starts a formula", c)
		}
	})
}

func TestTruncateRuneSafe(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"2025-01 José García-Müller HPC GPU", 20, "2025-01 José García-"},
		{"2025-01 José García-Müller HPC GPU", 19, "2025-01 José García"},
		{"2025-01 José García-Müller HPC GPU", 25, "2025-01 José García-Mülle"},
		{"2025-01 吴健雄 HPC Compute", 10, "2025-01 吴健"},
		{"2025-01 👩‍🔬 lab", 9, "2025-01 👩"},
		{"short", 30, "short"},
		{"ab", 0, ""},
	}
	for _, c := range cases {
		got := Truncate(c.in, c.n)
		if got != c.want || !utf8.ValidString(got) || utf8.RuneCountInString(got) > c.n {
			t.Errorf("Truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

func TestCleanText(t *testing.T) {
	cases := map[string]string{
		"node outage\r\ncredit": "node outage credit",
		"\ttabbed\x00nul  ":     "tabbed nul",
		"bad \xff byte":         "bad \uFFFD byte",
		"  ":                    "",
	}
	for in, want := range cases {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
