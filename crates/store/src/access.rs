//! The store's half of the access policy: the facts `domain::policy` decides on, and the
//! translation of a `ListScope` into SQL. The two must say the same thing as
//! `ListScope::admits`; an integration test compares them household by household.

use domain::policy::{Grant, HouseholdFacts, ListScope, Place, SharingScope, TenancyScope, TerritoryScope, Tier};
use domain::territory::InseeCode;
use domain::user::Role;
use domain::{format_date, Date, HouseholdId, OrgId, UserId};

use crate::sql::{Sql, Val};
use crate::{corrupt, date_col, opt_date_col, Conn, Result};

/// `restricted` on `day` for the household aliased `h`.
fn restricted_sql(day: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM restrictions r WHERE r.household_id = h.id AND r.from_on <= {day}
          AND (r.to_on IS NULL OR r.to_on > {day}))"
    )
}

/// The latest choice recorded for a sharing scope is `choice`.
fn choice_sql(scope: SharingScope, choice: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM sharing_choices sc WHERE sc.household_id = h.id AND sc.scope = '{scope}' AND sc.choice = '{choice}'
          AND sc.id = (SELECT MAX(s2.id) FROM sharing_choices s2 WHERE s2.household_id = h.id AND s2.scope = '{scope}'))",
        scope = scope.code()
    )
}

fn follows_sql(org: &str, day: &str, referent_only: bool) -> String {
    let referent = if referent_only { " AND f.is_referent = 1" } else { "" };
    format!(
        "EXISTS (SELECT 1 FROM follows f WHERE f.household_id = h.id AND f.org_id = {org}{referent}
          AND f.from_on <= {day} AND (f.to_on IS NULL OR f.to_on > {day}))"
    )
}

fn territory_sql(sql: &mut Sql, t: &TerritoryScope) -> String {
    match t {
        TerritoryScope::Tout => "1 = 1".into(),
        TerritoryScope::Departement(d) => {
            let p = sql.param(Val::Text(d.clone()));
            format!(
                "(CASE WHEN SUBSTR(h.commune_insee, 1, 2) IN ('97', '98') THEN SUBSTR(h.commune_insee, 1, 3)
                  ELSE SUBSTR(h.commune_insee, 1, 2) END) = {p}"
            )
        }
        TerritoryScope::Epci(e) => {
            let p = sql.param(Val::Text(e.clone()));
            format!("EXISTS (SELECT 1 FROM communes c2 WHERE c2.insee = h.commune_insee AND c2.epci = {p})")
        }
        TerritoryScope::Communes(cs) => {
            let ps: Vec<String> = cs.iter().map(|c| sql.param(Val::Text(c.as_str().to_owned()))).collect();
            format!("h.commune_insee IN ({})", ps.join(", "))
        }
    }
}

/// Appends the scope as a predicate on the households alias `h` (after a `WHERE …`).
pub(crate) fn push_scope(sql: &mut Sql, scope: &ListScope, today: Date, now: &str) {
    let day = sql.param(Val::Text(format_date(today)));
    let mut alternatives = Vec::new();
    if let Some(org) = scope.followed_by {
        let o = sql.param(Val::Int(org.0));
        alternatives.push(format!(
            "({} AND (NOT {} OR {}))",
            follows_sql(&o, &day, false),
            restricted_sql(&day),
            follows_sql(&o, &day, true)
        ));
    }
    if let Some(user) = scope.temporary_for {
        let u = sql.param(Val::Int(user.0));
        let n = sql.param(Val::Text(now.to_owned()));
        alternatives.push(format!(
            "(EXISTS (SELECT 1 FROM temporary_grants tg WHERE tg.household_id = h.id AND tg.user_id = {u}
              AND tg.valid_from <= {n} AND tg.valid_to > {n}) AND NOT {})",
            restricted_sql(&day)
        ));
    }
    if !scope.territories.is_empty() {
        let places: Vec<String> = scope.territories.iter().map(|t| territory_sql(sql, t)).collect();
        alternatives.push(format!(
            "(NOT {} AND NOT {} AND ({}))",
            restricted_sql(&day),
            choice_sql(SharingScope::Partenaires, "opposition"),
            places.join(" OR ")
        ));
    }
    if alternatives.is_empty() {
        sql.push(" AND 1 = 0");
    } else {
        sql.push(&format!(" AND h.archived_on IS NULL AND ({})", alternatives.join(" OR ")));
    }
}

