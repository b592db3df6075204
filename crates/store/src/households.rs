//! Households, their members, situation periods, events, follow-ups and external references.

use domain::household::{MemberRole, Membership, NewPerson, Person, Sex};
use domain::identity::{BirthIdentity, Country};
use domain::pathway::{Event, EventKind, Pathway};
use domain::policy::ListScope;
use domain::situation::{Period, Situation};
use domain::territory::InseeCode;
use domain::{format_date, Date, HouseholdId, OrgId, PersonId, UserId};

use crate::sql::{Sql, Val};
use crate::{corrupt, date_col, opt_date_col, packed, Conn, Result};

pub async fn exists(conn: &mut Conn, id: HouseholdId) -> Result<bool> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT id FROM households WHERE id = $1")
        .bind(id.0)
        .fetch_optional(conn)
        .await?
        .is_some())
}

// ---- writes -------------------------------------------------------------------------------

pub async fn insert_household(
    conn: &mut Conn,
    commune: Option<&InseeCode>,
    created_on: Date,
    org: OrgId,
) -> Result<HouseholdId> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO households (commune_insee, created_on, created_by_org, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(commune.map(InseeCode::as_str))
    .bind(format_date(created_on))
    .bind(org.0)
    .bind(crate::now_timestamp())
    .fetch_one(conn)
    .await?;
    Ok(HouseholdId(id))
}

/// The keyed blind indexes of a person's names and birth date, absent when no keyring is
/// configured: with the family name in use, and with the birth name when there is one (a woman
/// known under her married name is found by her birth name too).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameIndexes {
    pub used: Option<String>,
    pub birth: Option<String>,
}

/// Inserts a person with its blind indexes.
pub async fn insert_person(conn: &mut Conn, p: &NewPerson, index: &NameIndexes) -> Result<PersonId> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO persons (family_name, given_names, birth_date, sex, created_at, name_index,
            birth_name, birth_country, birth_commune, birth_name_index)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(&p.family_name)
    .bind(&p.given_names)
    .bind(p.birth_date.map(format_date))
    .bind(p.sex.code())
    .bind(crate::now_timestamp())
    .bind(index.used.as_deref())
    .bind(p.birth.birth_name.as_deref())
    .bind(p.birth.birth_country.map(Country::code))
    .bind(p.birth.birth_commune.as_deref())
    .bind(index.birth.as_deref())
    .fetch_one(conn)
    .await?;
    Ok(PersonId(id))
}

pub async fn add_member(
    conn: &mut Conn,
    hh: HouseholdId,
    person: PersonId,
    role: MemberRole,
    from: Date,
    to: Option<Date>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO household_members (household_id, person_id, role, from_on, to_on) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hh.0)
    .bind(person.0)
    .bind(role.code())
    .bind(format_date(from))
    .bind(to.map(format_date))
    .execute(conn)
    .await?;
    Ok(())
}

/// Who recorded a fact: the organisation always, the user when a person entered it.
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub org: OrgId,
    pub user: Option<UserId>,
}

pub async fn insert_period(conn: &mut Conn, hh: HouseholdId, p: &Period, by: Author) -> Result<()> {
    sqlx::query(
        "INSERT INTO situation_periods (household_id, situation, start_on, end_on, org_id, author_user_id, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hh.0)
    .bind(p.situation.code())
    .bind(format_date(p.start))
    .bind(p.end.map(format_date))
    .bind(by.org.0)
    .bind(by.user.map(|u| u.0))
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends the open periods of the household on `day` (a new situation starts that day).
pub async fn close_open_periods(conn: &mut Conn, hh: HouseholdId, day: Date) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE situation_periods SET end_on = $1 WHERE household_id = $2 AND end_on IS NULL AND start_on < $1",
    )
    .bind(format_date(day))
    .bind(hh.0)
    .execute(conn)
    .await?
    .rows_affected())
}

