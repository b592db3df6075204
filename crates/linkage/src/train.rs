//! Estimating the model without labels.
//!
//! - `u` from random pairs (almost all of them different persons); the exact-match `u` of the
//!   columns with term frequencies is computed exactly (`Σ frequency²`) rather than sampled.
//! - `m` by EM on the pairs of a few **training rules** (e.g. same phonetic surname and birth
//!   date; same given name and birth date; same names), each leaving out the columns of its key
//!   (they agree by construction there). Within a rule's pairs the mixture of matches and
//!   non-matches is fitted with `λ`, `m` and `u` all free (the non-matches of a block are not
//!   random pairs: namesakes share their sex, for one), and only `m` is kept; each column's `m`
//!   is the average of the rules that estimate it, weighted by their expected matches. Large
//!   rules are sampled.
//! - `λ`, the probability that two random records match, by EM over all the candidate pairs with
//!   `m` and `u` fixed, the pairs never compared counting as non-matches.
//!
//! The probabilities are thus those of a pair drawn at random (Splink's convention).

use serde::Serialize;

use crate::blocking::{BlockingRule, Candidates, KeyPart, Mode, RuleSample};
use crate::compare::{Comparator, Level};
use crate::dataset::Dataset;
use crate::em::{self, EmColumns, EmConfig};
use crate::model::{is_missing, is_neutral, Model, TermFrequencies};
use crate::schema::{FieldKind, Schema};
use crate::util::SplitMix;

/// Smallest `m`: no level is ever impossible for a match.
const M_FLOOR: f64 = 1e-4;

#[derive(Debug, Clone, Serialize)]
pub struct TrainConfig {
    /// Random pairs compared to estimate `u`.
    pub random_pairs: usize,
    /// Rules whose pairs `m` is estimated on (`None`: [`training_rules`]).
    pub rules: Option<Vec<BlockingRule>>,
    /// At most this many pairs per training rule (sampled beyond).
    pub pairs_per_rule: usize,
    pub max_block: usize,
    pub seed: u64,
    pub max_iterations: usize,
    pub tolerance: f64,
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            random_pairs: 300_000,
            rules: None,
            pairs_per_rule: 150_000,
            max_block: 5_000,
            seed: 0x70a7,
            max_iterations: 1000,
            tolerance: 1e-6,
            threads: 2,
        }
    }
}

/// The default training rules of a schema: surname + birth date, given name + birth date, both
/// names, and birth date + each code.
pub fn training_rules(schema: &Schema) -> Vec<BlockingRule> {
    use KeyPart::*;
    let f = schema.first_of(FieldKind::FamilyName);
    let g = schema.first_of(FieldKind::GivenName);
    let d = schema.first_of(FieldKind::BirthDate);
    let mut rules = Vec::new();
    if let (Some(f), Some(d)) = (f, d) {
        rules.push(BlockingRule::new("nom + date de naissance", vec![Phonetic(f), Exact(d)]));
    }
    if let (Some(g), Some(d)) = (g, d) {
        rules.push(BlockingRule::new("prénom + date de naissance", vec![Phonetic(g), Exact(d)]));
    }
    if let (Some(f), Some(g)) = (f, g) {
        rules.push(BlockingRule::new("nom + prénom", vec![Phonetic(f), Phonetic(g)]));
    }
    if let Some(d) = d {
        for (c, field) in schema.fields.iter().enumerate() {
            if field.kind == FieldKind::Code {
                rules.push(BlockingRule::new(format!("date de naissance + {}", field.name), vec![Exact(d), Exact(c)]));
            }
        }
    }
    rules
}

/// How EM went on one training rule's pairs.
#[derive(Debug, Clone, Serialize)]
pub struct RuleFit {
    pub rule: String,
    /// Pairs compared (a sample when the rule has more than `pairs_per_rule`).
    pub pairs: u64,
    /// Share of matches among the rule's pairs.
    pub lambda: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Columns whose `m` this rule estimated (those not in its key).
    pub columns: Vec<String>,
}

