package main

// The ledger backends this command opens: a --db path is a SQLite file
// (built into lib/ledger), a postgres:// URL or libpq keywords PostgreSQL.
import _ "github.com/openchargeback/ocb/lib/ledger/postgres"
