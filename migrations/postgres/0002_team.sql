-- A team (same model as migrations/sqlite): agents can be deactivated and keep their own
-- settings; admins invite teammates with one-time links; each agent's read position per
-- conversation gives unread counts.
ALTER TABLE agents ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE agents ADD COLUMN avatar_color TEXT NOT NULL DEFAULT '#4f46e5';
ALTER TABLE agents ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE agents ADD COLUMN theme TEXT NOT NULL DEFAULT 'system';
ALTER TABLE agents ADD COLUMN notify_sound BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE agents ADD COLUMN notify_desktop BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE agents ADD COLUMN notify_new BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE agents ADD COLUMN notify_messages BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE agent_invites (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    created_by  TEXT NOT NULL REFERENCES agents(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT
);

CREATE TABLE agent_reads (
    agent_id         TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    read_seq         BIGINT NOT NULL,
    PRIMARY KEY (agent_id, conversation_id)
);

-- Who wrote the newest message: the dashboard counts unread visitor messages live from it.
ALTER TABLE conversations ADD COLUMN last_sender TEXT;
-- Started while no agent was online: the widget asked for an e-mail to reply to.
ALTER TABLE conversations ADD COLUMN started_offline BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX conversations_assignee ON conversations (assignee_id, status);
CREATE INDEX agent_sessions_agent ON agent_sessions (agent_id);
