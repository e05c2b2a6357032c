-- 7: web sessions shared by every serve process (lib/ledger/sessions.go).
CREATE TABLE web_sessions (
  id         TEXT PRIMARY KEY,   -- hex SHA-256 of the session id
  who        TEXT NOT NULL,
  expires    TEXT NOT NULL,      -- RFC 3339 UTC
  revoked_at TEXT
);
