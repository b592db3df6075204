//! Expectation–maximisation for the Fellegi–Sunter mixture, without labels.
//!
//! The data are the distinct comparison patterns with their counts; each column has a number
//! of levels, some of them *neutral* (missing values, the given name of a swapped pair): a
//! neutral level carries no evidence and is left out of the likelihood. The model is the
//! two-class latent mixture with conditionally independent columns: `λ`, and for every column
//! `m[l] = P(level l | match)` and `u[l] = P(level l | non-match)` over its non-neutral levels.

use serde::Serialize;

use crate::compare::Pattern;

/// The shape of the columns: number of levels and which are neutral.
#[derive(Debug, Clone)]
pub struct EmColumns {
    pub levels: Vec<usize>,
    pub neutral: Vec<Vec<bool>>,
}

/// Starting point and stopping rule.
#[derive(Debug, Clone)]
pub struct EmConfig {
    pub lambda: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    /// Per column: keep its `u` as given (estimate only `λ` and `m` for it).
    pub fix_u: Vec<bool>,
    pub max_iterations: usize,
    /// Stop when no parameter moves more than this.
    pub tolerance: f64,
}

/// The fitted parameters and how the fit went.
#[derive(Debug, Clone, Serialize)]
pub struct EmFit {
    pub lambda: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    pub iterations: usize,
    pub converged: bool,
    /// Largest parameter change at the last iteration.
    pub last_change: f64,
    pub log_likelihood: f64,
}

const FLOOR: f64 = 1e-9;

/// Fits the mixture to pattern counts.
pub fn fit(patterns: &[(Pattern, u64)], cols: &EmColumns, cfg: &EmConfig) -> EmFit {
    let k = cols.levels.len();
    let mut lambda = cfg.lambda.clamp(1e-9, 1.0 - 1e-9);
    let mut m = normalised(&cfg.m, cols);
    let mut u = normalised(&cfg.u, cols);
    let mut iterations = 0;
    let mut converged = false;
    let mut last_change = f64::INFINITY;
    let mut log_likelihood = f64::NEG_INFINITY;
    // decoded patterns: level per column, usize::MAX for neutral
    let decoded: Vec<(Vec<usize>, f64)> = patterns
        .iter()
        .map(|(p, n)| {
            let lv = (0..k)
                .map(|c| {
                    let l = p.get(c) as usize;
                    if cols.neutral[c][l] {
                        usize::MAX
                    } else {
                        l
                    }
                })
                .collect();
            (lv, *n as f64)
        })
        .collect();
    let total: f64 = decoded.iter().map(|(_, n)| n).sum();
    if total == 0.0 {
        return EmFit { lambda, m, u, iterations: 0, converged: true, last_change: 0.0, log_likelihood: 0.0 };
    }
    while iterations < cfg.max_iterations {
        iterations += 1;
        let mut m_acc: Vec<Vec<f64>> = cols.levels.iter().map(|&l| vec![0.0; l]).collect();
        let mut u_acc = m_acc.clone();
        let mut matches = 0.0;
        let mut ll = 0.0;
        for (lv, n) in &decoded {
            let mut pm = lambda;
            let mut pu = 1.0 - lambda;
            for (c, &l) in lv.iter().enumerate() {
                if l != usize::MAX {
                    pm *= m[c][l];
                    pu *= u[c][l];
                }
            }
            let sum = pm + pu;
            let w = if sum > 0.0 { pm / sum } else { 0.0 };
            ll += n * sum.max(f64::MIN_POSITIVE).ln();
            matches += n * w;
            for (c, &l) in lv.iter().enumerate() {
                if l != usize::MAX {
                    m_acc[c][l] += n * w;
                    u_acc[c][l] += n * (1.0 - w);
                }
            }
        }
        let new_lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        let new_m = normalised(&m_acc, cols);
        let mut new_u = normalised(&u_acc, cols);
        for (c, fixed) in cfg.fix_u.iter().enumerate() {
            if *fixed {
                new_u[c].clone_from(&u[c]);
            }
        }
        let mut change = (new_lambda - lambda).abs();
        for c in 0..k {
            for l in 0..cols.levels[c] {
                change = change.max((new_m[c][l] - m[c][l]).abs()).max((new_u[c][l] - u[c][l]).abs());
            }
        }
        lambda = new_lambda;
        m = new_m;
        u = new_u;
        last_change = change;
        log_likelihood = ll;
        if change < cfg.tolerance {
            converged = true;
            break;
        }
    }
    EmFit { lambda, m, u, iterations, converged, last_change, log_likelihood }
}

