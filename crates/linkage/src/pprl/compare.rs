//! Comparing two encoded records: Dice similarities turned into comparison levels, and a
//! Fellegi–Sunter model (u per level from random pairs, m by EM, see `link`) turning levels into
//! a weight and a match probability.

/// The compared variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    FamilyName,
    GivenNames,
    BirthDate,
    Sex,
    Commune,
    /// When family and given names are identical: whether each record of the pair has no
    /// other namesake at the other partner among its candidate pairs ("sole namesake"). This is
    /// a frequency adjustment computed by the linkage unit from the candidate pairs alone: a
    /// rare name shared by one record on each side is strong evidence, a frequent name is not.
    Namesakes,
}

/// Number of compared variables.
pub const VARS: usize = 6;

impl Var {
    pub const ALL: [Var; VARS] =
        [Var::FamilyName, Var::GivenNames, Var::BirthDate, Var::Sex, Var::Commune, Var::Namesakes];

    pub fn name(self) -> &'static str {
        match self {
            Self::FamilyName => "nom",
            Self::GivenNames => "prénoms",
            Self::BirthDate => "naissance",
            Self::Sex => "sexe",
            Self::Commune => "commune",
            Self::Namesakes => "homonymes",
        }
    }

    /// Names of the levels, in index order. The last one is always "missing" (no evidence).
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Self::FamilyName => &["identique", "proche", "partiel", "différent", "noms inversés", "absent"],
            Self::GivenNames => &["identiques", "premier identique", "proches", "partiels", "différents", "absent"],
            Self::BirthDate => {
                &["identique", "jour/mois inversés", "un chiffre diffère", "proche", "différente", "absente"]
            }
            Self::Sex => &["identique", "différent", "absent"],
            Self::Commune => &["identique", "proche", "différente", "absente"],
            Self::Namesakes => &["homonyme unique", "autres homonymes", "sans objet"],
        }
    }

    pub fn missing(self) -> u8 {
        (self.levels().len() - 1) as u8
    }

    /// Prior m-probabilities (share of true matches at each level, "missing" excluded), from
    /// the noise typical of French by-name lists: the starting point of EM, and the values kept
    /// for sex (and for everything when there are too few pairs for EM).
    fn prior_m(self) -> &'static [f64] {
        match self {
            Self::FamilyName => &[0.80, 0.08, 0.03, 0.05, 0.04],
            Self::GivenNames => &[0.78, 0.10, 0.06, 0.03, 0.03],
            Self::BirthDate => &[0.86, 0.03, 0.07, 0.025, 0.015],
            Self::Sex => &[0.98, 0.02],
            Self::Commune => &[0.70, 0.02, 0.28],
            Self::Namesakes => &[0.85, 0.15],
        }
    }
}

/// The family-name level "given and family names swapped": the given-names variable then
/// brings no evidence of its own (it is part of the swap).
pub const FAMILY_SWAPPED: u8 = 4;

/// Dice thresholds of the comparison levels (on BLIP-corrected Dice).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Names and commune: at least this is "identical" (the same normalised value; below 1 to
    /// absorb BLIP noise and the rare filter collision).
    pub exact: f64,
    /// At least this is "close" (one typo in a 6-letter name gives 0.70–0.80).
    pub close: f64,
    /// At least this is "partial".
    pub partial: f64,
    /// Birth date: at least this is "identical"; at least `date_one_off` is "one digit
    /// differs" (7 of the 9 tokens shared: 0.78); at least `date_close` is "close" (same year and
    /// month: 0.67, the year only: 0.44).
    pub date_exact: f64,
    pub date_one_off: f64,
    pub date_close: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { exact: 0.9, close: 0.7, partial: 0.5, date_exact: 0.9, date_one_off: 0.72, date_close: 0.5 }
    }
}

/// Dice similarities of a pair (`None`: missing on either side).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Similarities {
    pub family: Option<f64>,
    pub given_all: Option<f64>,
    pub given_first: Option<f64>,
    /// Family name of one against the first given name of the other and vice versa, both
    /// under the same key (the minimum of the two Dice).
    pub names_swapped: Option<f64>,
    pub date: Option<f64>,
    /// Date of one against the day/month-swapped date of the other (the larger of both ways).
    pub date_swapped: Option<f64>,
    pub sex: Option<f64>,
    pub commune: Option<f64>,
}

/// Whether family and given names (all, or the first) are identical: the pairs the
/// [`Var::Namesakes`] variable is about.
pub fn names_identical(l: &Levels) -> bool {
    l[0] == 0 && l[1] <= 1
}

