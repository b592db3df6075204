//! Record linkage in the store: what the engine reads (names, birth date, sex, commune, birth
//! name and place — never more), its stable clusters, the queue of uncertain pairs, the reviewers' decisions. A merge is
//! a `meme` decision between two persons; an unmerge deletes it, leaving the store as before.

use std::collections::{HashMap, HashSet};

use domain::identity::DecisionBasis;
use domain::{HouseholdId, OrgId, PersonId, UserId};

use crate::{now_timestamp, Conn, Result};

/// One person as the engine reads it, with the commune of its current household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPerson {
    pub id: PersonId,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub sex: String,
    pub commune: Option<String>,
    /// The household record the person belongs to now (or last did).
    pub household: Option<i64>,
    pub birth_name: Option<String>,
    /// INSEE code.
    pub birth_country: Option<String>,
    pub birth_commune: Option<String>,
}

/// Every person not anonymised (anonymised names are empty), in id order.
pub async fn persons(conn: &mut Conn) -> Result<Vec<LinkPerson>> {
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, p.family_name, p.given_names, p.birth_date, p.sex,
            (SELECT h.commune_insee FROM household_members m JOIN households h ON h.id = m.household_id
             WHERE m.person_id = p.id ORDER BY m.to_on IS NULL DESC, m.id DESC LIMIT 1),
            (SELECT m.household_id FROM household_members m
             WHERE m.person_id = p.id ORDER BY m.to_on IS NULL DESC, m.id DESC LIMIT 1),
            p.birth_name, p.birth_country, p.birth_commune
         FROM persons p WHERE p.family_name <> '' ORDER BY p.id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LinkPerson {
            id: PersonId(r.0),
            family_name: r.1,
            given_names: r.2,
            birth_date: r.3,
            sex: r.4,
            commune: r.5,
            household: r.6,
            birth_name: r.7,
            birth_country: r.8,
            birth_commune: r.9,
        })
        .collect())
}

/// The clusters as last computed: (person, cluster id).
pub async fn clusters(conn: &mut Conn) -> Result<Vec<(PersonId, i64)>> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT person_id, cluster_id FROM person_clusters ORDER BY person_id").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| (PersonId(r.0), r.1)).collect())
}

/// The engine's own clusters as last computed, before reviewers' merges: (person, engine
/// cluster id).
pub async fn engine_clusters(conn: &mut Conn) -> Result<Vec<(PersonId, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT person_id, COALESCE(engine_cluster_id, cluster_id) FROM person_clusters ORDER BY person_id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (PersonId(r.0), r.1)).collect())
}

/// What [`replace_clusters`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClusterWrites {
    /// Persons whose row was added or changed.
    pub written: usize,
    /// Persons whose row was removed (no longer linked: anonymised, deleted).
    pub removed: usize,
}

