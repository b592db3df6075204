//! Fellegi–Sunter: `m` and `u` per comparison level, term-frequency adjustment, match
//! probabilities and explanations.
//!
//! Weights are in bits: a level contributes `log2(m / u)`; a pair's match weight is the sum of
//! its levels' weights, and its probability is `1 / (1 + 2^-(prior + weight))` where the prior
//! is `log2(λ / (1 − λ))` for a pair drawn at random. Missing values (and the given name of a
//! swapped pair, whose evidence the family name carries) contribute nothing, except a missing
//! birth date or birth place: whether one or both records lack it is weighed like a level of
//! its own ([`Level::BothMissing`]).
//!
//! **Term frequencies**: an exact match on a frequent value (`MARTIN`, `Mohamed`, the 1st of
//! January) is weaker evidence than on a rare one. For an exact match on value `v` the `u`
//! probability is replaced by the frequency of `v` among the records (Splink's adjustment),
//! counted besides the two records compared (a person's own reports do not make their name
//! common), bounded so that a rare given name, date or place weighs at most 32 times more
//! than an average one; family names are not bounded.

use serde::{Deserialize, Serialize};

use crate::compare::{Comparator, Level, Pattern};
use crate::dataset::Dataset;
use crate::schema::FieldKind;
use crate::util::FxMap;

/// Whether a level carries no evidence.
pub fn is_neutral(kind: FieldKind, level: Level) -> bool {
    match level {
        Level::Missing | Level::BothMissing => {
            !matches!(kind, FieldKind::BirthDate | FieldKind::BirthCountry | FieldKind::BirthPlace)
        }
        Level::Swapped => kind == FieldKind::GivenName,
        _ => false,
    }
}

/// Whether a level says that a value is missing (on one record or both).
pub fn is_missing(level: Level) -> bool {
    matches!(level, Level::Missing | Level::BothMissing)
}

/// The parameters of one compared column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnModel {
    pub name: String,
    pub kind: FieldKind,
    pub levels: Vec<Level>,
    /// `P(level | same person)`, per level (1 for neutral levels).
    pub m: Vec<f64>,
    /// `P(level | different persons)` for a random pair, per level (1 for neutral levels).
    pub u: Vec<f64>,
    /// Whether exact matches are adjusted by the frequency of the value.
    pub term_frequency: bool,
}

impl ColumnModel {
    /// `log2(m / u)` per level, 0 for neutral levels.
    pub fn weights(&self) -> Vec<f64> {
        self.levels
            .iter()
            .enumerate()
            .map(|(l, &level)| if is_neutral(self.kind, level) { 0.0 } else { (self.m[l] / self.u[l]).log2() })
            .collect()
    }

    pub fn index_of(&self, level: Level) -> Option<usize> {
        self.levels.iter().position(|l| *l == level)
    }
}

/// A trained (or default) Fellegi–Sunter model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub columns: Vec<ColumnModel>,
    /// `λ`: the probability that two records drawn at random are the same person.
    pub prior: f64,
}

fn default_m(kind: FieldKind, level: Level) -> f64 {
    use Level::*;
    match (kind, level) {
        // about 15% of reports have no birth date, the same persons' reports more often
        (FieldKind::BirthDate, Missing) => 0.15,
        (FieldKind::BirthDate, BothMissing) => 0.05,
        (FieldKind::BirthCountry | FieldKind::BirthPlace, Missing) => 0.3,
        (FieldKind::BirthCountry | FieldKind::BirthPlace, BothMissing) => 0.3,
        (_, Missing | BothMissing) => 1.0,
        (FieldKind::GivenName | FieldKind::FamilyName | FieldKind::BirthName, l) => match l {
            DifferentWomen => 0.05,
            Exact => 0.80,
            Variant => 0.06,
            Close => 0.05,
            Phonetic => 0.03,
            Fuzzy => 0.02,
            OneEdit => 0.01,
            Swapped => 0.02,
            _ => 0.02,
        },
        (FieldKind::BirthDate, l) => match l {
            Exact => 0.85,
            DayMonthSwapped => 0.03,
            OneDigit => 0.04,
            YearOffByOne => 0.02,
            OneComponentOff => 0.03,
            _ => 0.03,
        },
        (FieldKind::Text | FieldKind::BirthPlace, l) => match l {
            Exact => 0.8,
            Close => 0.1,
            Fuzzy => 0.05,
            _ => 0.05,
        },
        (FieldKind::Sex, Exact) => 0.97,
        (FieldKind::Sex, _) => 0.03,
        (FieldKind::Code, Exact) => 0.7,
        (FieldKind::Code, _) => 0.3,
        (FieldKind::BirthCountry, Exact) => 0.95,
        (FieldKind::BirthCountry, _) => 0.05,
        (FieldKind::Number, Exact) => 0.9,
        (FieldKind::Number, _) => 0.1,
    }
}