/// The households `scope` admits: the list filter, for checks on many households at once.
pub async fn visible_households(
    conn: &mut Conn,
    scope: &ListScope,
    today: Date,
    now: &str,
) -> Result<std::collections::HashSet<HouseholdId>> {
    visible_where(conn, "h.id IS NOT NULL", scope, today, now).await
}

/// Among the households of the persons of the pending pairs (the review queue), those `scope`
/// admits: the scope is checked on those only.
pub async fn visible_pending_households(
    conn: &mut Conn,
    scope: &ListScope,
    today: Date,
    now: &str,
) -> Result<std::collections::HashSet<HouseholdId>> {
    let pending = "h.id IN (SELECT m.household_id FROM household_members m WHERE m.person_id IN
                   (SELECT person_a FROM link_candidates UNION SELECT person_b FROM link_candidates))";
    visible_where(conn, pending, scope, today, now).await
}

/// What a landlord narrows the shared housing requests to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenancyFilter {
    /// The household's commune (INSEE code).
    pub commune: Option<String>,
    /// The resources band's code.
    pub band: Option<String>,
    /// The fewest persons present today.
    pub min_persons: Option<i64>,
    /// The most persons present today.
    pub max_persons: Option<i64>,
}

/// `select … FROM households h from … WHERE` the households whose tenancy summary `scope` may
/// read on `today`: the SQL of [`TenancyScope::admits`] (an integration test compares them
/// household by household); `None` when the scope reads none. Also returns `today`'s placeholder.
fn tenancy_sql(
    select: impl FnOnce(&str) -> String,
    from: &str,
    scope: &TenancyScope,
    today: Date,
) -> Option<(Sql, String)> {
    if scope.territories.is_empty() {
        return None;
    }
    let mut sql = Sql::new("");
    let day = sql.param(Val::Text(format_date(today)));
    sql.push(&format!("{} FROM households h {from} WHERE h.archived_on IS NULL", select(&day)));
    let places: Vec<String> = scope.territories.iter().map(|t| territory_sql(&mut sql, t)).collect();
    sql.push(&format!(
        " AND NOT {} AND {} AND ({})",
        restricted_sql(&day),
        choice_sql(SharingScope::Bailleurs, "accord"),
        places.join(" OR ")
    ));
    Some((sql, day))
}

/// The persons present on the day of placeholder `day` in the household aliased `h`.
fn present_sql(day: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM household_members m WHERE m.household_id = h.id AND m.from_on <= {day}
          AND (m.to_on IS NULL OR m.to_on > {day}))"
    )
}

/// The households whose tenancy summary `scope` may read on `today`, narrowed by `filter`, by
/// number (the oldest request first).
pub async fn tenancy_households(
    conn: &mut Conn,
    scope: &TenancyScope,
    today: Date,
    filter: &TenancyFilter,
) -> Result<Vec<HouseholdId>> {
    let Some(sql) = tenancy_filtered(|_| "SELECT h.id".into(), scope, today, filter) else { return Ok(Vec::new()) };
    let rows: Vec<(i64,)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| HouseholdId(r.0)).collect())
}

/// What matching a dwelling needs of a request, read in one query: (household, commune, resources
/// band, needs, persons present), for the same households as [`tenancy_households`].
pub async fn tenancy_requests_facts(
    conn: &mut Conn,
    scope: &TenancyScope,
    today: Date,
    filter: &TenancyFilter,
) -> Result<Vec<(HouseholdId, Option<String>, Option<String>, Option<String>, i64)>> {
    let select =
        |day: &str| format!("SELECT h.id, h.commune_insee, h.resources_band, h.dwelling_needs, {}", present_sql(day));
    let Some(sql) = tenancy_filtered(select, scope, today, filter) else { return Ok(Vec::new()) };
    let rows: Vec<(i64, Option<String>, Option<String>, Option<String>, i64)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| (HouseholdId(r.0), r.1, r.2, r.3, r.4)).collect())
}

