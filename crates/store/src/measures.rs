//! Support measures and their dated steps (start, reviews, renewals, end).

use domain::cca::{EndReason, HousingType, MeasureState};
use domain::{format_date, Date, HouseholdId, OrgId, UserId};

use crate::{corrupt, now_timestamp, opt_date_col, Conn, Result};

#[derive(Debug, Clone)]
pub struct MeasureRecord {
    pub id: i64,
    pub household: HouseholdId,
    pub decision: Option<i64>,
    pub kind: String,
    pub kind_label: String,
    pub state: MeasureState,
    pub operator: Option<OrgId>,
    pub operator_name: Option<String>,
    pub referent: Option<UserId>,
    pub referent_name: Option<String>,
    pub start: Option<Date>,
    pub planned_months: i64,
    pub planned_end: Option<Date>,
    pub next_review: Option<Date>,
    pub end: Option<Date>,
    pub end_reason: Option<EndReason>,
    pub housing_type: Option<HousingType>,
}

#[derive(sqlx::FromRow)]
struct MeasureRow {
    id: i64,
    household_id: i64,
    decision_id: Option<i64>,
    kind: String,
    kind_label: String,
    state: String,
    operator_org: Option<i64>,
    operator_name: Option<String>,
    referent_user: Option<i64>,
    referent_name: Option<String>,
    start_on: Option<String>,
    planned_months: i64,
    planned_end: Option<String>,
    next_review: Option<String>,
    end_on: Option<String>,
    end_reason: Option<String>,
    housing_type: Option<String>,
}

const COLUMNS: &str = "m.id, m.household_id, m.decision_id, m.kind, k.label AS kind_label, m.state, m.operator_org,
    o.name AS operator_name, m.referent_user, u.display_name AS referent_name, m.start_on, m.planned_months, m.planned_end, m.next_review, m.end_on,
    m.end_reason, m.housing_type
    FROM measures m JOIN measure_kinds k ON k.code = m.kind LEFT JOIN organisations o ON o.id = m.operator_org
    LEFT JOIN users u ON u.id = m.referent_user";

fn from_row(r: MeasureRow) -> Result<MeasureRecord> {
    Ok(MeasureRecord {
        id: r.id,
        household: HouseholdId(r.household_id),
        decision: r.decision_id,
        kind: r.kind,
        kind_label: r.kind_label,
        state: MeasureState::parse(&r.state).map_err(corrupt("état de mesure"))?,
        operator: r.operator_org.map(OrgId),
        operator_name: r.operator_name,
        referent: r.referent_user.map(UserId),
        referent_name: r.referent_name,
        start: opt_date_col(r.start_on)?,
        planned_months: r.planned_months,
        planned_end: opt_date_col(r.planned_end)?,
        next_review: opt_date_col(r.next_review)?,
        end: opt_date_col(r.end_on)?,
        end_reason: r.end_reason.as_deref().map(EndReason::parse).transpose().map_err(corrupt("motif de fin"))?,
        housing_type: r
            .housing_type
            .as_deref()
            .map(HousingType::parse)
            .transpose()
            .map_err(corrupt("type de logement"))?,
    })
}

