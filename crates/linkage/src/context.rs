//! Household context: partners report households, not loose persons.
//!
//! Two things follow from a household number (a partner's report of a household, see
//! [`crate::Dataset::set_group`]):
//!
//! - **two records of one household are two persons** (a cannot-link constraint for the
//!   clustering);
//! - **co-members vouch for each other**: when a mother's records in two reports link
//!   confidently, the two reports are the same household, and her daughter's records in them are
//!   likely to be the same person even without a birth date on one side. Within two such
//!   households the question is no longer "are two records taken at random one person" (a prior
//!   of about one in a hundred thousand, where a shared rare family name is strong evidence) but
//!   "which member is which" (a prior of about one in the household's size, where the family
//!   name and the commune, shared by relatives, say little and the given name and birth date say
//!   much). So every pair across two linked households (pairs the blocking missed included) is
//!   weighed again by a second Fellegi–Sunter model, its `λ`, `m` and `u` estimated by EM on
//!   those pairs alone. Nothing is set by hand.
//!
//! Anchors (the confident links that vouch) come from the first pass only, and a pair never
//! vouches for itself, so two vague pairs cannot lift each other.

use serde::Serialize;

use crate::compare::Pattern;
use crate::dataset::Dataset;
use crate::em::{self, EmColumns, EmConfig};
use crate::model::{is_neutral, Explanation, FieldContribution, Scorer};
use crate::pipeline::ScoredPair;
use crate::schema::FieldKind;
use crate::util::{FxMap, FxSet};

/// The records' households and their sizes.
pub struct Groups<'a> {
    pub(crate) ds: &'a Dataset,
    sizes: FxMap<u32, u32>,
}

impl<'a> Groups<'a> {
    pub fn new(ds: &'a Dataset) -> Self {
        let mut sizes: FxMap<u32, u32> = FxMap::default();
        for i in 0..ds.len() as u32 {
            let g = ds.group(i);
            if g != 0 {
                *sizes.entry(g).or_insert(0) += 1;
            }
        }
        Self { ds, sizes }
    }

    /// Whether `a` and `b` were reported in the same household (hence are two persons).
    #[inline]
    pub fn together(&self, a: u32, b: u32) -> bool {
        let g = self.ds.group(a);
        g != 0 && g == self.ds.group(b)
    }

    fn size(&self, g: u32) -> u32 {
        if g == 0 {
            return 0;
        }
        self.sizes.get(&g).copied().unwrap_or(0)
    }

    /// The households of a pair when the context applies: both records in households of two
    /// or more, not the same one. Ordered.
    #[inline]
    pub fn applies(&self, a: u32, b: u32) -> Option<(u32, u32)> {
        let (ga, gb) = (self.ds.group(a), self.ds.group(b));
        if ga == 0 || gb == 0 || ga == gb || self.size(ga) < 2 || self.size(gb) < 2 {
            return None;
        }
        Some((ga.min(gb), ga.max(gb)))
    }
}

/// What the context did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextModel {
    /// λ, m and u of the within-household model, per compared column (neutral levels at 1).
    pub lambda: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    pub iterations: usize,
    /// First-pass links that vouch (pairs at or above the anchor probability across two
    /// households of two members or more), and the pairs of households they link.
    pub anchors: u64,
    pub linked_households: u64,
    /// Pairs weighed again by the within-household model, and those of them the blocking had
    /// not proposed.
    pub pairs: u64,
    pub added: u64,
    /// The pairs weighed again (to explain them).
    #[serde(skip)]
    pub(crate) weighed: FxSet<(u32, u32)>,
}

impl ContextModel {
    /// Whether a pair was weighed by the within-household model.
    pub fn covers(&self, a: u32, b: u32) -> bool {
        self.weighed.contains(&(a.min(b), a.max(b)))
    }

    /// Each field's part for a pair the context weighed: the household prior, then the
    /// within-household model's levels (`None` for another pair).
    pub fn explain(&self, scorer: &Scorer<'_>, a: u32, b: u32) -> Option<Explanation> {
        if !self.covers(a, b) {
            return None;
        }
        let (a, b) = (a.min(b), a.max(b));
        let pattern = scorer.cmp.compare(scorer.ds, a, b);
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        let mut fields = Vec::with_capacity(self.m.len());
        let mut total = prior;
        for (c, col) in scorer.cmp.columns.iter().enumerate() {
            let l = pattern.get(c) as usize;
            let level = col.levels()[l];
            let part = if is_neutral(col.kind, level) {
                (1.0, 1.0, 0.0)
            } else {
                let (m, u) = (self.m[c][l].max(FLOOR), self.u[c][l].max(FLOOR));
                (m, u, (m / u).log2())
            };
            total += part.2;
            fields.push(FieldContribution::new(&col.name, col.kind, level, part, false));
        }
        Some(Explanation {
            prior_weight: scorer.prior_weight(),
            household: Some(prior - scorer.prior_weight()),
            fields,
            match_weight: total,
            probability: sigmoid_bits(total),
        })
    }
}

