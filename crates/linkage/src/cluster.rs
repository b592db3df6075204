//! Clustering that resists chaining, with stable cluster ids.
//!
//! Connected components over the pairs above a threshold chain `A–B–C` into one person even when
//! `A` and `C` clearly differ (two namesakes linked through a vague third record). Here the links
//! are taken **best first**, and two clusters are merged only if **no pair across them is
//! strongly negative** (a complete-linkage guard on the evidence against, checked on the fly
//! even for pairs that were never candidates) and no pair across them was declared "different
//! people" by a person.
//!
//! Every cluster is born with a fresh id when its first record arrives; a merge keeps the
//! smaller (older) id and retires the other. Ids are never reused nor renumbered, so a cluster
//! whose membership did not change keeps its id whatever is added later.

use serde::{Deserialize, Serialize};

use crate::util::FxMap;

/// A stable cluster identifier: ids grow as clusters are created and are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ClusterId(pub u64);

/// A link between two records with its weight (higher is stronger).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub weight: f64,
}

/// A merge that took place: `retired` now belongs to `kept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Merge {
    pub kept: ClusterId,
    pub retired: ClusterId,
}

/// What [`Clusters::try_merge`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeOutcome {
    Merged(Merge),
    /// Already in the same cluster.
    Together,
    /// A pair across the clusters was refused by the guard.
    Vetoed,
}

/// The partition of records into clusters.
#[derive(Debug, Clone, Default)]
pub struct Clusters {
    of: Vec<ClusterId>,
    /// Clusters with two members or more.
    multi: FxMap<ClusterId, Vec<u32>>,
    /// The record that created each cluster (index `id - 1`).
    founder: Vec<u32>,
}

/// When the product of two clusters' sizes exceeds this, the guard checks the pairs across
/// their first `GUARD_SAMPLE` members only.
const GUARD_FULL: usize = 400;
const GUARD_SAMPLE: usize = 20;

impl Clusters {
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives every record from `len()` up to `n` its own new cluster.
    pub fn extend_to(&mut self, n: usize) {
        while self.of.len() < n {
            let i = self.of.len() as u32;
            self.founder.push(i);
            self.of.push(ClusterId(self.founder.len() as u64));
        }
    }

    pub fn len(&self) -> usize {
        self.of.len()
    }

    /// The largest id handed out so far (ids are `1..=max_id()`).
    pub fn max_id(&self) -> u64 {
        self.founder.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }

    #[inline]
    pub fn of(&self, record: u32) -> ClusterId {
        self.of[record as usize]
    }

    /// The cluster of every record.
    pub fn assignments(&self) -> &[ClusterId] {
        &self.of
    }

    /// The members of a live cluster (empty if the id was retired or never existed).
    pub fn members(&self, id: ClusterId) -> Vec<u32> {
        if let Some(m) = self.multi.get(&id) {
            return m.clone();
        }
        match id.0.checked_sub(1).and_then(|k| self.founder.get(k as usize)) {
            Some(&f) if self.of[f as usize] == id => vec![f],
            _ => Vec::new(),
        }
    }

