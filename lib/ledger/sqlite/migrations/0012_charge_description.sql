-- 12: the ChargeDescription of charges that are not usage (credits,
-- refunds, adjustments, purchases, tax: ChargeCategory other than Usage),
-- so a statement can say what such a line is (issue 27); '' for usage and
-- for charges imported before. Part of a statement line, so import_lines
-- keeps it too.
ALTER TABLE charges ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE import_lines ADD COLUMN description TEXT NOT NULL DEFAULT '';
