-- Snooze: an open conversation leaves the open views until then (ms since the epoch; the
-- largest BIGINT means "until the visitor writes"). A node's waker finds the due ones by the index.
ALTER TABLE conversations ADD COLUMN snoozed_until BIGINT;
CREATE INDEX conversations_snoozed ON conversations (snoozed_until) WHERE snoozed_until IS NOT NULL;