pub async fn insert_event(
    conn: &mut Conn,
    hh: HouseholdId,
    kind: EventKind,
    date: Date,
    by: Author,
    note: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO household_events (household_id, kind, occurred_on, org_id, author_user_id, note, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hh.0)
    .bind(kind.code())
    .bind(format_date(date))
    .bind(by.org.0)
    .bind(by.user.map(|u| u.0))
    .bind(note)
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_follow(
    conn: &mut Conn,
    hh: HouseholdId,
    org: OrgId,
    from: Date,
    to: Option<Date>,
    referent: bool,
) -> Result<()> {
    sqlx::query("INSERT INTO follows (household_id, org_id, from_on, to_on, is_referent) VALUES ($1, $2, $3, $4, $5)")
        .bind(hh.0)
        .bind(org.0)
        .bind(format_date(from))
        .bind(to.map(format_date))
        .bind(i64::from(referent))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn set_external_ref(conn: &mut Conn, hh: HouseholdId, kind: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO external_refs (household_id, kind, value) VALUES ($1, $2, $3)
         ON CONFLICT (household_id, kind) DO UPDATE SET value = excluded.value",
    )
    .bind(hh.0)
    .bind(kind)
    .bind(value)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_synthetic_truth(conn: &mut Conn, person: PersonId, true_person: i64) -> Result<()> {
    sqlx::query("INSERT INTO synthetic_truth (person_id, true_person) VALUES ($1, $2)")
        .bind(person.0)
        .bind(true_person)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM households").fetch_one(conn).await?.0)
}

// ---- reads for the by-name list --------------------------------------------------------------

/// What the list needs of one household. `pathway.events` holds, per kind, only the latest
/// event on or before the list's day: enough for `domain::status::status_on` on that day.
#[derive(Debug, Clone)]
pub struct ListHousehold {
    pub id: HouseholdId,
    pub commune: Option<String>,
    pub members: Vec<Membership>,
    pub pathway: Pathway,
    /// Organisations following today: (name, is referent).
    pub followers: Vec<(String, bool)>,
}

type MemberRow = (i64, i64, String, String, Option<String>, String, String, String, Option<String>);

fn membership(r: MemberRow) -> Result<(i64, Membership)> {
    Ok((
        r.0,
        Membership {
            person: Person {
                id: PersonId(r.1),
                family_name: r.2,
                given_names: r.3,
                birth_date: opt_date_col(r.4)?,
                sex: Sex::parse(&r.5).map_err(corrupt("sexe"))?,
            },
            role: MemberRole::parse(&r.6).map_err(corrupt("lien"))?,
            from: date_col(&r.7)?,
            to: opt_date_col(r.8)?,
        },
    ))
}

fn period((situation, start, end): (String, String, Option<String>)) -> Result<Period> {
    let situation = Situation::parse(&situation).map_err(corrupt("situation"))?;
    Period::new(situation, date_col(&start)?, opt_date_col(end)?).map_err(corrupt("période"))
}

/// Loads every household the scope admits (optionally in one commune) with what the list shows.
/// The households `scope` admits (in `commune` when given), with their members and today's
/// followers; their pathways only for those `pathway_wanted` says (the others' the caller has).
pub async fn list_visible(
    conn: &mut Conn,
    scope: &ListScope,
    today: Date,
    now: &str,
    commune: Option<&str>,
    pathway_wanted: impl Fn(HouseholdId) -> bool,
) -> Result<Vec<ListHousehold>> {
    let mut sql = Sql::new("SELECT h.id, c.name FROM households h LEFT JOIN communes c ON c.insee = h.commune_insee");
    sql.push(" WHERE h.id IS NOT NULL");
    crate::access::push_scope(&mut sql, scope, today, now);
    if let Some(c) = commune {
        let p = sql.param(Val::Text(c.to_owned()));
        sql.push(&format!(" AND h.commune_insee = {p}"));
    }
    let rows: Vec<(i64, Option<String>)> = sql.query_as().fetch_all(&mut *conn).await?;
    let mut out: Vec<ListHousehold> = rows
        .into_iter()
        .map(|(id, commune)| ListHousehold {
            id: HouseholdId(id),
            commune,
            members: Vec::new(),
            pathway: Pathway::default(),
            followers: Vec::new(),
        })
        .collect();
    out.sort_by_key(|h| h.id);
    let index = |out: &Vec<ListHousehold>, id: i64| out.binary_search_by_key(&HouseholdId(id), |h| h.id).ok();
    // The scope is decided once, above: the other queries read the rows of these households
    // only (a sub-select repeating the scope made PostgreSQL decide it again for every row).
    if out.is_empty() {
        return Ok(out);
    }
    let ids: Vec<i64> = out.iter().map(|h| h.id.0).collect();
    let of_visible = |select: &str, household: &str, conn: &Conn| {
        let mut sql = Sql::new(select);
        let visible = sql.in_ids(conn, household, ids.iter().copied());
        sql.push(&format!(" WHERE {visible}"));
        sql
    };

    let sql = of_visible(
        "SELECT m.household_id, p.id, p.family_name, p.given_names, p.birth_date, p.sex, m.role, m.from_on, m.to_on
         FROM household_members m JOIN persons p ON p.id = m.person_id",
        "m.household_id",
        conn,
    );
    let rows: Vec<MemberRow> = sql.query_as().fetch_all(&mut *conn).await?;
    for r in rows {
        let (hh, m) = membership(r)?;
        if let Some(i) = index(&out, hh) {
            out[i].members.push(m);
        }
    }

    // periods and latest events packed one row per household (crate::packed), of the
    // households whose pathway is wanted
    let wanted: Vec<i64> = ids.iter().copied().filter(|&id| pathway_wanted(HouseholdId(id))).collect();
    let of_wanted = |select: &str, household: &str, conn: &Conn| {
        let mut sql = Sql::new(select);
        let visible = sql.in_ids(conn, household, wanted.iter().copied());
        sql.push(&format!(" WHERE {visible}"));
        sql
    };
    if !wanted.is_empty() {
        read_pathways(conn, &mut out, today, of_wanted).await?;
    }

    let mut sql = of_visible(
        "SELECT fo.household_id, o.name, fo.is_referent FROM follows fo JOIN organisations o ON o.id = fo.org_id",
        "fo.household_id",
        conn,
    );
    let day = sql.param(Val::Text(format_date(today)));
    sql.push(&format!(
        " AND fo.from_on <= {day} AND (fo.to_on IS NULL OR fo.to_on > {day}) ORDER BY fo.is_referent DESC, o.name"
    ));
    let rows: Vec<(i64, String, i64)> = sql.query_as().fetch_all(&mut *conn).await?;
    for (hh, name, referent) in rows {
        if let Some(i) = index(&out, hh) {
            out[i].followers.push((name, referent != 0));
        }
    }
    Ok(out)
}

/// The periods and latest events (up to `today`) of the households `of_wanted` selects, into
/// `out` (sorted by id).
async fn read_pathways(
    conn: &mut Conn,
    out: &mut [ListHousehold],
    today: Date,
    of_wanted: impl Fn(&str, &str, &Conn) -> Sql,
) -> Result<()> {
    let mut sql = of_wanted(
        &format!(
            "SELECT s.household_id, {} FROM situation_periods s",
            packed::agg(&["s.situation", "s.start_on", "s.end_on"], Some("s.id"))
        ),
        "s.household_id",
        conn,
    );
    sql.push(" GROUP BY s.household_id");
    let rows: Vec<(i64, String)> = sql.query_as().fetch_all(&mut *conn).await?;
    for (hh, items) in rows {
        let Some(i) = out.binary_search_by_key(&HouseholdId(hh), |h| h.id).ok() else { continue };
        for item in packed::items::<3>(&items) {
            let [s, start, end] = item?;
            let situation = Situation::parse(s).map_err(corrupt("situation"))?;
            let p = Period::new(situation, date_col(start)?, packed::opt_date(end)?).map_err(corrupt("période"))?;
            out[i].pathway.periods.push(p);
        }
    }

    let mut sql = of_wanted(
        "SELECT e.household_id, e.kind, MAX(e.occurred_on) AS latest FROM household_events e",
        "e.household_id",
        conn,
    );
    let day = sql.param(Val::Text(format_date(today)));
    sql.push(&format!(" AND e.occurred_on <= {day} GROUP BY e.household_id, e.kind"));
    sql.text = format!(
        "SELECT k.household_id, {} FROM ({}) k GROUP BY k.household_id",
        packed::agg(&["k.kind", "k.latest"], Some("k.kind")),
        sql.text
    );
    let rows: Vec<(i64, String)> = sql.query_as().fetch_all(&mut *conn).await?;
    for (hh, items) in rows {
        let Some(i) = out.binary_search_by_key(&HouseholdId(hh), |h| h.id).ok() else { continue };
        for item in packed::items::<2>(&items) {
            let [kind, date] = item?;
            let kind = EventKind::parse(kind).map_err(corrupt("événement"))?;
            out[i].pathway.events.push(Event { kind, date: date_col(date)? });
        }
    }

    Ok(())
}

// ---- reads for one household's file --------------------------------------------------------

#[derive(Debug, Clone)]
pub struct PeriodRecord {
    pub period: Period,
    pub org_name: String,
    pub author: Option<String>,
}

#[derive(Debug, Clone)]
pub struct EventRecord {
    pub kind: EventKind,
    pub date: Date,
    pub org_name: String,
    pub author: Option<String>,
    pub note: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone)]
pub struct FollowRecord {
    pub org: OrgId,
    pub org_name: String,
    pub from: Date,
    pub to: Option<Date>,
    pub referent: bool,
}

#[derive(Debug, Clone)]
pub struct HouseholdRecord {
    pub id: HouseholdId,
    pub commune: Option<(String, String)>,
    pub created_on: Date,
    pub created_by: String,
    pub members: Vec<Membership>,
    pub periods: Vec<PeriodRecord>,
    pub events: Vec<EventRecord>,
    pub follows: Vec<FollowRecord>,
    pub external_refs: Vec<(String, String)>,
    /// The birth identity of each member (absent: nothing known).
    pub births: std::collections::HashMap<PersonId, BirthIdentity>,
}

pub async fn get(conn: &mut Conn, id: HouseholdId) -> Result<Option<HouseholdRecord>> {
    let row: Option<(i64, Option<String>, Option<String>, String, String)> = sqlx::query_as(
        "SELECT h.id, h.commune_insee, c.name, h.created_on, o.name FROM households h
         LEFT JOIN communes c ON c.insee = h.commune_insee JOIN organisations o ON o.id = h.created_by_org WHERE h.id = $1",
    )
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((_, insee, commune_name, created_on, created_by)) = row else { return Ok(None) };

    let members: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.household_id, p.id, p.family_name, p.given_names, p.birth_date, p.sex, m.role, m.from_on, m.to_on
         FROM household_members m JOIN persons p ON p.id = m.person_id WHERE m.household_id = $1 ORDER BY m.from_on, m.id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;

    let periods: Vec<(String, String, Option<String>, String, Option<String>)> = sqlx::query_as(
        "SELECT s.situation, s.start_on, s.end_on, o.name, u.display_name FROM situation_periods s
         JOIN organisations o ON o.id = s.org_id LEFT JOIN users u ON u.id = s.author_user_id
         WHERE s.household_id = $1 ORDER BY s.start_on, s.id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;

    let events: Vec<(String, String, String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT e.kind, e.occurred_on, o.name, u.display_name, e.note, e.recorded_at FROM household_events e
         JOIN organisations o ON o.id = e.org_id LEFT JOIN users u ON u.id = e.author_user_id
         WHERE e.household_id = $1 ORDER BY e.occurred_on, e.id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;

    let follows: Vec<(i64, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT f.org_id, o.name, f.from_on, f.to_on, f.is_referent FROM follows f JOIN organisations o ON o.id = f.org_id
         WHERE f.household_id = $1 ORDER BY f.from_on, f.id",
    )
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;

    let external_refs: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, value FROM external_refs WHERE household_id = $1 ORDER BY kind")
            .bind(id.0)
            .fetch_all(&mut *conn)
            .await?;

    let births = birth_identities(&mut *conn, id).await?;
    Ok(Some(HouseholdRecord {
        id,
        commune: insee.zip(commune_name),
        created_on: date_col(&created_on)?,
        created_by,
        members: members.into_iter().map(|r| membership(r).map(|(_, m)| m)).collect::<Result<_>>()?,
        periods: periods
            .into_iter()
            .map(|(s, start, end, org_name, author)| {
                Ok(PeriodRecord { period: period((s, start, end))?, org_name, author })
            })
            .collect::<Result<_>>()?,
        events: events
            .into_iter()
            .map(|(kind, date, org_name, author, note, recorded_at)| {
                Ok(EventRecord {
                    kind: EventKind::parse(&kind).map_err(corrupt("événement"))?,
                    date: date_col(&date)?,
                    org_name,
                    author,
                    note,
                    recorded_at,
                })
            })
            .collect::<Result<_>>()?,
        follows: follows
            .into_iter()
            .map(|(org, org_name, from, to, referent)| {
                Ok(FollowRecord {
                    org: OrgId(org),
                    org_name,
                    from: date_col(&from)?,
                    to: opt_date_col(to)?,
                    referent: referent != 0,
                })
            })
            .collect::<Result<_>>()?,
        external_refs,
        births,
    }))
}

/// The birth identities of a household's members (past ones too), those with something known.
pub async fn birth_identities(
    conn: &mut Conn,
    household: HouseholdId,
) -> Result<std::collections::HashMap<PersonId, BirthIdentity>> {
    let rows: Vec<(i64, Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.id, p.birth_name, p.birth_country, p.birth_commune FROM household_members m
         JOIN persons p ON p.id = m.person_id WHERE m.household_id = $1",
    )
    .bind(household.0)
    .fetch_all(conn)
    .await?;
    let mut out = std::collections::HashMap::new();
    for (id, birth_name, country, commune) in rows {
        let birth_country = country.map(|c| Country::parse(&c).map_err(corrupt("pays de naissance"))).transpose()?;
        let b = BirthIdentity { birth_name, birth_country, birth_commune: commune };
        if !b.is_empty() {
            out.insert(PersonId(id), b);
        }
    }
    Ok(out)
}

/// Households within `scope` with a member whose blind index, of the family name in use or of
/// the birth name, is `index`.
pub async fn by_name_index(
    conn: &mut Conn,
    scope: &ListScope,
    today: Date,
    now: &str,
    index: &str,
) -> Result<Vec<HouseholdId>> {
    let mut sql = Sql::new(
        "SELECT DISTINCT h.id FROM households h JOIN household_members m ON m.household_id = h.id
         JOIN persons p ON p.id = m.person_id WHERE ",
    );
    let (p, q) = (sql.param(Val::Text(index.to_owned())), sql.param(Val::Text(index.to_owned())));
    sql.push(&format!("(p.name_index = {p} OR p.birth_name_index = {q})"));
    crate::access::push_scope(&mut sql, scope, today, now);
    sql.push(" ORDER BY h.id");
    let rows: Vec<(i64,)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| HouseholdId(r.0)).collect())
}

pub async fn count_persons(conn: &mut Conn) -> Result<i64> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM persons").fetch_one(conn).await?.0)
}

