-- Several inboxes, one per website. Agents work the inboxes they are members of (admins see
-- all); everyone who exists today works the default inbox. Each inbox has business hours in
-- its own time zone (empty: always open) and a widget language (empty: follow the browser).
CREATE TABLE inbox_members (
    inbox_id  TEXT NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE,
    agent_id  TEXT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    PRIMARY KEY (inbox_id, agent_id)
);
CREATE INDEX inbox_members_agent ON inbox_members (agent_id);
INSERT INTO inbox_members (inbox_id, agent_id) SELECT 'default', id FROM agents;

ALTER TABLE inboxes ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
-- Seven lines, Monday first: "09:00-17:00" or "closed".
ALTER TABLE inboxes ADD COLUMN hours TEXT NOT NULL DEFAULT '';
ALTER TABLE inboxes ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- Arrived outside the inbox's business hours.
ALTER TABLE conversations ADD COLUMN out_of_hours BOOLEAN NOT NULL DEFAULT FALSE;
-- What the widget's browser tells: the host page's referrer, its language and time zone;
-- and how often the visitor came back (widget loads with their token).
ALTER TABLE visitors ADD COLUMN referrer TEXT;
ALTER TABLE visitors ADD COLUMN language TEXT;
ALTER TABLE visitors ADD COLUMN time_zone TEXT;
ALTER TABLE visitors ADD COLUMN visits BIGINT NOT NULL DEFAULT 1;
ALTER TABLE visitors ADD COLUMN last_seen_at BIGINT;
CREATE INDEX visitors_email ON visitors (email);