/// A trained model and how the training went.
#[derive(Debug, Clone, Serialize)]
pub struct Training {
    pub model: Model,
    /// EM on each training rule's pairs.
    pub rules: Vec<RuleFit>,
    /// Iterations of the EM for the prior.
    pub prior_iterations: usize,
    pub prior_converged: bool,
    pub random_pairs: usize,
    /// Expected matches among all pairs (prior × pairs).
    pub expected_matches: f64,
    pub total_pairs: f64,
}

impl Training {
    /// EM iterations in all (training rules and prior).
    pub fn iterations(&self) -> usize {
        self.rules.iter().map(|r| r.iterations).sum::<usize>() + self.prior_iterations
    }

    /// Whether every EM run converged.
    pub fn converged(&self) -> bool {
        self.prior_converged && self.rules.iter().all(|r| r.converged)
    }
}

/// The number of possible pairs: all pairs (dedupe) or pairs across sources (link).
pub fn total_pairs(ds: &Dataset, mode: Mode) -> f64 {
    let n = ds.len() as f64;
    match mode {
        Mode::Dedupe => n * (n - 1.0) / 2.0,
        Mode::Link => {
            let mut per = [0f64; 256];
            for i in 0..ds.len() {
                per[ds.source(i as u32) as usize] += 1.0;
            }
            let sq: f64 = per.iter().map(|x| x * x).sum();
            (n * n - sq) / 2.0
        }
    }
}

