//! The audit chain in the store: appended in the caller's transaction, verified from the table.

use domain::audit::{chain_hash, AuditAction, AuditEvent, Outcome, StoredEvent};

use crate::{Conn, Result};

/// What the application records; the store adds sequence, time and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub actor_user: Option<i64>,
    pub actor_org: Option<i64>,
    pub action: AuditAction,
    pub target_kind: Option<&'static str>,
    pub target_id: Option<i64>,
    pub outcome: Outcome,
}

/// Takes the head's lock: a no-op write that must be the transaction's first statement.
pub(crate) async fn lock_head(conn: &mut Conn) -> Result<()> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// Appends one event to the chain, in the caller's transaction.
pub async fn append(conn: &mut Conn, new: NewAuditEvent) -> Result<i64> {
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
            .fetch_one(&mut *conn)
            .await?;
    let event = AuditEvent {
        seq,
        at: crate::now_timestamp(),
        actor_user: new.actor_user,
        actor_org: new.actor_org,
        action: new.action.code().to_owned(),
        target_kind: new.target_kind.map(str::to_owned),
        target_id: new.target_id,
        outcome: new.outcome.code().to_owned(),
    };
    let hash = chain_hash(&prev, &event);
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_user_id, actor_org_id, action, target_kind, target_id, outcome, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(event.seq)
    .bind(&event.at)
    .bind(event.actor_user)
    .bind(event.actor_org)
    .bind(&event.action)
    .bind(&event.target_kind)
    .bind(event.target_id)
    .bind(&event.outcome)
    .bind(&prev)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *conn).await?;
    Ok(seq)
}

type Row = (i64, String, Option<i64>, Option<i64>, String, Option<String>, Option<i64>, String, String, String);

fn stored(r: Row) -> StoredEvent {
    StoredEvent {
        event: AuditEvent {
            seq: r.0,
            at: r.1,
            actor_user: r.2,
            actor_org: r.3,
            action: r.4,
            target_kind: r.5,
            target_id: r.6,
            outcome: r.7,
        },
        prev_hash: r.8,
        hash: r.9,
    }
}

const COLUMNS: &str = "seq, at, actor_user_id, actor_org_id, action, target_kind, target_id, outcome, prev_hash, hash";

/// All events in chain order (verification reads them in pages to bound memory).
pub async fn page(conn: &mut Conn, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The most recent events, newest first (for tests and the DPO screens).
pub async fn recent(conn: &mut Conn, limit: i64) -> Result<Vec<StoredEvent>> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit_events ORDER BY seq DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The chain's head as recorded: (last sequence number, last hash).
pub async fn head(conn: &mut Conn) -> Result<(i64, String)> {
    Ok(sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(conn).await?)
}
