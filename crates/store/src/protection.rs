//! Information notices, sharing choices and restrictions: append-only records of what the
//! household was told and what it chose.

use domain::{HouseholdId, OrgId, UserId};

use crate::{Conn, Result};

pub async fn insert_notice(
    conn: &mut Conn,
    hh: HouseholdId,
    given_on: &str,
    version: &str,
    by: Option<UserId>,
    org: OrgId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO information_notices (household_id, given_on, notice_version, given_by, org_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hh.0)
    .bind(given_on)
    .bind(version)
    .bind(by.map(|u| u.0))
    .bind(org.0)
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Notices given: (date, version, organisation name, user name), oldest first.
pub async fn notices(conn: &mut Conn, hh: HouseholdId) -> Result<Vec<(String, String, String, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT n.given_on, n.notice_version, o.name, u.display_name FROM information_notices n
         JOIN organisations o ON o.id = n.org_id LEFT JOIN users u ON u.id = n.given_by
         WHERE n.household_id = $1 ORDER BY n.given_on, n.id",
    )
    .bind(hh.0)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_choice(
    conn: &mut Conn,
    hh: HouseholdId,
    scope: &str,
    choice: &str,
    decided_on: &str,
    by: Option<UserId>,
    org: OrgId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sharing_choices (household_id, scope, choice, decided_on, recorded_by, org_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hh.0)
    .bind(scope)
    .bind(choice)
    .bind(decided_on)
    .bind(by.map(|u| u.0))
    .bind(org.0)
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Every choice recorded, oldest first: (scope, choice, date, organisation name).
pub async fn choices_history(conn: &mut Conn, hh: HouseholdId) -> Result<Vec<(String, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT sc.scope, sc.choice, sc.decided_on, o.name FROM sharing_choices sc JOIN organisations o ON o.id = sc.org_id
         WHERE sc.household_id = $1 ORDER BY sc.id",
    )
    .bind(hh.0)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_restriction(
    conn: &mut Conn,
    hh: HouseholdId,
    from_on: &str,
    reason: &str,
    by: UserId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO restrictions (household_id, from_on, to_on, reason, recorded_by, recorded_at) VALUES ($1, $2, NULL, $3, $4, $5)",
    )
    .bind(hh.0)
    .bind(from_on)
    .bind(reason)
    .bind(by.0)
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn lift_restrictions(conn: &mut Conn, hh: HouseholdId, on: &str) -> Result<u64> {
    Ok(sqlx::query("UPDATE restrictions SET to_on = $1 WHERE household_id = $2 AND to_on IS NULL")
        .bind(on)
        .bind(hh.0)
        .execute(conn)
        .await?
        .rows_affected())
}

/// Restrictions, oldest first: (from, to, reason).
pub async fn restrictions(conn: &mut Conn, hh: HouseholdId) -> Result<Vec<(String, Option<String>, String)>> {
    Ok(sqlx::query_as("SELECT from_on, to_on, reason FROM restrictions WHERE household_id = $1 ORDER BY id")
        .bind(hh.0)
        .fetch_all(conn)
        .await?)
}