/// `u` per column and level from random pairs (see the module docs).
pub fn estimate_u(
    ds: &Dataset,
    cmp: &Comparator,
    tf: &TermFrequencies,
    mode: Mode,
    cfg: &TrainConfig,
) -> Vec<Vec<f64>> {
    let n = ds.len() as u64;
    let k = cmp.columns.len();
    let mut counts: Vec<Vec<u64>> = cmp.columns.iter().map(|c| vec![0; c.levels().len()]).collect();
    // cross agreements (family of one ≈ given of the other, and the reverse), pairs with both
    let mut cross = [0u64; 5];
    if n >= 2 {
        let threads = cfg.threads.max(1);
        let per_thread = cfg.random_pairs.div_ceil(threads);
        let partial: Vec<(Vec<Vec<u64>>, [u64; 5])> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|t| {
                    s.spawn(move || {
                        let mut rng = SplitMix::new(cfg.seed ^ (t as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                        let mut c: Vec<Vec<u64>> = cmp.columns.iter().map(|c| vec![0; c.levels().len()]).collect();
                        let mut x = [0u64; 5];
                        let mut done = 0;
                        let mut tries = 0;
                        while done < per_thread && tries < per_thread * 20 {
                            tries += 1;
                            let a = rng.below(n) as u32;
                            let b = rng.below(n) as u32;
                            if a == b || (mode == Mode::Link && ds.source(a) == ds.source(b)) {
                                continue;
                            }
                            let p = cmp.compare(ds, a.min(b), a.max(b));
                            for (col, cc) in c.iter_mut().enumerate() {
                                cc[p.get(col) as usize] += 1;
                            }
                            if let Some((fg, gf)) = cmp.cross_levels(ds, a, b) {
                                x[0] += 1;
                                x[1] += u64::from(fg <= Level::Close);
                                x[2] += u64::from(gf <= Level::Close);
                                x[3] += u64::from(fg <= Level::Fuzzy);
                                x[4] += u64::from(gf <= Level::Fuzzy);
                            }
                            done += 1;
                        }
                        (c, x)
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("sampling thread")).collect()
        });
        for (p, x) in partial {
            for c in 0..k {
                for (l, v) in p[c].iter().enumerate() {
                    counts[c][l] += v;
                }
            }
            for (t, v) in cross.iter_mut().zip(x) {
                *t += v;
            }
        }
    }
    // Swapped names: both cross agreements, one strong and the other at least fuzzy
    // (`compare::is_swap`), whose chance is reckoned from each one's as if independent (far too
    // rare to be counted among random pairs).
    let swapped_u = (cross[0] > 0).then(|| {
        let n = cross[0] as f64 + 1.0;
        let share = |k: usize| (cross[k] as f64 + 0.5) / n;
        let (strong, fuzzy) = ((share(1), share(2)), (share(3), share(4)));
        strong.0 * fuzzy.1 + fuzzy.0 * strong.1 - strong.0 * strong.1
    });
    let swap_col = cmp.swap_columns().map(|(f, _)| f);
    let mut u: Vec<Vec<f64>> = cmp
        .columns
        .iter()
        .enumerate()
        .map(|(c, col)| {
            let levels = col.levels();
            let exact = levels.iter().position(|l| *l == Level::Exact);
            let tf_exact = (col.kind != FieldKind::Sex).then(|| tf.exact_u(c)).flatten().filter(|u| *u > 0.0);
            let informative: Vec<usize> = (0..levels.len()).filter(|&l| !is_neutral(col.kind, levels[l])).collect();
            // weighed missing levels (birth date and place) take their share of the random pairs;
            // the levels of two present values share the rest, the exact one by the values'
            // frequencies (which are counted among present values)
            let all_total: f64 = informative.iter().map(|&l| counts[c][l] as f64 + 0.5).sum();
            let missing_share = |l: usize| (counts[c][l] as f64 + 0.5) / all_total;
            let present: f64 =
                1.0 - informative.iter().filter(|&&l| is_missing(levels[l])).map(|&l| missing_share(l)).sum::<f64>();
            let others: Vec<usize> = informative
                .iter()
                .copied()
                .filter(|&l| !(is_missing(levels[l]) || (tf_exact.is_some() && Some(l) == exact)))
                .collect();
            let others_total: f64 = others.iter().map(|&l| counts[c][l] as f64 + 0.5).sum();
            let rest = 1.0 - tf_exact.unwrap_or(0.0);
            (0..levels.len())
                .map(|l| {
                    if is_neutral(col.kind, levels[l]) {
                        1.0
                    } else if is_missing(levels[l]) {
                        missing_share(l)
                    } else if tf_exact.is_some() && Some(l) == exact {
                        present * tf_exact.unwrap_or(0.0)
                    } else {
                        present * rest * (counts[c][l] as f64 + 0.5) / others_total
                    }
                })
                .collect()
        })
        .collect();
    if let (Some(c), Some(su)) = (swap_col, swapped_u) {
        if let Some(l) = cmp.columns[c].levels().iter().position(|l| *l == Level::Swapped) {
            u[c][l] = su;
        }
    }
    u
}

/// The training rules of a configuration (its own or the schema's defaults).
pub fn rules_of(ds: &Dataset, cfg: &TrainConfig) -> Vec<BlockingRule> {
    cfg.rules.clone().unwrap_or_else(|| training_rules(ds.schema()))
}

/// Trains a model (see the module docs). `samples` are the patterns of the pairs of each of the
/// training rules ([`rules_of`]), in order, as [`crate::blocking::candidates_and_samples`]
/// returns them.
pub fn train(
    ds: &Dataset,
    cmp: &Comparator,
    tf: &TermFrequencies,
    candidates: &Candidates,
    samples: &[RuleSample],
    mode: Mode,
    cfg: &TrainConfig,
) -> Training {
    let u = estimate_u(ds, cmp, tf, mode, cfg);
    let defaults = Model::default_for(cmp);
    let k = cmp.columns.len();
    let base_neutral: Vec<Vec<bool>> =
        cmp.columns.iter().map(|c| c.levels().iter().map(|&l| is_neutral(c.kind, l)).collect()).collect();
    let levels: Vec<usize> = cmp.columns.iter().map(|c| c.levels().len()).collect();
    let rules = rules_of(ds, cfg);
    let mut m_sum: Vec<Vec<f64>> = levels.iter().map(|&l| vec![0.0; l]).collect();
    let mut m_weight = vec![0.0f64; k];
    let mut fits = Vec::new();
    for (rule, (counts, pairs)) in rules.iter().zip(samples) {
        let (counts, pairs) = (counts, *pairs);
        let fields = rule.fields();
        // a rule on the given name also leaves out the family name: swapped names (a level of
        // the family name) cannot satisfy it
        let on_given = fields.iter().any(|&f| ds.schema().fields[f].kind == FieldKind::GivenName);
        let blocked: Vec<bool> = cmp
            .columns
            .iter()
            .map(|c| fields.contains(&c.field) || (on_given && c.kind == FieldKind::FamilyName))
            .collect();
        if blocked.iter().all(|b| *b) {
            continue;
        }
        if pairs < 20 {
            continue;
        }
        let cols = EmColumns {
            levels: levels.clone(),
            neutral: (0..k).map(|c| if blocked[c] { vec![true; levels[c]] } else { base_neutral[c].clone() }).collect(),
        };
        let em_cfg = EmConfig {
            lambda: 0.5,
            m: defaults.columns.iter().map(|c| c.m.clone()).collect(),
            u: u.clone(),
            // Within a block, the names and dates of different persons are about as alike as
            // those of random pairs: their u stays the random pairs' (this is what makes the
            // fit identifiable); sex, codes and birth places are not (namesakes share their sex
            // and often their origin, relatives their commune): their u is fitted.
            fix_u: cmp.columns.iter().map(|c| !c.kind.shared_by_namesakes()).collect(),
            max_iterations: cfg.max_iterations,
            tolerance: cfg.tolerance,
        };
        let fit = em::fit(counts, &cols, &em_cfg);
        let expected = fit.lambda * pairs as f64;
        for c in (0..k).filter(|&c| !blocked[c]) {
            for (acc, m) in m_sum[c].iter_mut().zip(&fit.m[c]) {
                *acc += expected * m;
            }
            m_weight[c] += expected;
        }
        fits.push(RuleFit {
            rule: rule.name.clone(),
            pairs,
            lambda: fit.lambda,
            iterations: fit.iterations,
            converged: fit.converged,
            columns: (0..k).filter(|&c| !blocked[c]).map(|c| cmp.columns[c].name.clone()).collect(),
        });
    }
    let mut model = defaults;
    for (c, col) in model.columns.iter_mut().enumerate() {
        if m_weight[c] > 0.0 {
            let m: Vec<f64> = (0..levels[c])
                .map(|l| if base_neutral[c][l] { 1.0 } else { (m_sum[c][l] / m_weight[c]).max(M_FLOOR) })
                .collect();
            let norm: f64 = (0..levels[c]).filter(|&l| !base_neutral[c][l]).map(|l| m[l]).sum();
            col.m = (0..levels[c]).map(|l| if base_neutral[c][l] { 1.0 } else { m[l] / norm }).collect();
        }
        col.u = u[c].clone();
    }
    // λ for a random pair: EM over all pairs, the pairs never compared counting as non-matches
    let all = &candidates.patterns;
    let total = total_pairs(ds, mode).max(1.0);
    let weights: Vec<Vec<f64>> = model.columns.iter().map(|c| c.weights()).collect();
    let pattern_bf: Vec<(f64, f64)> = all
        .iter()
        .map(|(p, n)| {
            let w: f64 = (0..k).map(|c| weights[c][p.get(c) as usize]).sum();
            (w.exp2(), *n as f64)
        })
        .collect();
    let candidates_n: f64 = pattern_bf.iter().map(|(_, n)| n).sum();
    let mut prior = (0.5 * candidates_n / total).clamp(1e-12, 0.5);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < cfg.max_iterations {
        iterations += 1;
        let odds = prior / (1.0 - prior);
        let expected: f64 = pattern_bf.iter().map(|(bf, n)| n * (odds * bf) / (1.0 + odds * bf)).sum();
        let next = (expected / total).clamp(1e-12, 0.5);
        let change = ((next - prior) / prior).abs();
        prior = next;
        if change < 1e-6 {
            converged = true;
            break;
        }
    }
    model.prior = prior;
    Training {
        model,
        rules: fits,
        prior_iterations: iterations,
        prior_converged: converged,
        random_pairs: cfg.random_pairs,
        expected_matches: prior * total,
        total_pairs: total,
    }
}
