//! The sensitive compartment's storage: ciphertexts only. Encryption happens above, with the
//! keyring; the associated data (table, column, row) binds each ciphertext to its place.

use domain::{HouseholdId, OrgId, UserId};

use crate::{Conn, Result};

pub const NEEDS_TABLE: &str = "household_needs";
pub const NOTES_TABLE: &str = "sensitive_notes";
pub const PAYLOAD: &str = "payload";

pub async fn needs_payload(conn: &mut Conn, hh: HouseholdId) -> Result<Option<String>> {
    Ok(sqlx::query_as::<_, (String,)>("SELECT payload FROM household_needs WHERE household_id = $1")
        .bind(hh.0)
        .fetch_optional(conn)
        .await?
        .map(|r| r.0))
}

pub async fn set_needs_payload(conn: &mut Conn, hh: HouseholdId, payload: &str, by: Option<UserId>) -> Result<()> {
    sqlx::query(
        "INSERT INTO household_needs (household_id, payload, updated_at, updated_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (household_id) DO UPDATE SET payload = excluded.payload, updated_at = excluded.updated_at,
         updated_by = excluded.updated_by",
    )
    .bind(hh.0)
    .bind(payload)
    .bind(crate::now_timestamp())
    .bind(by.map(|u| u.0))
    .execute(conn)
    .await?;
    Ok(())
}

/// Inserts a note with a placeholder payload and returns its id: the ciphertext's associated
/// data needs the row id, so the caller encrypts then calls [`set_note_payload`].
pub async fn insert_note(
    conn: &mut Conn,
    hh: HouseholdId,
    written_on: &str,
    by: Option<UserId>,
    org: OrgId,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sensitive_notes (household_id, payload, written_on, author_user_id, org_id, recorded_at)
         VALUES ($1, '', $2, $3, $4, $5) RETURNING id",
    )
    .bind(hh.0)
    .bind(written_on)
    .bind(by.map(|u| u.0))
    .bind(org.0)
    .bind(crate::now_timestamp())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn set_note_payload(conn: &mut Conn, id: i64, payload: &str) -> Result<()> {
    sqlx::query("UPDATE sensitive_notes SET payload = $1 WHERE id = $2").bind(payload).bind(id).execute(conn).await?;
    Ok(())
}

/// A stored note: (id, ciphertext, date written, author name, organisation name), oldest first.
pub async fn notes(conn: &mut Conn, hh: HouseholdId) -> Result<Vec<(i64, String, String, Option<String>, String)>> {
    Ok(sqlx::query_as(
        "SELECT n.id, n.payload, n.written_on, u.display_name, o.name FROM sensitive_notes n
         JOIN organisations o ON o.id = n.org_id LEFT JOIN users u ON u.id = n.author_user_id
         WHERE n.household_id = $1 ORDER BY n.written_on, n.id",
    )
    .bind(hh.0)
    .fetch_all(conn)
    .await?)
}

/// One batch of ciphertexts for key rotation: (table, row id, payload) with id > `after` in
/// `table`, in id order. Needs rows are keyed by household id.
pub async fn payload_batch(conn: &mut Conn, table: &str, after: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    let sql = match table {
        NEEDS_TABLE => {
            "SELECT household_id, payload FROM household_needs WHERE household_id > $1 ORDER BY household_id LIMIT $2"
        }
        _ => "SELECT id, payload FROM sensitive_notes WHERE id > $1 ORDER BY id LIMIT $2",
    };
    Ok(sqlx::query_as(sql).bind(after).bind(limit).fetch_all(conn).await?)
}

pub async fn replace_payload(conn: &mut Conn, table: &str, row: i64, payload: &str) -> Result<()> {
    let sql = match table {
        NEEDS_TABLE => "UPDATE household_needs SET payload = $1 WHERE household_id = $2",
        _ => "UPDATE sensitive_notes SET payload = $1 WHERE id = $2",
    };
    sqlx::query(sql).bind(payload).bind(row).execute(conn).await?;
    Ok(())
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    let (a,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM household_needs").fetch_one(&mut *conn).await?;
    let (b,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sensitive_notes").fetch_one(conn).await?;
    Ok(a + b)
}
