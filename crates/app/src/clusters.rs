//! The shown clusters follow reviewers' merges at once. A run stores each person's engine
//! cluster and the shown one: the engine's clusters joined by « same person » merges, each under
//! the smallest engine id it holds. A merge or an unmerge recomputes the shown clusters of the
//! engine clusters it touches (and of those merges tie to them), so the observatory's count of
//! distinct persons and the contradictions between decisions are current without a run, and an
//! unmerge gives every id back.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use domain::PersonId;
use store::Tx;

use crate::Result;

/// Recomputes the shown clusters around `persons` (persons no run has seen yet are left to
/// the next run).
pub(crate) async fn refresh_around(tx: &mut Tx, persons: &[PersonId]) -> Result<()> {
    let mut engines: BTreeSet<i64> =
        store::linkage::engine_cluster_of(tx, persons).await?.into_iter().map(|(_, e)| e).collect();
    if engines.is_empty() {
        return Ok(());
    }
    let merges = store::linkage::merges(tx).await?;
    // the engine clusters tied to these by merges, transitively
    let members = loop {
        let members = store::linkage::engine_cluster_members(tx, &engines.iter().copied().collect::<Vec<_>>()).await?;
        let inside: HashSet<PersonId> = members.iter().map(|m| m.0).collect();
        let outside: Vec<PersonId> = merges
            .iter()
            .filter(|m| inside.contains(&m.a) || inside.contains(&m.b))
            .flat_map(|m| [m.a, m.b])
            .filter(|p| !inside.contains(p))
            .collect();
        let before = engines.len();
        engines.extend(store::linkage::engine_cluster_of(tx, &outside).await?.into_iter().map(|(_, e)| e));
        if engines.len() == before {
            break members;
        }
    };
    let engine_of: HashMap<PersonId, i64> = members.iter().map(|m| (m.0, m.1)).collect();
    let mut root: BTreeMap<i64, i64> = engines.iter().map(|&e| (e, e)).collect();
    for m in &merges {
        if let (Some(&x), Some(&y)) = (engine_of.get(&m.a), engine_of.get(&m.b)) {
            let (rx, ry) = (find(&mut root, x), find(&mut root, y));
            // the smaller id stays the root: a component is named by its smallest engine id
            root.insert(rx.max(ry), rx.min(ry));
        }
    }
    let changed: Vec<(PersonId, i64)> = members
        .iter()
        .filter_map(|&(p, engine, shown)| {
            let now = find(&mut root, engine);
            (now != shown).then_some((p, now))
        })
        .collect();
    store::linkage::set_shown_clusters(tx, &changed).await?;
    Ok(())
}

