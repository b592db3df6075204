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

fn find(root: &mut BTreeMap<i64, i64>, x: i64) -> i64 {
    let mut r = x;
    while let Some(&up) = root.get(&r).filter(|&&up| up != r) {
        r = up;
    }
    root.insert(x, r);
    r
}
