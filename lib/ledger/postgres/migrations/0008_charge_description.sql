-- 8: the ChargeDescription of charges that are not usage (see SQLite's
-- migration 12); '' for usage and for charges imported before.
ALTER TABLE charges ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE import_lines ADD COLUMN description TEXT NOT NULL DEFAULT '';
