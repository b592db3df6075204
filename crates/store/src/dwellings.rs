//! The dwellings a social rental agency captured (migration 0017): not personal data.

use domain::dwelling::Dwelling;
use domain::tenancy::DwellingNeed;
use domain::territory::InseeCode;
use domain::{HouseholdId, OrgId, UserId};

use crate::{corrupt, date_col, now_timestamp, Conn, Result, StoreError};

/// Where a captured dwelling stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DwellingState {
    /// Still to let: matched against the requests.
    Disponible,
    /// Let to a household.
    Attribue,
    /// The owner took it back, or the agency gave it up.
    Retire,
}

impl DwellingState {
    pub const ALL: [DwellingState; 3] = [Self::Disponible, Self::Attribue, Self::Retire];

    pub fn code(self) -> &'static str {
        match self {
            Self::Disponible => "disponible",
            Self::Attribue => "attribue",
            Self::Retire => "retire",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Disponible => "Disponible",
            Self::Attribue => "Attribué",
            Self::Retire => "Retiré",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DwellingRecord {
    pub id: i64,
    pub org: OrgId,
    pub dwelling: Dwelling,
    /// The commune's name (its code when the commune is not in the reference).
    pub commune_name: String,
    pub state: DwellingState,
    pub created_at: String,
}

type Row = (i64, i64, String, i64, i64, String, String, String, String, Option<String>);

const COLUMNS: &str =
    "d.id, d.org_id, d.commune_insee, d.rooms, d.rent, d.features, d.available_on, d.state, d.created_at, c.name
     FROM dwellings d LEFT JOIN communes c ON c.insee = d.commune_insee";

fn record_of(r: Row) -> Result<DwellingRecord> {
    let dwelling = Dwelling {
        commune: InseeCode::parse(&r.2).map_err(corrupt("dwellings.commune_insee"))?,
        rooms: u8::try_from(r.3).map_err(corrupt("dwellings.rooms"))?,
        rent: u32::try_from(r.4).map_err(corrupt("dwellings.rent"))?,
        features: DwellingNeed::decode(&r.5).map_err(corrupt("dwellings.features"))?,
        available_on: date_col(&r.6)?,
    };
    let state = DwellingState::parse(&r.7).ok_or_else(|| StoreError::Corrupt("dwellings.state".into()))?;
    let commune_name = r.9.unwrap_or_else(|| r.2.clone());
    Ok(DwellingRecord { id: r.0, org: OrgId(r.1), dwelling, commune_name, state, created_at: r.8 })
}

pub async fn insert(conn: &mut Conn, org: OrgId, by: UserId, d: &Dwelling) -> Result<i64> {
    let now = now_timestamp();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO dwellings (org_id, commune_insee, rooms, rent, features, available_on, state, created_by, created_at, state_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'disponible', $7, $8, $9) RETURNING id",
    )
    .bind(org.0)
    .bind(d.commune.as_str())
    .bind(i64::from(d.rooms))
    .bind(i64::from(d.rent))
    .bind(DwellingNeed::encode(&d.features))
    .bind(domain::format_date(d.available_on))
    .bind(by.0)
    .bind(&now)
    .bind(&now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// An organisation's dwellings, the available ones first, then the newest.
pub async fn of_org(conn: &mut Conn, org: OrgId) -> Result<Vec<DwellingRecord>> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} WHERE d.org_id = $1
         ORDER BY CASE d.state WHEN 'disponible' THEN 0 ELSE 1 END, d.id DESC"
    ))
    .bind(org.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(record_of).collect()
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<DwellingRecord>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE d.id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(record_of).transpose()
}

pub async fn set_state(conn: &mut Conn, id: i64, state: DwellingState) -> Result<()> {
    sqlx::query("UPDATE dwellings SET state = $1, state_at = $2 WHERE id = $3")
        .bind(state.code())
        .bind(now_timestamp())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A dwelling proposed to a household, and the answer given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub dwelling: i64,
    pub household: HouseholdId,
    pub org: OrgId,
    pub org_name: String,
    pub proposed_by: Option<UserId>,
    pub proposed_at: String,
    /// `Some(true)` accepted, `Some(false)` declined, `None` waiting.
    pub accepted: Option<bool>,
    pub answered_at: Option<String>,
}

type ProposalRow = (i64, i64, i64, i64, String, Option<i64>, String, Option<String>, Option<String>);

const PROPOSALS: &str = "SELECT p.id, p.dwelling_id, p.household_id, p.org_id, o.name, p.proposed_by, p.proposed_at, p.answer, p.answered_at
     FROM dwelling_proposals p JOIN organisations o ON o.id = p.org_id";

fn proposal_of(r: ProposalRow) -> Proposal {
    Proposal {
        id: r.0,
        dwelling: r.1,
        household: HouseholdId(r.2),
        org: OrgId(r.3),
        org_name: r.4,
        proposed_by: r.5.map(UserId),
        proposed_at: r.6,
        accepted: r.7.as_deref().map(|a| a == "acceptee"),
        answered_at: r.8,
    }
}

/// Proposes `dwelling` to `household`; `Conflict` when it was proposed to it already.
pub async fn propose(conn: &mut Conn, dwelling: i64, household: HouseholdId, org: OrgId, by: UserId) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO dwelling_proposals (dwelling_id, household_id, org_id, proposed_by, proposed_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(dwelling)
    .bind(household.0)
    .bind(org.0)
    .bind(by.0)
    .bind(now_timestamp())
    .fetch_one(conn)
    .await
    .map_err(crate::conflict_on_unique)?;
    Ok(id)
}

pub async fn proposals_of_dwelling(conn: &mut Conn, dwelling: i64) -> Result<Vec<Proposal>> {
    let rows: Vec<ProposalRow> = sqlx::query_as(&format!("{PROPOSALS} WHERE p.dwelling_id = $1 ORDER BY p.id"))
        .bind(dwelling)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(proposal_of).collect())
}

pub async fn proposals_of_household(conn: &mut Conn, household: HouseholdId) -> Result<Vec<Proposal>> {
    let rows: Vec<ProposalRow> = sqlx::query_as(&format!("{PROPOSALS} WHERE p.household_id = $1 ORDER BY p.id DESC"))
        .bind(household.0)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(proposal_of).collect())
}

pub async fn proposal(conn: &mut Conn, id: i64) -> Result<Option<Proposal>> {
    let row: Option<ProposalRow> =
        sqlx::query_as(&format!("{PROPOSALS} WHERE p.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(proposal_of))
}

/// Records the answer to a proposal still waiting; `false` when it was answered already.
pub async fn answer(conn: &mut Conn, id: i64, accepted: bool, by: UserId) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE dwelling_proposals SET answer = $1, answered_by = $2, answered_at = $3 WHERE id = $4 AND answer IS NULL",
    )
    .bind(if accepted { "acceptee" } else { "refusee" })
    .bind(by.0)
    .bind(now_timestamp())
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}
