//! Comparing two encoded records: Dice similarities turned into comparison levels, and a
//! Fellegi–Sunter model (m and u per level, estimated by EM) turning levels into a weight and a
//! match probability.

/// The compared variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    FamilyName,
    GivenNames,
    BirthDate,
    Sex,
    Commune,
}

impl Var {
    pub const ALL: [Var; 5] = [Var::FamilyName, Var::GivenNames, Var::BirthDate, Var::Sex, Var::Commune];

    pub fn name(self) -> &'static str {
        match self {
            Self::FamilyName => "nom",
            Self::GivenNames => "prénoms",
            Self::BirthDate => "naissance",
            Self::Sex => "sexe",
            Self::Commune => "commune",
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
        }
    }

    pub fn missing(self) -> u8 {
        (self.levels().len() - 1) as u8
    }

    /// Prior m-probabilities (share of true matches at each level, "missing" excluded): the
    /// starting point of EM, from the noise typical of French by-name lists.
    fn prior_m(self) -> &'static [f64] {
        match self {
            Self::FamilyName => &[0.80, 0.08, 0.03, 0.05, 0.04],
            Self::GivenNames => &[0.78, 0.10, 0.06, 0.03, 0.03],
            Self::BirthDate => &[0.84, 0.03, 0.06, 0.03, 0.04],
            Self::Sex => &[0.98, 0.02],
            Self::Commune => &[0.70, 0.02, 0.28],
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

/// The levels of a pair, one per [`Var`].
pub type Levels = [u8; 5];

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
        [family, given, date, sex, commune]
    }
}

/// Number of distinct level patterns.
pub const PATTERNS: usize = 6 * 6 * 6 * 3 * 4;

pub fn pattern_index(l: &Levels) -> u16 {
    let mut i = 0usize;
    for (v, &level) in Var::ALL.iter().zip(l) {
        i = i * v.levels().len() + usize::from(level);
    }
    i as u16
}

pub fn pattern_levels(mut i: u16) -> Levels {
    let mut l = [0u8; 5];
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
/// `u` (among non-matches), and `lambda`, the share of matches among the candidate pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
    pub lambda: f64,
    /// EM iterations run (0: priors only).
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
        for uk in &mut u {
            normalise(uk, 0.5);
        }
        let m = Var::ALL.iter().map(|v| v.prior_m().to_vec()).collect();
        Self { m, u, lambda: 0.01, iterations: 0 }
    }

    /// `log2(m/u)` summed over the variables carrying evidence.
    pub fn weight(&self, l: &Levels) -> f64 {
        (0..5).filter(|&k| counts(l, k)).map(|k| self.level_weight(k, l[k])).sum()
    }

    /// `log2(m/u)` of one variable at one level (0 for missing).
    pub fn level_weight(&self, k: usize, level: u8) -> f64 {
        if level == Var::ALL[k].missing() {
            return 0.0;
        }
        let (m, u) = (self.m[k][usize::from(level)], self.u[k][usize::from(level)]);
        (m / u).log2()
    }

    /// Posterior match probability among candidate pairs.
    pub fn probability(&self, l: &Levels) -> f64 {
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        1.0 / (1.0 + (-(self.weight(l) + prior)).exp2())
    }

    /// EM over the pattern counts of the candidate pairs (m, u and lambda all re-estimated,
    /// conditional independence of the variables assumed). Stops when lambda moves by less
    /// than 1e-7 or after `max_iter` iterations.
    pub fn em(&mut self, counts_by_pattern: &[u64; PATTERNS], max_iter: usize) {
        let patterns: Vec<(Levels, f64)> = counts_by_pattern
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(p, &n)| (pattern_levels(p as u16), n as f64))
            .collect();
        let total: f64 = patterns.iter().map(|(_, n)| n).sum();
        if total == 0.0 {
            return;
        }
        for it in 0..max_iter {
            let mut m: Vec<Vec<f64>> = self.m.iter().map(|x| vec![0.0; x.len()]).collect();
            let mut u: Vec<Vec<f64>> = m.clone();
            let mut matches = 0.0;
            for (l, n) in &patterns {
                let g = self.probability(l);
                matches += n * g;
                for k in 0..5 {
                    if counts(l, k) {
                        m[k][usize::from(l[k])] += n * g;
                        u[k][usize::from(l[k])] += n * (1.0 - g);
                    }
                }
            }
            m.iter_mut().for_each(|x| floor(x, M_FLOOR));
            u.iter_mut().for_each(|x| floor(x, U_FLOOR));
            let lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
            let moved = (lambda - self.lambda).abs();
            self.m = m;
            self.u = u;
            self.lambda = lambda;
            self.iterations = it + 1;
            if moved < 1e-7 {
                break;
            }
        }
    }
}

/// Smallest m of a level: no single disagreement may veto a pair with more than
/// `log2(0.005 / u)` (about −7 bits), since any field can be mistyped, missing a surname change…
const M_FLOOR: f64 = 0.005;
/// Smallest u of a level.
const U_FLOOR: f64 = 1e-6;

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
