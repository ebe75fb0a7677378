-- Each message's search row also carries its conversation as a word of its own (`scope`:
-- `c` and the id's hex digits), so a search narrowed to a few conversations (a status, an
-- assignee, an agent's inboxes) asks FTS5 for those conversations' matches at once instead of
-- walking every match of the word newest first and dropping the others. Rebuilt from the
-- messages, in time order as before (the rowid still grows with time).
DROP TRIGGER messages_fts_insert;
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body,
    scope,
    conversation_id UNINDEXED,
    seq UNINDEXED,
    sender_kind UNINDEXED,
    created_at UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (body, scope, conversation_id, seq, sender_kind, created_at)
    SELECT body, 'c' || replace(conversation_id, '-', ''), conversation_id, seq, sender_kind,
        created_at FROM messages
    WHERE sender_kind IN ('visitor', 'agent', 'note')
    ORDER BY created_at, conversation_id, seq;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.sender_kind IN ('visitor', 'agent', 'note')
BEGIN
    INSERT INTO messages_fts (body, scope, conversation_id, seq, sender_kind, created_at)
        VALUES (new.body, 'c' || replace(new.conversation_id, '-', ''), new.conversation_id,
            new.seq, new.sender_kind, new.created_at);
END;
