//! Comparison levels: each compared field of a pair of records falls into one level; the levels
//! of all fields form the pair's comparison vector, packed in a [`Pattern`].

use serde::{Deserialize, Serialize};

use crate::dataset::{Dataset, NameInfo};
use crate::schema::{FieldKind, Schema};
use crate::similarity::{jaro_winkler, within_one_edit};

/// A comparison level. Which levels a field has depends on its kind ([`levels_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Same value (names: same compact form, so `Jean-Pierre` = `Jeanpierre`).
    Exact,
    /// Names: one is a part of the other (`Fatou` / `Fatou Aminata`, `Bernard` / `Bernard-Roux`)
    /// or they differ by a particle only (`Da Silva` / `Silva`).
    Variant,
    /// Jaro–Winkler at least the close threshold (0.94 by default).
    Close,
    /// Names: same French phonetic key.
    Phonetic,
    /// Jaro–Winkler at least the fuzzy threshold (0.88 by default).
    Fuzzy,
    /// Names: one letter apart (substituted, added, dropped, or two letters swapped), on the
    /// whole name or on the first word of a multiple name, where Jaro–Winkler misses it: short
    /// names (`Nathan` / `Naahan`), an error near the start, a typo on the first given name with
    /// the second dropped (`Isabele Patricia` / `Isabelle`).
    OneEdit,
    /// Given and family names swapped (counted on the family name; the given name then
    /// contributes nothing).
    Swapped,
    /// Family names of two women that differ: one record may carry the used (married) name,
    /// the other the birth name.
    DifferentWomen,
    /// Dates: day and month swapped.
    DayMonthSwapped,
    /// Dates: a single digit differs (`1984-03-17` / `1984-03-18`, `1985-…`).
    OneDigit,
    /// Dates: same day and month, year off by one.
    YearOffByOne,
    /// Dates: exactly one of day, month, year differs.
    OneComponentOff,
    Different,
    /// One value missing (or both, for fields that do not tell): contributes nothing, except
    /// for the birth date and the birth place, where whether they are given says something.
    Missing,
    /// Birth date, birth country or birth commune: missing on both records. A person who does
    /// not give their birth date (or place) to one partner often gives it to none, so two
    /// records without it are more likely the same person, and one with and one without less
    /// likely, than random pairs: both levels are weighed, `m` fitted by EM.
    BothMissing,
}

impl Level {
    /// The French label the interface shows.
    pub fn label_fr(self) -> &'static str {
        match self {
            Level::Exact => "identique",
            Level::Variant => "variante (particule, prénom composé ou multiple)",
            Level::Close => "très proche (faute de frappe)",
            Level::Phonetic => "même prononciation",
            Level::Fuzzy => "assez proche",
            Level::OneEdit => "une lettre de différence",
            Level::Swapped => "nom et prénom inversés",
            Level::DifferentWomen => "différent, deux femmes (nom d'usage ou de naissance ?)",
            Level::DayMonthSwapped => "jour et mois inversés",
            Level::OneDigit => "un chiffre différent",
            Level::YearOffByOne => "année à un an près",
            Level::OneComponentOff => "une composante différente",
            Level::Different => "différent",
            Level::Missing => "manquant",
            Level::BothMissing => "manquant sur les deux fiches",
        }
    }
}

const NAME_LEVELS: &[Level] = &[
    Level::Exact,
    Level::Variant,
    Level::Close,
    Level::Phonetic,
    Level::Fuzzy,
    Level::OneEdit,
    Level::Swapped,
    Level::Different,
    Level::Missing,
];
const FAMILY_LEVELS: &[Level] = &[
    Level::Exact,
    Level::Variant,
    Level::Close,
    Level::Phonetic,
    Level::Fuzzy,
    Level::OneEdit,
    Level::Swapped,
    Level::DifferentWomen,
    Level::Different,
    Level::Missing,
];
const DATE_LEVELS: &[Level] = &[
    Level::Exact,
    Level::DayMonthSwapped,
    Level::OneDigit,
    Level::YearOffByOne,
    Level::OneComponentOff,
    Level::Different,
    Level::Missing,
    Level::BothMissing,
];
const TEXT_LEVELS: &[Level] = &[Level::Exact, Level::Close, Level::Fuzzy, Level::Different, Level::Missing];
const EXACT_LEVELS: &[Level] = &[Level::Exact, Level::Different, Level::Missing];
const COUNTRY_LEVELS: &[Level] = &[Level::Exact, Level::Different, Level::Missing, Level::BothMissing];
const PLACE_LEVELS: &[Level] =
    &[Level::Exact, Level::Close, Level::Fuzzy, Level::Different, Level::Missing, Level::BothMissing];