fn tenancy_filtered(
    select: impl FnOnce(&str) -> String,
    scope: &TenancyScope,
    today: Date,
    filter: &TenancyFilter,
) -> Option<Sql> {
    let (mut sql, day) = tenancy_sql(select, "", scope, today)?;
    if let Some(c) = &filter.commune {
        let p = sql.param(Val::Text(c.clone()));
        sql.push(&format!(" AND h.commune_insee = {p}"));
    }
    if let Some(b) = &filter.band {
        let p = sql.param(Val::Text(b.clone()));
        sql.push(&format!(" AND h.resources_band = {p}"));
    }
    let present = present_sql(&day);
    for (bound, op) in [(filter.min_persons, ">="), (filter.max_persons, "<=")] {
        if let Some(n) = bound {
            let p = sql.param(Val::Int(n));
            sql.push(&format!(" AND {present} {op} {p}"));
        }
    }
    sql.push(" ORDER BY h.id");
    Some(sql)
}

/// The communes of the households whose summary `scope` may read: (INSEE code, name, how many),
/// by name — the landlord's commune filter.
pub async fn tenancy_communes(
    conn: &mut Conn,
    scope: &TenancyScope,
    today: Date,
) -> Result<Vec<(String, String, i64)>> {
    let (select, join) = ("SELECT h.commune_insee, c.name, COUNT(*)", "JOIN communes c ON c.insee = h.commune_insee");
    let Some((mut sql, _)) = tenancy_sql(|_| select.into(), join, scope, today) else { return Ok(Vec::new()) };
    sql.push(" GROUP BY h.commune_insee, c.name ORDER BY c.name");
    Ok(sql.query_as().fetch_all(conn).await?)
}

async fn visible_where(
    conn: &mut Conn,
    among: &str,
    scope: &ListScope,
    today: Date,
    now: &str,
) -> Result<std::collections::HashSet<HouseholdId>> {
    let mut sql = Sql::new(&format!("SELECT h.id FROM households h WHERE {among}"));
    push_scope(&mut sql, scope, today, now);
    let rows: Vec<(i64,)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| HouseholdId(r.0)).collect())
}

/// The policy's facts about one household on `today` (temporary grants at `now`), or `None`
/// when it does not exist.
pub async fn household_facts(
    conn: &mut Conn,
    id: HouseholdId,
    today: Date,
    now: &str,
) -> Result<Option<HouseholdFacts>> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT h.commune_insee, c.epci, h.archived_on FROM households h LEFT JOIN communes c ON c.insee = h.commune_insee
         WHERE h.id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((commune, epci, archived_on)) = row else { return Ok(None) };
    let day = format_date(today);
    let follows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT org_id, is_referent FROM follows WHERE household_id = $1 AND from_on <= $2 AND (to_on IS NULL OR to_on > $2)",
    )
    .bind(id.0)
    .bind(&day)
    .fetch_all(&mut *conn)
    .await?;
    let temporary: Vec<(i64,)> = sqlx::query_as(
        "SELECT user_id FROM temporary_grants WHERE household_id = $1 AND valid_from <= $2 AND valid_to > $2",
    )
    .bind(id.0)
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    let (restricted,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM restrictions WHERE household_id = $1 AND from_on <= $2 AND (to_on IS NULL OR to_on > $2)",
    )
    .bind(id.0)
    .bind(&day)
    .fetch_one(&mut *conn)
    .await?;
    let choices = current_choices(conn, id).await?;
    let mut followers: Vec<OrgId> = follows.iter().map(|f| OrgId(f.0)).collect();
    followers.dedup();
    Ok(Some(HouseholdFacts {
        place: Place { commune: commune.as_deref().and_then(|c| InseeCode::parse(c).ok()), epci },
        followers,
        referent_orgs: follows.iter().filter(|f| f.1 != 0).map(|f| OrgId(f.0)).collect(),
        temporary_users: temporary.into_iter().map(|t| UserId(t.0)).collect(),
        restricted: restricted > 0,
        archived: archived_on.is_some(),
        objections: choices.iter().filter(|c| c.1 == "opposition").map(|c| c.0).collect(),
        landlord_consent: choices.iter().any(|c| c.0 == SharingScope::Bailleurs && c.1 == "accord"),
    }))
}

