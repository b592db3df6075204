//! Small key/value settings of a database (e.g. whether it is a demo database).

use crate::{Conn, Result};

pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<String>> {
    Ok(sqlx::query_as::<_, (String,)>("SELECT value FROM settings WHERE key = $1")
        .bind(key)
        .fetch_optional(conn)
        .await?
        .map(|r| r.0))
}

pub async fn set(conn: &mut Conn, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

pub const DEMO: &str = "demo";
/// When the last linkage run stored its clusters (RFC 3339, UTC).
pub const LINKAGE_LAST_RUN: &str = "linkage_last_run";
