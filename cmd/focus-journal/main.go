// Command focus-journal turns statements (focus-statement NDJSON) into a
// balanced GL journal for finance, in a generic CSV or an ERP layout.
package main

import (
	"os"

	"github.com/openchargeback/ocb/lib/cliutil"
)

func main() { os.Exit(cliutil.Run(newApp(os.Stdin, os.Stdout, os.Stderr), os.Args)) }