/// Brings the clusters to `rows`: (person, engine cluster, shown cluster), ids kept stable by
/// the caller. Only the rows that differ are written, so a run that changes nothing writes
/// nothing: the data version does not move and no household is stamped, and the observatory's
/// and the by-name list's kept reads stay as they are (ADR 0010). `updated_at` is when a
/// person's row last changed.
pub async fn replace_clusters(conn: &mut Conn, rows: &[(PersonId, i64, i64)]) -> Result<ClusterWrites> {
    let old: Vec<(i64, Option<i64>, i64)> =
        sqlx::query_as("SELECT person_id, engine_cluster_id, cluster_id FROM person_clusters")
            .fetch_all(&mut *conn)
            .await?;
    let old: std::collections::HashMap<i64, (Option<i64>, i64)> =
        old.into_iter().map(|(p, engine, shown)| (p, (engine, shown))).collect();
    let new: std::collections::HashSet<i64> = rows.iter().map(|r| r.0 .0).collect();
    let changed: Vec<&(PersonId, i64, i64)> =
        rows.iter().filter(|(p, engine, shown)| old.get(&p.0) != Some(&(Some(*engine), *shown))).collect();
    let gone: Vec<i64> = old.keys().copied().filter(|p| !new.contains(p)).collect();
    // a changed row is deleted then inserted: two statements per chunk rather than one per
    // row, which on PostgreSQL also stamps households once per statement
    let mut delete: Vec<i64> = changed.iter().filter(|r| old.contains_key(&r.0 .0)).map(|r| r.0 .0).collect();
    delete.extend(&gone);
    for chunk in delete.chunks(500) {
        let sql = format!("DELETE FROM person_clusters WHERE person_id IN ({})", placeholders(chunk.len()));
        let mut q = sqlx::query(&sql);
        for p in chunk {
            q = q.bind(*p);
        }
        q.execute(&mut *conn).await?;
    }
    let now = now_timestamp();
    for chunk in changed.chunks(250) {
        let mut sql =
            String::from("INSERT INTO person_clusters (person_id, engine_cluster_id, cluster_id, updated_at) VALUES ");
        let mut args = sqlx::any::AnyArguments::default();
        for (i, (p, engine, shown)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let n = i * 4;
            sql.push_str(&format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4));
            use sqlx::Arguments;
            args.add(p.0).map_err(sqlx::Error::Encode)?;
            args.add(*engine).map_err(sqlx::Error::Encode)?;
            args.add(*shown).map_err(sqlx::Error::Encode)?;
            args.add(now.clone()).map_err(sqlx::Error::Encode)?;
        }
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(ClusterWrites { written: changed.len(), removed: gone.len() })
}

/// `$1, $2, …` for `n` values.
fn placeholders(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The engine cluster of each of these persons that has one: (person, engine cluster).
pub async fn engine_cluster_of(conn: &mut Conn, persons: &[PersonId]) -> Result<Vec<(PersonId, i64)>> {
    cluster_of(conn, "COALESCE(engine_cluster_id, cluster_id)", persons).await
}

/// The shown cluster of each of these persons that has one: (person, cluster).
pub async fn shown_cluster_of(conn: &mut Conn, persons: &[PersonId]) -> Result<Vec<(PersonId, i64)>> {
    cluster_of(conn, "cluster_id", persons).await
}

async fn cluster_of(conn: &mut Conn, column: &str, persons: &[PersonId]) -> Result<Vec<(PersonId, i64)>> {
    let mut out = Vec::new();
    for chunk in persons.chunks(500) {
        let sql = format!(
            "SELECT person_id, {column} FROM person_clusters WHERE person_id IN ({})",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
        for p in chunk {
            q = q.bind(p.0);
        }
        out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|r| (PersonId(r.0), r.1)));
    }
    Ok(out)
}

/// The persons of these engine clusters: (person, engine cluster, shown cluster).
pub async fn engine_cluster_members(conn: &mut Conn, engines: &[i64]) -> Result<Vec<(PersonId, i64, i64)>> {
    let mut out = Vec::new();
    for chunk in engines.chunks(500) {
        let sql = format!(
            "SELECT person_id, COALESCE(engine_cluster_id, cluster_id), cluster_id FROM person_clusters
             WHERE COALESCE(engine_cluster_id, cluster_id) IN ({})",
            placeholders(chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(&sql);
        for e in chunk {
            q = q.bind(*e);
        }
        out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|r| (PersonId(r.0), r.1, r.2)));
    }
    Ok(out)
}

/// Sets the shown cluster of these persons (the date of computation stays the run's).
pub async fn set_shown_clusters(conn: &mut Conn, rows: &[(PersonId, i64)]) -> Result<()> {
    set_cluster_column(conn, "UPDATE person_clusters SET cluster_id = $1 WHERE person_id = $2", rows).await
}

