-- Full-text search over what people wrote (visitors, agents, notes; not system notices): a
-- stemmed tsvector kept by the database itself on every write (a generated column, computed
-- for the existing rows by this ALTER), with a GIN index. The index on created_at serves
-- "newest first" when a word is so common that walking by date is cheaper than the GIN list.
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN sender_kind IN ('visitor', 'agent', 'note')
         THEN to_tsvector('english', body) END
) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);
CREATE INDEX messages_created ON messages (created_at DESC);

-- Visitors' names and e-mails, searchable word by word (no stemming for names).
ALTER TABLE visitors ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', name || ' ' || COALESCE(regexp_replace(email, '[@.+_-]', ' ', 'g'), ''))
) STORED;
CREATE INDEX visitors_search ON visitors USING GIN (search);
