package build

import (
	"github.com/shopspring/decimal"

	"github.com/openchargeback/ocb/lib/ledger"
	"github.com/openchargeback/ocb/lib/ledger/ledgertest"
)

type memReader = ledgertest.MemReader

func d(s string) decimal.Decimal { return ledgertest.D(s) }

func charge(id int64, period, pi, project, fund, source, service, list, billed string) ledger.Charge {
	return ledgertest.Charge(id, period, pi, project, fund, source, service, list, billed)
}
