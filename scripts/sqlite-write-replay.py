#!/usr/bin/env python3
"""Replays the SQLite store's group-commit batch (the four bulk statements of
src/store/conversations/sqlite_bulk.rs) on a copy of a Switchboard database, outside the
server, to see what the writer's time and WAL bytes per message depend on.

    python3 scripts/sqlite-write-replay.py DB VARIANT [BATCH]

DB: a database a benchmark left (e.g. the `bench.db` of `scripts/bench.sh sqlite`).
VARIANT: words joined by '-': `base` (SQLite's default checkpoints), `ckpt` (checkpoint every
20,000 pages), `nockpt` (none), `noidx` (drop the two activity indexes), `noheads` (skip the
UPDATE of the conversations' heads), `small` (1 KB pages). Prints msg/s and WAL bytes.
docs/benchmarks.md (seventh session) keeps what it printed.
"""
import json, os, random, sqlite3, sys, time, uuid

src, variant = sys.argv[1], sys.argv[2]
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 100
path = '/tmp/sqlite-write-replay.db'
for ext in ['', '-wal', '-shm']:
    if os.path.exists(path + ext):
        os.remove(path + ext)
source = sqlite3.connect(src)
source.execute(f"VACUUM INTO '{path}'")
source.close()
if 'small' in variant:
    c = sqlite3.connect(path)
    c.execute('PRAGMA page_size=1024')
    c.execute('VACUUM')
    c.close()
db = sqlite3.connect(path, isolation_level=None)
db.execute('PRAGMA journal_mode=WAL')
db.execute('PRAGMA synchronous=NORMAL')
db.execute('PRAGMA foreign_keys=ON')
if 'ckpt' in variant:
    db.execute('PRAGMA wal_autocheckpoint=20000')
if 'nockpt' in variant:
    db.execute('PRAGMA wal_autocheckpoint=0')
if 'noidx' in variant:
    db.execute('DROP INDEX conversations_inbox_activity')
    db.execute('DROP INDEX conversations_inbox_recent')
convs = [r[0] for r in db.execute('SELECT id FROM conversations')]
seqs = dict(db.execute('SELECT id, last_seq FROM conversations'))
cols = lambda n: ', '.join(f"json_extract(value, '$[{i}]')" for i in range(n))
sent, started = 0, time.time()
while time.time() - started < 5:
    posts = [(random.choice(convs), str(uuid.uuid4())) for _ in range(batch)]
    db.execute('BEGIN IMMEDIATE')
    db.execute(f"SELECT conversation_id, seq FROM messages WHERE (conversation_id, client_id) IN "
               f"(SELECT {cols(2)} FROM json_each(?))", (json.dumps(posts),)).fetchall()
    ids = list({p[0] for p in posts})
    db.execute("SELECT * FROM conversations WHERE id IN (SELECT value FROM json_each(?))",
               (json.dumps(ids),)).fetchall()
    now, rows = int(time.time() * 1000), []
    for cid, client in posts:
        seqs[cid] += 1
        rows.append([cid, seqs[cid], client, 'visitor', None, 'Load', 'load test message', None, now])
    db.execute("INSERT INTO messages (conversation_id, seq, client_id, sender_kind, sender_id, "
               f"sender_name, body, status_change, created_at) SELECT {cols(9)} FROM json_each(?)",
               (json.dumps(rows),))
    if 'noheads' not in variant:
        heads = [[cid, 'waiting', None, seqs[cid], 'load test message', 'visitor', now] for cid in ids]
        db.execute("UPDATE conversations SET status = u.c1, assignee_id = u.c2, last_seq = u.c3, "
                   "last_preview = u.c4, last_sender = u.c5, last_activity_at = u.c6 FROM "
                   "(SELECT " + ', '.join(f"json_extract(value, '$[{i}]') AS c{i}" for i in range(7))
                   + " FROM json_each(?)) AS u WHERE conversations.id = u.c0", (json.dumps(heads),))
    db.execute('COMMIT')
    sent += batch
elapsed = time.time() - started
wal = os.path.getsize(path + '-wal')
print(f"{variant}: batch {batch}, {sent / elapsed:.0f} msg/s, WAL {wal} B, {wal / sent:.0f} B per message")
