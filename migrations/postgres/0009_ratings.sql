-- CSAT: the visitor's rating of each resolution (the seq of its "resolved" notice).
CREATE TABLE ratings (
    conversation_id  TEXT NOT NULL REFERENCES conversations(id),
    resolution_seq   BIGINT NOT NULL,
    score            INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment          TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, resolution_seq)
);
