-- Files sent in a conversation. A message that carries one keeps what the thread shows of it
-- (name, sniffed type, size, pixels, whether a thumbnail exists) as JSON beside its body (the
-- file's name); the bytes live in the file store (the data folder, or S3-compatible storage)
-- under the conversation's id and the file's random id.
ALTER TABLE messages ADD COLUMN attachment TEXT;
