package focus

import "testing"

func TestSpecColumnCounts(t *testing.T) {
	// Column counts from the spec (FOCUS-SPEC-NOTES.md; AWS docs confirm 43 and 57).
	want := map[Version]int{V1_0: 43, V1_1: 50, V1_2: 57, V1_3: 65, V1_4: 65}
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

func TestDetectVersion14(t *testing.T) {
	var h13 []string
	for _, c := range Columns(V1_3) {
		h13 = append(h13, c.ID)
	}
	// 1.3 without the columns 1.4 removed, with ServiceProviderName: 1.4.
	var h []string
	for _, id := range h13 {
		if id != "ProviderName" && id != "PublisherName" {
			h = append(h, id)
		}
	}
	if got := DetectVersion(h); got != V1_4 {
		t.Errorf("1.3 header without ProviderName/PublisherName: %s, want 1.4", got)
	}
	// A 1.3 subset without ServiceProviderName stays 1.3.
	if got := DetectVersion([]string{"BilledCost", "ServiceName", "Tags", "AllocatedMethodDetails"}); got != V1_3 {
		t.Errorf("subset with AllocatedMethodDetails: %s, want 1.3", got)
	}
	if got := DetectVersion([]string{"BilledCost", "ServiceName", "Tags", "InvoiceDetailId"}); got != V1_4 {
		t.Errorf("InvoiceDetailId: %s, want 1.4", got)
	}
}

func TestGeneratedTable(t *testing.T) {
	// Read from the spec pages (specsrc), not typed: spot checks.
	c, _ := LookupColumn(V1_2, "ListUnitPrice")
	if !c.NonNegative || c.Format != FormatNumeric || c.Introduced != "1.0-preview" {
		t.Errorf("ListUnitPrice: %+v", c)
	}
	c, _ = LookupColumn(V1_3, "ProviderName")
	if c.Deprecated != V1_3 || c.Removed != V1_4 || c.ReplacedBy == "" {
		t.Errorf("ProviderName: %+v", c)
	}
	if _, ok := LookupColumn(V1_4, "PublisherName"); ok {
		t.Error("PublisherName in 1.4")
	}
	for _, id := range []string{"AllocatedMethodDetails", "ContractApplied", "CommitmentProgramEligibilityDetails"} {
		c, ok := AnyColumn(id)
		if !ok || c.Format != FormatJSONObject || c.Schema == "" || c.Object == "" {
			t.Errorf("%s: %+v", id, c)
		}
	}
	for _, id := range []string{"Tags", "SkuPriceDetails", "AllocatedTags"} {
		if c, _ := AnyColumn(id); c.Format != FormatKeyValue {
			t.Errorf("%s: %s", id, c.Format)
		}
	}
	if c, _ := AnyColumn("CommitmentProgramEligibilityDetails"); c.FirstVersion() != V1_4 {
		t.Errorf("CommitmentProgramEligibilityDetails first in %s", c.FirstVersion())
	}
	if len(specSources[V1_2]) == 0 {
		t.Error("no source recorded for 1.2")
	}
}