fn default_u(kind: FieldKind, level: Level) -> f64 {
    use Level::*;
    match (kind, level) {
        (FieldKind::BirthDate, Missing) => 0.25,
        (FieldKind::BirthDate, BothMissing) => 0.02,
        (FieldKind::BirthCountry | FieldKind::BirthPlace, Missing) => 0.4,
        (FieldKind::BirthCountry | FieldKind::BirthPlace, BothMissing) => 0.2,
        (_, Missing | BothMissing) => 1.0,
        (FieldKind::GivenName | FieldKind::FamilyName | FieldKind::BirthName, l) => match l {
            DifferentWomen => 0.25,
            Exact => 0.005,
            Variant => 0.001,
            Close => 0.002,
            Phonetic => 0.001,
            Fuzzy => 0.01,
            OneEdit => 2e-4,
            Swapped => 1e-6,
            _ => 0.981,
        },
        (FieldKind::BirthDate, l) => match l {
            Exact => 5e-5,
            DayMonthSwapped => 5e-5,
            OneDigit => 2e-4,
            YearOffByOne => 1e-4,
            OneComponentOff => 3e-3,
            _ => 0.9968,
        },
        (FieldKind::Text | FieldKind::BirthPlace, l) => match l {
            Exact => 0.01,
            Close => 0.005,
            Fuzzy => 0.02,
            _ => 0.965,
        },
        (FieldKind::Sex, Exact) => 0.5,
        (FieldKind::Sex, _) => 0.5,
        (FieldKind::Code, Exact) => 0.05,
        (FieldKind::Code, _) => 0.95,
        (FieldKind::BirthCountry, Exact) => 0.3,
        (FieldKind::BirthCountry, _) => 0.7,
        (FieldKind::Number, Exact) => 0.01,
        (FieldKind::Number, _) => 0.99,
    }
}

impl Model {
    /// Reasonable parameters before any training (`λ` = 1e-4).
    pub fn default_for(cmp: &Comparator) -> Self {
        let columns = cmp
            .columns
            .iter()
            .map(|c| {
                let levels = c.levels().to_vec();
                ColumnModel {
                    name: c.name.clone(),
                    kind: c.kind,
                    m: levels.iter().map(|&l| default_m(c.kind, l)).collect(),
                    u: levels.iter().map(|&l| default_u(c.kind, l)).collect(),
                    levels,
                    term_frequency: c.kind != FieldKind::Sex,
                }
            })
            .collect();
        Self { columns, prior: 1e-4 }
    }

    /// `log2(λ / (1 − λ))`.
    pub fn prior_weight(&self) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
    }

    /// The weight (bits, prior included) at which a pair's probability is `p`.
    pub fn weight_for_probability(&self, p: f64) -> f64 {
        (p / (1.0 - p)).log2() - self.prior_weight()
    }
}

/// Below this many values in a column, no term-frequency adjustment.
pub const TF_MIN_RECORDS: u64 = 1_000;

/// Counts of the values of each column, for term-frequency adjustments.
#[derive(Debug, Clone, Default)]
pub struct TermFrequencies {
    counts: Vec<Vec<u32>>,
    totals: Vec<u64>,
    /// For the birth-place columns: their values' counts among the records of each family name.
    by_family: Vec<Option<ByFamily>>,
}

