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
	V1_4
	numVersions
)

// Versions lists every supported version, oldest first.
var Versions = []Version{V1_0, V1_1, V1_2, V1_3, V1_4}

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
	case V1_4:
		return "1.4"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}

// ParseVersion reads "1.0", "1.1", "1.2", "1.3" or "1.4".
func ParseVersion(s string) (Version, error) {
	for _, v := range Versions {
		if s == v.String() {
			return v, nil
		}
	}
	return 0, fmt.Errorf("unknown FOCUS version %q (want 1.0, 1.1, 1.2, 1.3 or 1.4)", s)
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

// ValueFormat is a column's "Value format" in the spec's Content Constraints.
type ValueFormat int

const (
	FormatNone          ValueFormat = iota // <not specified>
	FormatNumeric                          // Numeric Format
	FormatDateTime                         // Date/Time Format
	FormatCurrency                         // Currency Format
	FormatKeyValue                         // Key-Value Format (flat JSON object): Tags, SkuPriceDetails, AllocatedTags
	FormatJSONObject                       // JSON Object Format (nested, with a JSON schema): 1.3+
	FormatUnit                             // Unit Format
	FormatAllowedValues                    // Allowed values
)

func (f ValueFormat) String() string {
	return [...]string{"<not specified>", "Numeric Format", "Date/Time Format", "Currency Format",
		"Key-Value Format", "JSON Object Format", "Unit Format", "Allowed values"}[f]
}

// Column describes one FOCUS Cost and Usage column, as generated from the
// spec's Content Constraints table (spec_gen.go).
type Column struct {
	ID          string
	Type        DataType
	Nullable    bool               // newest version's "Allows nulls"
	Levels      [numVersions]Level // feature level per Version; Absent = not defined
	Format      ValueFormat
	Enum        []string // allowed values (case-sensitive); nil = free
	Currency    bool     // ISO 4217 code (Currency Format)
	NonNegative bool     // "any valid non-negative decimal"
	Introduced  string   // "Introduced (version)", e.g. "0.5", "1.0-preview"
	Object      string   // JSON Object Format: the spec's object id, e.g. "ContractAppliedObject"
	Schema      string   // JSON Object Format: the spec's JSON schema (compact JSON)
	Deprecated  Version  // first version where deprecated; 0 = never (V1_0 is never a deprecation version)
	ReplacedBy  string   // with Deprecated: the column(s) the spec names instead
	Removed     Version  // first version without the column after it was defined; 0 = never
}

// FirstVersion is the first supported version that defines the column.
func (c *Column) FirstVersion() Version {
	for _, v := range Versions {
		if c.In(v) {
			return v
		}
	}
	return V1_0
}

// In reports whether the column is defined in version v.
func (c *Column) In(v Version) bool { return c.Levels[v] != Absent }

// enumServiceSubcategory is ServiceSubcategory's allowed-value list.
var enumServiceSubcategory = func() []string {
	c, _ := AnyColumn("ServiceSubcategory")
	return c.Enum
}()

//go:generate go run ../../internal/specgen generate -src specsrc -o spec_gen.go

// The column table (specColumns) and the ServiceSubcategory parents
// (subcategoryParent) are generated from the FOCUS specification's column
// pages by internal/specgen: see spec_gen.go and specsrc/*/SOURCE.

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

// versionMarkers are, per version, the columns introduced there (from the
// generated table).
var versionMarkers = func() [numVersions][]string {
	var m [numVersions][]string
	for i := range specColumns {
		c := &specColumns[i]
		if v := c.FirstVersion(); v > V1_0 {
			m[v] = append(m[v], c.ID)
		}
	}
	return m
}()

// DetectVersion guesses the FOCUS version of a header: the newest version
// one of whose new columns is present. BillingAccountType and SubAccountType
// alone do not make a 1.2 file: Microsoft's 1.0 export shipped them
// un-prefixed (finops-toolkit #779). A 1.3 header (ServiceProviderName)
// without the columns 1.4 removed (ProviderName, PublisherName) is 1.4. A
// header with no marker is 1.0 — the oldest version, so the fewest columns
// are expected.
func DetectVersion(header []string) Version {
	has := make(map[string]bool, len(header))
	for _, h := range header {
		has[h] = true
	}
	for v := numVersions - 1; v > V1_0; v-- {
		for _, m := range versionMarkers[v] {
			if !has[m] {
				continue
			}
			if v == V1_2 && (m == "BillingAccountType" || m == "SubAccountType") {
				continue
			}
			if v == V1_3 && has["ServiceProviderName"] && removedIn(V1_4, has) == 0 {
				return V1_4
			}
			return v
		}
	}
	return V1_0
}

// removedIn counts the header's columns that version v removed.
func removedIn(v Version, has map[string]bool) int {
	n := 0
	for i := range specColumns {
		if specColumns[i].Removed == v && has[specColumns[i].ID] {
			n++
		}
	}
	return n
}

// SubcategoryParent returns the ServiceCategory a ServiceSubcategory belongs
// to (FOCUS 1.1+), or "" for an unknown value.
func SubcategoryParent(sub string) string { return subcategoryParent[sub] }
