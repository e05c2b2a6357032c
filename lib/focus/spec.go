package focus

import (
	"fmt"
	"strings"
)

// Version is a FOCUS specification version.
type Version int

// Supported versions. Their order is chronological, so comparisons work.
const (
	V1_0 Version = iota
	V1_1
	V1_2
	V1_3
	numVersions
)

// Versions lists every supported version, oldest first.
var Versions = []Version{V1_0, V1_1, V1_2, V1_3}

func (v Version) String() string {
	switch v {
	case V1_0:
		return "1.0"
	case V1_1:
		return "1.1"
	case V1_2:
		return "1.2"
	case V1_3:
		return "1.3"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}

// ParseVersion reads "1.0", "1.1", "1.2" or "1.3".
func ParseVersion(s string) (Version, error) {
	for _, v := range Versions {
		if s == v.String() {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown FOCUS version %q (want 1.0, 1.1, 1.2 or 1.3)", s)
}

// DataType is the FOCUS data type of a column.
type DataType int

const (
	String DataType = iota
	Decimal
	DateTime
	JSON
)

func (t DataType) String() string {
	return [...]string{"String", "Decimal", "Date/Time", "JSON"}[t]
}

// Level is a column's feature level in one version.
type Level byte

const (
	Absent      Level = 0 // not in that version
	Mandatory   Level = 'M'
	Conditional Level = 'C'
	Recommended Level = 'R'
	Optional    Level = 'O'
)

func (l Level) String() string {
	switch l {
	case Mandatory:
		return "Mandatory"
	case Conditional:
		return "Conditional"
	case Recommended:
		return "Recommended"
	case Optional:
		return "Optional"
	}
	return "absent"
}

// Column describes one FOCUS Cost and Usage column (FOCUS-SPEC-NOTES.md §1).
type Column struct {
	ID          string
	Type        DataType
	Nullable    bool
	Levels      [numVersions]Level // feature level per Version; Absent = not defined
	Enum        []string           // allowed values (case-sensitive); nil = free
	Currency    bool               // ISO 4217 code (Currency Format)
	NonNegative bool               // "any valid non-negative decimal"
	Deprecated  Version            // first version where deprecated; 0 = never (V1_0 is never a deprecation version)
}

// In reports whether the column is defined in version v.
func (c *Column) In(v Version) bool { return c.Levels[v] != Absent }

// Enum value lists (identical in 1.0–1.3, case-sensitive).
var (
	enumChargeCategory  = []string{"Usage", "Purchase", "Tax", "Credit", "Adjustment"}
	enumChargeClass     = []string{"Correction"}
	enumChargeFrequency = []string{"One-Time", "Recurring", "Usage-Based"}
	enumPricingCategory = []string{"Standard", "Dynamic", "Committed", "Other"}
	enumCDCategory      = []string{"Spend", "Usage"}
	enumUsedUnused      = []string{"Used", "Unused"}
	enumServiceCategory = []string{"AI and Machine Learning", "Analytics", "Business Applications", "Compute",
		"Databases", "Developer Tools", "Multicloud", "Identity", "Integration", "Internet of Things",
		"Management and Governance", "Media", "Migration", "Mobile", "Networking", "Security", "Storage", "Web", "Other"}
	enumServiceSubcategory = []string{
		"AI Platforms", "Bots", "Generative AI", "Machine Learning", "Natural Language Processing", "Other (AI and Machine Learning)",
		"Analytics Platforms", "Business Intelligence", "Data Processing", "Search", "Streaming Analytics", "Other (Analytics)",
		"Productivity and Collaboration", "Other (Business Applications)",
		"Containers", "End User Computing", "Quantum Compute", "Serverless Compute", "Virtual Machines", "Other (Compute)",
		"Caching", "Data Warehouses", "Ledger Databases", "NoSQL Databases", "Relational Databases", "Time Series Databases", "Other (Databases)",
		"Developer Platforms", "Continuous Integration and Deployment", "Development Environments", "Source Code Management", "Quality Assurance", "Other (Developer Tools)",
		"Identity and Access Management", "Other (Identity)",
		"API Management", "Messaging", "Workflow Orchestration", "Other (Integration)",
		"IoT Analytics", "IoT Platforms", "Other (Internet of Things)",
		"Architecture", "Compliance", "Cost Management", "Data Governance", "Disaster Recovery", "Endpoint Management", "Observability", "Support", "Other (Management and Governance)",
		"Content Creation", "Gaming", "Media Streaming", "Mixed Reality", "Other (Media)",
		"Data Migration", "Resource Migration", "Other (Migration)",
		"Other (Mobile)",
		"Multicloud Integration", "Other (Multicloud)",
		"Application Networking", "Content Delivery", "Network Connectivity", "Network Infrastructure", "Network Routing", "Network Security", "Other (Networking)",
		"Secret Management", "Security Posture Management", "Threat Detection and Response", "Other (Security)",
		"Backup Storage", "Block Storage", "File Storage", "Object Storage", "Storage Platforms", "Other (Storage)",
		"Application Platforms", "Other (Web)",
		"Other (Other)",
	}
)

// col builds a Column; levels is four characters, one per version 1.0..1.3,
// '-' for absent.
func col(id string, t DataType, nullable bool, levels string, enum []string) Column {
	c := Column{ID: id, Type: t, Nullable: nullable, Enum: enum}
	for i := 0; i < int(numVersions); i++ {
		if levels[i] != '-' {
			c.Levels[i] = Level(levels[i])
		}
	}
	return c
}

// specColumns is the Cost and Usage column table of FOCUS 1.0–1.3, from the
// public specification (see /work/shared/FOCUS-SPEC-NOTES.md §1).
var specColumns = func() []Column {
	cs := []Column{
		col("AllocatedMethodDetails", JSON, true, "---R", nil),
		col("AllocatedMethodId", String, true, "---C", nil),
		col("AllocatedResourceId", String, true, "---C", nil),
		col("AllocatedResourceName", String, true, "---C", nil),
		col("AllocatedTags", JSON, true, "---C", nil),
		col("AvailabilityZone", String, true, "RRRR", nil),
		col("BilledCost", Decimal, false, "MMMM", nil),
		col("BillingAccountId", String, false, "MMMM", nil),
		col("BillingAccountName", String, true, "MMMM", nil),
		col("BillingAccountType", String, false, "--CC", nil),
		col("BillingCurrency", String, false, "MMMM", nil),
		col("BillingPeriodEnd", DateTime, false, "MMMM", nil),
		col("BillingPeriodStart", DateTime, false, "MMMM", nil),
		col("CapacityReservationId", String, true, "-CCC", nil),
		col("CapacityReservationStatus", String, true, "-CCC", enumUsedUnused),
		col("ChargeCategory", String, false, "MMMM", enumChargeCategory),
		col("ChargeClass", String, true, "MMMM", enumChargeClass),
		col("ChargeDescription", String, true, "MMMM", nil),
		col("ChargeFrequency", String, false, "RRRR", enumChargeFrequency),
		col("ChargePeriodEnd", DateTime, false, "MMMM", nil),
		col("ChargePeriodStart", DateTime, false, "MMMM", nil),
		col("CommitmentDiscountCategory", String, true, "CCCC", enumCDCategory),
		col("CommitmentDiscountId", String, true, "CCCC", nil),
		col("CommitmentDiscountName", String, true, "CCCC", nil),
		col("CommitmentDiscountQuantity", Decimal, true, "-CCC", nil),
		col("CommitmentDiscountStatus", String, true, "CCCC", enumUsedUnused),
		col("CommitmentDiscountType", String, true, "CCCC", nil),
		col("CommitmentDiscountUnit", String, true, "-CCC", nil),
		col("ConsumedQuantity", Decimal, true, "CCCC", nil),
		col("ConsumedUnit", String, true, "CCCC", nil),
		col("ContractApplied", JSON, true, "---C", nil),
		col("ContractedCost", Decimal, false, "MMMM", nil),
		col("ContractedUnitPrice", Decimal, true, "CCCC", nil),
		col("EffectiveCost", Decimal, false, "MMMM", nil),
		col("HostProviderName", String, false, "---M", nil),
		col("InvoiceId", String, true, "--RR", nil),
		col("InvoiceIssuerName", String, false, "MMMM", nil),
		col("ListCost", Decimal, false, "MMMM", nil),
		col("ListUnitPrice", Decimal, true, "CCCC", nil),
		col("PricingCategory", String, true, "CCCC", enumPricingCategory),
		col("PricingCurrency", String, true, "--CC", nil),
		col("PricingCurrencyContractedUnitPrice", Decimal, true, "--CC", nil),
		col("PricingCurrencyEffectiveCost", Decimal, true, "--CC", nil),
		col("PricingCurrencyListUnitPrice", Decimal, true, "--CC", nil),
		col("PricingQuantity", Decimal, true, "MMMM", nil),
		col("PricingUnit", String, true, "MMMM", nil),
		col("ProviderName", String, false, "MMMM", nil),
		col("PublisherName", String, false, "MMMM", nil),
		col("RegionId", String, true, "CCCC", nil),
		col("RegionName", String, true, "CCCC", nil),
		col("ResourceId", String, true, "CCCC", nil),
		col("ResourceName", String, true, "CCCC", nil),
		col("ResourceType", String, true, "CCCC", nil),
		col("ServiceCategory", String, false, "MMMM", enumServiceCategory),
		col("ServiceName", String, false, "MMMM", nil),
		col("ServiceProviderName", String, false, "---M", nil),
		col("ServiceSubcategory", String, false, "-RRR", enumServiceSubcategory),
		col("SkuId", String, true, "CCCC", nil),
		col("SkuMeter", String, true, "-CCC", nil),
		col("SkuPriceDetails", JSON, true, "-CCC", nil),
		col("SkuPriceId", String, true, "CCCC", nil),
		col("SubAccountId", String, true, "CCCC", nil),
		col("SubAccountName", String, true, "CCCC", nil),
		col("SubAccountType", String, true, "--CC", nil),
		col("Tags", JSON, true, "CCCC", nil),
	}
	for i := range cs {
		switch cs[i].ID {
		case "BillingCurrency":
			cs[i].Currency = true
		case "PricingCurrency":
			// 1.2 allows virtual currencies here; the validator treats a
			// non-ISO value as a warning (see docs/decisions-validate.md).
			cs[i].Currency = true
		case "ListUnitPrice", "ContractedUnitPrice", "PricingCurrencyListUnitPrice", "PricingCurrencyContractedUnitPrice":
			cs[i].NonNegative = true
		case "ProviderName", "PublisherName":
			cs[i].Deprecated = V1_3
		}
	}
	return cs
}()

// SpecColumns returns every column of every version (callers must not modify it).
func SpecColumns() []Column { return specColumns }

// Columns returns the columns defined in version v, sorted by id.
func Columns(v Version) []Column {
	var out []Column
	for _, c := range specColumns {
		if c.In(v) {
			out = append(out, c)
		}
	}
	return out
}

// LookupColumn returns the column with exactly this id in version v.
func LookupColumn(v Version, id string) (*Column, bool) {
	for i := range specColumns {
		if specColumns[i].ID == id {
			if specColumns[i].In(v) {
				return &specColumns[i], true
			}
			return nil, false
		}
	}
	return nil, false
}

// AnyColumn returns the column with exactly this id in any version.
func AnyColumn(id string) (*Column, bool) {
	for i := range specColumns {
		if specColumns[i].ID == id {
			return &specColumns[i], true
		}
	}
	return nil, false
}

// SuggestColumn returns the FOCUS column id (of any version) that equals name
// ignoring case, e.g. "SkuPriceid" → "SkuPriceId". ok is false when name is
// already exact or matches nothing.
func SuggestColumn(name string) (string, bool) {
	for i := range specColumns {
		id := specColumns[i].ID
		if id != name && strings.EqualFold(id, name) {
			return id, true
		}
	}
	return "", false
}

// Columns that mark a version: introduced there and not earlier.
var versionMarkers = [numVersions][]string{
	V1_1: {"CapacityReservationId", "CapacityReservationStatus", "CommitmentDiscountQuantity",
		"CommitmentDiscountUnit", "ServiceSubcategory", "SkuMeter", "SkuPriceDetails"},
	V1_2: {"BillingAccountType", "InvoiceId", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
		"PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "SubAccountType"},
	V1_3: {"ServiceProviderName", "HostProviderName", "AllocatedMethodDetails", "AllocatedMethodId",
		"AllocatedResourceId", "AllocatedResourceName", "AllocatedTags", "ContractApplied"},
}

// DetectVersion guesses the FOCUS version of a header: the newest version
// one of whose new columns is present. BillingAccountType and SubAccountType
// alone do not make a 1.2 file: Microsoft's 1.0 export shipped them
// un-prefixed (finops-toolkit #779). A header with no marker is 1.0 — the
// oldest version, so the fewest columns are expected.
func DetectVersion(header []string) Version {
	has := make(map[string]bool, len(header))
	for _, h := range header {
		has[h] = true
	}
	for v := V1_3; v > V1_0; v-- {
		for _, m := range versionMarkers[v] {
			if !has[m] {
				continue
			}
			if v == V1_2 && (m == "BillingAccountType" || m == "SubAccountType") {
				continue
			}
			return v
		}
	}
	return V1_0
}

// subcategoryParent maps each ServiceSubcategory to its one ServiceCategory.
// The value list is grouped by category, each group closed by its
// "Other (<Category>)" value.
var subcategoryParent = func() map[string]string {
	m := make(map[string]string, len(enumServiceSubcategory))
	var group []string
	for _, v := range enumServiceSubcategory {
		group = append(group, v)
		if strings.HasPrefix(v, "Other (") && strings.HasSuffix(v, ")") {
			parent := v[len("Other (") : len(v)-1]
			for _, g := range group {
				m[g] = parent
			}
			group = group[:0]
		}
	}
	return m
}()

// SubcategoryParent returns the ServiceCategory a ServiceSubcategory belongs
// to (FOCUS 1.1+), or "" for an unknown value.
func SubcategoryParent(sub string) string { return subcategoryParent[sub] }