/// The levels of a pair, one per [`Var`].
pub type Levels = [u8; VARS];

impl Thresholds {
    fn name_level(&self, d: f64) -> u8 {
        if d >= self.exact {
            0
        } else if d >= self.close {
            1
        } else if d >= self.partial {
            2
        } else {
            3
        }
    }

    pub fn levels(&self, s: &Similarities) -> Levels {
        let mut family = s.family.map_or(Var::FamilyName.missing(), |d| self.name_level(d));
        let mut given = match (s.given_all, s.given_first) {
            (None, None) => Var::GivenNames.missing(),
            (all, first) => {
                let all = all.unwrap_or(0.0);
                if all >= self.exact {
                    0
                } else if first.unwrap_or(0.0) >= self.exact {
                    1
                } else {
                    match self.name_level(all.max(first.unwrap_or(0.0))) {
                        0 | 1 => 2,
                        2 => 3,
                        _ => 4,
                    }
                }
            }
        };
        if family >= 2 && given >= 2 && s.names_swapped.is_some_and(|d| d >= self.close) {
            family = FAMILY_SWAPPED;
            given = Var::GivenNames.missing();
        }
        let date = match s.date {
            None => Var::BirthDate.missing(),
            Some(d) if d >= self.date_exact => 0,
            Some(_) if s.date_swapped.is_some_and(|d| d >= self.date_exact) => 1,
            Some(d) if d >= self.date_one_off => 2,
            Some(d) if d >= self.date_close => 3,
            Some(_) => 4,
        };
        let sex = s.sex.map_or(Var::Sex.missing(), |d| if d >= 0.5 { 0 } else { 1 });
        let commune = s.commune.map_or(Var::Commune.missing(), |d| {
            if d >= self.exact {
                0
            } else if d >= self.close {
                1
            } else {
                2
            }
        });
        [family, given, date, sex, commune, Var::Namesakes.missing()]
    }
}

/// Number of distinct level patterns.
pub const PATTERNS: usize = 6 * 6 * 6 * 3 * 4 * 3;

pub fn pattern_index(l: &Levels) -> u16 {
    let mut i = 0usize;
    for (v, &level) in Var::ALL.iter().zip(l) {
        i = i * v.levels().len() + usize::from(level);
    }
    i as u16
}

pub fn pattern_levels(mut i: u16) -> Levels {
    let mut l = [0u8; VARS];
    for (k, v) in Var::ALL.iter().enumerate().rev() {
        let n = v.levels().len() as u16;
        l[k] = (i % n) as u8;
        i /= n;
    }
    l
}

/// Whether variable `k` carries evidence at these levels (not missing, and not the given
/// names of a swapped pair).
fn counts(l: &Levels, k: usize) -> bool {
    l[k] != Var::ALL[k].missing() && !(k == 1 && l[0] == FAMILY_SWAPPED)
}

/// A Fellegi–Sunter model: for each variable and level, `m` (probability among matches) and
/// `u` (among non-matches), and `lambda`, the prior share of matches among all pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    pub lambda: f64,
    /// EM iterations run, all groups together (0: priors only).
    pub iterations: usize,
}

impl Model {
    /// Prior `m`, and `u` from level counts among random pairs (almost all non-matches).
    pub fn from_random_pairs(random: &[u64; PATTERNS]) -> Self {
        let mut u: Vec<Vec<f64>> = Var::ALL.iter().map(|v| vec![0.0; v.levels().len() - 1]).collect();
        for (p, &n) in random.iter().enumerate() {
            let l = pattern_levels(p as u16);
            for (k, uk) in u.iter_mut().enumerate() {
                if counts(&l, k) {
                    uk[usize::from(l[k])] += n as f64;
                }
            }
        }
        // Half a pair for every level: a level never met among random pairs is rare, not
        // impossible.
        for uk in &mut u {
            normalise(uk, 0.5);
        }
        let m = Var::ALL.iter().map(|v| v.prior_m().to_vec()).collect();
        Self { m, u, lambda: 0.01, iterations: 0 }
    }

    /// `log2(m/u)` summed over the variables carrying evidence.
    pub fn weight(&self, l: &Levels) -> f64 {
        (0..VARS).filter(|&k| counts(l, k)).map(|k| self.level_weight(k, l[k])).sum()
    }

    /// `log2(m/u)` of one variable at one level (0 for missing).
    pub fn level_weight(&self, k: usize, level: u8) -> f64 {
        if level == Var::ALL[k].missing() {
            return 0.0;
        }
        let (m, u) = (self.m[k][usize::from(level)], self.u[k][usize::from(level)]);
        (m / u).log2()
    }

