-- 13: a session's last request, for the idle timeout shared by every serve
-- process (lib/ledger/sessions.go). NULL on sessions begun before: they
-- count from now on.
ALTER TABLE web_sessions ADD COLUMN last_seen TEXT;  -- RFC 3339 UTC
CREATE INDEX web_sessions_who ON web_sessions(who);
