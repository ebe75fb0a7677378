-- Core schema: inboxes own conversations, visitors start them, agents answer them.
-- Every event of a conversation is a row in messages, numbered by seq (gap-free from 1).
CREATE TABLE inboxes (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE agents (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE agent_sessions (
    token_hash  TEXT PRIMARY KEY,
    agent_id    TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE visitors (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT,
    page_url    TEXT,
    user_agent  TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE conversations (
    id                TEXT PRIMARY KEY,
    inbox_id          TEXT NOT NULL REFERENCES inboxes(id),
    visitor_id        TEXT NOT NULL REFERENCES visitors(id),
    status            TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'resolved')),
    assignee_id       TEXT REFERENCES agents(id),
    last_seq          INTEGER NOT NULL DEFAULT 0,
    last_preview      TEXT NOT NULL DEFAULT '',
    last_activity_at  INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    -- Highest seq each side's clients have received and seen: delivery and read ticks.
    visitor_delivered_seq  INTEGER NOT NULL DEFAULT 0,
    visitor_read_seq       INTEGER NOT NULL DEFAULT 0,
    agent_delivered_seq    INTEGER NOT NULL DEFAULT 0,
    agent_read_seq         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversations_inbox_activity ON conversations (inbox_id, status, last_activity_at DESC);
-- The inbox lists newest activity first; walking this index avoids sorting every open conversation.
CREATE INDEX conversations_inbox_recent ON conversations (inbox_id, last_activity_at DESC);
CREATE INDEX conversations_visitor ON conversations (visitor_id);

CREATE TABLE messages (
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    seq              INTEGER NOT NULL,
    client_id        TEXT NOT NULL,
    sender_kind      TEXT NOT NULL CHECK (sender_kind IN ('visitor', 'agent', 'system')),
    sender_id        TEXT,
    sender_name      TEXT NOT NULL,
    body             TEXT NOT NULL,
    status_change    TEXT,
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_id)
) WITHOUT ROWID;

INSERT INTO inboxes (id, name, created_at) VALUES ('default', 'Website', 0);
