//! The batch pipeline: blocking → comparison → EM → scoring → clustering, on all threads.

use std::time::Instant;

use serde::Serialize;

use crate::blocking::{self, BlockingConfig, BlockingReport, Mode};
use crate::cluster::{cluster_edges, Adjacency, Apart, ClusterReport, Clusters, Contest, Edge};
use crate::compare::{Comparator, Thresholds};
use crate::context::{self, ContextModel, Groups};
use crate::dataset::Dataset;
use crate::model::{Model, Scorer, TermFrequencies};
use crate::train::{self, TrainConfig, Training};

/// Reports progress of long phases (the CLI shows bars; the engine never prints).
pub trait Progress: Sync {
    /// A phase starts; `total` units if known.
    fn phase(&self, _name: &str, _total: Option<u64>) {}
    /// `n` more units done in the current phase.
    fn advance(&self, _n: u64) {}
}

/// No progress reporting.
pub struct NoProgress;
impl Progress for NoProgress {}

#[derive(Debug, Clone, Serialize)]
pub struct PipelineConfig {
    pub mode: Mode,
    pub blocking: BlockingConfig,
    pub thresholds: Thresholds,
    pub train: TrainConfig,
    /// Pairs at or above this match probability are links.
    pub threshold: f64,
    /// The clustering guard: two clusters are not merged when a pair across them weighs less
    /// than this (bits, without the prior), i.e. when the evidence says they differ.
    pub guard_weight: f64,
    /// Scored pairs at or above this probability are kept in the outcome (review queue).
    pub keep_above: f64,
    /// A link is not taken when one side is about as likely (within this many bits) to be
    /// another, incompatible person (0: no such check). See [`crate::cluster::Contest`].
    pub contest_margin: f64,
    /// Household context ([`crate::context`]) when the records have households: first-pass
    /// links at or above this probability vouch for their co-members (`None`: no context).
    pub context_anchor: Option<f64>,
    /// Pairs of records reviewers said are different people: never in one cluster, whatever
    /// their scores and the links around them.
    pub apart: Vec<(u32, u32)>,
    pub threads: usize,
}

impl PipelineConfig {
    pub fn new(ds: &Dataset, mode: Mode) -> Self {
        Self {
            mode,
            blocking: BlockingConfig::defaults(ds.schema()),
            thresholds: Thresholds::default(),
            train: TrainConfig::default(),
            threshold: 0.99,
            guard_weight: 0.0,
            keep_above: 0.5,
            contest_margin: 0.0,
            context_anchor: Some(0.99),
            apart: Vec::new(),
            threads: crate::util::threads(2),
        }
    }
}

/// A scored candidate pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoredPair {
    pub a: u32,
    pub b: u32,
    /// Match weight in bits, prior included.
    pub weight: f64,
    pub probability: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timing {
    pub phase: &'static str,
    pub seconds: f64,
}

/// Everything the pipeline produced.
#[derive(Debug)]
pub struct Outcome {
    pub blocking: BlockingReport,
    pub training: Training,
    pub clusters: Clusters,
    pub clustering: ClusterReport,
    /// Candidate pairs at or above `keep_above`, best first.
    pub pairs: Vec<ScoredPair>,
    pub timings: Vec<Timing>,
    pub comparator: Comparator,
    pub term_frequencies: TermFrequencies,
    /// What the household context did, when it applied.
    pub context: Option<ContextModel>,
}

impl Outcome {
    pub fn model(&self) -> &Model {
        &self.training.model
    }

    /// The scorer of the first pass.
    pub fn scorer<'a>(&'a self, ds: &'a Dataset) -> Scorer<'a> {
        Scorer::new(ds, &self.comparator, self.model(), &self.term_frequencies)
    }