/// The levels of a field kind, best first; a level's index in this list is its code in a
/// [`Pattern`].
pub fn levels_of(kind: FieldKind) -> &'static [Level] {
    match kind {
        FieldKind::FamilyName => FAMILY_LEVELS,
        FieldKind::GivenName | FieldKind::BirthName => NAME_LEVELS,
        FieldKind::BirthDate => DATE_LEVELS,
        FieldKind::Text => TEXT_LEVELS,
        FieldKind::BirthPlace => PLACE_LEVELS,
        FieldKind::BirthCountry => COUNTRY_LEVELS,
        FieldKind::Sex | FieldKind::Code | FieldKind::Number => EXACT_LEVELS,
    }
}

fn code_of(kind: FieldKind, level: Level) -> u8 {
    levels_of(kind).iter().position(|l| *l == level).expect("level of the kind") as u8
}

/// The packed comparison vector of a pair: 4 bits per compared column (up to 16 columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Pattern(pub u64);

impl Pattern {
    #[inline]
    pub fn get(self, column: usize) -> u8 {
        ((self.0 >> (4 * column)) & 0xf) as u8
    }

    #[inline]
    pub fn set(&mut self, column: usize, code: u8) {
        self.0 = (self.0 & !(0xf << (4 * column))) | (u64::from(code) << (4 * column));
    }
}

/// Thresholds of the similarity levels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub close: f64,
    pub fuzzy: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self { close: 0.94, fuzzy: 0.88 }
    }
}

/// A compared column: one field of the schema (birth names are alternatives of the family
/// name, not columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnSpec {
    pub field: usize,
    pub name: String,
    pub kind: FieldKind,
}

impl ColumnSpec {
    pub fn levels(&self) -> &'static [Level] {
        levels_of(self.kind)
    }
}

/// Compares pairs of records of a dataset, field by field.
#[derive(Debug, Clone)]
pub struct Comparator {
    pub columns: Vec<ColumnSpec>,
    pub thresholds: Thresholds,
    /// (family column, given column) when both exist: swapped names are detected.
    swap: Option<(usize, usize)>,
    /// Fields of kind `BirthName`: alternatives of the family name.
    birth_fields: Vec<usize>,
    family_field: Option<usize>,
    sex_field: Option<usize>,
}

