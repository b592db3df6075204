//! Login sessions. Only a hash of the session token is stored, so a database leak does not
//! hand out live sessions.

use domain::{OrgId, UserId};

use crate::{Conn, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user: UserId,
    pub org: OrgId,
    pub csrf_token: String,
    pub expires_at: String,
}

pub async fn insert(conn: &mut Conn, token_hash: &str, s: &SessionRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, org_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(s.user.0)
    .bind(s.org.0)
    .bind(&s.csrf_token)
    .bind(crate::now_timestamp())
    .bind(&s.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The session for this token hash if it has not expired at `now` (RFC 3339, UTC).
pub async fn get_live(conn: &mut Conn, token_hash: &str, now: &str) -> Result<Option<SessionRecord>> {
    let row: Option<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT user_id, org_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(u, o, csrf_token, expires_at)| SessionRecord {
        user: UserId(u),
        org: OrgId(o),
        csrf_token,
        expires_at,
    }))
}

pub async fn delete(conn: &mut Conn, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(conn).await?;
    Ok(())
}

pub async fn delete_expired(conn: &mut Conn, now: &str) -> Result<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(conn).await?.rows_affected())
}