/// How often each value of a column comes with each family name. Namesakes share their origin:
/// two Nguyen born in Viêt Nam, or two Coulibaly born in Abidjan, are no coincidence, and the
/// frequency of the birth place among the records of that family name is the `u` that says so.
#[derive(Debug, Clone, Default)]
struct ByFamily {
    family_field: usize,
    /// [`ByFamily::key`] of a family key and a value key → records.
    pairs: FxMap<u64, u32>,
    /// Records with a value in the column, by family key.
    families: Vec<u32>,
}

impl ByFamily {
    /// The family and value keys combined and spread (the Fx hash keeps low bits as they are,
    /// and value keys are few): a bijection, so distinct pairs never collide.
    #[inline]
    fn key(family: u32, value: u32) -> u64 {
        crate::util::mix64(u64::from(family) << 32 | u64::from(value))
    }
}

/// Weight, in records, of the column's overall frequency in the frequency among one family
/// name's records (the few records of a rare name say little about its origin).
const BY_FAMILY_PRIOR: f64 = 10.0;

/// Counts one column's values of records `rows`, and by family name when `bf` says so.
fn count_column(
    ds: &Dataset,
    field: usize,
    counts: &mut Vec<u32>,
    total: &mut u64,
    bf: Option<&mut ByFamily>,
    rows: impl Iterator<Item = u32> + Clone,
) {
    if let Some(bf) = bf {
        let space = ds.tf_key_space(bf.family_field);
        if bf.families.len() < space {
            bf.families.resize(space, 0);
        }
        for i in rows.clone() {
            let (k, f) = (ds.tf_key(field, i), ds.tf_key(bf.family_field, i));
            if k != 0 && f != 0 {
                *bf.pairs.entry(ByFamily::key(f, k)).or_insert(0) += 1;
                bf.families[f as usize] += 1;
            }
        }
    }
    let space = ds.tf_key_space(field);
    if counts.len() < space {
        counts.resize(space, 0);
    }
    for i in rows {
        let k = ds.tf_key(field, i);
        if k != 0 {
            counts[k as usize] += 1;
            *total += 1;
        }
    }
}

impl TermFrequencies {
    pub fn of(ds: &Dataset, cmp: &Comparator) -> Self {
        let mut tf = Self::empty(cmp);
        tf.update(ds, cmp, 0);
        tf
    }

    /// The counts of records `rows` of `ds` only (the check at entry counts the records its
    /// reader may see, in a dataset that holds others too).
    pub fn of_rows(ds: &Dataset, cmp: &Comparator, rows: &[u32]) -> Self {
        let mut tf = Self::empty(cmp);
        for (((col, counts), total), bf) in
            cmp.columns.iter().zip(tf.counts.iter_mut()).zip(tf.totals.iter_mut()).zip(tf.by_family.iter_mut())
        {
            count_column(ds, col.field, counts, total, bf.as_mut(), rows.iter().copied());
        }
        tf
    }

    fn empty(cmp: &Comparator) -> Self {
        let n = cmp.columns.len();
        let family = cmp.family_field();
        let by_family = cmp
            .columns
            .iter()
            .map(|c| {
                let family_field = family.filter(|_| c.kind.depends_on_family_name())?;
                Some(ByFamily { family_field, ..ByFamily::default() })
            })
            .collect();
        Self { counts: vec![Vec::new(); n], totals: vec![0; n], by_family }
    }

