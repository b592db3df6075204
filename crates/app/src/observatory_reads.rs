//! The observatory's reads kept between requests (ADR 0010): every household's history and its
//! members' linkage groups, read once, then brought up to date household by household. Database
//! triggers stamp every household whose rows change (migration 0014), whoever writes; when the
//! data version has moved, only the households whose stamp moved are read again.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use domain::indicators::{HouseholdHistory, LinkedMember};

use crate::{App, Result};

/// Past this share of the households changed, one full read is cheaper than many small ones.
const FULL_READ_SHARE: usize = 4;

/// What the indicators read, as of one data version.
pub(crate) struct Kept {
    version: i64,
    stamps: HashMap<i64, i64>,
    /// Household ids, in order: the histories and members are in the same order.
    ids: Arc<Vec<i64>>,
    histories: Arc<Vec<HouseholdHistory>>,
    members: Arc<Vec<Vec<LinkedMember>>>,
}

#[derive(Default)]
pub(crate) struct ObservatoryReads {
    /// Held while a request brings it up to date: the next ones wait, then find it current.
    kept: tokio::sync::Mutex<Option<Kept>>,
    /// Households read by the last refresh (every one on a full read).
    last_read: AtomicUsize,
}

/// Both, of one read.
pub type Histories = (Arc<Vec<HouseholdHistory>>, Arc<Vec<Vec<LinkedMember>>>);

impl App {
    /// Every household's history and members' linkage groups, in household id order, as of the
    /// data version read now: kept between requests, read again household by household after a
    /// change. Aggregates only: no name is read.
    pub async fn observatory_reads(&self) -> Result<Histories> {
        let k = self.kept_reads().await?;
        Ok((k.1, k.2))
    }

    /// The kept histories with their household ids (in order), for the by-name list: each
    /// household's status, situation and last contact come from its kept pathway.
    pub(crate) async fn kept_pathways(&self) -> Result<(Arc<Vec<i64>>, Arc<Vec<HouseholdHistory>>)> {
        let k = self.kept_reads().await?;
        Ok((k.0, k.1))
    }

    async fn kept_reads(&self) -> Result<(Arc<Vec<i64>>, Arc<Vec<HouseholdHistory>>, Arc<Vec<Vec<LinkedMember>>>)> {
        let reads = &self.reads.observatory;
        let mut slot = reads.kept.lock().await;
        let mut conn = self.store.pool().acquire().await?;
        // the version, then the stamps, then the data: data is never older than its stamp
        let version = store::observatory::data_version(&mut conn).await?;
        if let Some(k) = slot.as_ref().filter(|k| k.version == version) {
            return Ok((Arc::clone(&k.ids), Arc::clone(&k.histories), Arc::clone(&k.members)));
        }
        let stamps = store::observatory::household_stamps(&mut conn).await?;
        let kept = match slot.take() {
            Some(old) => {
                let mut changed: Vec<i64> =
                    stamps.iter().filter(|(h, s)| old.stamps.get(h) != Some(s)).map(|(h, _)| *h).collect();
                changed.extend(old.stamps.keys().filter(|h| !stamps.contains_key(h)));
                changed.sort_unstable();
                if changed.len() * FULL_READ_SHARE > old.ids.len() {
                    None
                } else {
                    let (ids, histories) = store::observatory::histories_of(&mut conn, Some(&changed)).await?;
                    let members = store::observatory::linked_members_of(&mut conn, &ids, true).await?;
                    reads.last_read.store(changed.len(), Ordering::Relaxed);
                    Some(merged(old, &changed, ids, histories, members, version, stamps.clone()))
                }
            }
            None => None,
        };
        let kept = match kept {
            Some(k) => k,
            None => {
                let (ids, histories) = store::observatory::histories_of(&mut conn, None).await?;
                let members = store::observatory::linked_members_of(&mut conn, &ids, false).await?;
                reads.last_read.store(ids.len(), Ordering::Relaxed);
                Kept { version, stamps, ids: Arc::new(ids), histories: Arc::new(histories), members: Arc::new(members) }
            }
        };
        let out = (Arc::clone(&kept.ids), Arc::clone(&kept.histories), Arc::clone(&kept.members));
        *slot = Some(kept);
        Ok(out)
    }

    /// How many households the last refresh of [`App::observatory_reads`] read (all of them on
    /// a full read): for tests and measures.
    pub fn observatory_households_read(&self) -> usize {
        self.reads.observatory.last_read.load(Ordering::Relaxed)
    }
}

/// `old` with the households `changed` replaced by what was read of them (`ids`, in order, and
/// their histories and members): those not found any more leave, new ones take their place in
/// id order. Moves the kept values rather than copying them unless a request still holds them.
fn merged(
    old: Kept,
    changed: &[i64],
    ids: Vec<i64>,
    histories: Vec<HouseholdHistory>,
    members: Vec<Vec<LinkedMember>>,
    version: i64,
    stamps: HashMap<i64, i64>,
) -> Kept {
    let changed: HashSet<i64> = changed.iter().copied().collect();
    let old_histories = Arc::try_unwrap(old.histories).unwrap_or_else(|shared| (*shared).clone());
    let old_members = Arc::try_unwrap(old.members).unwrap_or_else(|shared| (*shared).clone());
    let old_ids = Arc::try_unwrap(old.ids).unwrap_or_else(|shared| (*shared).clone());
    let n = old_ids.len() + ids.len();
    let (mut out_ids, mut out_h, mut out_m) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    let mut read = ids.into_iter().zip(histories.into_iter().zip(members)).peekable();
    for (id, (h, m)) in old_ids.into_iter().zip(old_histories.into_iter().zip(old_members)) {
        while let Some((r, (h, m))) = read.next_if(|(r, _)| *r < id) {
            out_ids.push(r);
            out_h.push(h);
            out_m.push(m);
        }
        if changed.contains(&id) {
            // read again, or gone
            if let Some((r, (h, m))) = read.next_if(|(r, _)| *r == id) {
                out_ids.push(r);
                out_h.push(h);
                out_m.push(m);
            }
        } else {
            out_ids.push(id);
            out_h.push(h);
            out_m.push(m);
        }
    }
    for (r, (h, m)) in read {
        out_ids.push(r);
        out_h.push(h);
        out_m.push(m);
    }
    Kept { version, stamps, ids: Arc::new(out_ids), histories: Arc::new(out_h), members: Arc::new(out_m) }
}
