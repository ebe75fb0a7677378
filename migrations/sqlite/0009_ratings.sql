-- CSAT: the visitor's rating of each resolution (the seq of its "resolved" notice).
CREATE TABLE ratings (
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    resolution_seq   INTEGER NOT NULL,
    score            INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment          TEXT NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, resolution_seq)
);
