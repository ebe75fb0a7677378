-- Full-text search over what people wrote (visitors, agents, notes; not system notices):
-- FTS5 with Porter stemming, its own copy of each body with what a hit shows (messages has no
-- integer rowid to point at, and a search then reads no message row). A trigger keeps it in
-- step on every write; the INSERT below fills it for the messages already there. Its rowid
-- grows with time, so "newest first" walks the index backwards and stops at the page's end.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body,
    conversation_id UNINDEXED,
    seq UNINDEXED,
    sender_kind UNINDEXED,
    created_at UNINDEXED,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO messages_fts (body, conversation_id, seq, sender_kind, created_at)
    SELECT body, conversation_id, seq, sender_kind, created_at FROM messages
    WHERE sender_kind IN ('visitor', 'agent', 'note')
    ORDER BY created_at, conversation_id, seq;
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.sender_kind IN ('visitor', 'agent', 'note')
BEGIN
    INSERT INTO messages_fts (body, conversation_id, seq, sender_kind, created_at)
        VALUES (new.body, new.conversation_id, new.seq, new.sender_kind, new.created_at);
END;

-- Visitors' names and e-mails, searchable the same way; kept in step with the visitors table
-- by triggers (FTS5's external-content pattern).
CREATE VIRTUAL TABLE visitors_fts USING fts5(
    name,
    email,
    content = 'visitors',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO visitors_fts (visitors_fts) VALUES ('rebuild');
CREATE TRIGGER visitors_fts_insert AFTER INSERT ON visitors BEGIN
    INSERT INTO visitors_fts (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;
CREATE TRIGGER visitors_fts_update AFTER UPDATE OF name, email ON visitors BEGIN
    INSERT INTO visitors_fts (visitors_fts, rowid, name, email)
        VALUES ('delete', old.rowid, old.name, old.email);
    INSERT INTO visitors_fts (rowid, name, email) VALUES (new.rowid, new.name, new.email);
END;
CREATE TRIGGER visitors_fts_delete AFTER DELETE ON visitors BEGIN
    INSERT INTO visitors_fts (visitors_fts, rowid, name, email)
        VALUES ('delete', old.rowid, old.name, old.email);
END;