const MAX_ITERATIONS: usize = 500;
/// Smallest `m` and `u`: no level is impossible.
const FLOOR: f64 = 1e-4;

#[inline]
fn sigmoid_bits(w: f64) -> f64 {
    1.0 / (1.0 + (-w).exp2())
}

/// Applies the household context to `pairs` (first-pass weights with the prior, as the
/// pipeline scores them): pairs across two households linked by another member are weighed
/// again by the within-household model, the missing ones added. Pairs at or above
/// `anchor_weight` vouch. Returns `None` when no two households are linked.
pub fn apply(
    pairs: &mut Vec<ScoredPair>,
    groups: &Groups<'_>,
    scorer: &Scorer<'_>,
    anchor_weight: f64,
) -> Option<ContextModel> {
    let ds = groups.ds;
    let cmp = scorer.cmp;
    // anchors per pair of households
    let mut support: FxMap<(u32, u32), u32> = FxMap::default();
    let mut anchors = 0u64;
    for p in pairs.iter().filter(|p| p.weight >= anchor_weight) {
        if let Some(key) = groups.applies(p.a, p.b) {
            *support.entry(key).or_insert(0) += 1;
            anchors += 1;
        }
    }
    if support.is_empty() {
        return None;
    }
    let mut members: FxMap<u32, Vec<u32>> = FxMap::default();
    for &(g1, g2) in support.keys() {
        members.entry(g1).or_default();
        members.entry(g2).or_default();
    }
    for i in 0..ds.len() as u32 {
        if let Some(m) = members.get_mut(&ds.group(i)) {
            m.push(i);
        }
    }
    // every pair across two linked households but a sole anchor, with its pattern
    let mut households: Vec<((u32, u32), u32)> = support.iter().map(|(&k, &n)| (k, n)).collect();
    households.sort_unstable();
    let mut cross: Vec<(u32, u32, Pattern)> = Vec::new();
    for &((g1, g2), n) in &households {
        for &x in &members[&g1] {
            for &y in &members[&g2] {
                let (a, b) = (x.min(y), x.max(y));
                let (pattern, w) = scorer.score(a, b);
                if !(n == 1 && w + scorer.prior_weight() >= anchor_weight) {
                    cross.push((a, b, pattern));
                }
            }
        }
    }
    // the within-household model, by EM on those pairs' patterns
    let mut counts: FxMap<Pattern, u64> = FxMap::default();
    for &(_, _, p) in &cross {
        *counts.entry(p).or_insert(0) += 1;
    }
    let mut patterns: Vec<(Pattern, u64)> = counts.into_iter().collect();
    patterns.sort_unstable_by_key(|(p, _)| *p);
    let neutral: Vec<Vec<bool>> =
        cmp.columns.iter().map(|c| c.levels().iter().map(|&l| is_neutral(c.kind, l)).collect()).collect();
    let cols = EmColumns { levels: cmp.columns.iter().map(|c| c.levels().len()).collect(), neutral: neutral.clone() };
    let model = scorer.model;
    let em_cfg = EmConfig {
        lambda: 0.3,
        m: model.columns.iter().map(|c| c.m.clone()).collect(),
        // relatives share their family name, commune and often their birth place: start those
        // u at m
        u: model
            .columns
            .iter()
            .map(|c| {
                let shared = matches!(
                    c.kind,
                    FieldKind::FamilyName | FieldKind::Code | FieldKind::BirthCountry | FieldKind::BirthPlace
                );
                if shared {
                    c.m.clone()
                } else {
                    c.u.clone()
                }
            })
            .collect(),
        fix_u: vec![false; cols.levels.len()],
        max_iterations: MAX_ITERATIONS,
        tolerance: 1e-7,
    };
    let fit = em::fit(&patterns, &cols, &em_cfg);
    let prior = (fit.lambda / (1.0 - fit.lambda)).log2();
    let weights: Vec<Vec<f64>> = (0..cols.levels.len())
        .map(|c| {
            (0..cols.levels[c])
                .map(|l| if neutral[c][l] { 0.0 } else { (fit.m[c][l].max(FLOOR) / fit.u[c][l].max(FLOOR)).log2() })
                .collect()
        })
        .collect();
    let first_pass: FxMap<(u32, u32), usize> =
        pairs.iter().enumerate().map(|(k, p)| ((p.a.min(p.b), p.a.max(p.b)), k)).collect();
    let mut added = 0u64;
    let mut weighed = FxSet::default();
    for &(a, b, pattern) in &cross {
        weighed.insert((a, b));
        let weight = prior + (0..weights.len()).map(|c| weights[c][pattern.get(c) as usize]).sum::<f64>();
        let scored = ScoredPair { a, b, weight, probability: sigmoid_bits(weight) };
        match first_pass.get(&(a, b)) {
            Some(&k) => pairs[k] = scored,
            None => {
                pairs.push(scored);
                added += 1;
            }
        }
    }
    Some(ContextModel {
        lambda: fit.lambda,
        m: fit.m,
        u: fit.u,
        iterations: fit.iterations,
        anchors,
        linked_households: households.len() as u64,
        pairs: cross.len() as u64,
        added,
        weighed,
    })
}

