-- Web sessions shared by every serve process of the ledger
-- (lib/ledger/sessions.go; SQLite migration 7).
CREATE TABLE web_sessions (
  id         TEXT COLLATE "C" PRIMARY KEY,   -- hex SHA-256 of the session id
  who        TEXT COLLATE "C" NOT NULL,
  expires    TEXT COLLATE "C" NOT NULL,      -- RFC 3339 UTC
  revoked_at TEXT COLLATE "C"
);
