-- Labels: coloured tags admins define and agents put on conversations. A conversation keeps
-- its labels' ids, space-separated, so the row every event reads carries them without a join;
-- the inbox filters on them with a LIKE over the padded list.
CREATE TABLE labels (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    color       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX labels_name ON labels (lower(name));
ALTER TABLE conversations ADD COLUMN labels TEXT NOT NULL DEFAULT '';
