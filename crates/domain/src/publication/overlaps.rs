//! The figures of a count of persons across partners (`parcours pprl link`), protected for
//! publication: each partner's persons, each two partners' common persons, the unique persons
//! and those known to several partners. A figure under the threshold is not published (primary
//! suppression), and no figure is published from which, with the others, a suppressed one could
//! be recomputed exactly (secondary suppression, checked by exact linear algebra over the
//! persons of each combination of partners, which is all an attacker may write equations on).

use super::linear::{determined, Equation};

/// Above this many partners the combinations are too many to check exactly.
pub const MAX_EXACT_PARTNERS: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figure {
    /// The persons a partner knows.
    Partner(usize),
    /// The persons two partners both know.
    Common(usize, usize),
    /// The unique persons across partners.
    Unique,
    /// The persons known to at least two partners.
    Shared,
}

impl Figure {
    /// The combinations of partners (bit p: partner p) whose persons this figure adds up.
    fn regions(self, n: usize) -> Vec<usize> {
        let has = |m: usize, p: usize| m >> p & 1 == 1;
        let masks = 1..1usize << n;
        match self {
            Self::Partner(p) => masks.filter(|&m| has(m, p)).collect(),
            Self::Common(p, q) => masks.filter(|&m| has(m, p) && has(m, q)).collect(),
            Self::Unique => masks.collect(),
            Self::Shared => masks.filter(|m| m.count_ones() >= 2).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    Value(u64),
    /// Under the threshold.
    Below(u32),
    /// Withheld so that no figure under the threshold can be recomputed.
    Withheld,
}

/// The figures of `n` partners from `regions[mask]`: the persons known to exactly the partners
/// of `mask` (bit p: partner p; `regions[0]` unused; `regions.len() == 1 << n`).
pub fn protect(n: usize, regions: &[u64], threshold: u32) -> Vec<(Figure, u64, Shown)> {
    assert!(n <= MAX_EXACT_PARTNERS, "at most {MAX_EXACT_PARTNERS} partners");
    assert_eq!(regions.len(), 1 << n, "one count per combination of partners");
    let mut figures: Vec<Figure> = (0..n).map(Figure::Partner).collect();
    figures.extend((0..n).flat_map(|p| (p + 1..n).map(move |q| Figure::Common(p, q))));
    figures.extend([Figure::Unique, Figure::Shared]);
    let figures: Vec<(Figure, Vec<usize>)> = figures.into_iter().map(|f| (f, f.regions(n))).collect();
    let values: Vec<u64> = figures.iter().map(|(_, ms)| ms.iter().map(|&m| regions[m]).sum()).collect();
    let mut shown: Vec<Shown> = values
        .iter()
        .map(|&v| if v > 0 && v < u64::from(threshold) { Shown::Below(threshold) } else { Shown::Value(v) })
        .collect();
    let hidden = |s: &Shown| !matches!(s, Shown::Value(_));
    if shown.iter().any(hidden) {
        // the figures after the regions, as unknowns; each figure is the sum of its regions
        let unknowns = regions.len() + figures.len();
        let definitions: Vec<Equation> = figures
            .iter()
            .enumerate()
            .map(|(j, (_, ms))| {
                let mut e: Equation = ms.iter().map(|&m| (m, 1)).collect();
                e.push((regions.len() + j, -1));
                e
            })
            .collect();
        let recoverable = |shown: &[Shown]| -> usize {
            let mut eqs = definitions.clone();
            eqs.extend(shown.iter().enumerate().filter(|(_, s)| !hidden(s)).map(|(j, _)| vec![(regions.len() + j, 1)]));
            let known = determined(unknowns, &eqs);
            shown.iter().enumerate().filter(|(j, s)| hidden(s) && known[regions.len() + j]).count()
        };
        // withhold, one at a time, the figure whose withholding leaves fewest suppressed
        // figures recoverable: the totals first, then the largest figures
        while recoverable(&shown) > 0 {
            let mut order: Vec<usize> = (0..figures.len()).filter(|&j| !hidden(&shown[j])).collect();
            order.sort_by_key(|&j| {
                let rank = match figures[j].0 {
                    Figure::Shared => 0,
                    Figure::Unique => 1,
                    Figure::Partner(_) => 2,
                    Figure::Common(..) => 3,
                };
                (rank, std::cmp::Reverse(values[j]))
            });
            let best = order
                .iter()
                .copied()
                .min_by_key(|&j| {
                    let mut trial = shown.clone();
                    trial[j] = Shown::Withheld;
                    recoverable(&trial)
                })
                .expect("a figure left to withhold while one is recoverable");
            shown[best] = Shown::Withheld;
        }
    }
    figures.into_iter().zip(values).zip(shown).map(|(((f, _), v), s)| (f, v, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(out: &[(Figure, u64, Shown)], f: Figure) -> Shown {
        out.iter().find(|x| x.0 == f).unwrap().2
    }

    #[test]
    fn nothing_small_publishes_everything() {
        // A only 100, B only 200, both 50
        let out = protect(2, &[0, 100, 200, 50], 11);
        assert!(out.iter().all(|x| matches!(x.2, Shown::Value(_))));
        assert_eq!(shown(&out, Figure::Unique), Shown::Value(350));
        assert_eq!(shown(&out, Figure::Common(0, 1)), Shown::Value(50));
    }

    #[test]
    fn two_partners_small_overlap_also_hides_what_would_give_it_back() {
        // both know 4 persons: A + B − unique = 4, and shared = 4
        let out = protect(2, &[0, 100, 200, 4], 11);
        assert_eq!(shown(&out, Figure::Common(0, 1)), Shown::Below(11));
        assert_eq!(shown(&out, Figure::Shared), Shown::Below(11), "the same 4 persons");
        let published: Vec<Figure> = out.iter().filter(|x| matches!(x.2, Shown::Value(_))).map(|x| x.0).collect();
        // A, B and unique together give the overlap: one of them is withheld too
        assert!(published.len() <= 2, "{published:?}");
    }

    #[test]
    fn no_published_set_lets_an_attacker_recompute_a_suppressed_figure() {
        // three partners, one small pairwise overlap
        let mut regions = vec![0u64; 8];
        regions[0b001] = 300;
        regions[0b010] = 250;
        regions[0b100] = 400;
        regions[0b011] = 40;
        regions[0b101] = 3;
        regions[0b110] = 60;
        regions[0b111] = 20;
        let out = protect(3, &regions, 11);
        assert_eq!(shown(&out, Figure::Common(0, 2)), Shown::Value(23), "3 + 20 is not small");
        regions[0b111] = 2;
        let out = protect(3, &regions, 11);
        assert_eq!(shown(&out, Figure::Common(0, 2)), Shown::Below(11));
        // the published figures do not determine the common persons of partners 0 and 2
        let mut eqs: Vec<Equation> = Vec::new();
        for (j, (f, _, s)) in out.iter().enumerate() {
            let ms = f.regions(3);
            let mut e: Equation = ms.iter().map(|&m| (m, 1)).collect();
            e.push((8 + j, -1));
            eqs.push(e);
            if matches!(s, Shown::Value(_)) {
                eqs.push(vec![(8 + j, 1)]);
            }
        }
        let j = out.iter().position(|x| x.0 == Figure::Common(0, 2)).unwrap();
        assert!(!determined(8 + out.len(), &eqs)[8 + j]);
        assert!(out.iter().filter(|x| matches!(x.2, Shown::Value(_))).count() >= 4, "not everything withheld: {out:?}");
    }
}