    /// Why a pair scores what it scores, household context included (`scorer`: this outcome's
    /// [`Outcome::scorer`]).
    pub fn explain(&self, scorer: &Scorer<'_>, a: u32, b: u32) -> crate::model::Explanation {
        self.context.as_ref().and_then(|c| c.explain(scorer, a, b)).unwrap_or_else(|| scorer.explain(a, b))
    }
}

/// Runs the whole pipeline on a dataset.
pub fn run(ds: &Dataset, cfg: &PipelineConfig, progress: &dyn Progress) -> Outcome {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |phase: &'static str, timings: &mut Vec<Timing>| {
        timings.push(Timing { phase, seconds: clock.elapsed().as_secs_f64() });
        clock = Instant::now();
    };
    let cmp = Comparator::new(ds.schema(), cfg.thresholds);
    let tf = TermFrequencies::of(ds, &cmp);
    lap("term frequencies", &mut timings);
    let mut bcfg = cfg.blocking.clone();
    bcfg.threads = cfg.threads;
    progress.phase("blocage et comparaison", None);
    let mut tcfg = cfg.train.clone();
    tcfg.threads = cfg.threads;
    let training_rules = train::rules_of(ds, &tcfg);
    let (mut candidates, samples) =
        blocking::candidates_and_samples(ds, &cmp, &bcfg, cfg.mode, &training_rules, tcfg.pairs_per_rule, &|n| {
            progress.advance(n)
        });
    lap("blocking", &mut timings);
    progress.phase("estimation (EM)", None);
    let training = train::train(ds, &cmp, &tf, &candidates, &samples, cfg.mode, &tcfg);
    lap("training", &mut timings);
    progress.phase("score des paires", Some(candidates.pairs.len() as u64));
    let scorer = Scorer::new(ds, &cmp, &training.model, &tf);
    let keep_weight =
        training.model.weight_for_probability(cfg.keep_above.min(cfg.threshold).clamp(1e-12, 1.0 - 1e-12));
    let groups = (cfg.context_anchor.is_some() && ds.has_groups()).then(|| Groups::new(ds));
    let pairs = std::mem::take(&mut candidates.pairs);
    let chunk = pairs.len().div_ceil(cfg.threads.max(1)).max(1);
    let mut scored: Vec<ScoredPair> = std::thread::scope(|s| {
        let hs: Vec<_> = pairs
            .chunks(chunk)
            .map(|part| {
                let scorer = &scorer;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for p in part {
                        let w = scorer.weight(p.a, p.b, p.pattern);
                        if w >= keep_weight {
                            out.push(ScoredPair {
                                a: p.a,
                                b: p.b,
                                weight: w + scorer.prior_weight(),
                                probability: scorer.probability(w),
                            });
                        }
                    }
                    progress.advance(part.len() as u64);
                    out
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().expect("scoring thread")).collect()
    });
    drop(pairs);
    lap("scoring", &mut timings);
    let context = match (&groups, cfg.context_anchor) {
        (Some(g), Some(anchor)) => {
            let anchor_weight = (anchor / (1.0 - anchor)).log2();
            let model = context::apply(&mut scored, g, &scorer, anchor_weight);
            scored.retain(|p| p.probability >= cfg.keep_above.min(cfg.threshold));
            model
        }
        _ => None,
    };
    scored.sort_unstable_by(|x, y| y.weight.total_cmp(&x.weight).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    lap("household context and sorting", &mut timings);
    progress.phase("regroupement", None);
    let mut clusters = Clusters::new();
    clusters.extend_to(ds.len());
    let mut edges: Vec<Edge> = scored
        .iter()
        .filter(|p| p.probability >= cfg.threshold)
        .map(|p| Edge { a: p.a, b: p.b, weight: p.weight })
        .collect();
    let guard = cfg.guard_weight;
    // two records of one household are two persons
    if let Some(g) = &groups {
        edges.retain(|e| !g.together(e.a, e.b));
    }
    let mut allowed = |a: u32, b: u32| {
        !groups.as_ref().is_some_and(|g| g.together(a, b)) && scorer.score(a.min(b), a.max(b)).1 >= guard
    };
    let likely: Vec<(u32, u32, f64)> = scored.iter().map(|p| (p.a, p.b, p.weight)).collect();
    let adjacency = Adjacency::new(ds.len(), &likely);
    drop(likely);
    let contest = Contest { adjacency: &adjacency, margin: cfg.contest_margin };
    let apart = Apart::new(&cfg.apart);
    let clustering =
        cluster_edges(&mut clusters, &mut edges, &mut allowed, (cfg.contest_margin > 0.0).then_some(&contest), &apart);
    lap("clustering", &mut timings);
    let blocking = candidates.report.take().unwrap_or(BlockingReport { rules: Vec::new(), total: 0 });
    Outcome {
        blocking,
        training,
        clusters,
        clustering,
        pairs: scored,
        timings,
        comparator: cmp,
        term_frequencies: tf,
        context,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::compare::Level;
    use crate::dataset::DatasetBuilder;
    use crate::eval::pairwise;
    use crate::schema::{FieldKind, Schema};
    /// The project's generator of French noisy reports (`synth::linkage_set`), with its truth.
    fn synthetic(persons: usize, seed: u64) -> (Dataset, Vec<u64>) {
        let (ds, _, truth) = synthetic_with_households(persons, seed);
        (ds, truth)
    }

    /// The same, with each row's household (report) number, not set on the dataset.
    pub(crate) fn synthetic_with_households(persons: usize, seed: u64) -> (Dataset, Vec<u32>, Vec<u64>) {
        generated(persons, seed, false)
    }

    /// The generator's rows with their identity traits (birth name, birth country and commune),
    /// in the full [`Schema::parcours`], with their households set.
    pub(crate) fn synthetic_with_identity(persons: usize, seed: u64) -> (Dataset, Vec<u64>) {
        let (mut ds, households, truth) = generated(persons, seed, true);
        for (i, g) in households.iter().enumerate() {
            ds.set_group(i as u32, *g);
        }
        (ds, truth)
    }

    /// The generator's rows in [`Schema::parcours`] (`identity`) or [`Schema::parcours_core`],
    /// each row's household number, the truth.
    fn generated(persons: usize, seed: u64, identity: bool) -> (Dataset, Vec<u32>, Vec<u64>) {
        let rows = synth::linkage_set::generate(persons, seed);
        let schema = if identity { Schema::parcours() } else { Schema::parcours_core() };
        let mut b = DatasetBuilder::new(schema.clone());
        for r in &rows {
            let birth = r.birth_date.map(|d| d.to_string());
            let v = [
                Some(r.family_name.as_str()),
                Some(r.given_names.as_str()),
                birth.as_deref(),
                Some(r.sex.code()),
                Some(r.commune.as_str()),
                Some(r.birth_name.as_str()),
                Some(r.birth_country.as_str()),
                Some(r.birth_commune.as_str()),
            ];
            b.push(0, &r.id.to_string(), &v[..schema.len()]).unwrap();
        }
        let households = rows.iter().map(|r| u32::try_from(r.household).expect("fewer reports than 2^32")).collect();
        (b.build(2), households, rows.iter().map(|r| r.truth).collect())
    }

    #[test]
    fn missing_birth_dates_are_weighed_as_em_finds_them() {
        // the generator's persons who never give their birth date leave it out of every report:
        // EM, without labels, finds two undated reports more alike than random pairs and one
        // dated and one undated less
        let (ds, truth) = synthetic(6000, 17);
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
        let m = out.model();
        let date = m.columns.iter().find(|c| c.kind == FieldKind::BirthDate).unwrap();
        let weight = |l: Level| {
            let i = date.index_of(l).unwrap();
            (date.m[i] / date.u[i]).log2()
        };
        assert!(weight(Level::BothMissing) > 0.8, "{date:?}");
        assert!(weight(Level::Missing) < -0.2, "{date:?}");
        // the levels of one column are a distribution under both hypotheses
        for v in [&date.m, &date.u] {
            assert!((v.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{v:?}");
        }
        // and what EM finds is what the truth says, within a factor of 1.5
        let cmp = &out.comparator;
        let c = m.columns.iter().position(|c| c.kind == FieldKind::BirthDate).unwrap();
        let both = date.index_of(Level::BothMissing).unwrap() as u8;
        let mut by: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (i, t) in truth.iter().enumerate() {
            by.entry(*t).or_default().push(i as u32);
        }
        let (mut pairs, mut undated) = (0u64, 0u64);
        for members in by.values() {
            for x in 0..members.len() {
                for y in x + 1..members.len() {
                    pairs += 1;
                    undated += u64::from(cmp.compare(&ds, members[x], members[y]).get(c) == both);
                }
            }
        }
        let truth_m = undated as f64 / pairs as f64;
        let fitted = date.m[both as usize];
        assert!(fitted / truth_m < 1.5 && truth_m / fitted < 1.5, "fitted {fitted}, truth {truth_m}");
    }

    #[test]
    fn a_birth_place_given_by_neither_record_is_weighed_too() {
        // the generator's persons who never give a birth date seldom give a birth place
        let (ds, _) = synthetic_with_identity(6000, 17);
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
        for kind in [FieldKind::BirthCountry, FieldKind::BirthPlace] {
            let col = out.model().columns.iter().find(|c| c.kind == kind).unwrap();
            let weight = |l: Level| {
                let i = col.index_of(l).unwrap();
                (col.m[i] / col.u[i]).log2()
            };
            assert!(weight(Level::BothMissing) > 0.2, "{col:?}");
            assert!(weight(Level::BothMissing) > weight(Level::Missing) + 0.3, "{col:?}");
            assert!((col.m.iter().sum::<f64>() - 1.0).abs() < 1e-6, "{col:?}");
        }
    }

    #[test]
    fn identity_traits_raise_recall_at_the_same_precision() {
        let (full, truth) = synthetic_with_identity(8000, 31);
        let (core, groups, _) = synthetic_with_households(8000, 31);
        let mut core = core;
        for (i, g) in groups.iter().enumerate() {
            core.set_group(i as u32, *g);
        }
        let metrics = |ds: &Dataset| {
            let out = run(ds, &PipelineConfig::new(ds, Mode::Dedupe), &NoProgress);
            let clusters: Vec<u64> = out.clusters.assignments().iter().map(|c| c.0).collect();
            (pairwise(&clusters, &truth, None), out)
        };
        let (without, _) = metrics(&core);
        let (with, out) = metrics(&full);
        assert!(with.recall > without.recall + 0.02, "without {without:?}, with {with:?}");
        assert!(with.precision >= 0.995 && with.precision >= without.precision - 0.002, "{without:?} {with:?}");
        // on average the country of birth says little (most are born in France), the commune
        // of birth more
        let m = out.model();
        let exact = |name: &str| {
            let c = m.columns.iter().position(|c| c.name == name).unwrap();
            let l = m.columns[c].index_of(Level::Exact).unwrap();
            m.columns[c].m[l] / m.columns[c].u[l]
        };
        assert!(exact("birth_country") > 1.0, "{}", exact("birth_country"));
        assert!(exact("birth_commune") > 2.0 * exact("birth_country"), "{}", exact("birth_commune"));
    }

    #[test]
    fn a_birth_country_shared_by_namesakes_weighs_less_than_a_coincidence() {
        let (mut ds, _) = synthetic_with_identity(3000, 6);
        let start = ds.len() as u32;
        // forty Nguyen born in Viêt Nam (distinct persons), and two records of a rare name
        for k in 0..40 {
            let date = format!("19{:02}-0{}-1{}", 50 + k, 1 + k % 9, k % 10);
            let given = ["Minh", "Lan", "Huong", "Tuan"][k % 4];
            let v =
                [Some("Nguyen"), Some(given), Some(date.as_str()), Some("M"), Some("69901"), None, Some("99243"), None];
            ds.push(0, &format!("n{k}"), &v).unwrap();
        }
        for k in 0..2 {
            let v = [Some("Zorbaquet"), Some("Tuan"), None, Some("M"), Some("69901"), None, Some("99243"), None];
            ds.push(0, &format!("z{k}"), &v).unwrap();
        }
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
        let scorer = out.scorer(&ds);
        let country = |a: u32, b: u32| {
            let e = scorer.explain(a, b);
            let f = e.fields.iter().find(|f| f.field == "birth_country").unwrap().clone();
            assert_eq!(f.level, Level::Exact);
            f.weight
        };
        let namesakes = country(start, start + 1);
        let rare = country(start + 40, start + 41);
        assert!(rare > namesakes + 2.0, "rare name {rare} bits, Nguyen {namesakes} bits");
    }

    #[test]
    fn records_said_apart_are_never_clustered_together() {
        let (ds, _) = synthetic(3000, 5);
        let mut cfg = PipelineConfig::new(&ds, Mode::Dedupe);
        let before = run(&ds, &cfg, &NoProgress);
        // the engine's clusters of three records or more: a reviewer says two of their members
        // are different people
        let mut big: Vec<Vec<u32>> =
            before.clusters.groups().filter(|(_, m)| m.len() >= 3).map(|(_, m)| m.to_vec()).collect();
        big.sort();
        assert!(big.len() >= 3, "{} clusters of three or more", big.len());
        cfg.apart = big.iter().take(3).map(|m| (m[0], m[m.len() - 1])).collect();
        let after = run(&ds, &cfg, &NoProgress);
        for &(a, b) in &cfg.apart {
            assert_eq!(before.clusters.of(a), before.clusters.of(b));
            assert_ne!(after.clusters.of(a), after.clusters.of(b), "{a} and {b}");
        }
        assert!(after.clustering.vetoed >= before.clustering.vetoed + 3);
        // elsewhere nothing changes
        let touched: Vec<u32> = big.iter().take(3).flatten().copied().collect();
        for (_, members) in before.clusters.groups() {
            if !members.iter().any(|m| touched.contains(m)) {
                assert!(members.iter().all(|&m| after.clusters.of(m) == after.clusters.of(members[0])));
            }
        }
    }

    #[test]
    fn deduplicates_generated_french_records() {
        let (ds, truth) = synthetic(4000, 11);
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
        let clusters: Vec<u64> = out.clusters.assignments().iter().map(|c| c.0).collect();
        let m = pairwise(&clusters, &truth, None);
        assert!(m.precision > 0.97 && m.recall > 0.8 && m.f1 > 0.9, "{m:?}");
        // EM ran and the prior is about the share of true pairs
        assert!(out.training.iterations() > 0);
        let ratio = out.training.expected_matches / m.true_pairs as f64;
        assert!(
            (0.6..1.6).contains(&ratio),
            "expected matches {} for {} true pairs",
            out.training.expected_matches,
            m.true_pairs
        );
        // the model learnt that agreeing is evidence and disagreeing is not
        for c in &out.model().columns {
            let exact = c.index_of(Level::Exact).unwrap();
            let different = c.index_of(Level::Different).unwrap();
            assert!(c.m[exact] > c.u[exact] && c.m[different] < c.u[different], "{c:?}");
        }
        // each candidate pair once, and the report adds up
        let per_rule: u64 = out.blocking.rules.iter().map(|r| r.pairs).sum();
        assert_eq!(per_rule, out.blocking.total);
    }

    #[test]
    fn explanations_add_up_and_frequent_names_weigh_less() {
        let (mut ds, _) = synthetic(3000, 5);
        let start = ds.len() as u32;
        // two pairs identical but for the family name: a frequent one and a rare one
        for (id, family) in [("m1", "Martin"), ("m2", "Martin"), ("r1", "Zyvkowitz"), ("r2", "Zyvkowitz")] {
            ds.push(0, id, &[Some(family), Some("Paul"), Some("1971-02-03"), Some("M"), Some("69001")]).unwrap();
        }
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
        let scorer = Scorer::new(&ds, &out.comparator, out.model(), &out.term_frequencies);
        let frequent = scorer.explain(start, start + 1);
        let rare = scorer.explain(start + 2, start + 3);
        for e in [&frequent, &rare] {
            let sum: f64 = e.prior_weight + e.fields.iter().map(|f| f.weight).sum::<f64>();
            assert!((sum - e.match_weight).abs() < 1e-9);
            assert!(e.fields.iter().all(|f| f.level == Level::Exact));
            assert!(e.fields[0].term_frequency_adjusted);
        }
        assert!(rare.fields[0].weight > frequent.fields[0].weight + 2.0, "{rare:?} {frequent:?}");
        assert!(rare.probability >= frequent.probability);
    }

    #[test]
    fn swapped_rare_names_weigh_more_than_swapped_common_ones() {
        let (mut ds, _) = synthetic(3000, 5);
        let start = ds.len() as u32;
        // two swapped pairs, undated: a frequent name and a rare one
        for (id, family, given) in [
            ("m1", "Martin", "Jean"),
            ("m2", "Jean", "Martin"),
            ("r1", "Zyvkowitz", "Anselme"),
            ("r2", "Anselme", "Zyvkowitz"),
        ] {
            ds.push(0, id, &[Some(family), Some(given), None, Some("M"), Some("69001")]).unwrap();
        }
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Dedupe), &NoProgress);
        let scorer = Scorer::new(&ds, &out.comparator, out.model(), &out.term_frequencies);
        let frequent = scorer.explain(start, start + 1);
        let rare = scorer.explain(start + 2, start + 3);
        for e in [&frequent, &rare] {
            assert_eq!(e.fields[0].level, Level::Swapped);
            assert!(e.fields[0].term_frequency_adjusted);
            let sum: f64 = e.prior_weight + e.fields.iter().map(|f| f.weight).sum::<f64>();
            assert!((sum - e.match_weight).abs() < 1e-9);
        }
        assert!(rare.fields[0].weight > frequent.fields[0].weight + 4.0, "{rare:?} {frequent:?}");
        // the scorer's weight is the explanation's
        let (_, w) = scorer.score(start + 2, start + 3);
        assert!((scorer.prior_weight() + w - rare.match_weight).abs() < 1e-9);
    }

    #[test]
    fn links_two_files() {
        let records = synth::linkage_set::generate(1500, 3);
        let mut b = DatasetBuilder::new(Schema::parcours_core());
        let mut truth = Vec::new();
        // each person's first report in A, its second one (if any) in B
        let mut seen: std::collections::HashMap<u64, u8> = std::collections::HashMap::new();
        for r in &records {
            let n = seen.entry(r.truth).or_insert(0);
            if *n > 1 {
                continue;
            }
            let source = *n;
            *n += 1;
            let birth = r.birth_date.map(|d| d.to_string());
            let v = [
                Some(r.family_name.as_str()),
                Some(r.given_names.as_str()),
                birth.as_deref(),
                Some(r.sex.code()),
                Some(r.commune.as_str()),
            ];
            b.push(source, &r.id.to_string(), &v).unwrap();
            truth.push(r.truth);
        }
        let ds = b.build(2);
        let out = run(&ds, &PipelineConfig::new(&ds, Mode::Link), &NoProgress);
        let clusters: Vec<u64> = out.clusters.assignments().iter().map(|c| c.0).collect();
        let sources: Vec<u8> = (0..ds.len() as u32).map(|i| ds.source(i)).collect();
        let m = pairwise(&clusters, &truth, Some(&sources));
        assert!(m.f1 > 0.9, "{m:?}");
    }
}