    /// Counts the records from index `from` on (the incremental linker adds records). Many
    /// records are counted column by column on threads.
    pub fn update(&mut self, ds: &Dataset, cmp: &Comparator, from: usize) {
        let threads = if ds.len() - from.min(ds.len()) < 100_000 { 1 } else { crate::util::threads(cmp.columns.len()) };
        let work: Vec<_> = cmp
            .columns
            .iter()
            .zip(self.counts.iter_mut())
            .zip(self.totals.iter_mut())
            .zip(self.by_family.iter_mut())
            .map(|(((col, counts), total), bf)| (col.field, counts, total, bf))
            .collect();
        if threads == 1 {
            for (field, counts, total, bf) in work {
                count_column(ds, field, counts, total, bf.as_mut(), from as u32..ds.len() as u32);
            }
            return;
        }
        // round robin: the two birth-place columns, the costly ones, are neighbours
        let mut parts: Vec<Vec<_>> = (0..threads).map(|_| Vec::new()).collect();
        for (k, w) in work.into_iter().enumerate() {
            parts[k % threads].push(w);
        }
        std::thread::scope(|s| {
            for part in parts {
                s.spawn(move || {
                    for (field, counts, total, bf) in part {
                        count_column(ds, field, counts, total, bf.as_mut(), from as u32..ds.len() as u32);
                    }
                });
            }
        });
    }

    /// The share of records with value `key` in column `c`; `None` while the column has fewer
    /// than [`TF_MIN_RECORDS`] values (too few to tell a frequent value from a person's
    /// duplicates).
    #[inline]
    pub fn frequency(&self, c: usize, key: u32) -> Option<f64> {
        let total = self.totals[c];
        if total < TF_MIN_RECORDS {
            return None;
        }
        let n = self.counts[c].get(key as usize).copied().unwrap_or(0).max(1);
        Some(f64::from(n) / total as f64)
    }

    /// The chance that a record besides two that share value `key` in column `c` has it too:
    /// the share of the other records with it, plus one (`None` like [`Self::frequency`]). This
    /// is the frequency an exact agreement is weighed by: a value written only by one person's
    /// reports is not made common by them (two reports of a name found nowhere else weigh as a
    /// name found once).
    #[inline]
    pub fn frequency_besides_pair(&self, c: usize, key: u32) -> Option<f64> {
        let total = self.totals[c];
        if total < TF_MIN_RECORDS {
            return None;
        }
        let n = self.counts[c].get(key as usize).copied().unwrap_or(0);
        Some(f64::from(n.saturating_sub(2) + 1) / total as f64)
    }

    /// The chance that a third record of family name `family` has value `key` in column `c`,
    /// besides two records that both have them (`None` when the column is not counted by
    /// family name, or has too few values): the records of that name, their two left out, with
    /// [`BY_FAMILY_PRIOR`] records at the column's overall frequency.
    #[inline]
    pub fn frequency_given_family(&self, c: usize, family: u32, key: u32) -> Option<f64> {
        let bf = self.by_family[c].as_ref()?;
        let overall = self.frequency(c, key)?;
        let with = bf.pairs.get(&ByFamily::key(family, key)).copied().unwrap_or(0);
        let all = bf.families.get(family as usize).copied().unwrap_or(0);
        let (with, all) = (f64::from(with.saturating_sub(2)), f64::from(all.saturating_sub(2)));
        Some((with + BY_FAMILY_PRIOR * overall) / (all + BY_FAMILY_PRIOR))
    }

    /// The family-name field the frequencies of column `c` are counted by, if they are.
    #[inline]
    pub(crate) fn family_field_of(&self, c: usize) -> Option<usize> {
        self.by_family[c].as_ref().map(|bf| bf.family_field)
    }

    /// `Σ frequency²`: the chance that two random records share their value.
    pub fn exact_u(&self, c: usize) -> Option<f64> {
        if self.totals[c] < TF_MIN_RECORDS {
            return None;
        }
        let t = self.totals[c] as f64;
        Some(self.counts[c].iter().map(|&n| (f64::from(n) / t).powi(2)).sum())
    }
}

/// One field's part in a pair's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldContribution {
    pub field: String,
    pub kind: FieldKind,
    pub level: Level,
    /// French label of the level.
    pub label: &'static str,
    pub m: f64,
    pub u: f64,
    /// `m / u` (1 for neutral levels).
    pub bayes_factor: f64,
    /// `log2` of the Bayes factor.
    pub weight: f64,
    /// Whether `u` is the frequency of the shared value rather than the column's average.
    pub term_frequency_adjusted: bool,
}