impl Comparator {
    pub fn new(schema: &Schema, thresholds: Thresholds) -> Self {
        let columns: Vec<ColumnSpec> = schema
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.kind.is_compared())
            .map(|(i, f)| ColumnSpec { field: i, name: f.name.clone(), kind: f.kind })
            .collect();
        assert!(columns.len() <= 16, "at most 16 compared fields");
        let family = columns.iter().position(|c| c.kind == FieldKind::FamilyName);
        let given = columns.iter().position(|c| c.kind == FieldKind::GivenName);
        let birth_fields =
            schema.fields.iter().enumerate().filter(|(_, f)| f.kind == FieldKind::BirthName).map(|(i, _)| i).collect();
        Self {
            swap: family.zip(given),
            sex_field: schema.first_of(FieldKind::Sex),
            family_field: family.map(|c| columns[c].field),
            columns,
            thresholds,
            birth_fields,
        }
    }

    /// The level codes of every column for the pair `(a, b)`.
    pub fn compare(&self, ds: &Dataset, a: u32, b: u32) -> Pattern {
        let mut p = Pattern(0);
        for (c, col) in self.columns.iter().enumerate() {
            let mut level = self.level(ds, col, a, b);
            if level == Level::Different && col.kind == FieldKind::FamilyName {
                if let Some(s) = self.sex_field {
                    let (x, y) = (ds.val(a, s), ds.val(b, s));
                    if x != 0 && x == y && ds.strings.get(x) == b"F" {
                        level = Level::DifferentWomen;
                    }
                }
            }
            p.set(c, code_of(col.kind, level));
        }
        if let Some((fc, gc)) = self.swap {
            // The written family names, not their alternatives: a birth name equal to the other
            // record's family name must not hide that the two names were swapped.
            let lg = levels_of(FieldKind::GivenName)[p.get(gc) as usize];
            if lg > Level::Close && lg != Level::Missing {
                if let Some(cross) = self.cross_levels(ds, a, b) {
                    if is_swap(cross) {
                        p.set(fc, code_of(FieldKind::FamilyName, Level::Swapped));
                        p.set(gc, code_of(FieldKind::GivenName, Level::Swapped));
                    }
                }
            }
        }
        p
    }

    /// For the swapped-names check: the levels of the family name of `a` against the given
    /// name of `b`, and of the given name of `a` against the family name of `b` (`None` when the
    /// schema has not both names, one is missing, or the written family names agree).
    pub(crate) fn cross_levels(&self, ds: &Dataset, a: u32, b: u32) -> Option<(Level, Level)> {
        let (fc, gc) = self.swap?;
        let (ff, gf) = (self.columns[fc].field, self.columns[gc].field);
        let (fa, ga) = (ds.val(a, ff), ds.val(a, gf));
        let (fb, gb) = (ds.val(b, ff), ds.val(b, gf));
        if fa == 0 || ga == 0 || fb == 0 || gb == 0 || name_level(ds, fa, fb, &self.thresholds) <= Level::Close {
            return None;
        }
        Some((name_level(ds, fa, gb, &self.thresholds), name_level(ds, ga, fb, &self.thresholds)))
    }

    /// The (family, given) columns when swapped names are detected.
    pub(crate) fn swap_columns(&self) -> Option<(usize, usize)> {
        self.swap
    }

    /// The level of one column for `(a, b)` (without the swapped-names check).
    fn level(&self, ds: &Dataset, col: &ColumnSpec, a: u32, b: u32) -> Level {
        let (x, y) = (ds.val(a, col.field), ds.val(b, col.field));
        match col.kind {
            FieldKind::FamilyName => {
                let alts = |i: u32| {
                    let mut v = [ds.val(i, col.field), ds.alt(i, col.field), 0, 0];
                    for (k, &f) in self.birth_fields.iter().take(2).enumerate() {
                        v[2 + k] = ds.val(i, f);
                    }
                    v
                };
                let (va, vb) = (distinct_names(ds, alts(a)), distinct_names(ds, alts(b)));
                if va.1 <= 1 && vb.1 <= 1 {
                    return name_level(ds, va.0[0], vb.0[0], &self.thresholds);
                }
                let mut best = Level::Missing;
                for &p in &va.0[..va.1] {
                    for &q in &vb.0[..vb.1] {
                        best = best.min(name_level(ds, p, q, &self.thresholds));
                        if best == Level::Exact {
                            return best;
                        }
                    }
                }
                best
            }
            FieldKind::GivenName | FieldKind::BirthName => name_level(ds, x, y, &self.thresholds),
            FieldKind::BirthDate => {
                if x == 0 && y == 0 {
                    return Level::BothMissing;
                }
                if x == 0 || y == 0 {
                    return Level::Missing;
                }
                if x == y {
                    return Level::Exact;
                }
                let (d, e) = (ds.date(x), ds.date(y));
                if d.year == e.year && d.day == e.month && d.month == e.day {
                    return Level::DayMonthSwapped;
                }
                let digits = |v: crate::dataset::DateVal| {
                    let n = u32::from(v.year) * 10_000 + u32::from(v.month) * 100 + u32::from(v.day);
                    let mut out = [0u8; 8];
                    let mut n = n;
                    for slot in out.iter_mut().rev() {
                        *slot = (n % 10) as u8;
                        n /= 10;
                    }
                    out
                };
                let (da, db) = (digits(d), digits(e));
                if da.iter().zip(&db).filter(|(x, y)| x != y).count() == 1 {
                    return Level::OneDigit;
                }
                if d.day == e.day && d.month == e.month && d.year.abs_diff(e.year) == 1 {
                    return Level::YearOffByOne;
                }
                let differing = u8::from(d.year != e.year) + u8::from(d.month != e.month) + u8::from(d.day != e.day);
                if differing == 1 {
                    Level::OneComponentOff
                } else {
                    Level::Different
                }
            }
            FieldKind::Text | FieldKind::BirthPlace => {
                if x == 0 && y == 0 && col.kind == FieldKind::BirthPlace {
                    return Level::BothMissing;
                }
                if x == 0 || y == 0 {
                    return Level::Missing;
                }
                if x == y {
                    return Level::Exact;
                }
                let jw = jaro_winkler(ds.strings.get(x), ds.strings.get(y));
                if jw >= self.thresholds.close {
                    Level::Close
                } else if jw >= self.thresholds.fuzzy {
                    Level::Fuzzy
                } else {
                    Level::Different
                }
            }
            FieldKind::Sex | FieldKind::Code | FieldKind::Number | FieldKind::BirthCountry => {
                if x == 0 && y == 0 && col.kind == FieldKind::BirthCountry {
                    Level::BothMissing
                } else if x == 0 || y == 0 {
                    Level::Missing
                } else if x == y {
                    Level::Exact
                } else {
                    Level::Different
                }
            }
        }
    }

    /// The level of column `c` in a pattern.
    pub fn level_of(&self, pattern: Pattern, c: usize) -> Level {
        self.columns[c].levels()[pattern.get(c) as usize]
    }

    /// Whether the exact match of column `c` on `(a, b)` is on the main values (the ones
    /// term frequencies are counted on), not on a birth-name alternative.
    #[inline]
    pub(crate) fn exact_on_main(&self, ds: &Dataset, c: usize, a: u32, b: u32) -> bool {
        let f = self.columns[c].field;
        ds.tf_key(f, a) == ds.tf_key(f, b)
    }

    pub fn family_field(&self) -> Option<usize> {
        self.family_field
    }
}

