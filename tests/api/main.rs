//! Every integration test in one binary, so the shared helpers compile once. Most start
//! Switchboard in this process on an ephemeral port; what only a real process shows (kill -9,
//! SIGTERM, two nodes, what it prints at start, process-wide metrics) starts the binary.
//! Each runs on a temporary SQLite file and on a fresh PostgreSQL database.
#[macro_use]
mod common;

mod attachments;
mod attachments_s3;
mod attacks;
mod canned;
mod conversation_loop;
mod csat;
mod delivery;
mod embed;
mod fanout;
mod group_commit;
mod idor;
mod inbox_access;
mod inboxes;
mod labels;
mod mail;
mod multinode;
mod notes;
mod operations;
mod search;
mod search_index;
mod snooze;
mod socket_send;
mod store_contract;
mod team;
mod transcripts;
