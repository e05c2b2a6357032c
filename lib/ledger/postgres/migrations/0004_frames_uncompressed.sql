-- 4: the frames of verbatim rows are zstd already (lib/ledger/frames.go):
-- stored out of line without PostgreSQL's own compression, which only
-- spent the server's time (pglz_compress was an eighth of the server's
-- CPU during a 1M-row import) to gain nothing.
ALTER TABLE import_rows ALTER COLUMN data SET STORAGE EXTERNAL;