#[cfg(test)]
mod tests {
    use crate::blocking::Mode;
    use crate::dataset::Dataset;
    use crate::eval::pairwise;
    use crate::pipeline::{run, NoProgress, PipelineConfig};

    use crate::pipeline::tests::synthetic_with_households as synthetic;

    fn with_groups(mut ds: Dataset, groups: &[u32]) -> Dataset {
        for (i, g) in groups.iter().enumerate() {
            ds.set_group(i as u32, *g);
        }
        ds
    }

    fn clusters_of(ds: &Dataset) -> (Vec<u64>, crate::pipeline::Outcome) {
        let out = run(ds, &PipelineConfig::new(ds, Mode::Dedupe), &NoProgress);
        (out.clusters.assignments().iter().map(|c| c.0).collect(), out)
    }

    #[test]
    fn households_raise_recall_and_two_members_of_one_report_never_join() {
        let (plain, groups, truth) = synthetic(8000, 21);
        let grouped = with_groups(plain.clone(), &groups);
        let (without, _) = clusters_of(&plain);
        let (with, out) = clusters_of(&grouped);
        let (a, b) = (pairwise(&without, &truth, None), pairwise(&with, &truth, None));
        assert!(b.recall > a.recall + 0.02, "without {a:?}, with {b:?}");
        assert!(b.precision >= 0.99 && b.precision >= a.precision - 0.005, "without {a:?}, with {b:?}");
        let ctx = out.context.as_ref().expect("households linked");
        assert!(ctx.anchors > 0 && ctx.pairs > ctx.anchors && ctx.added > 0, "{ctx:?}");
        // the within-household model learnt that relatives share their family name, and that
        // the given name tells members apart
        let family = out.comparator.family_field().unwrap();
        let family_col = out.comparator.columns.iter().position(|c| c.field == family).unwrap();
        let given_col = out.comparator.columns.iter().position(|c| c.field == 1).unwrap();
        let exact = |c: usize| {
            let l = out.comparator.columns[c].levels().iter().position(|l| *l == crate::compare::Level::Exact).unwrap();
            ctx.m[c][l] / ctx.u[c][l]
        };
        assert!(exact(family_col) < 4.0, "family name in a household: m/u {}", exact(family_col));
        assert!(exact(given_col) > 50.0, "given name in a household: m/u {}", exact(given_col));
        // cannot-link: no cluster holds two rows of one report
        let mut seen = std::collections::HashSet::new();
        for (i, c) in with.iter().enumerate() {
            assert!(seen.insert((*c, groups[i])), "row {i} shares its cluster with a member of its household");
        }
    }

