-- Internal notes: a message may be an agent's note (sender_kind 'note'), which visitors never
-- read.
ALTER TABLE messages DROP CONSTRAINT messages_sender_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_sender_kind_check
    CHECK (sender_kind IN ('visitor', 'agent', 'system', 'note'));
