-- Broadcast delivery guarantees (README, "Publishing policy versions and broadcasting").
-- A recipient row left in 'sending' by a crash or stop is counted here. Legal notices (policy
-- change, incident) are sent again after such an interruption, so a recipient whose row says
-- 'sent' with interrupted > 0 may have received the notice twice; the report counts them.
-- Other broadcasts turn such a row 'uncertain' and never send it again (as before).
ALTER TABLE broadcast_recipients ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
