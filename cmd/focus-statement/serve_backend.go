package main

import (
	"errors"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/openchargeback/ocb/lib/web"
)

// importFlags are the validate/flag options of web imports.
func importFlags() []cli.Flag { return nil }

// openBackend opens the ledger for the web interface. Until lib/ledger's
// writer side is merged there is nothing to open.
func openBackend(c *cli.Context, db string) (web.Backend, web.ImportFunc, io.Closer, error) {
	return nil, nil, nil, errors.New("serve: this build has no ledger writer (lib/ledger) yet")
}