async fn set_cluster_column(conn: &mut Conn, update: &str, rows: &[(PersonId, i64)]) -> Result<()> {
    for (p, c) in rows {
        sqlx::query(update).bind(*c).bind(p.0).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Replaces the engine's links between records of one of its clusters: (a < b, weight).
pub async fn replace_edges(conn: &mut Conn, edges: &[(PersonId, PersonId, f64)]) -> Result<()> {
    sqlx::query("DELETE FROM link_edges").execute(&mut *conn).await?;
    for chunk in edges.chunks(300) {
        let mut sql = String::from("INSERT INTO link_edges (person_a, person_b, weight) VALUES ");
        let mut args = sqlx::any::AnyArguments::default();
        for (i, (a, b, w)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("(${}, ${}, ${})", i * 3 + 1, i * 3 + 2, i * 3 + 3));
            use sqlx::Arguments;
            args.add(a.0.min(b.0)).map_err(sqlx::Error::Encode)?;
            args.add(a.0.max(b.0)).map_err(sqlx::Error::Encode)?;
            args.add(*w).map_err(sqlx::Error::Encode)?;
        }
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The engine's links that touch these persons: (a, b, weight).
pub async fn edges_of(conn: &mut Conn, persons: &[PersonId]) -> Result<Vec<(PersonId, PersonId, f64)>> {
    let mut out = Vec::new();
    for chunk in persons.chunks(400) {
        let n = chunk.len();
        let second: Vec<String> = (n + 1..=2 * n).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT person_a, person_b, weight FROM link_edges WHERE person_a IN ({}) OR person_b IN ({})",
            placeholders(n),
            second.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64, f64)>(&sql);
        for _ in 0..2 {
            for p in chunk {
                q = q.bind(p.0);
            }
        }
        out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|(a, b, w)| (PersonId(a), PersonId(b), w)));
    }
    out.sort_by_key(|e| (e.0, e.1));
    out.dedup_by_key(|e| (e.0, e.1));
    Ok(out)
}

/// The largest cluster id in use, engine's or shown (0 when none).
pub async fn max_cluster_id(conn: &mut Conn) -> Result<i64> {
    let (n,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(CASE WHEN engine_cluster_id > cluster_id THEN engine_cluster_id ELSE cluster_id END) FROM person_clusters")
            .fetch_one(conn)
            .await?;
    Ok(n.unwrap_or(0))
}

/// Sets the engine cluster of these persons (their shown cluster is the caller's to refresh).
pub async fn set_engine_clusters(conn: &mut Conn, rows: &[(PersonId, i64)]) -> Result<()> {
    set_cluster_column(conn, "UPDATE person_clusters SET engine_cluster_id = $1 WHERE person_id = $2", rows).await
}

/// A pair proposed for review.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub a: PersonId,
    pub b: PersonId,
    pub probability: f64,
    pub explanation: String,
}

