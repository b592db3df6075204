//! What the observatory's indicators read: every household's dated history, archived and
//! anonymised ones included (they are the territory's history), without any name.

use std::collections::HashMap;

use domain::household::{MemberRole, Membership, Person, Sex};
use domain::indicators::{Following, HouseholdHistory, LinkedMember};
use domain::pathway::{Event, EventKind, Pathway};
use domain::situation::{Period, Situation};
use domain::{OrgId, PersonId};

use crate::{corrupt, date_col, packed, Conn, Result};

/// The counter of changes to what [`histories`] and [`linked_members`] read, kept by database
/// triggers (migration 0010): equal values, same data. Read it *before* the data it vouches
/// for, so that data cached under a value is never older than the value says.
pub async fn data_version(conn: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT n FROM data_version WHERE id = 1").fetch_one(conn).await?;
    Ok(n)
}

/// The counter of changes to what the check at entry keeps ([`crate::linkage::memberships`]:
/// persons, memberships, households, communes), kept by triggers (migration 0013). Contacts,
/// situations and measures do not move it. Read it before the data, as [`data_version`].
pub async fn identity_version(conn: &mut Conn) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT identity FROM data_version WHERE id = 1").fetch_one(conn).await?;
    Ok(n)
}

/// All households' histories, in household id order.
pub async fn histories(conn: &mut Conn) -> Result<Vec<HouseholdHistory>> {
    Ok(histories_of(conn, None).await?.1)
}

/// Every household's stamp (migration 0014): it moves with every change to what [`histories`]
/// and [`linked_members`] read of the household. A household never changed since the
/// migration has none.
pub async fn household_stamps(conn: &mut Conn) -> Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT household_id, stamp FROM household_stamps").fetch_all(conn).await?;
    Ok(rows.into_iter().collect())
}

/// `column` among `ids`, as a condition on the query's only parameter, and its value.
fn among(conn: &Conn, column: &str, ids: &[i64]) -> (String, String) {
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        (format!("{column} IN (SELECT value FROM json_each($1))"), format!("[{list}]"))
    } else {
        (format!("{column} = ANY (CAST($1 AS BIGINT[]))"), format!("{{{list}}}"))
    }
}

/// Runs `sql` (a query with a `{where}` slot) on the rows of households `ids`, or on every row.
async fn packed_rows(conn: &mut Conn, sql: &str, column: &str, ids: Option<&[i64]>) -> Result<Vec<(i64, String)>> {
    Ok(match ids {
        None => sqlx::query_as(&sql.replace("{where}", "1 = 1")).fetch_all(&mut *conn).await?,
        Some(ids) => {
            let (cond, value) = among(conn, column, ids);
            sqlx::query_as(&sql.replace("{where}", &cond)).bind(value).fetch_all(&mut *conn).await?
        }
    })
}

