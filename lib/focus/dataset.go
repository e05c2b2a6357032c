package focus

import (
	"fmt"
	"strings"
)

// Dataset is a FOCUS dataset. FOCUS 1.3 split the specification into
// datasets (Cost and Usage, Contract Commitment); 1.4 added Billing Period
// and Invoice Detail. Chargeback reads Cost and Usage only.
type Dataset int

const (
	CostAndUsage Dataset = iota
	ContractCommitment
	BillingPeriod
	InvoiceDetail
)

// Datasets lists every dataset.
var Datasets = []Dataset{CostAndUsage, ContractCommitment, BillingPeriod, InvoiceDetail}

func (d Dataset) String() string {
	return [...]string{"Cost and Usage", "Contract Commitment", "Billing Period", "Invoice Detail"}[d]
}

// Version is the FOCUS version that introduced the dataset (as a dataset).
func (d Dataset) Version() Version {
	switch d {
	case ContractCommitment:
		return V1_3
	case BillingPeriod, InvoiceDetail:
		return V1_4
	}
	return V1_0
}

// Slug is the --dataset name: cost-and-usage, contract-commitment, …
func (d Dataset) Slug() string { return strings.ReplaceAll(strings.ToLower(d.String()), " ", "-") }

// ParseDataset reads a dataset name: the slug, the spec's name with or
// without spaces, any case ("invoice-detail", "InvoiceDetail", "Invoice Detail").
func ParseDataset(s string) (Dataset, error) {
	n := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(s))
	for _, d := range Datasets {
		if n == strings.ReplaceAll(strings.ToLower(d.String()), " ", "") {
			return d, nil
		}
	}
	return 0, fmt.Errorf("unknown FOCUS dataset %q (want cost-and-usage, contract-commitment, billing-period or invoice-detail)", s)
}

// datasetColumns are the columns of the other datasets, from each
// dataset's columns.mdpp in the spec repository
// (specification/datasets/{contract_commitment,billing_period,invoice_detail}/columns/columns.mdpp;
// see specsrc/datasets.txt).
var datasetColumns = map[Dataset][]string{
	ContractCommitment: {"BillingCurrency", "ContractCommitmentCost", "ContractCommitmentId", "ContractCommitmentCategory",
		"ContractCommitmentDescription", "ContractCommitmentPeriodEnd", "ContractCommitmentPeriodStart",
		"ContractCommitmentQuantity", "ContractCommitmentType", "ContractCommitmentUnit", "ContractId",
		"ContractPeriodEnd", "ContractPeriodStart"},
	BillingPeriod: {"BillingPeriodCreated", "BillingPeriodEnd", "BillingPeriodLastUpdated", "BillingPeriodStart", "BillingPeriodStatus"},
	InvoiceDetail: {"BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory",
		"InvoiceDetailCreated", "InvoiceDetailDescription", "InvoiceDetailGrain", "InvoiceDetailId", "InvoiceDetailLastUpdated",
		"InvoiceId", "InvoiceIssueDate", "InvoiceIssuerName", "InvoiceStatus", "PaymentCurrency", "PaymentCurrencyBilledCost",
		"PaymentCurrencyInvoiceDetailId", "PaymentDueDate", "PaymentTerms", "PurchaseOrderNumber", "ReferenceInvoiceId"},
}

// DatasetColumns returns the column ids of a dataset other than Cost and
// Usage (for Cost and Usage see Columns).
func DatasetColumns(d Dataset) []string { return datasetColumns[d] }

// DetectDataset tells the dataset of a header: another dataset when the
// header has one of that dataset's own columns (not a Cost and Usage
// column) and none of the columns only Cost and Usage has (ServiceName,
// ChargePeriodStart, EffectiveCost). Everything else is Cost and Usage,
// OpenChargeback's 12-column files included.
func DetectDataset(header []string) Dataset {
	has := make(map[string]bool, len(header))
	for _, h := range header {
		has[h] = true
	}
	if has["ServiceName"] || has["ChargePeriodStart"] || has["EffectiveCost"] {
		return CostAndUsage
	}
	best, bestN := CostAndUsage, 0
	for _, d := range Datasets[1:] {
		n := 0
		for _, c := range datasetColumns[d] {
			if _, cu := AnyColumn(c); !cu && has[c] {
				n++
			}
		}
		if n > bestN {
			best, bestN = d, n
		}
	}
	return best
}

// HasDatasetColumn reports whether id is a column of dataset d.
func HasDatasetColumn(d Dataset, id string) bool {
	if d == CostAndUsage {
		_, ok := AnyColumn(id)
		return ok
	}
	for _, c := range datasetColumns[d] {
		if c == id {
			return true
		}
	}
	return false
}