/// Replaces the queue with `pairs`, except pairs already decided: a rejected pair is never
/// proposed again, a merged one needs no review. A pair found again keeps its number (with its
/// new score); a new pair gets a number never used before (ids are not reused: migration 0016),
/// so that a number seen on a screen, in a notice or in the access log always means one pair.
pub async fn replace_candidates(conn: &mut Conn, pairs: &[(PersonId, PersonId, f64, String)]) -> Result<usize> {
    let decided: HashSet<(i64, i64)> = sqlx::query_as::<_, (i64, i64)>("SELECT person_a, person_b FROM link_decisions")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let mut wanted: HashMap<(i64, i64), (f64, &str)> = HashMap::with_capacity(pairs.len());
    for (a, b, p, why) in pairs {
        let key = if a.0 < b.0 { (a.0, b.0) } else { (b.0, a.0) };
        if !decided.contains(&key) {
            wanted.insert(key, (*p, why.as_str()));
        }
    }
    let current: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT id, person_a, person_b FROM link_candidates").fetch_all(&mut *conn).await?;
    let now = now_timestamp();
    let mut kept = HashSet::new();
    for (id, a, b) in current {
        match wanted.get(&(a, b)) {
            Some((p, why)) => {
                sqlx::query(
                    "UPDATE link_candidates SET probability = $1, explanation = $2, computed_at = $3 WHERE id = $4",
                )
                .bind(*p)
                .bind(*why)
                .bind(&now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                kept.insert((a, b));
            }
            None => {
                sqlx::query("DELETE FROM link_candidates WHERE id = $1").bind(id).execute(&mut *conn).await?;
            }
        }
    }
    // new pairs in the order given (most probable first, as the run sends them)
    for (a, b, _, _) in pairs {
        let key = if a.0 < b.0 { (a.0, b.0) } else { (b.0, a.0) };
        let Some((p, why)) = wanted.get(&key) else { continue };
        if !kept.insert(key) {
            continue;
        }
        sqlx::query(
            "INSERT INTO link_candidates (person_a, person_b, probability, explanation, computed_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key.0)
        .bind(key.1)
        .bind(*p)
        .bind(*why)
        .bind(&now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(wanted.len())
}

/// Pairs waiting for a decision, most probable first.
pub async fn pending(conn: &mut Conn) -> Result<Vec<Candidate>> {
    let rows: Vec<(i64, i64, i64, f64, String)> = sqlx::query_as(
        "SELECT c.id, c.person_a, c.person_b, c.probability, c.explanation FROM link_candidates c
         WHERE NOT EXISTS (SELECT 1 FROM link_decisions d WHERE d.person_a = c.person_a AND d.person_b = c.person_b)
         ORDER BY c.probability DESC, c.id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate { id: r.0, a: PersonId(r.1), b: PersonId(r.2), probability: r.3, explanation: r.4 })
        .collect())
}

pub async fn candidate(conn: &mut Conn, id: i64) -> Result<Option<Candidate>> {
    let row: Option<(i64, i64, i64, f64, String)> =
        sqlx::query_as("SELECT id, person_a, person_b, probability, explanation FROM link_candidates WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| Candidate { id: r.0, a: PersonId(r.1), b: PersonId(r.2), probability: r.3, explanation: r.4 }))
}

/// The households a person belongs to (current memberships first).
pub async fn households_of(conn: &mut Conn, person: PersonId) -> Result<Vec<HouseholdId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT household_id FROM household_members WHERE person_id = $1 ORDER BY to_on IS NULL DESC, id DESC",
    )
    .bind(person.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| HouseholdId(r.0)).collect())
}

/// The household each person of a pending pair belongs to now (or last did): the first of
/// [`households_of`], for every such person in one query.
pub async fn pending_households(conn: &mut Conn) -> Result<std::collections::HashMap<PersonId, HouseholdId>> {
    first_households(conn, "link_candidates").await
}

/// The same for every person of a decided pair.
pub async fn decided_households(conn: &mut Conn) -> Result<std::collections::HashMap<PersonId, HouseholdId>> {
    first_households(conn, "link_decisions").await
}

/// `pairs`: a table of pairs (`person_a`, `person_b`), named by the caller.
async fn first_households(
    conn: &mut Conn,
    pairs: &'static str,
) -> Result<std::collections::HashMap<PersonId, HouseholdId>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT m.person_id, m.household_id FROM household_members m
         WHERE m.person_id IN (SELECT person_a FROM {pairs} UNION SELECT person_b FROM {pairs})
         ORDER BY m.person_id, m.to_on IS NULL DESC, m.id DESC"
    ))
    .fetch_all(conn)
    .await?;
    let mut out = std::collections::HashMap::new();
    for (p, h) in rows {
        out.entry(PersonId(p)).or_insert(HouseholdId(h));
    }
    Ok(out)
}

/// The names of every person of a pending pair, as the linkage screens write them.
pub async fn pending_names(conn: &mut Conn) -> Result<std::collections::HashMap<PersonId, String>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT p.id, p.family_name, p.given_names FROM persons p
         WHERE p.id IN (SELECT person_a FROM link_candidates UNION SELECT person_b FROM link_candidates)",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, f, g)| (PersonId(id), format!("{} {g}", f.to_uppercase()))).collect())
}

/// The commune (INSEE code, name) of each household holding a person of a pending pair.
pub async fn pending_communes(conn: &mut Conn) -> Result<std::collections::HashMap<HouseholdId, (String, String)>> {
    pair_communes(conn, "link_candidates").await
}

/// The commune (INSEE code, name) of each household holding a person of a decision.
pub async fn decided_communes(conn: &mut Conn) -> Result<std::collections::HashMap<HouseholdId, (String, String)>> {
    pair_communes(conn, "link_decisions").await
}

