//! Eviction procedures (CCAPEX interface): the procedure, its dated stages and the CCAPEX's
//! opinions.

use domain::eviction::{Closure, HousingBenefit, LandlordKind, Stage};
use domain::{format_date, Date, HouseholdId, OrgId, UserId};

use crate::{corrupt, date_col, now_timestamp, opt_date_col, Conn, Result};

/// What the procedure records besides its stages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub landlord: LandlordKind,
    pub rent_cents: Option<i64>,
    pub charges_cents: Option<i64>,
    pub debt_cents: Option<i64>,
    pub housing_benefit: HousingBenefit,
    pub diagnosis_on: Option<Date>,
}

#[derive(Debug, Clone)]
pub struct EvictionRecord {
    pub id: i64,
    pub household: HouseholdId,
    pub terms: Terms,
    pub closed: Option<(Closure, Date)>,
    pub org_name: String,
    pub stages: Vec<(Stage, Date)>,
}

type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

const COLUMNS: &str = "e.id, e.household_id, e.landlord_kind, e.rent_cents, e.charges_cents, e.debt_cents,
    e.housing_benefit, e.diagnosis_on, e.closure, e.closed_on, o.name
    FROM evictions e JOIN organisations o ON o.id = e.org_id";

async fn from_row(conn: &mut Conn, r: Row) -> Result<EvictionRecord> {
    let closed = match (r.8, r.9) {
        (Some(c), Some(d)) => Some((Closure::parse(&c).map_err(corrupt("issue"))?, date_col(&d)?)),
        _ => None,
    };
    let stages: Vec<(String, String)> =
        sqlx::query_as("SELECT stage, on_day FROM eviction_stages WHERE eviction_id = $1 ORDER BY on_day, id")
            .bind(r.0)
            .fetch_all(&mut *conn)
            .await?;
    Ok(EvictionRecord {
        id: r.0,
        household: HouseholdId(r.1),
        terms: Terms {
            landlord: LandlordKind::parse(&r.2).map_err(corrupt("bailleur"))?,
            rent_cents: r.3,
            charges_cents: r.4,
            debt_cents: r.5,
            housing_benefit: HousingBenefit::parse(&r.6).map_err(corrupt("aide au logement"))?,
            diagnosis_on: opt_date_col(r.7)?,
        },
        closed,
        org_name: r.10,
        stages: stages
            .into_iter()
            .map(|(s, d)| Ok((Stage::parse(&s).map_err(corrupt("étape"))?, date_col(&d)?)))
            .collect::<Result<_>>()?,
    })
}

pub async fn insert(conn: &mut Conn, household: HouseholdId, terms: &Terms, org: OrgId) -> Result<i64> {
    let now = now_timestamp();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO evictions (household_id, landlord_kind, rent_cents, charges_cents, debt_cents, housing_benefit,
            diagnosis_on, org_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(household.0)
    .bind(terms.landlord.code())
    .bind(terms.rent_cents)
    .bind(terms.charges_cents)
    .bind(terms.debt_cents)
    .bind(terms.housing_benefit.code())
    .bind(terms.diagnosis_on.map(format_date))
    .bind(org.0)
    .bind(&now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_terms(conn: &mut Conn, id: i64, terms: &Terms) -> Result<()> {
    sqlx::query(
        "UPDATE evictions SET landlord_kind = $1, rent_cents = $2, charges_cents = $3, debt_cents = $4,
            housing_benefit = $5, diagnosis_on = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(terms.landlord.code())
    .bind(terms.rent_cents)
    .bind(terms.charges_cents)
    .bind(terms.debt_cents)
    .bind(terms.housing_benefit.code())
    .bind(terms.diagnosis_on.map(format_date))
    .bind(now_timestamp())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<EvictionRecord>> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE e.id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    match row {
        Some(r) => Ok(Some(from_row(conn, r).await?)),
        None => Ok(None),
    }
}

/// Procedures, newest first; of one household when given.
pub async fn list(conn: &mut Conn, household: Option<HouseholdId>) -> Result<Vec<EvictionRecord>> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE ($1 = 0 OR e.household_id = $1) ORDER BY e.id DESC"))
            .bind(household.map_or(0, |h| h.0))
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(from_row(conn, r).await?);
    }
    Ok(out)
}

pub async fn insert_stage(conn: &mut Conn, id: i64, stage: Stage, on: Date, by: (OrgId, Option<UserId>)) -> Result<()> {
    let now = now_timestamp();
    sqlx::query(
        "INSERT INTO eviction_stages (eviction_id, stage, on_day, by_user, by_org, at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(stage.code())
    .bind(format_date(on))
    .bind(by.1.map(|u| u.0))
    .bind(by.0 .0)
    .bind(&now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE evictions SET updated_at = $1 WHERE id = $2").bind(&now).bind(id).execute(conn).await?;
    Ok(())
}

pub async fn close(conn: &mut Conn, id: i64, closure: Closure, on: Date) -> Result<()> {
    sqlx::query("UPDATE evictions SET closure = $1, closed_on = $2, updated_at = $3 WHERE id = $4")
        .bind(closure.code())
        .bind(format_date(on))
        .bind(now_timestamp())
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opinion {
    pub given_on: Date,
    pub opinion: String,
    pub recommendation: String,
    pub addressee: String,
    pub source: String,
}

pub async fn insert_opinion(conn: &mut Conn, id: i64, o: &Opinion, by: Option<UserId>) -> Result<()> {
    sqlx::query(
        "INSERT INTO ccapex_opinions (eviction_id, given_on, opinion, recommendation, addressee, source, by_user, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(format_date(o.given_on))
    .bind(&o.opinion)
    .bind(&o.recommendation)
    .bind(&o.addressee)
    .bind(&o.source)
    .bind(by.map(|u| u.0))
    .bind(now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn opinions(conn: &mut Conn, id: i64) -> Result<Vec<Opinion>> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "SELECT given_on, opinion, recommendation, addressee, source FROM ccapex_opinions WHERE eviction_id = $1
         ORDER BY given_on, id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Opinion { given_on: date_col(&r.0)?, opinion: r.1, recommendation: r.2, addressee: r.3, source: r.4 })
        })
        .collect()
}

/// Whether an opinion with this date and text is already recorded (re-imports add nothing).
pub async fn has_opinion(conn: &mut Conn, id: i64, given_on: Date, opinion: &str) -> Result<bool> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT 1 FROM ccapex_opinions WHERE eviction_id = $1 AND given_on = $2 AND opinion = $3")
            .bind(id)
            .bind(format_date(given_on))
            .bind(opinion)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}
