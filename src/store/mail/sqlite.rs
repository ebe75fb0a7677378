//! Mail on SQLite (the SQL is shared: `super::mail_store`).
use sqlx::SqlitePool;

type Database = sqlx::Sqlite;

pub struct SqliteMail {
    pub reader: SqlitePool,
    pub writer: SqlitePool,
}

super::mail_store!(SqliteMail, reader, writer);