    /// The live clusters with two members or more.
    pub fn groups(&self) -> impl Iterator<Item = (ClusterId, &[u32])> {
        self.multi.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// Merges the clusters of `x` and `y` unless `allowed(a, b)` is false for a pair across
    /// them (the pair `(x, y)` itself, the link being taken, is not asked about).
    pub fn try_merge(&mut self, x: u32, y: u32, allowed: &mut dyn FnMut(u32, u32) -> bool) -> MergeOutcome {
        let (cx, cy) = (self.of(x), self.of(y));
        if cx == cy {
            return MergeOutcome::Together;
        }
        {
            let one_x = [x];
            let one_y = [y];
            let mx: &[u32] = self.multi.get(&cx).map_or(&one_x, Vec::as_slice);
            let my: &[u32] = self.multi.get(&cy).map_or(&one_y, Vec::as_slice);
            let (sx, sy) = if mx.len() * my.len() > GUARD_FULL {
                (&mx[..mx.len().min(GUARD_SAMPLE)], &my[..my.len().min(GUARD_SAMPLE)])
            } else {
                (mx, my)
            };
            for &a in sx {
                for &b in sy {
                    if (a, b) != (x, y) && !allowed(a, b) {
                        return MergeOutcome::Vetoed;
                    }
                }
            }
        }
        MergeOutcome::Merged(self.merge(cx, cy, x, y))
    }

    /// Merges without any check.
    pub fn force_merge(&mut self, x: u32, y: u32) -> Option<Merge> {
        let (cx, cy) = (self.of(x), self.of(y));
        (cx != cy).then(|| self.merge(cx, cy, x, y))
    }

    fn merge(&mut self, cx: ClusterId, cy: ClusterId, x: u32, y: u32) -> Merge {
        let (kept, retired, kept_rec, retired_rec) = if cx < cy { (cx, cy, x, y) } else { (cy, cx, y, x) };
        let moved = self.multi.remove(&retired).unwrap_or_else(|| vec![retired_rec]);
        for &r in &moved {
            self.of[r as usize] = kept;
        }
        self.multi.entry(kept).or_insert_with(|| vec![kept_rec]).extend(moved);
        Merge { kept, retired }
    }

    /// Splits a cluster: `parts` (a partition of its members) become clusters; the part holding
    /// the cluster's oldest member keeps the id, the others get new ids. Returns the new ids.
    pub fn split(&mut self, id: ClusterId, parts: &[Vec<u32>]) -> Vec<ClusterId> {
        let Some(members) = self.multi.remove(&id) else { return Vec::new() };
        let oldest = *members.iter().min().expect("a cluster has members");
        let mut created = Vec::new();
        for part in parts {
            let pid = if part.contains(&oldest) {
                id
            } else {
                self.founder.push(*part.iter().min().expect("non-empty part"));
                let nid = ClusterId(self.founder.len() as u64);
                created.push(nid);
                nid
            };
            for &r in part {
                self.of[r as usize] = pid;
            }
            if part.len() > 1 {
                self.multi.insert(pid, part.clone());
            }
        }
        created
    }
}

/// What clustering did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClusterReport {
    pub edges: u64,
    pub merges: u64,
    /// Links refused because a pair across the two clusters was strongly negative.
    pub vetoed: u64,
    /// Links refused because one side was about as likely to belong to another, incompatible
    /// cluster (a record without birth date between two namesakes).
    pub contested: u64,
}

/// The likely pairs of every record (both directions), for the contest check.
#[derive(Debug, Clone, Default)]
pub struct Adjacency {
    offsets: Vec<u32>,
    targets: Vec<(u32, f64)>,
}

impl Adjacency {
    /// From `(a, b, weight)` pairs over `n` records.
    pub fn new(n: usize, pairs: &[(u32, u32, f64)]) -> Self {
        let mut degree = vec![0u32; n + 1];
        for &(a, b, _) in pairs {
            degree[a as usize + 1] += 1;
            degree[b as usize + 1] += 1;
        }
        for i in 0..n {
            degree[i + 1] += degree[i];
        }
        let mut fill = degree.clone();
        let mut targets = vec![(0u32, 0.0f64); pairs.len() * 2];
        for &(a, b, w) in pairs {
            targets[fill[a as usize] as usize] = (b, w);
            fill[a as usize] += 1;
            targets[fill[b as usize] as usize] = (a, w);
            fill[b as usize] += 1;
        }
        Self { offsets: degree, targets }
    }

    /// The likely pairs of record `i`.
    pub fn of(&self, i: u32) -> &[(u32, f64)] {
        let i = i as usize;
        if i + 1 >= self.offsets.len() {
            return &[];
        }
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

/// The contest check: a link is not taken when a member of one side has a likely pair (weight
/// at least the link's minus `margin` bits) with a record of a third cluster that the guard
/// says is incompatible with the other side: that member is ambiguous between two people.
pub struct Contest<'a> {
    pub adjacency: &'a Adjacency,
    pub margin: f64,
}

impl Clusters {
    /// Whether the link `(x, y)` of weight `w` is contested (see [`Contest`]).
    fn contested(
        &self,
        x: u32,
        y: u32,
        w: f64,
        contest: &Contest<'_>,
        allowed: &mut dyn FnMut(u32, u32) -> bool,
    ) -> bool {
        let (cx, cy) = (self.of(x), self.of(y));
        for (side, other, other_rep) in [(cx, cy, y), (cy, cx, x)] {
            let members = self.members_or(side, if side == cx { x } else { y });
            let others = self.members_or(other, other_rep);
            for &s in members.iter().take(GUARD_SAMPLE) {
                for &(c, wc) in contest.adjacency.of(s) {
                    if wc < w - contest.margin {
                        continue;
                    }
                    let cz = self.of(c);
                    if cz == cx || cz == cy {
                        continue;
                    }
                    let third = self.members_or(cz, c);
                    let incompatible = third
                        .iter()
                        .take(GUARD_SAMPLE)
                        .any(|&z| others.iter().take(GUARD_SAMPLE).any(|&t| !allowed(z.min(t), z.max(t))));
                    if incompatible {
                        return true;
                    }
                }
            }
        }
        false
    }

