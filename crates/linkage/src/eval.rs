//! Pairwise evaluation of a clustering against the truth: the pairs of records put together
//! by the clusters versus the pairs of records of the same true entity.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PairwiseMetrics {
    pub true_positives: u64,
    pub predicted_pairs: u64,
    pub true_pairs: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

fn pairs_in(counts: &[u64]) -> u64 {
    // pairs within a group, or across sources when counts are per source
    let n: u64 = counts.iter().sum();
    let same: u64 = counts.iter().map(|c| c * c).sum();
    (n * n - same) / 2
}

/// Pairwise precision, recall and F1. `cluster[i]` and `truth[i]` are the predicted and true
/// entity of record `i`. With `sources`, only pairs of records of different sources count
/// (link mode); otherwise all pairs (dedupe).
pub fn pairwise(cluster: &[u64], truth: &[u64], sources: Option<&[u8]>) -> PairwiseMetrics {
    assert_eq!(cluster.len(), truth.len());
    let n = cluster.len();
    let src = |i: usize| sources.map_or(0u8, |s| s[i]);
    // counts the pairs of each group of equal keys: with sources, pairs across sources;
    // without, every record is its own "source" so all pairs count.
    let count = |key: &dyn Fn(usize) -> (u64, u64)| -> u64 {
        let mut idx: Vec<(u64, u64, u8, u32)> = (0..n).map(|i| (key(i).0, key(i).1, src(i), i as u32)).collect();
        idx.sort_unstable();
        let mut total = 0u64;
        let mut s = 0;
        while s < n {
            let mut e = s + 1;
            while e < n && (idx[e].0, idx[e].1) == (idx[s].0, idx[s].1) {
                e += 1;
            }
            if sources.is_some() {
                let mut per: Vec<u64> = Vec::new();
                let mut k = s;
                while k < e {
                    let mut l = k + 1;
                    while l < e && idx[l].2 == idx[k].2 {
                        l += 1;
                    }
                    per.push((l - k) as u64);
                    k = l;
                }
                total += pairs_in(&per);
            } else {
                let m = (e - s) as u64;
                total += m * (m - 1) / 2;
            }
            s = e;
        }
        total
    };
    let predicted = count(&|i| (cluster[i], 0));
    let true_pairs = count(&|i| (truth[i], 0));
    let tp = count(&|i| (cluster[i], truth[i]));
    let precision = if predicted == 0 { 1.0 } else { tp as f64 / predicted as f64 };
    let recall = if true_pairs == 0 { 1.0 } else { tp as f64 / true_pairs as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    PairwiseMetrics { true_positives: tp, predicted_pairs: predicted, true_pairs, precision, recall, f1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pairs() {
        // truth: {0,1,2} {3,4}; predicted: {0,1} {2,3,4}
        let m = pairwise(&[1, 1, 2, 2, 2], &[7, 7, 7, 8, 8], None);
        assert_eq!((m.true_positives, m.predicted_pairs, m.true_pairs), (2, 4, 4));
        assert!((m.f1 - 0.5).abs() < 1e-12);
        let perfect = pairwise(&[5, 5, 6], &[1, 1, 2], None);
        assert_eq!(perfect.f1, 1.0);
    }

    #[test]
    fn link_mode_counts_pairs_across_sources_only() {
        // records 0,1 from A, 2,3 from B; truth pairs across: (0,2) (1,3)
        let m = pairwise(&[1, 1, 1, 3], &[10, 11, 10, 11], Some(&[0, 0, 1, 1]));
        assert_eq!(m.true_pairs, 2);
        assert_eq!(m.predicted_pairs, 2, "(0,2) and (1,2); (0,1) is within A");
        assert_eq!(m.true_positives, 1);
    }
}
