-- 5: the insert guard of charges and import_lines also refuses rows of a
-- period the ledger does not have. Those tables have no foreign key to
-- periods (a charge's import is checked once a COPY instead), and the
-- guard's inner join dropped such rows before testing their state, so
-- raw SQL could add a charge nobody can see or remove. Same rule
-- otherwise, same message.
CREATE OR REPLACE FUNCTION ocb_new_rows_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_ARGV[0] = 'open' THEN
    IF EXISTS (SELECT 1 FROM new_rows n LEFT JOIN periods p ON p.period = n.period WHERE p.state IS DISTINCT FROM 'open') THEN
      RAISE EXCEPTION USING MESSAGE = TG_ARGV[1];
    END IF;
  ELSIF EXISTS (SELECT 1 FROM new_rows n JOIN periods p ON p.period = n.period WHERE p.state = 'finalized') THEN
    RAISE EXCEPTION 'period is finalized: it cannot change';
  END IF;
  RETURN NULL;
END $$;