/// Clusters again, from the links the engine found, the records those links join to `persons`
/// (one engine cluster of the last run, or the parts a « different people » decision made of
/// it), under the reviewers' « different people » decisions as they stand; then refreshes the
/// shown clusters. A decision splits two records joined through a third at once, and its
/// withdrawal joins them again, both as the engine's clustering would on the same links (best
/// link first, never across a decision, never where the run found the engine's guard against
/// it); ids stay stable, a new part gets a fresh id.
pub(crate) async fn recluster_around(tx: &mut Tx, persons: &[PersonId]) -> Result<()> {
    // the records the links join to these, transitively
    let mut inside: BTreeSet<PersonId> = persons.iter().copied().collect();
    let mut frontier: Vec<PersonId> = persons.to_vec();
    let mut links: BTreeSet<(PersonId, PersonId)> = BTreeSet::new();
    let mut edges = Vec::new();
    // a negative weight is the engine's guard keeping two records apart (stored across two
    // clusters a decision parts, for its withdrawal): it joins nothing
    let mut vetoes: BTreeSet<(PersonId, PersonId)> = BTreeSet::new();
    while !frontier.is_empty() {
        let found = store::linkage::edges_of(tx, &frontier).await?;
        frontier.clear();
        for (a, b, w) in found {
            if w < 0.0 {
                vetoes.insert((a.min(b), a.max(b)));
                continue;
            }
            if links.insert((a, b)) {
                edges.push((a, b, w));
            }
            for p in [a, b] {
                if inside.insert(p) {
                    frontier.push(p);
                }
            }
        }
    }
    // no link around them: nothing the engine joined (or a run older than its links, which
    // the next run redoes)
    if edges.is_empty() {
        return Ok(());
    }
    let members: Vec<PersonId> = inside.into_iter().collect();
    let engine: HashMap<PersonId, i64> = store::linkage::engine_cluster_of(tx, &members).await?.into_iter().collect();
    // only persons a run has seen
    let members: Vec<PersonId> = members.into_iter().filter(|p| engine.contains_key(p)).collect();
    if members.len() < 2 {
        return Ok(());
    }
    let index: HashMap<PersonId, u32> = members.iter().enumerate().map(|(i, p)| (*p, i as u32)).collect();
    let mut links: Vec<linkage::cluster::Edge> = edges
        .iter()
        .filter_map(|(a, b, w)| Some(linkage::cluster::Edge { a: *index.get(a)?, b: *index.get(b)?, weight: *w }))
        .collect();
    let mut apart: Vec<(u32, u32)> = store::linkage::rejected_pairs(tx)
        .await?
        .into_iter()
        .filter_map(|(a, b)| Some((*index.get(&a)?, *index.get(&b)?)))
        .collect();
    // two members of one household are two persons, as in the run (its current household);
    // links inside a cluster never join them, but those between two clusters a decision kept
    // apart could, once it is withdrawn
    let mut homes: Vec<Option<domain::HouseholdId>> = Vec::with_capacity(members.len());
    for p in &members {
        homes.push(store::linkage::households_of(tx, *p).await?.first().copied());
    }
    for (x, hx) in homes.iter().enumerate() {
        for (y, hy) in homes.iter().enumerate().skip(x + 1) {
            if hx.is_some() && hx == hy {
                apart.push((x as u32, y as u32));
            }
        }
    }
    let mut clusters = linkage::Clusters::new();
    clusters.extend_to(members.len());
    let vetoed: std::collections::HashSet<(u32, u32)> = vetoes
        .iter()
        .filter_map(|(a, b)| {
            let (x, y) = (*index.get(a)?, *index.get(b)?);
            Some((x.min(y), x.max(y)))
        })
        .collect();
    linkage::cluster::cluster_edges(
        &mut clusters,
        &mut links,
        &mut |a, b| !vetoed.contains(&(a.min(b), a.max(b))),
        None,
        &linkage::cluster::Apart::new(&apart),
    );
    let mut groups: BTreeMap<u64, Vec<i64>> = BTreeMap::new();
    for (i, p) in members.iter().enumerate() {
        groups.entry(clusters.of(i as u32).0).or_default().push(p.0);
    }
    let groups: Vec<Vec<i64>> = groups.into_values().collect();
    let previous: HashMap<i64, i64> = engine.iter().map(|(p, c)| (p.0, *c)).collect();
    let next = store::linkage::max_cluster_id(tx).await? + 1;
    let ids = crate::linkage_run::stable_ids_from(&groups, &previous, next);
    let changed: Vec<(PersonId, i64)> = groups
        .iter()
        .zip(&ids)
        .flat_map(|(g, id)| g.iter().map(move |p| (PersonId(*p), *id)))
        .filter(|(p, id)| engine.get(p) != Some(id))
        .collect();
    if !changed.is_empty() {
        store::linkage::set_engine_clusters(tx, &changed).await?;
    }
    refresh_around(tx, &members).await
}

fn find(root: &mut BTreeMap<i64, i64>, x: i64) -> i64 {
    let mut r = x;
    while let Some(&up) = root.get(&r).filter(|&&up| up != r) {
        r = up;
    }
    root.insert(x, r);
    r
}