/// Normalises each column over its non-neutral levels, with a small floor; neutral levels get 1.
fn normalised(p: &[Vec<f64>], cols: &EmColumns) -> Vec<Vec<f64>> {
    p.iter()
        .enumerate()
        .map(|(c, v)| {
            let sum: f64 = v.iter().enumerate().filter(|(l, _)| !cols.neutral[c][*l]).map(|(_, x)| x.max(FLOOR)).sum();
            v.iter()
                .enumerate()
                .map(|(l, x)| if cols.neutral[c][l] { 1.0 } else { x.max(FLOOR) / sum.max(FLOOR) })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::{FxMap, SplitMix};

    /// Draws patterns from a known model and checks that EM recovers it.
    #[test]
    fn recovers_known_parameters() {
        let true_lambda = 0.2;
        let true_m = [vec![0.85, 0.1, 0.05], vec![0.7, 0.2, 0.1], vec![0.9, 0.1], vec![0.8, 0.15, 0.05]];
        let true_u = [vec![0.02, 0.08, 0.9], vec![0.05, 0.15, 0.8], vec![0.3, 0.7], vec![0.01, 0.09, 0.9]];
        let cols = EmColumns {
            levels: vec![4, 4, 3, 4],
            neutral: vec![vec![false, false, false, true]; 2]
                .into_iter()
                .chain([vec![false, false, true], vec![false, false, false, true]])
                .collect(),
        };
        let mut rng = SplitMix::new(42);
        let draw = |rng: &mut SplitMix, p: &[f64]| {
            let x = rng.unit();
            let mut acc = 0.0;
            for (i, q) in p.iter().enumerate() {
                acc += q;
                if x < acc {
                    return i;
                }
            }
            p.len() - 1
        };
        let mut counts: FxMap<Pattern, u64> = FxMap::default();
        for _ in 0..200_000 {
            let is_match = rng.chance(true_lambda);
            let mut p = Pattern(0);
            for c in 0..4 {
                let probs = if is_match { &true_m[c] } else { &true_u[c] };
                // 5% missing
                let l = if rng.chance(0.05) { cols.levels[c] - 1 } else { draw(&mut rng, probs) };
                p.set(c, l as u8);
            }
            *counts.entry(p).or_default() += 1;
        }
        let patterns: Vec<(Pattern, u64)> = counts.into_iter().collect();
        let init = |v: &[f64]| v.to_vec();
        let cfg = EmConfig {
            lambda: 0.5,
            m: vec![
                init(&[0.6, 0.3, 0.1, 0.0]),
                init(&[0.6, 0.3, 0.1, 0.0]),
                init(&[0.6, 0.4, 0.0]),
                init(&[0.6, 0.3, 0.1, 0.0]),
            ],
            u: vec![
                init(&[0.1, 0.2, 0.7, 0.0]),
                init(&[0.1, 0.2, 0.7, 0.0]),
                init(&[0.4, 0.6, 0.0]),
                init(&[0.1, 0.2, 0.7, 0.0]),
            ],
            fix_u: vec![false; 4],
            max_iterations: 500,
            tolerance: 1e-7,
        };
        let fit = fit(&patterns, &cols, &cfg);
        assert!(fit.converged, "{fit:?}");
        assert!((fit.lambda - true_lambda).abs() < 0.01, "λ {}", fit.lambda);
        for c in 0..4 {
            for l in 0..true_m[c].len() {
                assert!((fit.m[c][l] - true_m[c][l]).abs() < 0.02, "m[{c}][{l}] {} vs {}", fit.m[c][l], true_m[c][l]);
                assert!((fit.u[c][l] - true_u[c][l]).abs() < 0.02, "u[{c}][{l}] {} vs {}", fit.u[c][l], true_u[c][l]);
            }
        }
        // the likelihood never decreases: a second run from the fit moves nothing
        let again = super::fit(
            &patterns,
            &cols,
            &EmConfig { lambda: fit.lambda, m: fit.m.clone(), u: fit.u.clone(), max_iterations: 3, ..cfg.clone() },
        );
        assert!(again.log_likelihood >= fit.log_likelihood - 1e-6 * fit.log_likelihood.abs());
    }
}
