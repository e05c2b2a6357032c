-- 11: the charge browser sorted by billed cost or by PI reads one page
-- through an index instead of sorting the period's every charge (SQLite's
-- migration 15, issue 30). The key is the sort's own expression (the
-- ledger's CAST(… AS REAL) is NUMERIC here) after the period, then the
-- id, the browser's order among equal keys. A charge's PI as imported:
-- the few that review assigned to another PI (tag_overrides) are merged
-- in by the query. With the id the pages are read from the index alone
-- (after a vacuum), whatever the offset; without it the PI index would be
-- deduplicated (1M charges: 7 MB against 85 MB; billed 40 against 64 MB)
-- but a page would read and sort the heap rows of each PI it spans
-- (page 50 by billed: 57-87 ms against 12 ms, measured).
CREATE INDEX charges_period_billed ON charges(period, (CAST(billed_cost AS NUMERIC)), id);
CREATE INDEX charges_period_pi ON charges(period, pi_email, id);
