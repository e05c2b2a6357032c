package main

// The ledger backends this command opens: a --db path is a SQLite file, a
// postgres:// URL or libpq keywords a PostgreSQL database. lib/ledger
// imports no driver; these imports are what link one.
import (
	_ "github.com/openchargeback/ocb/lib/ledger/postgres"
	_ "github.com/openchargeback/ocb/lib/ledger/sqlite"
)