    #[test]
    fn a_co_member_vouches_for_an_undated_record_and_the_explanation_says_so() {
        let (plain, groups, _) = synthetic(3000, 8);
        let base = plain.len() as u32;
        let mut ds = with_groups(plain, &groups);
        let next = groups.iter().max().unwrap() + 1;
        // one family reported twice (the daughter undated in the second report), and namesakes
        // of the daughter elsewhere: alone, her undated record is ambiguous
        let rows: [(&str, &str, &str, &str, u32); 8] = [
            ("Diallo", "Fatoumata", "1981-03-04", "69381", next),
            ("Diallo", "Aminata", "2012-05-06", "69381", next),
            ("DIALLO", "Fatoumata", "1981-03-04", "69382", next + 1),
            ("Diallo", "Aminata", "", "69382", next + 1),
            ("Diallo", "Aminata", "1999-01-02", "69381", 0),
            ("Diallo", "Aminata", "1975-11-12", "69381", 0),
            ("Diallo", "Aminata", "2004-07-08", "69381", 0),
            ("Diallo", "Aminata", "1988-02-09", "69381", 0),
        ];
        for (k, (family, given, birth, commune, g)) in rows.iter().enumerate() {
            let i = ds
                .push(0, &format!("x{k}"), &[Some(family), Some(given), Some(birth), Some("F"), Some(commune)])
                .unwrap();
            ds.set_group(i, *g);
        }
        let (clusters, out) = clusters_of(&ds);
        let c = |k: u32| clusters[(base + k) as usize];
        assert_eq!(c(0), c(2), "the mother links");
        assert_eq!(c(1), c(3), "her daughter's undated record joins her through the household");
        assert!((4..8).all(|k| c(k) != c(3)), "not a namesake");
        let scorer = out.scorer(&ds);
        let e = out.explain(&scorer, base + 1, base + 3);
        let lift = e.household.expect("explained by the household");
        assert!(lift > 5.0, "{lift}");
        let sum = e.prior_weight + lift + e.fields.iter().map(|f| f.weight).sum::<f64>();
        assert!((sum - e.match_weight).abs() < 1e-9 && e.probability >= 0.99, "{e:?}");
        // the same records without households: the undated record stays alone
        let mut plain = ds.clone();
        for i in 0..plain.len() as u32 {
            plain.set_group(i, 0);
        }
        let (clusters, out) = clusters_of(&plain);
        assert!(out.context.is_none());
        assert_ne!(clusters[(base + 1) as usize], clusters[(base + 3) as usize]);
        assert!(out.explain(&out.scorer(&plain), base + 1, base + 3).household.is_none());
    }

    #[test]
    fn two_identical_records_of_one_household_are_two_persons() {
        let (plain, _, _) = synthetic(1500, 4);
        let base = plain.len() as u32;
        let mut ds = plain;
        for k in 0..2 {
            ds.push(
                0,
                &format!("t{k}"),
                &[Some("Zyvkowitz"), Some("Paul"), Some("1971-02-03"), Some("M"), Some("69001")],
            )
            .unwrap();
        }
        let (clusters, _) = clusters_of(&ds);
        assert_eq!(clusters[base as usize], clusters[base as usize + 1], "alike, they link");
        ds.set_group(base, 7_000_000);
        ds.set_group(base + 1, 7_000_000);
        let (clusters, _) = clusters_of(&ds);
        assert_ne!(clusters[base as usize], clusters[base as usize + 1], "reported together: two persons (twins)");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 16, ..Default::default() })]
        /// Whatever the records and their households (look-alikes of one person spread over
        /// households at random, some of them in one household), no cluster holds two records
        /// of one household.
        #[test]
        fn no_cluster_holds_two_records_of_one_household(
            households in proptest::collection::vec(0u32..12, 60),
            people in proptest::collection::vec(0usize..6, 60),
            undated in proptest::collection::vec(proptest::bool::ANY, 60),
        ) {
            let (mut ds, _, _) = synthetic(600, 3);
            let base = ds.len() as u32;
            let families = ["Zyvkowitz", "Quercyard", "Varennoulat", "Falconnet", "Dubreuil", "Ansquer"];
            let given = ["Paul", "Nadia", "Sophie", "Karim", "Lina", "Yanis"];
            for (k, ((&h, &who), &no_date)) in households.iter().zip(&people).zip(&undated).enumerate() {
                let date = format!("19{}-0{}-1{}", 50 + who, 1 + who, who);
                let date = if no_date { "" } else { date.as_str() };
                let i = ds
                    .push(0, &format!("p{k}"), &[Some(families[who]), Some(given[who]), Some(date), Some("X"), Some("69123")])
                    .unwrap();
                ds.set_group(i, 9_000_000 + h);
            }
            let (clusters, _) = clusters_of(&ds);
            let mut seen = std::collections::HashSet::new();
            for (k, h) in households.iter().enumerate() {
                let i = base as usize + k;
                proptest::prop_assert!(seen.insert((clusters[i], *h)), "record {k} shares a cluster with a member of its household");
            }
        }
    }
}
