-- The search index is filled off the send path. FTS5 writes a new segment per transaction:
-- at 1,000 msg/s a lone message's commit wrote 13-19 pages with the trigger below and 5-8
-- without it (docs/benchmarks.md), and its tail at that rate followed. A message's commit now
-- only queues it (one row at the end of a table); `store::search::sqlite_index` moves the
-- queue into messages_fts in batches, and a search first indexes what is queued, so it still
-- finds every message committed before it.
CREATE TABLE messages_fts_queue (
    id              INTEGER PRIMARY KEY,
    conversation_id TEXT NOT NULL,
    seq             INTEGER NOT NULL
);
DROP TRIGGER messages_fts_insert;
CREATE TRIGGER messages_fts_queue_insert AFTER INSERT ON messages
    WHEN new.sender_kind IN ('visitor', 'agent', 'note')
BEGIN
    INSERT INTO messages_fts_queue (conversation_id, seq) VALUES (new.conversation_id, new.seq);
END;
