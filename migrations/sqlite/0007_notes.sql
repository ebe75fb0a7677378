-- Internal notes: a message may be an agent's note (sender_kind 'note'), which visitors never
-- read. SQLite cannot change a CHECK in place, so the table is rebuilt with its rows (nothing
-- references it; the migration runs in one transaction).
CREATE TABLE messages_new (
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    seq              INTEGER NOT NULL,
    client_id        TEXT NOT NULL,
    sender_kind      TEXT NOT NULL CHECK (sender_kind IN ('visitor', 'agent', 'system', 'note')),
    sender_id        TEXT,
    sender_name      TEXT NOT NULL,
    body             TEXT NOT NULL,
    status_change    TEXT,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
) WITHOUT ROWID;
INSERT INTO messages_new (conversation_id, seq, client_id, sender_kind, sender_id, sender_name,
                          body, status_change, created_at)
    SELECT conversation_id, seq, client_id, sender_kind, sender_id, sender_name, body,
           status_change, created_at
    FROM messages;
DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;