/// What a person's blind indexes are computed from, and the stored ones.
#[derive(Debug, Clone)]
pub struct IndexedNames {
    pub id: PersonId,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<Date>,
    pub birth_name: Option<String>,
    pub stored: NameIndexes,
}

/// The persons after id `after`, by id, at most `limit` (to recompute their blind indexes).
pub async fn names_batch(conn: &mut Conn, after: i64, limit: i64) -> Result<Vec<IndexedNames>> {
    type Row = (i64, String, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, family_name, given_names, birth_date, birth_name, name_index, birth_name_index
         FROM persons WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(IndexedNames {
                id: PersonId(r.0),
                family_name: r.1,
                given_names: r.2,
                birth_date: opt_date_col(r.3)?,
                birth_name: r.4,
                stored: NameIndexes { used: r.5, birth: r.6 },
            })
        })
        .collect()
}

pub async fn set_name_indexes(conn: &mut Conn, person: PersonId, index: &NameIndexes) -> Result<()> {
    sqlx::query("UPDATE persons SET name_index = $1, birth_name_index = $2 WHERE id = $3")
        .bind(index.used.as_deref())
        .bind(index.birth.as_deref())
        .bind(person.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// A person's birth name, if recorded.
pub async fn birth_name_of(conn: &mut Conn, person: PersonId) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT birth_name FROM persons WHERE id = $1").bind(person.0).fetch_optional(conn).await?;
    Ok(row.and_then(|r| r.0))
}

/// Rectifies one field of a person (history is kept by the caller in `rectifications`);
/// returns the old value. `column` is one of the fixed person columns.
pub async fn rectify_person(
    conn: &mut Conn,
    person: PersonId,
    column: &str,
    value: Option<&str>,
    index: &NameIndexes,
) -> Result<Option<String>> {
    let column = match column {
        "family_name" => "family_name",
        "given_names" => "given_names",
        "birth_date" => "birth_date",
        "sex" => "sex",
        "birth_name" => "birth_name",
        "birth_country" => "birth_country",
        "birth_commune" => "birth_commune",
        _ => return Err(crate::StoreError::Corrupt("colonne".into())),
    };
    let (old,): (Option<String>,) = sqlx::query_as(&format!("SELECT {column} FROM persons WHERE id = $1"))
        .bind(person.0)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query(&format!("UPDATE persons SET {column} = $1, name_index = $2, birth_name_index = $3 WHERE id = $4"))
        .bind(value)
        .bind(index.used.as_deref())
        .bind(index.birth.as_deref())
        .bind(person.0)
        .execute(&mut *conn)
        .await?;
    Ok(old)
}

pub async fn insert_rectification(
    conn: &mut Conn,
    household: HouseholdId,
    target: (&str, &str, i64),
    old: Option<&str>,
    new: Option<&str>,
    reason: &str,
    author: UserId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO rectifications (target_table, target_column, target_id, household_id, old_value, new_value, reason, author_user_id, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(target.0)
    .bind(target.1)
    .bind(target.2)
    .bind(household.0)
    .bind(old)
    .bind(new)
    .bind(reason)
    .bind(author.0)
    .bind(crate::now_timestamp())
    .execute(conn)
    .await?;
    Ok(())
}

/// Rectifications of a household, oldest first: (column, old, new, reason, author, at).
pub async fn rectifications(
    conn: &mut Conn,
    household: HouseholdId,
) -> Result<Vec<(String, Option<String>, Option<String>, String, Option<String>, String)>> {
    Ok(sqlx::query_as(
        "SELECT r.target_column, r.old_value, r.new_value, r.reason, u.display_name, r.at FROM rectifications r
         LEFT JOIN users u ON u.id = r.author_user_id WHERE r.household_id = $1 ORDER BY r.id",
    )
    .bind(household.0)
    .fetch_all(conn)
    .await?)
}

/// Whether a person belongs (or belonged) to a household.
pub async fn is_member(conn: &mut Conn, household: HouseholdId, person: PersonId) -> Result<bool> {
    Ok(sqlx::query_as::<_, (i64,)>("SELECT id FROM household_members WHERE household_id = $1 AND person_id = $2")
        .bind(household.0)
        .bind(person.0)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// The tenancy summary's fields: (resources band, dwelling needs codes).
pub async fn tenancy_fields(conn: &mut Conn, id: HouseholdId) -> Result<(Option<String>, Option<String>)> {
    Ok(sqlx::query_as("SELECT resources_band, dwelling_needs FROM households WHERE id = $1")
        .bind(id.0)
        .fetch_one(conn)
        .await?)
}

pub async fn set_tenancy_fields(conn: &mut Conn, id: HouseholdId, band: Option<&str>, needs: &str) -> Result<()> {
    sqlx::query("UPDATE households SET resources_band = $1, dwelling_needs = $2 WHERE id = $3")
        .bind(band)
        .bind(needs)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}