impl FieldContribution {
    /// A field's part from its level's `m`, `u` and weight (bits).
    pub(crate) fn new(field: &str, kind: FieldKind, level: Level, (m, u, weight): (f64, f64, f64), tf: bool) -> Self {
        Self {
            field: field.to_owned(),
            kind,
            level,
            label: level.label_fr(),
            m,
            u,
            bayes_factor: weight.exp2(),
            weight,
            term_frequency_adjusted: tf,
        }
    }
}

/// Why a pair scores what it scores: what the interface shows beside two records. Carries no
/// personal value, only levels and weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    pub prior_weight: f64,
    /// When another member links the two records' households ([`crate::context`]): the bits
    /// the household prior adds to the random pairs' one; the fields are then weighed by the
    /// within-household model.
    pub household: Option<f64>,
    pub fields: Vec<FieldContribution>,
    /// Prior plus the fields' weights.
    pub match_weight: f64,
    pub probability: f64,
}

/// Scores pairs of one dataset with a model.
pub struct Scorer<'a> {
    pub ds: &'a Dataset,
    pub cmp: &'a Comparator,
    pub model: &'a Model,
    tf: &'a TermFrequencies,
    weights: Vec<Vec<f64>>,
    exact_code: Vec<Option<u8>>,
    /// (family column, given column, code of the swapped level) when both names are weighed
    /// by their frequencies.
    swap: Option<(usize, usize, u8)>,
    /// Per column, the chance that a random pair has both values (1 unless the column weighs
    /// missing values): the frequencies of values are counted among present values.
    present_u: Vec<f64>,
    /// Per column, a bit per level weighed down by the frequencies of the two values
    /// ([`Self::near_tf_weight`]): the family name's close spellings.
    near: Vec<u16>,
    /// Per column, the largest boost of a rare value over the exact level's average `u`.
    max_boost: Vec<f64>,
    prior_weight: f64,
}

/// Cap of the term-frequency boost: a rare value weighs at most 2^5 times an average one. The
/// family name has none: a name that only one person's reports carry identifies them as a
/// birth date does, and on a large file the cap would weigh it as a semi-common one (at 1.5M
/// records, 2^5 times the average is a name carried by some 40 records). Given names keep it:
/// a rare given name is as often a typo or an invented spelling as a rare person.
const TF_MAX_BOOST: f64 = 32.0;

/// The family name's levels of close spellings, weighed down when the names are common.
const NEAR_LEVELS: [Level; 5] = [Level::Variant, Level::Close, Level::Phonetic, Level::Fuzzy, Level::OneEdit];

impl<'a> Scorer<'a> {
    pub fn new(ds: &'a Dataset, cmp: &'a Comparator, model: &'a Model, tf: &'a TermFrequencies) -> Self {
        let weights = model.columns.iter().map(ColumnModel::weights).collect();
        let exact_code: Vec<Option<u8>> = model
            .columns
            .iter()
            .map(|c| if c.term_frequency { c.index_of(Level::Exact).map(|i| i as u8) } else { None })
            .collect();
        let swap = cmp.swap_columns().and_then(|(f, g)| {
            exact_code[f]?;
            exact_code[g]?;
            let code = model.columns[f].index_of(Level::Swapped)?;
            Some((f, g, code as u8))
        });
        let present_u = model
            .columns
            .iter()
            .map(|c| {
                let missing: f64 = (0..c.levels.len())
                    .filter(|&l| is_missing(c.levels[l]) && !is_neutral(c.kind, c.levels[l]))
                    .map(|l| c.u[l])
                    .sum();
                1.0 - missing
            })
            .collect();
        let max_boost = model
            .columns
            .iter()
            .map(|c| if c.kind == FieldKind::FamilyName { f64::INFINITY } else { TF_MAX_BOOST })
            .collect();
        let near = model
            .columns
            .iter()
            .enumerate()
            .map(|(c, col)| {
                if col.kind != FieldKind::FamilyName || exact_code[c].is_none() {
                    return 0;
                }
                let near = col.levels.iter().enumerate().filter(|(_, l)| NEAR_LEVELS.contains(l));
                near.fold(0u16, |m, (i, _)| m | 1 << i)
            })
            .collect();
        Self {
            ds,
            cmp,
            model,
            tf,
            weights,
            exact_code,
            swap,
            present_u,
            near,
            max_boost,
            prior_weight: model.prior_weight(),
        }
    }

