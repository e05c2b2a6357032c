// Command pilink prints the /pi/ path of a PI page for scripts/bench.d:
// the signed link focus-mail --draft would mail the first PI of a period
// (its statement by PI), made with serve's link key. Usage:
//
//	pilink --db DB --key FILE --period YYYY-MM
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/openchargeback/ocb/lib/ledger"
	_ "github.com/openchargeback/ocb/lib/ledger/postgres"
	_ "github.com/openchargeback/ocb/lib/ledger/sqlite"
	"github.com/openchargeback/ocb/lib/pilink"
	"github.com/openchargeback/ocb/lib/statement/build"
)

func main() {
	db := flag.String("db", "", "ledger file or PostgreSQL URL")
	keyFile := flag.String("key", "", "link key file (serve --link-key)")
	period := flag.String("period", "", "period YYYY-MM")
	flag.Parse()
	if err := run(*db, *keyFile, *period); err != nil {
		fmt.Fprintln(os.Stderr, "pilink:", err)
		os.Exit(1)
	}
}

func run(db, keyFile, period string) error {
	l, err := ledger.OpenExisting(db)
	if err != nil {
		return err
	}
	defer l.Close()
	key, err := pilink.LoadOrCreateKey(keyFile)
	if err != nil {
		return err
	}
	sts, _, err := build.Build(context.Background(), l, period, build.Options{By: build.ByPI})
	if err != nil {
		return err
	}
	if len(sts) == 0 {
		return fmt.Errorf("%s has no statements", period)
	}
	st := sts[0]
	tok, err := pilink.Sign(key, pilink.Claims{Period: period, StatementID: st.StatementID, Email: st.PI.Email, Expires: time.Now().Add(24 * time.Hour)})
	if err != nil {
		return err
	}
	fmt.Println(pilink.URL("", tok))
	return nil
}
