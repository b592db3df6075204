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
    sqlx::query("UPDATE audit.audit_head SET seq = seq WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// Appends one event to the chain, in the caller's transaction.
pub async fn append(conn: &mut Conn, new: NewAuditEvent) -> Result<i64> {
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit.audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
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
        "INSERT INTO audit.audit_events (seq, at, actor_user_id, actor_org_id, action, target_kind, target_id, outcome, prev_hash, hash)
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
    sqlx::query("UPDATE audit.audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *conn).await?;
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
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit.audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The most recent events, newest first (for tests and the DPO screens).
pub async fn recent(conn: &mut Conn, limit: i64) -> Result<Vec<StoredEvent>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM audit.audit_events ORDER BY seq DESC LIMIT $1"))
            .bind(limit)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The chain's head as recorded, and the anchor verification starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    /// The last purged event (0 and the genesis hash when nothing was purged).
    pub anchor_seq: i64,
    pub anchor_hash: String,
}

pub async fn head(conn: &mut Conn) -> Result<Head> {
    let (seq, hash, anchor_seq, anchor_hash): (i64, String, i64, String) =
        sqlx::query_as("SELECT seq, hash, anchor_seq, anchor_hash FROM audit.audit_head WHERE id = 1")
            .fetch_one(conn)
            .await?;
    Ok(Head { seq, hash, anchor_seq, anchor_hash })
}

/// Removes the events recorded before `cutoff` (RFC 3339) — the log's retention — and moves the
/// anchor to the last one removed, so the rest of the chain still verifies. Runs in the caller's
/// audited transaction; the append-only trigger lets deletions through only while `purging` is
/// raised within it.
pub async fn purge_before(conn: &mut Conn, cutoff: &str) -> Result<u64> {
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit.audit_events WHERE at < $1 ORDER BY seq DESC LIMIT 1")
            .bind(cutoff)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((seq, hash)) = last else { return Ok(0) };
    sqlx::query("UPDATE audit.audit_head SET purging = 1 WHERE id = 1").execute(&mut *conn).await?;
    let removed = sqlx::query("DELETE FROM audit.audit_events WHERE seq <= $1")
        .bind(seq)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query("UPDATE audit.audit_head SET purging = 0, anchor_seq = $1, anchor_hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    Ok(removed)
}

/// Filters of the DPO's access-log search (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub household: Option<i64>,
    pub user: Option<i64>,
    /// RFC 3339 bounds, `from` inclusive, `to` exclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: i64,
}

pub async fn search(conn: &mut Conn, q: &Search) -> Result<Vec<StoredEvent>> {
    let mut sql = crate::sql::Sql::new(&format!("SELECT {COLUMNS} FROM audit.audit_events WHERE 1 = 1"));
    if let Some(h) = q.household {
        let p = sql.param(crate::sql::Val::Int(h));
        sql.push(&format!(" AND target_kind = 'household' AND target_id = {p}"));
    }
    if let Some(u) = q.user {
        let p = sql.param(crate::sql::Val::Int(u));
        sql.push(&format!(" AND actor_user_id = {p}"));
    }
    if let Some(f) = &q.from {
        let p = sql.param(crate::sql::Val::Text(f.clone()));
        sql.push(&format!(" AND at >= {p}"));
    }
    if let Some(t) = &q.to {
        let p = sql.param(crate::sql::Val::Text(t.clone()));
        sql.push(&format!(" AND at < {p}"));
    }
    let p = sql.param(crate::sql::Val::Int(q.limit.max(1)));
    sql.push(&format!(" ORDER BY seq DESC LIMIT {p}"));
    let rows: Vec<Row> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(stored).collect())
}

/// Users who opened more than `threshold` distinct household files on one day (UTC), since
/// `since` (RFC 3339): (user id, day, distinct files), most first.
pub async fn unusual_readers(conn: &mut Conn, since: &str, threshold: i64) -> Result<Vec<(i64, String, i64)>> {
    Ok(sqlx::query_as(
        "SELECT actor_user_id, SUBSTR(at, 1, 10) AS day, COUNT(DISTINCT target_id) AS files FROM audit.audit_events
         WHERE action = 'household.read' AND outcome = 'allowed' AND actor_user_id IS NOT NULL AND at >= $1
         GROUP BY actor_user_id, SUBSTR(at, 1, 10) HAVING COUNT(DISTINCT target_id) > $2
         ORDER BY files DESC, day DESC",
    )
    .bind(since)
    .bind(threshold)
    .fetch_all(conn)
    .await?)
}

pub async fn count_before(conn: &mut Conn, cutoff: &str) -> Result<i64> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM audit.audit_events WHERE at < $1")
        .bind(cutoff)
        .fetch_one(conn)
        .await?
        .0)
}

/// The access log of one household, newest first: (time, action, outcome, user name, organisation name).
pub async fn for_household(
    conn: &mut Conn,
    household: i64,
) -> Result<Vec<(String, String, String, Option<String>, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT e.at, e.action, e.outcome, u.display_name, o.name FROM audit.audit_events e
         LEFT JOIN users u ON u.id = e.actor_user_id LEFT JOIN organisations o ON o.id = e.actor_org_id
         WHERE e.target_kind = 'household' AND e.target_id = $1 ORDER BY e.seq DESC",
    )
    .bind(household)
    .fetch_all(conn)
    .await?)
}