    /// Posterior match probability: `lambda` is the prior share of matches among all the
    /// cross-partner pairs, `u` comes from random pairs, so the weights are those of the whole
    /// pair space (blocking only decides which pairs are looked at).
    pub fn probability(&self, l: &Levels) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        1.0 / (1.0 + (-(self.weight(l) + prior)).exp2())
    }

    /// EM for the m of some variables, on a group of candidate pairs (pattern counts), u held
    /// fixed. Only the variables in `vars` enter the likelihood: those the group's blocking
    /// does not bias (pairs blocked on birth year and sex agree on them whatever they are, so
    /// there the dates and sex say nothing, and pairs found by their names say nothing through
    /// their names). The u of the variables in `free_u` are re-estimated too (those whose
    /// agreeing levels are too rare among random pairs, or too often true matches, to be
    /// measured there). The group's own share of matches is estimated along and returned. Stops
    /// when it moves by less than 1e-7 or after `max_iter` iterations.
    pub fn em_m(
        &mut self,
        counts_by_pattern: &[u64; PATTERNS],
        vars: [bool; VARS],
        free_u: [bool; VARS],
        max_iter: usize,
    ) -> f64 {
        let patterns: Vec<(Levels, f64)> = counts_by_pattern
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(p, &n)| (pattern_levels(p as u16), n as f64))
            .collect();
        let total: f64 = patterns.iter().map(|(_, n)| n).sum();
        let mut lambda: f64 = 0.1;
        if total == 0.0 {
            return 0.0;
        }
        for it in 0..max_iter {
            let prior = (lambda / (1.0 - lambda)).log2();
            let mut m: Vec<Vec<f64>> = self.m.iter().map(|x| vec![0.0; x.len()]).collect();
            let mut u = m.clone();
            let mut matches = 0.0;
            for (l, n) in &patterns {
                let w: f64 = (0..VARS).filter(|&k| vars[k] && counts(l, k)).map(|k| self.level_weight(k, l[k])).sum();
                let g = 1.0 / (1.0 + (-(w + prior)).exp2());
                matches += n * g;
                for k in 0..VARS {
                    if vars[k] && counts(l, k) {
                        m[k][usize::from(l[k])] += n * g;
                        u[k][usize::from(l[k])] += n * (1.0 - g);
                    }
                }
            }
            for (k, (mk, uk)) in m.into_iter().zip(u).enumerate() {
                if vars[k] {
                    self.m[k] = mk;
                    floor(&mut self.m[k], M_FLOOR);
                }
                if vars[k] && free_u[k] {
                    self.u[k] = uk;
                    normalise(&mut self.u[k], 0.5);
                }
            }
            let next = (matches / total).clamp(1e-9, 1.0 - 1e-9);
            let moved = (next - lambda).abs();
            lambda = next;
            self.iterations += 1;
            if moved < 1e-7 || it + 1 == max_iter {
                break;
            }
        }
        lambda
    }

    /// The prior share of matches among all `total_pairs` cross-partner pairs: the fixed point
    /// of "expected matches = sum of the match probabilities of the candidate pairs" (pairs
    /// outside the candidates taken as non-matches).
    pub fn fit_prior(&mut self, counts_by_pattern: &[u64; PATTERNS], total_pairs: f64, max_iter: usize) {
        if total_pairs < 1.0 {
            return;
        }
        self.lambda = 1.0 / total_pairs;
        for _ in 0..max_iter {
            let expected: f64 = counts_by_pattern
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(p, &n)| n as f64 * self.probability(&pattern_levels(p as u16)))
                .sum();
            let next = (expected / total_pairs).clamp(1e-12, 0.5);
            let moved = (next - self.lambda).abs() / next;
            self.lambda = next;
            if moved < 1e-6 {
                break;
            }
        }
    }
}

/// Smallest m of a level: no single disagreement may veto a pair with more than
/// `log2(0.005 / u)` (about −7 bits), since any field can be mistyped, missing a surname change…
const M_FLOOR: f64 = 0.005;

/// Scales to a sum of 1 and raises every cell to at least `min` (then scales again).
fn floor(x: &mut [f64], min: f64) {
    normalise(x, 0.0);
    x.iter_mut().for_each(|v| *v = v.max(min));
    normalise(x, 0.0);
}

/// Adds `smoothing` to every cell and scales to a sum of 1.
fn normalise(x: &mut [f64], smoothing: f64) {
    x.iter_mut().for_each(|v| *v += smoothing);
    let s: f64 = x.iter().sum();
    x.iter_mut().for_each(|v| *v /= s);
}