/// The present names of a record's family-name alternatives, each spelling once (a birth name
/// field often repeats the family name): the names and how many.
#[inline]
fn distinct_names(ds: &Dataset, names: [u32; 4]) -> ([u32; 4], usize) {
    let mut out = [0u32; 4];
    let mut n = 0;
    for v in names.into_iter().filter(|&v| v != 0) {
        let compact = ds.name(v).compact_id;
        if !out[..n].iter().any(|&o| ds.name(o).compact_id == compact) {
            out[n] = v;
            n += 1;
        }
    }
    (out, n)
}

/// The level of two names (name ids of the same dataset).
pub(crate) fn name_level(ds: &Dataset, x: u32, y: u32, t: &Thresholds) -> Level {
    if x == 0 || y == 0 {
        return Level::Missing;
    }
    let (a, b) = (ds.name(x), ds.name(y));
    if a.compact_id == b.compact_id {
        return Level::Exact;
    }
    if is_variant(a, b) {
        return Level::Variant;
    }
    let jw = jaro_winkler(ds.names.compact(x), ds.names.compact(y));
    if jw >= t.close {
        Level::Close
    } else if a.phon == b.phon {
        Level::Phonetic
    } else if jw >= t.fuzzy {
        Level::Fuzzy
    } else if one_edit_apart(ds, a, b) {
        Level::OneEdit
    } else {
        Level::Different
    }
}

/// Names at least three letters long one edit apart, whole or by their first words when
/// either has several.
fn one_edit_apart(ds: &Dataset, a: &NameInfo, b: &NameInfo) -> bool {
    let long = |s: &[u8]| s.len() >= 3;
    let (ca, cb) = (ds.names.compacts.get(a.compact_id), ds.names.compacts.get(b.compact_id));
    if long(ca) && long(cb) && within_one_edit(ca, cb) {
        return true;
    }
    if a.first_id == a.compact_id && b.first_id == b.compact_id {
        return false;
    }
    let (fa, fb) = (ds.names.compacts.get(a.first_id), ds.names.compacts.get(b.first_id));
    long(fa) && long(fb) && within_one_edit(fa, fb)
}

