//! Mail on PostgreSQL (the SQL is shared: `super::mail_store`).
use sqlx::PgPool;

type Database = sqlx::Postgres;

pub struct PgMail {
    pub pool: PgPool,
}

super::mail_store!(PgMail, pool, pool);
