-- Outgoing e-mail: replies to a visitor who has gone (batched: one row gathers a conversation's
-- replies until it is due) and transcripts a visitor asked for. Each node's sender claims due
-- rows by moving `due_at` forward (a lease), so two nodes never send one row twice.
CREATE TABLE mail (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('replies', 'transcript')),
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    to_address       TEXT NOT NULL,
    -- Replies: the visitor's messages after this seq go in the e-mail (composed when sent).
    after_seq        BIGINT NOT NULL DEFAULT 0,
    subject          TEXT NOT NULL DEFAULT '',
    body             TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'sent', 'failed', 'skipped')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT,
    due_at           BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    sent_at          BIGINT
);
CREATE INDEX mail_due ON mail (due_at) WHERE status = 'waiting';
CREATE INDEX mail_recent ON mail (created_at);
-- One batch of replies gathering per conversation at a time.
CREATE UNIQUE INDEX mail_one_batch ON mail (conversation_id) WHERE kind = 'replies' AND status = 'waiting';

-- Links in e-mails that reopen a conversation in the widget: the link's secret (hashed) opens
-- that conversation as its visitor's token would, until it expires.
CREATE TABLE visitor_links (
    token_hash       TEXT PRIMARY KEY,
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    expires_at       BIGINT NOT NULL
);
