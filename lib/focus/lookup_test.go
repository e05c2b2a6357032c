package focus

import (
	"strings"
	"testing"
)

func TestLookupTags(t *testing.T) {
	keys := []string{"pi_email", "fund_org", "n"}
	cases := []struct {
		cell string
		ok   bool
		want [3]string
	}{
		{``, true, [3]string{}},
		{`{}`, true, [3]string{}},
		{` { "pi_email" : "a@b.edu" , "fund_org":"F-1" } `, true, [3]string{"a@b.edu", "F-1", ""}},
		{`{"pi_email":"a\u0040b.edu"}`, true, [3]string{"a@b.edu", "", ""}}, // escape: fallback decodes
		{`{"n":12.50,"fund_org":null,"x":true}`, true, [3]string{"", "", "12.50"}},
		{`{"pi_email":"a@b.edu","pi_email":"c@d.edu"}`, false, [3]string{}},
		{`{"pi_email":{"x":1}}`, false, [3]string{}},
		{`{"pi_email":"a@b.edu"`, false, [3]string{}},
		{`{"pi_email":"a@b.edu"} x`, false, [3]string{}},
		{`["pi_email"]`, false, [3]string{}},
		{`not json`, false, [3]string{}},
		{`{"other":"x,y"}`, true, [3]string{}},
	}
	vals := make([]string, 3)
	for _, c := range cases {
		ok := LookupTags(c.cell, keys, vals) == nil
		if ok != c.ok || (ok && [3]string(vals) != c.want) {
			t.Errorf("LookupTags(%q) = %q, %v; want %q, %v", c.cell, vals, ok, c.want, c.ok)
		}
	}
}

// The fast Tags scanner must agree with ParseTags, the reference, on
// every input: same validity, same values for the keys asked for.
func FuzzLookupTags(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `{"pi_email":"a@b.edu","fund_org":"F"}`, `{"pi_email":"a\"b"}`,
		`{"pi_email":12.5,"x":null,"y":true}`, `{"pi_email":"a","pi_email":"b"}`,
		`{"a":{"b":1}}`, `{"a":[1]}`, ` {"pi_email" : "x" } `, `{"pi_email":"x"} {}`,
		`{"pi_email":"\u00e9"}`, `{"fund_org":-1e5}`, `{"pi_email":"a",}`, `{,}`, `{"a" "b"}`,
		"{\"pi_email\":\"a\nb\"}", `{"pi_email":tru}`, `{"pi_email":1-2}`,
		// What an earlier fast scanner accepted (issue 15): invalid UTF-8
		// in a key nobody asked for, and in a value.
		"{\"\xb9\":\"\"}", "{\"pi_email\":\"\xb9\"}",
	} {
		f.Add(s)
	}
	keys := []string{"pi_email", "fund_org"}
	f.Fuzz(func(t *testing.T, cell string) {
		vals := make([]string, len(keys))
		ok := LookupTags(cell, keys, vals) == nil
		ref, err := ParseTags(cell)
		if ok != (err == nil) {
			// The one leniency: a key repeated among keys nobody asked
			// for (scanning for it would cost a map per row).
			if !ok || !strings.Contains(err.Error(), "twice") {
				t.Fatalf("LookupTags(%q) = %v, ParseTags: %v", cell, ok, err)
			}
			return
		}
		if !ok {
			return
		}
		for i, k := range keys {
			if vals[i] != ref[k] {
				t.Fatalf("%q: %s = %q, ParseTags %q", cell, k, vals[i], ref[k])
			}
		}
	})
}

// The fast Tags path must agree with ParseTags, or defer to it.
func TestLookupTagsAgreesWithParseTags(t *testing.T) {
	keys := []string{"pi_email", "fund_org", "", "missing"}
	for _, cell := range []string{
		``, `{}`, ` { } `, `{"pi_email":"a@uni.edu","fund_org":"F-1"}`,
		`{ "pi_email" : "a@uni.edu" , "x" : "y" }`,
		`{"pi_email":"a\u0040uni.edu"}`, `{"pi_email":"a\"b"}`, `{"fund_org":12.50}`, `{"fund_org":true}`,
		`{"fund_org":null}`, `{"pi_email":"a","pi_email":"b"}`, `{"pi_email":{"x":"y"}}`, `{"pi_email":"a"`,
		`{"pi_email":"a"} x`, `["a"]`, `not json`, `{"pi_email":"a",}`, "{\"pi_email\":\"a\xffb\"}",
	} {
		out := make([]string, len(keys))
		err := LookupTags(cell, keys, out)
		tags, perr := ParseTags(cell)
		if (err == nil) != (perr == nil) {
			t.Errorf("%s: LookupTags err %v, ParseTags err %v", cell, err, perr)
			continue
		}
		if err != nil {
			if err.Error() != perr.Error() {
				t.Errorf("%s: error %q, ParseTags %q", cell, err, perr)
			}
			continue
		}
		for i, k := range keys {
			want := ""
			if k != "" {
				want = tags[k]
			}
			if out[i] != want {
				t.Errorf("%s: %s = %q, want %q", cell, k, out[i], want)
			}
		}
	}
}

// BenchmarkLookupTags: the common shape, three keys asked for.
func BenchmarkLookupTags(b *testing.B) {
	cell := `{"pi_email":"ada.lovelace@uni.edu","pi_name":"Ada Lovelace","project_id":"climate-modeling","fund_org":"NSF-ATM-2024","grant_number":"NSF-2401234"}`
	keys := []string{"pi_email", "fund_org", "project_id"}
	vals := make([]string, len(keys))
	for i := 0; i < b.N; i++ {
		if LookupTags(cell, keys, vals) != nil {
			b.Fatal("bad")
		}
	}
}