/// The histories of households `ids` that exist (all of them for `None`), with their ids, in
/// household id order.
pub async fn histories_of(conn: &mut Conn, ids: Option<&[i64]>) -> Result<(Vec<i64>, Vec<HouseholdHistory>)> {
    let households: Vec<(i64, Option<String>)> = match ids {
        None => sqlx::query_as("SELECT id, commune_insee FROM households ORDER BY id").fetch_all(&mut *conn).await?,
        Some(ids) => {
            let (cond, value) = among(conn, "id", ids);
            sqlx::query_as(&format!("SELECT id, commune_insee FROM households WHERE {cond} ORDER BY id"))
                .bind(value)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    let index: HashMap<i64, usize> = households.iter().enumerate().map(|(i, h)| (h.0, i)).collect();
    let found: Vec<i64> = households.iter().map(|h| h.0).collect();
    let mut out: Vec<HouseholdHistory> = households
        .into_iter()
        .map(|(_, commune)| HouseholdHistory { commune, ..HouseholdHistory::new(Pathway::default()) })
        .collect();

    // One row per household and table (crate::packed): periods, events, follow-ups, support,
    // each in the order it was recorded.
    let packed = |table: &str, fields: &[&str], filter: &str| {
        format!(
            "SELECT household_id, {} FROM {table} WHERE {{where}}{filter} GROUP BY household_id",
            packed::agg(fields, Some("id"))
        )
    };
    let rows =
        packed_rows(conn, &packed("situation_periods", &["situation", "start_on", "end_on"], ""), "household_id", ids)
            .await?;
    for (hh, items) in rows {
        let Some(&i) = index.get(&hh) else { continue };
        for item in packed::items::<3>(&items) {
            let [s, start, end] = item?;
            let situation = Situation::parse(s).map_err(corrupt("situation"))?;
            let p = Period::new(situation, date_col(start)?, packed::opt_date(end)?).map_err(corrupt("période"))?;
            out[i].pathway.periods.push(p);
        }
    }
    let rows =
        packed_rows(conn, &packed("household_events", &["kind", "occurred_on"], ""), "household_id", ids).await?;
    for (hh, items) in rows {
        let Some(&i) = index.get(&hh) else { continue };
        let events = &mut out[i].pathway.events;
        for item in packed::items::<2>(&items) {
            let [kind, date] = item?;
            let kind = EventKind::parse(kind).map_err(corrupt("événement"))?;
            events.push(Event { kind, date: date_col(date)? });
        }
    }
    let rows = packed_rows(conn, &packed("follows", &["org_id", "from_on", "to_on"], ""), "household_id", ids).await?;
    for (hh, items) in rows {
        let Some(&i) = index.get(&hh) else { continue };
        for item in packed::items::<3>(&items) {
            let [org, from, to] = item?;
            let org = OrgId(org.parse().map_err(corrupt("structure"))?);
            out[i].followers.push(Following { org, from: date_col(from)?, to: packed::opt_date(to)? });
        }
    }
    let rows = packed_rows(
        conn,
        &packed("measures", &["start_on", "end_on"], " AND start_on IS NOT NULL"),
        "household_id",
        ids,
    )
    .await?;
    for (hh, items) in rows {
        let Some(&i) = index.get(&hh) else { continue };
        for item in packed::items::<2>(&items) {
            let [start, end] = item?;
            out[i].support.push((date_col(start)?, packed::opt_date(end)?));
        }
    }
    // Names are not read: indicators need birth months, sex and roles only.
    let sql = format!(
        "SELECT m.household_id, {} FROM household_members m JOIN persons p ON p.id = m.person_id
         WHERE {{where}} GROUP BY m.household_id",
        packed::agg(&["p.id", "p.birth_date", "p.sex", "m.role", "m.from_on", "m.to_on"], Some("m.id"))
    );
    let rows = packed_rows(conn, &sql, "m.household_id", ids).await?;
    for (hh, items) in rows {
        let Some(&i) = index.get(&hh) else { continue };
        let mut members = Vec::new();
        for item in packed::items::<6>(&items) {
            let [id, birth, sex, role, from, to] = item?;
            members.push(Membership {
                person: Person {
                    id: PersonId(id.parse().map_err(corrupt("personne"))?),
                    family_name: String::new(),
                    given_names: String::new(),
                    birth_date: packed::opt_date(birth)?,
                    sex: Sex::parse(sex).map_err(corrupt("sexe"))?,
                },
                role: MemberRole::parse(role).map_err(corrupt("lien"))?,
                from: date_col(from)?,
                to: packed::opt_date(to)?,
            });
        }
        let h = std::mem::replace(&mut out[i], HouseholdHistory::new(Pathway::default()));
        out[i] = h.with_memberships(&members);
    }
    Ok((found, out))
}

/// Every household's members with the linkage group of their record (the negated person id
/// when the record was never linked), in household id order as [`histories`].
pub async fn linked_members(conn: &mut Conn) -> Result<Vec<Vec<LinkedMember>>> {
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM households ORDER BY id").fetch_all(&mut *conn).await?;
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    linked_members_of(conn, &ids, false).await
}

/// The members of households `households` (ids in order, as [`histories_of`] found them), with
/// their linkage groups, in that order; `only` reads the rows of those households alone
/// (otherwise every row, for all households).
pub async fn linked_members_of(conn: &mut Conn, households: &[i64], only: bool) -> Result<Vec<Vec<LinkedMember>>> {
    let index: HashMap<i64, usize> = households.iter().enumerate().map(|(i, h)| (*h, i)).collect();
    let mut out = vec![Vec::new(); households.len()];
    let sql = format!(
        "SELECT m.household_id, {} FROM household_members m LEFT JOIN person_clusters c ON c.person_id = m.person_id
         WHERE {{where}} GROUP BY m.household_id",
        packed::agg(&["m.person_id", "c.cluster_id", "m.from_on", "m.to_on"], Some("m.id"))
    );
    let rows = packed_rows(conn, &sql, "m.household_id", only.then_some(households)).await?;
    for (hh, items) in rows {
        let Some(&i) = index.get(&hh) else { continue };
        let members = &mut out[i];
        for item in packed::items::<4>(&items) {
            let [person, cluster, from, to] = item?;
            let id = |s: &str| s.parse::<i64>().map_err(corrupt("personne"));
            let group = if cluster.is_empty() { -id(person)? } else { id(cluster)? };
            members.push(LinkedMember { group, from: date_col(from)?, to: packed::opt_date(to)? });
        }
    }
    Ok(out)
}

/// Per household not yet anonymised: (id, last contact evidence, archived on).
pub async fn retention_facts(conn: &mut Conn) -> Result<Vec<(i64, Option<String>, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT h.id,
                (SELECT MAX(d) FROM (SELECT MAX(e.occurred_on) AS d FROM household_events e
                                      WHERE e.household_id = h.id AND e.kind NOT IN ('deces', 'depart-territoire')
                                     UNION ALL SELECT MAX(s.start_on) FROM situation_periods s WHERE s.household_id = h.id) AS x),
                h.archived_on
         FROM households h WHERE h.anonymised_on IS NULL ORDER BY h.id",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn mark_archived(conn: &mut Conn, id: i64, on: &str) -> Result<()> {
    sqlx::query("UPDATE households SET archived_on = $1 WHERE id = $2").bind(on).bind(id).execute(conn).await?;
    Ok(())
}

pub async fn mark_anonymised(conn: &mut Conn, id: i64, on: &str) -> Result<()> {
    sqlx::query("UPDATE households SET anonymised_on = $1 WHERE id = $2").bind(on).bind(id).execute(conn).await?;
    Ok(())
}

/// Freezes a month's published rows (JSON). Fails with `Conflict` if the month is already closed.
pub async fn insert_close(conn: &mut Conn, month: &str, rows_json: &str) -> Result<()> {
    sqlx::query("INSERT INTO observatory_closes (month, closed_at, rows_json) VALUES ($1, $2, $3)")
        .bind(month)
        .bind(crate::now_timestamp())
        .bind(rows_json)
        .execute(conn)
        .await
        .map_err(crate::conflict_on_unique)?;
    Ok(())
}

/// Closed months between `from` and `to` (inclusive, `YYYY-MM`): (month, closed_at, rows JSON).
pub async fn closes(conn: &mut Conn, from: &str, to: &str) -> Result<Vec<(String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT month, closed_at, rows_json FROM observatory_closes WHERE month >= $1 AND month <= $2 ORDER BY month",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}