/// `pairs`: a table of pairs (`person_a`, `person_b`), named by the caller.
async fn pair_communes(
    conn: &mut Conn,
    pairs: &'static str,
) -> Result<std::collections::HashMap<HouseholdId, (String, String)>> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "SELECT h.id, c.insee, c.name FROM households h JOIN communes c ON c.insee = h.commune_insee
         WHERE h.id IN (SELECT m.household_id FROM household_members m
                        WHERE m.person_id IN (SELECT person_a FROM {pairs} UNION SELECT person_b FROM {pairs}))"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(h, insee, name)| (HouseholdId(h), (insee, name))).collect())
}

/// A person's names, as the linkage screens write them: `DUPONT Marie`.
pub async fn display_name(conn: &mut Conn, person: PersonId) -> Result<Option<String>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT family_name, given_names FROM persons WHERE id = $1 AND family_name <> ''")
            .bind(person.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|(f, g)| format!("{} {g}", f.to_uppercase())))
}

/// Records a decision on a pair (a < b). `Conflict` when the pair was already decided.
pub async fn decide(
    conn: &mut Conn,
    a: PersonId,
    b: PersonId,
    same: bool,
    basis: DecisionBasis,
    by: (OrgId, UserId),
) -> Result<()> {
    let (a, b) = if a.0 < b.0 { (a, b) } else { (b, a) };
    sqlx::query(
        "INSERT INTO link_decisions (person_a, person_b, decision, basis, decided_by, org_id, decided_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(a.0)
    .bind(b.0)
    .bind(if same { "meme" } else { "differente" })
    .bind(basis.code())
    .bind(by.1 .0)
    .bind(by.0 .0)
    .bind(now_timestamp())
    .execute(conn)
    .await
    .map_err(crate::conflict_on_unique)?;
    Ok(())
}

/// The other members of `person`'s cluster, as last computed.
pub async fn cluster_mates(conn: &mut Conn, person: PersonId) -> Result<Vec<PersonId>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT b.person_id FROM person_clusters a JOIN person_clusters b
           ON b.cluster_id = a.cluster_id AND b.person_id <> a.person_id
         WHERE a.person_id = $1 ORDER BY b.person_id",
    )
    .bind(person.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| PersonId(r.0)).collect())
}

/// The pairs (a < b) involving `person` that a reviewer decided, either way.
pub async fn decided_pairs_of(conn: &mut Conn, person: PersonId) -> Result<Vec<(PersonId, PersonId)>> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT person_a, person_b FROM link_decisions WHERE person_a = $1 OR person_b = $2")
            .bind(person.0)
            .bind(person.0)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(a, b)| (PersonId(a), PersonId(b))).collect())
}

/// The pairs reviewers said are different people.
/// The persons whose household was anonymised (their names emptied by the retention).
pub async fn anonymised_persons(conn: &mut Conn) -> Result<Vec<PersonId>> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE family_name = ''").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| PersonId(r.0)).collect())
}

/// Every reviewer's decision: the two persons and whether they are the same person.
pub async fn decided_pairs(conn: &mut Conn) -> Result<Vec<(PersonId, PersonId, bool)>> {
    let rows: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT person_a, person_b, decision FROM link_decisions ORDER BY id").fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(a, b, d)| (PersonId(a), PersonId(b), d == "meme")).collect())
}

pub async fn rejected_pairs(conn: &mut Conn) -> Result<Vec<(PersonId, PersonId)>> {
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT person_a, person_b FROM link_decisions WHERE decision = 'differente' ORDER BY id")
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(a, b)| (PersonId(a), PersonId(b))).collect())
}

/// A merge: (decision id, the two persons, when, by whom, on what ground).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub id: i64,
    pub a: PersonId,
    pub b: PersonId,
    pub decided_at: String,
    pub by: Option<String>,
    pub basis: DecisionBasis,
}

type MergeRow = (i64, i64, i64, String, Option<String>, String);