/// The choice in force per sharing scope: (scope, "accord" | "opposition").
pub async fn current_choices(conn: &mut Conn, id: HouseholdId) -> Result<Vec<(SharingScope, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT sc.scope, sc.choice FROM sharing_choices sc WHERE sc.household_id = $1
         AND sc.id = (SELECT MAX(s2.id) FROM sharing_choices s2 WHERE s2.household_id = sc.household_id AND s2.scope = sc.scope)
         ORDER BY sc.scope",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(|(s, c)| Ok((SharingScope::parse(&s).map_err(corrupt("partage"))?, c))).collect()
}

// ---- grants ---------------------------------------------------------------------------------------

type GrantRow = (i64, i64, String, String, String, String, String, Option<String>);

fn grant(r: GrantRow) -> Result<Grant> {
    Ok(Grant {
        id: r.0,
        org: OrgId(r.1),
        role: Role::parse(&r.2).map_err(corrupt("rôle"))?,
        scope: TerritoryScope::parse(&r.3, &r.4).map_err(corrupt("périmètre"))?,
        tier: Tier::parse(&r.5).map_err(corrupt("niveau"))?,
        valid_from: date_col(&r.6)?,
        valid_to: opt_date_col(r.7)?,
    })
}

const GRANT_COLUMNS: &str = "id, org_id, role, scope_kind, scope_value, tier, valid_from, valid_to";

/// All grants of an organisation (history included: the policy checks validity dates).
pub async fn grants_of(conn: &mut Conn, org: OrgId) -> Result<Vec<Grant>> {
    let rows: Vec<GrantRow> =
        sqlx::query_as(&format!("SELECT {GRANT_COLUMNS} FROM grants WHERE org_id = $1 ORDER BY valid_from, id"))
            .bind(org.0)
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(grant).collect()
}

pub async fn all_grants(conn: &mut Conn) -> Result<Vec<Grant>> {
    let rows: Vec<GrantRow> =
        sqlx::query_as(&format!("SELECT {GRANT_COLUMNS} FROM grants ORDER BY org_id, valid_from, id"))
            .fetch_all(conn)
            .await?;
    rows.into_iter().map(grant).collect()
}

pub async fn insert_grant(conn: &mut Conn, g: &Grant, granted_by: Option<UserId>) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO grants (org_id, role, scope_kind, scope_value, tier, valid_from, valid_to, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(g.org.0)
    .bind(g.role.code())
    .bind(g.scope.kind_code())
    .bind(g.scope.value())
    .bind(g.tier.code())
    .bind(format_date(g.valid_from))
    .bind(g.valid_to.map(format_date))
    .bind(granted_by.map(|u| u.0))
    .bind(crate::now_timestamp())
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Ends a grant on `day` (history is kept: the row stays, with its end date).
pub async fn end_grant(conn: &mut Conn, id: i64, day: Date) -> Result<bool> {
    Ok(sqlx::query("UPDATE grants SET valid_to = $1 WHERE id = $2 AND (valid_to IS NULL OR valid_to > $1)")
        .bind(format_date(day))
        .bind(id)
        .execute(conn)
        .await?
        .rows_affected()
        > 0)
}

pub async fn insert_temporary_grant(
    conn: &mut Conn,
    household: HouseholdId,
    user: UserId,
    from: &str,
    to: &str,
    reason: &str,
    granted_by: Option<UserId>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO temporary_grants (household_id, user_id, valid_from, valid_to, reason, granted_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(household.0)
    .bind(user.0)
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(granted_by.map(|u| u.0))
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// The households an organisation follows on `day`.
pub async fn followed_households(conn: &mut Conn, org: OrgId, day: Date) -> Result<Vec<HouseholdId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT household_id FROM follows WHERE org_id = $1 AND from_on <= $2 AND (to_on IS NULL OR to_on > $2)",
    )
    .bind(org.0)
    .bind(format_date(day))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| HouseholdId(r.0)).collect())
}