    /// How much rarer (in bits, negative when more common) than average the names of a swapped
    /// pair are: swapped names are the same evidence as agreeing names, and a rare name pair
    /// says more. Which record wrote the names in their place is not known: of the two
    /// readings, the more common one. A swap can be seen through a typo: each name is as
    /// common as the more common of its two spellings (`Diallo` / `Dialllo` is as common as
    /// `Diallo`).
    #[inline]
    fn swap_tf_weight(&self, a: u32, b: u32) -> f64 {
        let Some((fc, gc, _)) = self.swap else { return 0.0 };
        let (ff, gf) = (self.cmp.columns[fc].field, self.cmp.columns[gc].field);
        // the boost of a name in column `c`, spelt `x` by one record and `y` by the other
        let boost = |c: usize, x: u32, y: u32| -> Option<f64> {
            let u = self.model.columns[c].u[self.exact_code[c]? as usize];
            let f = self.tf.frequency(c, x)?.max(self.tf.frequency(c, y)?);
            Some((u / f.max(u / self.max_boost[c])).log2())
        };
        let key = |field: usize, r: u32| self.ds.tf_key(field, r);
        // `r` wrote the names in their place, the other record `o` swapped them
        let reading = |r: u32, o: u32| Some(boost(fc, key(ff, r), key(gf, o))? + boost(gc, key(gf, r), key(ff, o))?);
        match (reading(a, b), reading(b, a)) {
            (Some(x), Some(y)) => x.min(y),
            _ => 0.0,
        }
    }

    /// For a close spelling of the family name (variant, typo, same sound): how much more
    /// common than average (in bits, never positive) the more common of the two names is. A
    /// typo on `Diallo` is no stronger evidence than `Diallo` itself; a typo on a rare name
    /// keeps the level's average weight (a rare misspelling is not a rare person).
    #[inline]
    fn near_tf_weight(&self, c: usize, a: u32, b: u32) -> f64 {
        let Some(e) = self.exact_code[c] else { return 0.0 };
        let field = self.cmp.columns[c].field;
        let key = |r: u32| self.ds.tf_key(field, r);
        let (Some(fa), Some(fb)) = (self.tf.frequency(c, key(a)), self.tf.frequency(c, key(b))) else {
            return 0.0;
        };
        (self.model.columns[c].u[e as usize] / fa.max(fb)).log2().clamp(-TF_MAX_BOOST.log2(), 0.0)
    }

    #[inline]
    fn tf_weight(&self, c: usize, a: u32, b: u32) -> Option<f64> {
        let col = &self.model.columns[c];
        let field = self.cmp.columns[c].field;
        if !self.cmp.exact_on_main(self.ds, c, a, b) {
            return None;
        }
        let e = self.exact_code[c]? as usize;
        let key = self.ds.tf_key(field, a);
        let by_family = self.tf.family_field_of(c).and_then(|f| {
            let (fa, fb) = (self.ds.tf_key(f, a), self.ds.tf_key(f, b));
            (fa != 0 && fa == fb).then(|| self.tf.frequency_given_family(c, fa, key)).flatten()
        });
        let freq = match by_family {
            Some(f) => f,
            None => self.tf.frequency_besides_pair(c, key)?,
        };
        Some((col.m[e] / (freq * self.present_u[c]).max(col.u[e] / self.max_boost[c])).log2())
    }

    /// The match weight of a compared pair, without the prior.
    #[inline]
    pub fn weight(&self, a: u32, b: u32, pattern: Pattern) -> f64 {
        let mut w = 0.0;
        for (c, table) in self.weights.iter().enumerate() {
            let l = pattern.get(c);
            if Some(l) == self.exact_code[c] {
                if let Some(t) = self.tf_weight(c, a, b) {
                    w += t;
                    continue;
                }
            }
            w += table[l as usize];
            if self.near[c] >> l & 1 == 1 {
                w += self.near_tf_weight(c, a, b);
            }
        }
        if let Some((fc, _, code)) = self.swap {
            if pattern.get(fc) == code {
                w += self.swap_tf_weight(a, b);
            }
        }
        w
    }

