-- Canned responses: the team's (owner_id '') and each agent's own, one shortcut per owner.
CREATE TABLE canned_responses (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL DEFAULT '',
    shortcut    TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (owner_id, shortcut)
);