const MERGES: &str = "SELECT d.id, d.person_a, d.person_b, d.decided_at, u.display_name, d.basis FROM link_decisions d
     LEFT JOIN users u ON u.id = d.decided_by WHERE d.decision = 'meme'";

fn merge_of(r: MergeRow) -> Merge {
    Merge { id: r.0, a: PersonId(r.1), b: PersonId(r.2), decided_at: r.3, by: r.4, basis: basis_of(&r.5) }
}

/// A stored ground; the store only holds codes the domain wrote.
fn basis_of(code: &str) -> DecisionBasis {
    DecisionBasis::parse(code).unwrap_or(DecisionBasis::Unstated)
}

/// Every merge (reviewers' « same person »), oldest first.
pub async fn merges(conn: &mut Conn) -> Result<Vec<Merge>> {
    let rows: Vec<MergeRow> = sqlx::query_as(&format!("{MERGES} ORDER BY d.id")).fetch_all(conn).await?;
    Ok(rows.into_iter().map(merge_of).collect())
}

/// The merges involving any of these persons.
pub async fn merges_of(conn: &mut Conn, persons: &[PersonId]) -> Result<Vec<Merge>> {
    let persons: std::collections::HashSet<PersonId> = persons.iter().copied().collect();
    Ok(merges(conn).await?.into_iter().filter(|m| persons.contains(&m.a) || persons.contains(&m.b)).collect())
}

pub async fn merge(conn: &mut Conn, id: i64) -> Result<Option<Merge>> {
    let row: Option<MergeRow> =
        sqlx::query_as(&format!("{MERGES} AND d.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(merge_of))
}

/// Deletes a decision of the given kind, and nothing else: an unmerge (`same`), or the
/// withdrawal of « different people » (the pair may be proposed again by the next run).
pub async fn delete_decision(conn: &mut Conn, id: i64, same: bool) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM link_decisions WHERE id = $1 AND decision = $2")
        .bind(id)
        .bind(if same { "meme" } else { "differente" })
        .execute(conn)
        .await?
        .rows_affected()
        == 1)
}

/// A reviewer's decision on a pair, as the decision screens show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub id: i64,
    pub a: PersonId,
    pub b: PersonId,
    /// « Même personne » (a merge); otherwise « personnes différentes ».
    pub same: bool,
    pub decided_at: String,
    pub by: Option<String>,
    pub org: String,
    pub basis: DecisionBasis,
}

type DecisionRow = (i64, i64, i64, String, String, Option<String>, String, String);

const DECISIONS: &str = "SELECT d.id, d.person_a, d.person_b, d.decision, d.decided_at, u.display_name, o.name, d.basis
     FROM link_decisions d LEFT JOIN users u ON u.id = d.decided_by JOIN organisations o ON o.id = d.org_id";

fn decision_of(r: DecisionRow) -> Decision {
    Decision {
        id: r.0,
        a: PersonId(r.1),
        b: PersonId(r.2),
        same: r.3 == "meme",
        decided_at: r.4,
        by: r.5,
        org: r.6,
        basis: basis_of(&r.7),
    }
}

/// Every decision, newest first.
pub async fn decisions(conn: &mut Conn) -> Result<Vec<Decision>> {
    let rows: Vec<DecisionRow> =
        sqlx::query_as(&format!("{DECISIONS} ORDER BY d.decided_at DESC, d.id DESC")).fetch_all(conn).await?;
    Ok(rows.into_iter().map(decision_of).collect())
}