/// Swapped names: each name agrees with the other record's other name, one of them strongly
/// (at most close), the other at least fuzzily (a typo on top of the swap).
pub(crate) fn is_swap((x, y): (Level, Level)) -> bool {
    x.max(y) <= Level::Fuzzy && x.min(y) <= Level::Close
}

fn is_variant(a: &NameInfo, b: &NameInfo) -> bool {
    (a.core_id == b.core_id)
        || a.parts.contains(&b.compact_id)
        || b.parts.contains(&a.compact_id)
        || (a.parts.len() > 1 && b.parts.len() > 1 && a.first_id == b.first_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Record;

    fn pair(a: &[&str], b: &[&str]) -> (Dataset, Comparator) {
        let ds =
            Dataset::from_records(Schema::parcours_core(), &[Record::from_strs("a", a), Record::from_strs("b", b)])
                .unwrap();
        let cmp = Comparator::new(&Schema::parcours_core(), Thresholds::default());
        (ds, cmp)
    }

    fn levels(a: &[&str], b: &[&str]) -> Vec<Level> {
        let (ds, cmp) = pair(a, b);
        let p = cmp.compare(&ds, 0, 1);
        (0..cmp.columns.len()).map(|c| cmp.level_of(p, c)).collect()
    }

    /// The levels of two records of the full schema (identity traits included).
    fn levels_full(a: &[&str], b: &[&str]) -> Vec<Level> {
        let schema = Schema::parcours();
        let ds =
            Dataset::from_records(schema.clone(), &[Record::from_strs("a", a), Record::from_strs("b", b)]).unwrap();
        let cmp = Comparator::new(&schema, Thresholds::default());
        let p = cmp.compare(&ds, 0, 1);
        (0..cmp.columns.len()).map(|c| cmp.level_of(p, c)).collect()
    }

    use Level::*;

    #[test]
    fn names() {
        let l = levels(&["Le Goff", "Jean-Pierre", "", "", ""], &["LEGOFF", "Jeanpierre", "", "", ""]);
        assert_eq!(l[..2], [Exact, Exact]);
        let l = levels(&["Da Silva", "Fatou Aminata", "", "", ""], &["Silva", "Fatou", "", "", ""]);
        assert_eq!(l[..2], [Variant, Variant]);
        let l = levels(&["Bernard-Roux", "Aminata", "", "", ""], &["Bernard", "Fatou Aminata", "", "", ""]);
        assert_eq!(l[..2], [Variant, Variant]);
        let l = levels(&["Fontaine", "Christophe", "", "", ""], &["Fontane", "Kristof", "", "", ""]);
        assert_eq!(l[..2], [Close, Phonetic]);
        let l = levels(&["Martin", "Nathalie", "", "", ""], &["Diallo", "", "", "", ""]);
        assert_eq!(l[..2], [Different, Missing]);
        let l = levels(&["Martin", "Nathalie", "", "F", ""], &["Diallo", "Nathalie", "", "F", ""]);
        assert_eq!(l[0], DifferentWomen, "a used or a birth name");
        let l = levels(&["Martin", "Paul", "", "M", ""], &["Diallo", "Paul", "", "M", ""]);
        assert_eq!(l[0], Different);
    }

    #[test]
    fn swapped_names_are_detected() {
        let l = levels(&["Diallo", "Mamadou", "", "", ""], &["MAMADOU", "DIALLO", "", "", ""]);
        assert_eq!(l[..2], [Swapped, Swapped]);
        let l = levels(&["Diallo", "Mamadou", "", "", ""], &["Mamadou", "Dialo", "", "", ""]);
        assert_eq!(l[..2], [Swapped, Swapped], "a typo on top of the swap");
        let l = levels(&["Diallo", "Mamadou", "", "", ""], &["Diallo", "Moussa", "", "", ""]);
        assert_eq!(l[..2], [Exact, Different]);
        let l = levels(&["Isabelle", "Valaneau", "", "", ""], &["Valanault", "Isabelle", "", "", ""]);
        assert_eq!(l[..2], [Swapped, Swapped], "a typo the swap check sees only as fuzzy");
        let l = levels(&["Diallo", "Mamadou", "", "", ""], &["Mamadou", "Camara", "", "", ""]);
        assert_eq!(l[..2], [Different, Different], "one name in the other's place is not a swap");
    }

    #[test]
    fn a_birth_name_does_not_hide_swapped_names() {
        // the second record wrote the names the wrong way round and its birth name right
        let l = levels_full(
            &["Cornoard", "Manon", "1965-05-31", "F", "69906", "", "", ""],
            &["Manon", "Cornoard", "1965-05-31", "F", "69906", "Cornoard", "", ""],
        );
        assert_eq!(l[..2], [Swapped, Swapped]);
    }

    #[test]
    fn dates() {
        let d = |a: &str, b: &str| levels(&["", "", a, "", ""], &["", "", b, "", ""])[2];
        assert_eq!(d("1980-05-12", "19800512"), Exact);
        assert_eq!(d("1980-05-12", "1980-12-05"), DayMonthSwapped);
        assert_eq!(d("1980-05-12", "1981-05-12"), OneDigit);
        assert_eq!(d("1979-05-12", "1980-05-12"), YearOffByOne);
        assert_eq!(d("1980-05-12", "1980-05-13"), OneDigit);
        assert_eq!(d("1980-05-12", "1980-05-22"), OneDigit);
        assert_eq!(d("1980-05-12", "1980-05-23"), OneComponentOff);
        assert_eq!(d("1980-09-12", "1980-10-12"), OneComponentOff);
        assert_eq!(d("1980-05-12", "1990-05-12"), OneDigit);
        assert_eq!(d("1980-05-12", "1995-05-12"), OneComponentOff);
        assert_eq!(d("1980-05-12", "1975-01-02"), Different);
        assert_eq!(d("1980-05-12", ""), Missing);
        assert_eq!(d("1980-05-12", "1980-02-31x"), Missing, "invalid is missing");
        assert_eq!(d("", ""), BothMissing);
        assert_eq!(d("", "1980-02-31x"), BothMissing);
    }

    #[test]
    fn codes_and_sex() {
        let l = levels(&["", "", "", "homme", "69 123"], &["", "", "", "M", "69123"]);
        assert_eq!(l[3..], [Exact, Exact]);
        let l = levels(&["", "", "", "F", "69123"], &["", "", "", "M", ""]);
        assert_eq!(l[3..], [Different, Missing]);
        // only the birth date and birth place tell both missing from one
        let l = levels(&["", "", "", "", ""], &["", "", "", "", ""]);
        assert_eq!(l[3..], [Missing, Missing]);
        let l =
            levels_full(&["Diallo", "Awa", "", "F", "", "", "", ""], &["Diallo", "Awa", "", "F", "", "", "99330", ""]);
        assert_eq!(l[2..], [BothMissing, Exact, Missing, Missing, BothMissing]);
    }

    #[test]
    fn birth_names_are_alternatives_of_the_family_name() {
        let l = levels(&["Martin née Dupont", "Anne", "", "", ""], &["Dupont", "Anne", "", "", ""]);
        assert_eq!(l[..2], [Exact, Exact]);
        let schema = Schema::new(vec![
            crate::schema::Field::new("nom", FieldKind::FamilyName),
            crate::schema::Field::new("nom_naissance", FieldKind::BirthName),
            crate::schema::Field::new("prenom", FieldKind::GivenName),
        ]);
        let ds = Dataset::from_records(
            schema.clone(),
            &[Record::from_strs("a", &["Martin", "Dupont", "Anne"]), Record::from_strs("b", &["Dupont", "", "Anne"])],
        )
        .unwrap();
        let cmp = Comparator::new(&schema, Thresholds::default());
        assert_eq!(cmp.columns.len(), 2);
        assert_eq!(cmp.level_of(cmp.compare(&ds, 0, 1), 0), Exact);
    }
}