    fn members_or(&self, id: ClusterId, record: u32) -> Vec<u32> {
        self.multi.get(&id).cloned().unwrap_or_else(|| vec![record])
    }
}

/// Pairs of records that must never be in one cluster (reviewers' "different people"). Unlike
/// the guard, which looks at a sample of the members of large clusters, it is checked on every
/// member: a human decision is never overridden by the engine.
#[derive(Debug, Clone, Default)]
pub struct Apart {
    of: FxMap<u32, Vec<u32>>,
}

impl Apart {
    pub fn new(pairs: &[(u32, u32)]) -> Self {
        let mut of: FxMap<u32, Vec<u32>> = FxMap::default();
        for &(a, b) in pairs.iter().filter(|(a, b)| a != b) {
            of.entry(a).or_default().push(b);
            of.entry(b).or_default().push(a);
        }
        Self { of }
    }

    pub fn is_empty(&self) -> bool {
        self.of.is_empty()
    }

    /// Whether `a` and `b` were said to be different people.
    pub fn contains(&self, a: u32, b: u32) -> bool {
        self.of.get(&a).is_some_and(|v| v.contains(&b))
    }

    /// Keeps `a` and `b` apart from now on.
    pub fn insert(&mut self, a: u32, b: u32) {
        if a != b && !self.contains(a, b) {
            self.of.entry(a).or_default().push(b);
            self.of.entry(b).or_default().push(a);
        }
    }

