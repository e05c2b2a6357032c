package ledger

import (
	"context"
	"database/sql"
)

// The steps of a backend's migrations that are written in Go, because they
// move data through the ledger's own encoding (zstd frames, per-line sums)
// rather than SQL. lib/ledger/sqlite runs them at its migrations 4 and 5,
// inside the migration's transaction, on ledgers made before those
// versions; a backend whose first schema already has the framed layout
// (lib/ledger/postgres) never needs them.

// UpgradeFrames moves the verbatim rows of every import out of the
// charges table into compressed frames (table import_rows) and drops
// charges.record (SQLite migration 4).
func UpgradeFrames(ctx context.Context, tx *sql.Tx, d *Dialect) error {
	return migrateFrames(&Tx{Tx: tx, ctx: ctx, d: d})
}

// UpgradeLines fills import_lines, each import's sums per statement line,
// for the imports made before it existed (SQLite migration 5).
func UpgradeLines(ctx context.Context, tx *sql.Tx, d *Dialect) error {
	return migrateLines(&Tx{Tx: tx, ctx: ctx, d: d})
}