    /// Compares and weighs a pair (weight without the prior).
    pub fn score(&self, a: u32, b: u32) -> (Pattern, f64) {
        let p = self.cmp.compare(self.ds, a, b);
        (p, self.weight(a, b, p))
    }

    /// The probability of a weight (without prior).
    #[inline]
    pub fn probability(&self, weight: f64) -> f64 {
        1.0 / (1.0 + (-(self.prior_weight + weight)).exp2())
    }

    pub fn prior_weight(&self) -> f64 {
        self.prior_weight
    }

    /// Each field's level and contribution.
    pub fn explain(&self, a: u32, b: u32) -> Explanation {
        let pattern = self.cmp.compare(self.ds, a, b);
        let mut fields = Vec::with_capacity(self.model.columns.len());
        let mut total = 0.0;
        for (c, col) in self.model.columns.iter().enumerate() {
            let l = pattern.get(c) as usize;
            let level = col.levels[l];
            let tf = if Some(l as u8) == self.exact_code[c] {
                self.tf_weight(c, a, b)
            } else if self.swap.is_some_and(|(fc, _, code)| fc == c && code as usize == l) {
                Some(self.weights[c][l] + self.swap_tf_weight(a, b))
            } else if self.near[c] >> l & 1 == 1 {
                Some(self.weights[c][l] + self.near_tf_weight(c, a, b))
            } else {
                None
            };
            let part = if is_neutral(col.kind, level) {
                (1.0, 1.0, 0.0)
            } else if let Some(w) = tf {
                (col.m[l], col.m[l] / w.exp2(), w)
            } else {
                (col.m[l], col.u[l], self.weights[c][l])
            };
            total += part.2;
            fields.push(FieldContribution::new(&col.name, col.kind, level, part, tf.is_some()));
        }
        Explanation {
            prior_weight: self.prior_weight,
            household: None,
            fields,
            match_weight: self.prior_weight + total,
            probability: self.probability(total),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Thresholds;
    use crate::schema::Schema;

    /// 2,000 records over six family names (Martin on half of them) and ten given names (so
    /// that the exact levels' average `u` is high and the cap of rare values binds), and a
    /// pair of records of a name found nowhere else.
    fn crowd() -> (Dataset, Comparator, Model) {
        crowd_with(&[("z1", "Zyvkowitz", "Anselmo"), ("z2", "Zyvkowitz", "Anselmo")])
    }

    /// The crowd, then undated records `(id, family name, given names)` from index 2000 on;
    /// the exact levels' `u` as training sets it.
    fn crowd_with(extra: &[(&str, &str, &str)]) -> (Dataset, Comparator, Model) {
        let mut ds = Dataset::new(Schema::parcours_core());
        let (fams, givs) = (
            ["Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent"],
            ["Jean", "Marie", "Paul", "Anne", "Luc", "Rose", "Marc", "Eve", "Noé", "Léa"],
        );
        for i in 0..2000usize {
            let date = format!("19{:02}-{:02}-{:02}", 40 + i % 50, 1 + i % 12, 1 + i % 28);
            // Martin on half the records
            let (f, g) = (fams[if i % 2 == 0 { 0 } else { i % 10 }], givs[(i / 10) % 10]);
            ds.push(0, &i.to_string(), &[Some(f), Some(g), Some(&date), Some("M"), Some("69001")]).unwrap();
        }
        for (id, family, given) in extra {
            ds.push(0, id, &[Some(family), Some(given), None, Some("M"), Some("69001")]).unwrap();
        }
        let cmp = Comparator::new(ds.schema(), Thresholds::default());
        let mut model = Model::default_for(&cmp);
        let tf = TermFrequencies::of(&ds, &cmp);
        for c in 0..2 {
            model.columns[c].u[0] = tf.exact_u(c).unwrap();
        }
        (ds, cmp, model)
    }

    #[test]
    fn a_typo_on_a_common_family_name_weighs_less_than_one_on_a_rare_name() {
        let (ds, cmp, model) = crowd_with(&[
            ("m1", "Martin", "Anselmo"),
            ("m2", "Martinn", "Anselmo"),
            ("z1", "Zyvkowitz", "Anselmo"),
            ("z2", "Zyvkowits", "Anselmo"),
        ]);
        let tf = TermFrequencies::of(&ds, &cmp);
        let scorer = Scorer::new(&ds, &cmp, &model, &tf);
        let (common, rare) = (scorer.explain(2000, 2001), scorer.explain(2002, 2003));
        let close = model.columns[0].index_of(Level::Close).unwrap();
        let average = model.columns[0].weights()[close];
        assert_eq!((common.fields[0].level, rare.fields[0].level), (Level::Close, Level::Close));
        // Martin is on half the records, above the average exact u (0.3)
        assert!((common.fields[0].weight - (average + (0.3f64 / 0.5).log2())).abs() < 0.01, "{common:?}");
        assert!(common.fields[0].term_frequency_adjusted);
        assert!((rare.fields[0].weight - average).abs() < 1e-9, "{rare:?}");
        // the score is the explanation's sum
        let (_, w) = scorer.score(2000, 2001);
        assert!((scorer.prior_weight() + w - common.match_weight).abs() < 1e-9);
    }

    #[test]
    fn swapped_names_seen_through_a_typo_weigh_as_the_common_spelling() {
        // the second record writes the names in their place, with a typo on the family name
        // (which makes it rare); the first one swapped them
        let (ds, cmp, model) =
            crowd_with(&[("s", "Jean", "Martin"), ("t", "Martinn", "Jean"), ("u", "Martin", "Jean")]);
        let tf = TermFrequencies::of(&ds, &cmp);
        let scorer = Scorer::new(&ds, &cmp, &model, &tf);
        let (typo, plain) = (scorer.explain(2000, 2001), scorer.explain(2000, 2002));
        assert_eq!((typo.fields[0].level, plain.fields[0].level), (Level::Swapped, Level::Swapped));
        assert!((typo.fields[0].weight - plain.fields[0].weight).abs() < 1e-9, "{typo:?} {plain:?}");
        // and both weigh less than the level's average: Martin and Jean are common
        let swapped = model.columns[0].index_of(Level::Swapped).unwrap();
        assert!(plain.fields[0].weight < model.columns[0].weights()[swapped], "{plain:?}");
    }

    #[test]
    fn a_name_only_one_pair_carries_weighs_as_a_name_found_once() {
        let (ds, cmp, model) = crowd();
        let tf = TermFrequencies::of(&ds, &cmp);
        assert_eq!(tf.frequency_besides_pair(0, ds.tf_key(0, 2000)), Some(1.0 / 2002.0));
        // a value of 200 records: the 198 others and one
        assert_eq!(tf.frequency_besides_pair(1, ds.tf_key(1, 0)), Some(199.0 / 2002.0));
        let e = Scorer::new(&ds, &cmp, &model, &tf).explain(2000, 2001);
        let (family, given) = (&e.fields[0], &e.fields[1]);
        assert!(family.term_frequency_adjusted && given.term_frequency_adjusted);
        // the family name is not capped: its weight is m over one record's share
        let m = model.columns[0].m[0];
        assert!((family.weight - (m * 2002.0).log2()).abs() < 1e-9, "{family:?}");
        // the given name is: 32 times its average u at most
        let (m, u) = (model.columns[1].m[0], model.columns[1].u[0]);
        assert!(u / 32.0 > 1.0 / 2002.0, "the cap binds in this crowd");
        assert!((given.weight - (m / (u / 32.0)).log2()).abs() < 1e-9, "{given:?}");
        // both undated: the birth date weighs, m and u of its level
        assert_eq!(e.fields[2].level, Level::BothMissing);
        assert!(e.fields[2].weight > 0.0);
    }
}