/// A measure granted by a decision, waiting to start.
pub async fn insert(conn: &mut Conn, household: HouseholdId, decision: Option<i64>, kind: &str) -> Result<i64> {
    let now = now_timestamp();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO measures (household_id, decision_id, kind, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(household.0)
    .bind(decision)
    .bind(kind)
    .bind(MeasureState::AttenteDemarrage.code())
    .bind(&now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<MeasureRecord>> {
    let row: Option<MeasureRow> =
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE m.id = $1")).bind(id).fetch_optional(conn).await?;
    row.map(from_row).transpose()
}

pub async fn of_household(conn: &mut Conn, household: HouseholdId) -> Result<Vec<MeasureRecord>> {
    let rows: Vec<MeasureRow> = sqlx::query_as(&format!("SELECT {COLUMNS} WHERE m.household_id = $1 ORDER BY m.id"))
        .bind(household.0)
        .fetch_all(conn)
        .await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn all(conn: &mut Conn) -> Result<Vec<MeasureRecord>> {
    let rows: Vec<MeasureRow> = sqlx::query_as(&format!("SELECT {COLUMNS} ORDER BY m.id")).fetch_all(conn).await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn start(
    conn: &mut Conn,
    id: i64,
    operator: OrgId,
    referent: Option<UserId>,
    plan: &domain::cca::measure::Plan,
) -> Result<()> {
    sqlx::query(
        "UPDATE measures SET state = $1, operator_org = $2, referent_user = $3, start_on = $4, planned_months = $5,
            planned_end = $6, next_review = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(MeasureState::EnCours.code())
    .bind(operator.0)
    .bind(referent.map(|u| u.0))
    .bind(format_date(plan.start))
    .bind(plan.months)
    .bind(plan.planned_end().map(format_date))
    .bind(plan.next_review.map(format_date))
    .bind(now_timestamp())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_schedule(
    conn: &mut Conn,
    id: i64,
    planned_months: i64,
    planned_end: Option<Date>,
    next_review: Option<Date>,
) -> Result<()> {
    sqlx::query(
        "UPDATE measures SET planned_months = $1, planned_end = $2, next_review = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(planned_months)
    .bind(planned_end.map(format_date))
    .bind(next_review.map(format_date))
    .bind(now_timestamp())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn end(conn: &mut Conn, id: i64, on: Date, reason: EndReason, housing: Option<HousingType>) -> Result<()> {
    sqlx::query(
        "UPDATE measures SET state = $1, end_on = $2, end_reason = $3, housing_type = $4, next_review = NULL,
            updated_at = $5 WHERE id = $6",
    )
    .bind(MeasureState::Terminee.code())
    .bind(format_date(on))
    .bind(reason.code())
    .bind(housing.map(HousingType::code))
    .bind(now_timestamp())
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct StepRecord {
    pub event: String,
    pub on: Date,
    pub outcome: Option<String>,
    pub note: Option<String>,
    pub by: Option<String>,
    pub org_name: String,
}

pub async fn insert_step(
    conn: &mut Conn,
    measure: i64,
    event: &str,
    on: Date,
    outcome: Option<&str>,
    note: Option<&str>,
    by: (OrgId, UserId),
) -> Result<()> {
    sqlx::query(
        "INSERT INTO measure_steps (measure_id, event, on_day, outcome, note, by_user, by_org, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(measure)
    .bind(event)
    .bind(format_date(on))
    .bind(outcome)
    .bind(note)
    .bind(by.1 .0)
    .bind(by.0 .0)
    .bind(now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn steps(conn: &mut Conn, measure: i64) -> Result<Vec<StepRecord>> {
    let rows: Vec<(String, String, Option<String>, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT s.event, s.on_day, s.outcome, s.note, u.display_name, o.name FROM measure_steps s
         LEFT JOIN users u ON u.id = s.by_user JOIN organisations o ON o.id = s.by_org
         WHERE s.measure_id = $1 ORDER BY s.on_day, s.id",
    )
    .bind(measure)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StepRecord { event: r.0, on: crate::date_col(&r.1)?, outcome: r.2, note: r.3, by: r.4, org_name: r.5 })
        })
        .collect()
}

/// Whether `org` follows the household on `day` (a measure's operator joins the follow-up).
pub async fn follows(conn: &mut Conn, household: HouseholdId, org: OrgId, day: Date) -> Result<bool> {
    let d = format_date(day);
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM follows WHERE household_id = $1 AND org_id = $2 AND from_on <= $3
         AND (to_on IS NULL OR to_on > $3)",
    )
    .bind(household.0)
    .bind(org.0)
    .bind(&d)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}
