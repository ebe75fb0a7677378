//! A team works in it, each test on SQLite and on PostgreSQL: `accounts` (invites, roles,
//! deactivation, lockout), `assignment` (transfer, auto-assignment, unread counts) and
//! `presence` (online, away, offline, the widget's offline mode), `sessions` (which sockets a
//! sign-out closes; each agent's own settings).
mod accounts;
mod assignment;
mod presence;
mod sessions;
