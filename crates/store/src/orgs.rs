//! Communes and partner organisations.

use domain::org::{OrgKind, Organisation};
use domain::territory::{Commune, InseeCode};
use domain::OrgId;

use crate::{conflict_on_unique, corrupt, Conn, Result};

pub async fn upsert_commune(conn: &mut Conn, c: &Commune) -> Result<()> {
    sqlx::query(
        "INSERT INTO communes (insee, name) VALUES ($1, $2) ON CONFLICT (insee) DO UPDATE SET name = excluded.name",
    )
    .bind(c.insee.as_str())
    .bind(&c.name)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn communes(conn: &mut Conn) -> Result<Vec<Commune>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT insee, name FROM communes ORDER BY name").fetch_all(conn).await?;
    rows.into_iter()
        .map(|(insee, name)| Ok(Commune { insee: InseeCode::parse(&insee).map_err(corrupt("commune"))?, name }))
        .collect()
}

pub async fn insert(conn: &mut Conn, name: &str, kind: OrgKind, commune: Option<&InseeCode>) -> Result<OrgId> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO organisations (name, kind, commune_insee, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(kind.code())
    .bind(commune.map(InseeCode::as_str))
    .bind(crate::now_timestamp())
    .fetch_one(conn)
    .await
    .map_err(conflict_on_unique)?;
    Ok(OrgId(id))
}

fn org((id, name, kind): (i64, String, String)) -> Result<Organisation> {
    Ok(Organisation { id: OrgId(id), name, kind: OrgKind::parse(&kind).map_err(corrupt("organisation"))? })
}

pub async fn all(conn: &mut Conn) -> Result<Vec<Organisation>> {
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, name, kind FROM organisations ORDER BY name").fetch_all(conn).await?;
    rows.into_iter().map(org).collect()
}

pub async fn get(conn: &mut Conn, id: OrgId) -> Result<Option<Organisation>> {
    let row: Option<(i64, String, String)> = sqlx::query_as("SELECT id, name, kind FROM organisations WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?;
    row.map(org).transpose()
}

pub async fn by_name(conn: &mut Conn, name: &str) -> Result<Option<Organisation>> {
    let row: Option<(i64, String, String)> = sqlx::query_as("SELECT id, name, kind FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_optional(conn)
        .await?;
    row.map(org).transpose()
}

pub async fn set_epci(conn: &mut Conn, commune: &InseeCode, epci: Option<&str>) -> Result<()> {
    sqlx::query("UPDATE communes SET epci = $1 WHERE insee = $2")
        .bind(epci)
        .bind(commune.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// An organisation as the administration screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSummary {
    pub org: Organisation,
    /// The commune's INSEE code and name, when set.
    pub commune: Option<(InseeCode, String)>,
    /// Accounts holding at least one role in this organisation.
    pub accounts: i64,
}

/// Every organisation with its commune and its number of accounts, by name.
pub async fn all_with_details(conn: &mut Conn) -> Result<Vec<OrgSummary>> {
    let rows: Vec<(i64, String, String, Option<String>, Option<String>, i64)> = sqlx::query_as(
        "SELECT o.id, o.name, o.kind, o.commune_insee, c.name,
                (SELECT COUNT(DISTINCT m.user_id) FROM memberships m WHERE m.org_id = o.id)
         FROM organisations o LEFT JOIN communes c ON c.insee = o.commune_insee
         ORDER BY o.name, o.id",
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, name, kind, insee, commune_name, accounts)| {
            let commune = match insee {
                Some(code) => {
                    Some((InseeCode::parse(&code).map_err(corrupt("commune"))?, commune_name.unwrap_or_default()))
                }
                None => None,
            };
            Ok(OrgSummary { org: org((id, name, kind))?, commune, accounts })
        })
        .collect()
}