    /// Whether merging the clusters of `x` and `y` would put two such records together.
    pub(crate) fn forbids(&self, clusters: &Clusters, x: u32, y: u32) -> bool {
        if self.of.is_empty() {
            return false;
        }
        let (cx, cy) = (clusters.of(x), clusters.of(y));
        let (ox, oy) = ([x], [y]);
        let mx: &[u32] = clusters.multi.get(&cx).map_or(&ox, Vec::as_slice);
        let my: &[u32] = clusters.multi.get(&cy).map_or(&oy, Vec::as_slice);
        // through the smaller side
        let (members, other) = if mx.len() <= my.len() { (mx, cy) } else { (my, cx) };
        members.iter().filter_map(|m| self.of.get(m)).flatten().any(|&p| clusters.of(p) == other)
    }
}

/// Takes the edges best first (ties by record indices, so the result is deterministic) and
/// merges with the guard, and with the contest check when given; never against `apart`.
pub fn cluster_edges(
    clusters: &mut Clusters,
    edges: &mut [Edge],
    allowed: &mut dyn FnMut(u32, u32) -> bool,
    contest: Option<&Contest<'_>>,
    apart: &Apart,
) -> ClusterReport {
    edges.sort_unstable_by(|x, y| y.weight.total_cmp(&x.weight).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    let mut report = ClusterReport { edges: edges.len() as u64, ..Default::default() };
    for e in edges.iter() {
        if clusters.of(e.a) == clusters.of(e.b) {
            continue;
        }
        if apart.forbids(clusters, e.a, e.b) {
            report.vetoed += 1;
            continue;
        }
        if let Some(c) = contest {
            if clusters.contested(e.a, e.b, e.weight, c, allowed) {
                report.contested += 1;
                continue;
            }
        }
        match clusters.try_merge(e.a, e.b, allowed) {
            MergeOutcome::Merged(_) => report.merges += 1,
            MergeOutcome::Together => {}
            MergeOutcome::Vetoed => report.vetoed += 1,
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apart_records_are_kept_apart_through_every_member() {
        // two clusters of 21 records, too large for the guard to ask about every pair across
        // them; their last members were said to be different people
        let mut c = Clusters::new();
        c.extend_to(42);
        let mut edges: Vec<Edge> = (0..20).chain(21..41).map(|i| Edge { a: i, b: i + 1, weight: 50.0 }).collect();
        edges.push(Edge { a: 0, b: 21, weight: 10.0 });
        let said = (20, 41);
        let apart = Apart::new(&[said]);
        assert!(apart.contains(41, 20) && !apart.contains(0, 1));
        let mut guard_only = |a: u32, b: u32| (a.min(b), a.max(b)) != said;
        let mut sampled = Clusters::new();
        sampled.extend_to(42);
        cluster_edges(&mut sampled, &mut edges.clone(), &mut guard_only, None, &Apart::default());
        assert_eq!(sampled.of(20), sampled.of(41), "the guard's sample misses them");
        let report = cluster_edges(&mut c, &mut edges, &mut |_, _| true, None, &apart);
        assert_ne!(c.of(20), c.of(41));
        assert_eq!((c.of(0), c.of(21)), (c.of(20), c.of(41)), "each cluster whole");
        assert_eq!(report.vetoed, 1, "only the link that would join them");
    }

    #[test]
    fn a_chain_through_a_vague_record_is_cut() {
        // A–B strong, B–C strong, A–C strongly negative: A and C must not end up together.
        let mut c = Clusters::new();
        c.extend_to(3);
        let mut edges = vec![Edge { a: 0, b: 1, weight: 20.0 }, Edge { a: 1, b: 2, weight: 15.0 }];
        let mut allowed = |a: u32, b: u32| !matches!((a.min(b), a.max(b)), (0, 2));
        let report = cluster_edges(&mut c, &mut edges, &mut allowed, None, &Apart::default());
        assert_eq!(c.of(0), c.of(1));
        assert_ne!(c.of(1), c.of(2));
        assert_eq!(report.vetoed, 1);
        // plain connected components would chain them
        let mut cc = Clusters::new();
        cc.extend_to(3);
        cluster_edges(&mut cc, &mut edges, &mut |_, _| true, None, &Apart::default());
        assert_eq!(cc.of(0), cc.of(2));
    }

    #[test]
    fn the_stronger_link_wins_the_disputed_record() {
        // B is linked to A (weight 10) and to C (weight 30); A and C differ: B goes with C.
        let mut c = Clusters::new();
        c.extend_to(3);
        let mut edges = vec![Edge { a: 0, b: 1, weight: 10.0 }, Edge { a: 1, b: 2, weight: 30.0 }];
        cluster_edges(&mut c, &mut edges, &mut |a, b| (a.min(b), a.max(b)) != (0, 2), None, &Apart::default());
        assert_eq!(c.of(1), c.of(2));
        assert_ne!(c.of(0), c.of(1));
    }

    #[test]
    fn a_record_between_two_namesakes_is_left_alone() {
        // 0 (no birth date) looks like 1 and like 2 equally; 1 and 2 are different people.
        let mut c = Clusters::new();
        c.extend_to(3);
        let mut edges = vec![Edge { a: 0, b: 1, weight: 12.0 }, Edge { a: 0, b: 2, weight: 11.5 }];
        let adjacency = Adjacency::new(3, &[(0, 1, 12.0), (0, 2, 11.5)]);
        let contest = Contest { adjacency: &adjacency, margin: 10.0 };
        let report = cluster_edges(
            &mut c,
            &mut edges,
            &mut |a, b| (a.min(b), a.max(b)) != (1, 2),
            Some(&contest),
            &Apart::default(),
        );
        assert_eq!(report.contested, 2);
        assert!(c.of(0) != c.of(1) && c.of(0) != c.of(2));
        // when 1 and 2 are the same person, 0 joins them
        let mut c = Clusters::new();
        c.extend_to(3);
        let mut edges = vec![
            Edge { a: 1, b: 2, weight: 30.0 },
            Edge { a: 0, b: 1, weight: 12.0 },
            Edge { a: 0, b: 2, weight: 11.5 },
        ];
        cluster_edges(&mut c, &mut edges, &mut |_, _| true, Some(&contest), &Apart::default());
        assert!(c.of(0) == c.of(1) && c.of(1) == c.of(2));
    }

    #[test]
    fn merges_keep_the_oldest_id_and_never_renumber() {
        let mut c = Clusters::new();
        c.extend_to(4);
        let before: Vec<ClusterId> = c.assignments().to_vec();
        let m = c.force_merge(2, 1).unwrap();
        assert_eq!(m, Merge { kept: before[1], retired: before[2] });
        assert_eq!(c.of(0), before[0]);
        assert_eq!(c.of(3), before[3]);
        assert_eq!(c.members(before[1]), vec![1, 2]);
        assert!(c.members(before[2]).is_empty(), "retired");
        c.extend_to(5);
        assert_eq!(c.of(4), ClusterId(5));
        let created = c.split(before[1], &[vec![1], vec![2]]);
        assert_eq!(c.of(1), before[1]);
        assert_eq!(c.of(2), created[0]);
        assert_eq!(created[0], ClusterId(6), "a new id, never a reused one");
    }
}
