package flag

import (
	"testing"

	"github.com/shopspring/decimal"
)

func TestValidEmail(t *testing.T) {
	good := []string{"ada.lovelace@uni.edu", "a+b@x.y.org", "o'brien@uni.ac.uk"}
	bad := []string{"", "k.johnson@@uni", "ada@uni", "Ada <ada@uni.edu>", "<ada@uni.edu>",
		"ada @uni.edu", "ada@uni.edu ", "ada@uni.edu\r\nBcc: x@evil.com", "ada@.edu", "ada@uni.",
		"ada@uni..edu", "ada", "@uni.edu", "ada@uni.edu,bob@uni.edu", "ada@uni.edu\x00"}
	for _, s := range good {
		if !ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = false, want true", s)
		}
	}
	for _, s := range bad {
		if ValidEmail(s) {
			t.Errorf("ValidEmail(%q) = true, want false", s)
		}
	}
}

func TestIsCredit(t *testing.T) {
	cases := []struct {
		cat, class, desc string
		want             bool
	}{
		{"Credit", "", "", true},
		{"credit", "", "", true},
		{"Adjustment", "", "", true},
		{"Usage", "Correction", "", true},
		{"Usage", "", "Refund for outage", true},
		{"", "", "Service CREDIT", true},
		{"Usage", "", "EC2 usage", false},
		{"Purchase", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		if got := IsCredit(c.cat, c.class, c.desc); got != c.want {
			t.Errorf("IsCredit(%q,%q,%q) = %v, want %v", c.cat, c.class, c.desc, got, c.want)
		}
	}
}

func TestMonth(t *testing.T) {
	cases := map[string]string{
		"2025-01-01T00:00:00Z": "2025-01", "2025-01-01": "2025-01", "2025-12": "2025-12",
		" 2025-02-01 ": "2025-02", "2025-13-01": "", "2025/01/01": "", "": "", "20250101": "", "2025-1-01": "",
	}
	for in, want := range cases {
		got, ok := Month(in)
		if (want == "") == ok || got != want {
			t.Errorf("Month(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestParseAmount(t *testing.T) {
	cases := []struct {
		in            string
		want          string
		present, good bool
	}{
		{"", "0", false, true},
		{"12.5", "12.5", true, true},
		{"-0.000001", "-0.000001", true, true},
		{"+3", "3", true, true},
		{"1e3", "1000", true, true},
		{"123456789012345678901234.5", "123456789012345678901234.5", true, true},
		{"abc", "0", true, false},
		{"1,000", "0", true, false},
		{"-", "0", true, false},
	}
	for _, c := range cases {
		d, present, ok := ParseAmount(c.in)
		if present != c.present || ok != c.good || (ok && !d.Equal(decimal.RequireFromString(c.want))) {
			t.Errorf("ParseAmount(%q) = %s, %v, %v; want %s, %v, %v", c.in, d, present, ok, c.want, c.present, c.good)
		}
	}
}

func TestRobust(t *testing.T) {
	r := newRobust([]float64{1, 2, 3, 4, 100}, 0)
	if r.median != 3 {
		t.Errorf("median = %v, want 3", r.median)
	}
	// deviations 2,1,0,1,97 → MAD 1
	if r.spread != madScale {
		t.Errorf("spread = %v, want %v", r.spread, madScale)
	}
	if z := r.z(100); z < 60 {
		t.Errorf("z(100) = %v, want far out", z)
	}
	// all equal: the floor keeps the spread above zero
	if r := newRobust([]float64{5, 5, 5, 5}, 0.05); r.spread != 0.05 {
		t.Errorf("floor spread = %v", r.spread)
	}
}

func TestIsJump(t *testing.T) {
	d := decimal.RequireFromString
	three, hundred := d("3"), d("100")
	cases := []struct {
		base, cur string
		want      bool
	}{
		{"100", "500", true},  // ×5, +400
		{"100", "250", false}, // ×2.5
		{"10", "45", false},   // ×4.5 but +35
		{"0", "150", true},    // new service
		{"0", "90", false},
		{"200", "600", false}, // exactly ×3 is not more than ×3
	}
	for _, c := range cases {
		if got := isJump(d(c.base), d(c.cur), three, hundred); got != c.want {
			t.Errorf("isJump(%s, %s) = %v, want %v", c.base, c.cur, got, c.want)
		}
	}
}

func TestForeignCodes(t *testing.T) {
	if got := foreignCodes("site-hold; duplicate;missing-tag:pi_email;;site-hold;outlier;x"); got != "site-hold;x" {
		t.Errorf("foreignCodes = %q", got)
	}
}
