package focus

import "testing"

func TestSpecColumnCounts(t *testing.T) {
	// Column counts from the spec (FOCUS-SPEC-NOTES.md; AWS docs confirm 43 and 57).
	want := map[Version]int{V1_0: 43, V1_1: 50, V1_2: 57, V1_3: 65}
	for v, n := range want {
		if got := len(Columns(v)); got != n {
			t.Errorf("FOCUS %s: %d columns, want %d", v, got, n)
		}
	}
}

func TestDetectVersion(t *testing.T) {
	ids := func(v Version) []string {
		var h []string
		for _, c := range Columns(v) {
			h = append(h, c.ID)
		}
		return h
	}
	for _, v := range Versions {
		if got := DetectVersion(ids(v)); got != v {
			t.Errorf("full %s header detected as %s", v, got)
		}
	}
	// Microsoft's 1.0 export carries BillingAccountType/SubAccountType early.
	h := append(ids(V1_0), "BillingAccountType", "SubAccountType")
	if got := DetectVersion(h); got != V1_0 {
		t.Errorf("1.0 + BillingAccountType detected as %s, want 1.0", got)
	}
	if got := DetectVersion([]string{"BilledCost", "ServiceName", "Tags"}); got != V1_0 {
		t.Errorf("small header detected as %s", got)
	}
}

func TestSuggestColumn(t *testing.T) {
	if s, ok := SuggestColumn("SkuPriceid"); !ok || s != "SkuPriceId" {
		t.Errorf("SkuPriceid → %q %v", s, ok)
	}
	if _, ok := SuggestColumn("SkuPriceId"); ok {
		t.Error("exact name got a suggestion")
	}
	if _, ok := SuggestColumn("x_Foo"); ok {
		t.Error("x_Foo got a suggestion")
	}
}

func TestLookupColumn(t *testing.T) {
	c, ok := LookupColumn(V1_2, "ChargeFrequency")
	if !ok || c.Nullable || c.Type != String || len(c.Enum) != 3 || c.Levels[V1_2] != Recommended {
		t.Errorf("ChargeFrequency: %+v %v", c, ok)
	}
	if _, ok := LookupColumn(V1_0, "InvoiceId"); ok {
		t.Error("InvoiceId in 1.0")
	}
	// The notes say "79 values" but list 82 (per-category counts sum to 82); the list wins.
	if c, _ := LookupColumn(V1_3, "ServiceSubcategory"); len(c.Enum) != 82 {
		t.Errorf("ServiceSubcategory has %d values, want 82", len(c.Enum))
	}
}

func TestSubcategoryParent(t *testing.T) {
	for sub, cat := range map[string]string{"Virtual Machines": "Compute", "Object Storage": "Storage",
		"Other (Other)": "Other", "Generative AI": "AI and Machine Learning", "Support": "Management and Governance", "Nope": ""} {
		if got := SubcategoryParent(sub); got != cat {
			t.Errorf("%s: %q, want %q", sub, got, cat)
		}
	}
	c, _ := LookupColumn(V1_2, "ServiceCategory")
	for _, sub := range enumServiceSubcategory {
		p := SubcategoryParent(sub)
		found := false
		for _, e := range c.Enum {
			found = found || e == p
		}
		if !found {
			t.Errorf("%s: parent %q is not a ServiceCategory", sub, p)
		}
	}
}