pub async fn decision(conn: &mut Conn, id: i64) -> Result<Option<Decision>> {
    let row: Option<DecisionRow> =
        sqlx::query_as(&format!("{DECISIONS} WHERE d.id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(decision_of))
}

/// The decision on the pair of `a` and `b`, if any.
pub async fn decision_on_pair(conn: &mut Conn, a: PersonId, b: PersonId) -> Result<Option<Decision>> {
    let (a, b) = if a.0 < b.0 { (a, b) } else { (b, a) };
    let row: Option<DecisionRow> = sqlx::query_as(&format!("{DECISIONS} WHERE d.person_a = $1 AND d.person_b = $2"))
        .bind(a.0)
        .bind(b.0)
        .fetch_optional(conn)
        .await?;
    Ok(row.map(decision_of))
}

/// The decisions involving `person`, either way, oldest first.
pub async fn decisions_on(conn: &mut Conn, person: PersonId) -> Result<Vec<Decision>> {
    let rows: Vec<DecisionRow> =
        sqlx::query_as(&format!("{DECISIONS} WHERE d.person_a = $1 OR d.person_b = $2 ORDER BY d.id"))
            .bind(person.0)
            .bind(person.0)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(decision_of).collect())
}

/// The « different people » decisions involving `person`, oldest first.
pub async fn rejections_of(conn: &mut Conn, person: PersonId) -> Result<Vec<Decision>> {
    Ok(decisions_on(conn, person).await?.into_iter().filter(|d| !d.same).collect())
}

/// The « different people » decisions whose two persons the last run left in one cluster: only
/// « same person » merges can join them (the engine's clustering keeps them apart), so
/// reviewers contradict each other there.
pub async fn contradicted(conn: &mut Conn) -> Result<Vec<(Decision, i64)>> {
    let rows: Vec<(i64, i64, i64, String, String, Option<String>, String, String, i64)> = sqlx::query_as(
        "SELECT d.id, d.person_a, d.person_b, d.decision, d.decided_at, u.display_name, o.name, d.basis, ca.cluster_id
         FROM link_decisions d LEFT JOIN users u ON u.id = d.decided_by JOIN organisations o ON o.id = d.org_id
         JOIN person_clusters ca ON ca.person_id = d.person_a
         JOIN person_clusters cb ON cb.person_id = d.person_b
         WHERE d.decision = 'differente' AND ca.cluster_id = cb.cluster_id
         ORDER BY d.id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (decision_of((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7)), r.8)).collect())
}

/// The persons of a cluster, as last computed.
pub async fn cluster_members(conn: &mut Conn, cluster: i64) -> Result<Vec<PersonId>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT person_id FROM person_clusters WHERE cluster_id = $1 ORDER BY person_id")
            .bind(cluster)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| PersonId(r.0)).collect())
}

/// A person of a household the reader may read, as the check at entry compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisiblePerson {
    pub id: PersonId,
    pub household: HouseholdId,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub sex: String,
    /// The household's commune, by name.
    pub commune: Option<String>,
    pub birth_name: Option<String>,
}

/// Every membership of a person not anonymised, past or present, with the household's commune:
/// one row each, by person then household. The check at entry keeps it between requests under
/// the data version and admits, at each check, only the households the reader may read
/// ([`visible_among`]).
pub async fn memberships(conn: &mut Conn) -> Result<Vec<VisiblePerson>> {
    type Row = (i64, i64, String, String, Option<String>, String, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.id, m.household_id, p.family_name, p.given_names, p.birth_date, p.sex, c.name, p.birth_name
         FROM household_members m JOIN persons p ON p.id = m.person_id JOIN households h ON h.id = m.household_id
         LEFT JOIN communes c ON c.insee = h.commune_insee WHERE p.family_name <> ''
         ORDER BY p.id, m.household_id",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VisiblePerson {
            id: PersonId(r.0),
            household: HouseholdId(r.1),
            family_name: r.2,
            given_names: r.3,
            birth_date: r.4,
            sex: r.5,
            commune: r.6,
            birth_name: r.7,
        })
        .collect())
}

/// The rows of [`memberships`] in the `visible` households: a person in two of them once, in
/// the last one.
pub fn visible_among(memberships: &[VisiblePerson], visible: &std::collections::HashSet<HouseholdId>) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    for (i, m) in memberships.iter().enumerate() {
        if !visible.contains(&m.household) {
            continue;
        }
        // rows come by person: a later row of the same person replaces the earlier
        match out.last_mut() {
            Some(last) if memberships[*last as usize].id == m.id => *last = i as u32,
            _ => out.push(i as u32),
        }
    }
    out
}
