-- 9: the insert guards of charges, import_rows and import_lines also
-- refuse rows of a period the ledger does not have. Their WHEN compared
-- the period's state with 'open', and a missing period's state is NULL,
-- so `INSERT INTO charges … period = '2099-01'` from the sqlite3 shell
-- (which does not enforce foreign keys) added a charge nobody can see or
-- remove. Same rule otherwise, same message.
DROP TRIGGER charges_open_insert;
CREATE TRIGGER charges_open_insert AFTER INSERT ON charges
  WHEN coalesce((SELECT state FROM periods WHERE period = NEW.period), '') <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
DROP TRIGGER import_rows_open_insert;
CREATE TRIGGER import_rows_open_insert AFTER INSERT ON import_rows
  WHEN coalesce((SELECT p.state FROM imports i JOIN periods p ON p.period = i.period WHERE i.id = NEW.import_id), '') <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
DROP TRIGGER import_lines_open_insert;
CREATE TRIGGER import_lines_open_insert AFTER INSERT ON import_lines
  WHEN coalesce((SELECT state FROM periods WHERE period = NEW.period), '') <> 'open'
  BEGIN SELECT RAISE(ABORT, 'period is not open: imports are refused'); END;
