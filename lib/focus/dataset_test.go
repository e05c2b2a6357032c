package focus

import "testing"

func TestDetectDataset(t *testing.T) {
	for _, tc := range []struct {
		h    []string
		want Dataset
	}{
		{[]string{"BilledCost", "ServiceName", "Tags"}, CostAndUsage},
		{[]string{"BillingPeriodStart", "BillingPeriodEnd", "BillingPeriodStatus", "BillingPeriodCreated"}, BillingPeriod},
		{[]string{"InvoiceId", "InvoiceDetailId", "BilledCost", "InvoiceIssueDate", "PaymentDueDate"}, InvoiceDetail},
		{[]string{"ContractId", "ContractCommitmentId", "ContractCommitmentCategory", "BillingCurrency"}, ContractCommitment},
		// A Cost and Usage export with an InvoiceDetailId (1.4) stays Cost and Usage.
		{[]string{"BilledCost", "ServiceName", "Tags", "InvoiceDetailId", "InvoiceId"}, CostAndUsage},
		{[]string{"BillingPeriodStart", "BillingPeriodEnd"}, CostAndUsage},
	} {
		if got := DetectDataset(tc.h); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.h, got, tc.want)
		}
	}
	for _, s := range []string{"invoice-detail", "InvoiceDetail", "Invoice Detail"} {
		if d, err := ParseDataset(s); err != nil || d != InvoiceDetail {
			t.Errorf("%s: %v %v", s, d, err)
		}
	}
	if _, err := ParseDataset("costs"); err == nil {
		t.Error("costs parsed")
	}
}
