-- An inbox can be switched off: its widget then shows that the chat is not available and
-- starts nothing; its conversations stay.
ALTER TABLE inboxes ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT 1;
