//! Blocking: which pairs are compared at all. A pair is a candidate when the two records share
//! the key of at least one rule of a union of rules (phonetic surname + birth date, given name +
//! birth date, both names + birth year, swapped names…).
//!
//! Sort-based: each rule's keys are hashed to `u32`, the `(key, record)` entries sorted, and the
//! pairs of each run of equal keys generated; a pair is kept by the first rule (in order) that
//! generates it, so each candidate pair appears once and each rule's count is the number of pairs
//! it adds to the rules before it. Pairs are compared as they are generated, on all threads.
//!
//! A rule whose blocks would generate more than the pair budget is skipped (reported): on a
//! small file every rule runs; at a million records only the selective ones do.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::compare::{Comparator, Pattern};
use crate::dataset::Dataset;
use crate::schema::{FieldKind, Schema};
use crate::util::{mix64, FxMap};

/// One component of a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyPart {
    /// The French phonetic key of a name. Family name: of the compact name, and of the birth
    /// name as a second key. Given names: of the first given name, and of all of them as a
    /// second key. Other kinds: the value.
    Phonetic(usize),
    /// The value itself (names: their compact form).
    Exact(usize),
    /// The first letters (at most 8) of the compact name or of the code.
    Prefix(usize, u8),
    /// The year of a date.
    Year(usize),
    /// The month and day of a date.
    MonthDay(usize),
    /// The decade of a date (1984 → 198): a typo on the year's last digit stays in it.
    Decade(usize),
    /// The unordered pair of the phonetic keys of two name fields: swapped names share it.
    PhoneticPair(usize, usize),
}

/// A blocking rule: the records sharing all the parts of the key are compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockingRule {
    pub name: String,
    pub parts: Vec<KeyPart>,
    /// Only pairs where this field is missing on at least one side.
    pub when_missing: Option<usize>,
}

impl BlockingRule {
    pub fn new(name: impl Into<String>, parts: Vec<KeyPart>) -> Self {
        Self { name: name.into(), parts, when_missing: None }
    }

    /// The fields the rule's key is made of.
    pub fn fields(&self) -> Vec<usize> {
        let mut out = Vec::new();
        for p in &self.parts {
            match *p {
                KeyPart::Phonetic(f)
                | KeyPart::Exact(f)
                | KeyPart::Prefix(f, _)
                | KeyPart::Year(f)
                | KeyPart::MonthDay(f)
                | KeyPart::Decade(f) => out.push(f),
                KeyPart::PhoneticPair(f, g) => out.extend([f, g]),
            }
        }
        out.extend(self.when_missing);
        out
    }

    /// The default union of rules for a schema, from the most selective to the broadest.
    pub fn defaults(schema: &Schema) -> Vec<BlockingRule> {
        let f = schema.first_of(FieldKind::FamilyName);
        let g = schema.first_of(FieldKind::GivenName);
        let d = schema.first_of(FieldKind::BirthDate);
        let codes: Vec<usize> =
            schema.fields.iter().enumerate().filter(|(_, x)| x.kind == FieldKind::Code).map(|(i, _)| i).collect();
        let texts: Vec<usize> =
            schema.fields.iter().enumerate().filter(|(_, x)| x.kind == FieldKind::Text).map(|(i, _)| i).collect();
        let fname = |i: usize| schema.fields[i].name.as_str();
        let mut rules = Vec::new();
        use KeyPart::*;
        if let Some(d) = d {
            if let Some(f) = f {
                rules.push(Self::new("nom (phonétique) + date de naissance", vec![Phonetic(f), Exact(d)]));
            }
            if let Some(g) = g {
                rules.push(Self::new("prénom (phonétique) + date de naissance", vec![Phonetic(g), Exact(d)]));
            }
            if let (Some(f), Some(g)) = (f, g) {
                rules.push(Self::new("nom et prénom inversés + date de naissance", vec![PhoneticPair(f, g), Exact(d)]));
                rules
                    .push(Self::new("nom + prénom + décennie de naissance", vec![Phonetic(f), Phonetic(g), Decade(d)]));
                rules.push(Self::new(
                    "nom + prénom + jour et mois de naissance",
                    vec![Phonetic(f), Phonetic(g), MonthDay(d)],
                ));
                // swapped names with a date off by a digit, or missing
                rules.push(Self::new("noms inversés + décennie de naissance", vec![PhoneticPair(f, g), Decade(d)]));
                rules.push(BlockingRule {
                    name: "nom + prénom, date de naissance manquante".into(),
                    parts: vec![Phonetic(f), Phonetic(g)],
                    when_missing: Some(d),
                });
                rules.push(BlockingRule {
                    name: "noms inversés, date de naissance manquante".into(),
                    parts: vec![PhoneticPair(f, g)],
                    when_missing: Some(d),
                });
            }
            for &c in &codes {
                rules.push(Self::new(format!("date de naissance + {}", fname(c)), vec![Exact(d), Exact(c)]));
                // a married name with a given name the phonetic key misses (the date and the
                // commune alone hold too many pairs)
                if let Some(g) = g {
                    rules.push(Self::new(
                        format!("date de naissance + {} + initiale du prénom", fname(c)),
                        vec![Exact(d), Exact(c), Prefix(g, 1)],
                    ));
                }
            }
        }
        if let (Some(f), Some(g)) = (f, g) {
            for &c in &codes {
                rules.push(Self::new(format!("nom + prénom + {}", fname(c)), vec![Phonetic(f), Phonetic(g), Exact(c)]));
                rules.push(Self::new(format!("noms inversés + {}", fname(c)), vec![PhoneticPair(f, g), Exact(c)]));
            }
        }
        for &c in &codes {
            if let Some(g) = g {
                rules.push(Self::new(format!("prénom + {}", fname(c)), vec![Phonetic(g), Exact(c)]));
            }
            if let Some(f) = f {
                rules.push(Self::new(format!("nom + {}", fname(c)), vec![Phonetic(f), Exact(c)]));
            }
        }
        let numbers: Vec<usize> =
            schema.fields.iter().enumerate().filter(|(_, x)| x.kind == FieldKind::Number).map(|(i, _)| i).collect();
        if let Some(&c) = codes.first() {
            for &x in numbers.iter().chain(&texts) {
                rules.push(Self::new(format!("{} + {}", fname(x), fname(c)), vec![Exact(x), Exact(c)]));
            }
        }
        if let (Some(&nb), Some(&t)) = (numbers.first(), texts.first()) {
            rules.push(Self::new(format!("{} + {}", fname(nb), fname(t)), vec![Exact(nb), Exact(t)]));
        }
        for &t in &texts {
            if let Some(f) = f {
                rules.push(Self::new(format!("nom + {}", fname(t)), vec![Phonetic(f), Exact(t)]));
            }
            if let Some(g) = g {
                rules.push(Self::new(format!("prénom + {}", fname(t)), vec![Phonetic(g), Exact(t)]));
            }
        }
        if let Some(d) = d {
            rules.push(Self::new("date de naissance", vec![Exact(d)]));
        }
        // With a birth date, the names' rules above (same decade, same day and month, date
        // missing, same commune) hold every pair of the same names but those born decades apart
        // in another commune: homonyms, at 1M records 870,000 pairs for a dozen true ones.
        if let (Some(f), Some(g), None) = (f, g, d) {
            rules.push(Self::new("nom + prénom", vec![Phonetic(f), Phonetic(g)]));
            rules.push(Self::new("noms inversés", vec![PhoneticPair(f, g)]));
        }
        rules
    }
}

impl BlockingRule {
    /// The selective rules of [`BlockingRule::defaults`], for incremental linking where no
    /// pair budget applies: those with a birth-date part and another part, both names and
    /// another part, or a missing-date condition.
    pub fn selective(schema: &Schema) -> Vec<BlockingRule> {
        let kind = |f: usize| schema.fields[f].kind;
        Self::defaults(schema)
            .into_iter()
            .filter(|r| {
                let dates = r
                    .parts
                    .iter()
                    .filter(|p| match p {
                        KeyPart::Exact(f) | KeyPart::Year(f) | KeyPart::MonthDay(f) | KeyPart::Decade(f) => {
                            kind(*f) == FieldKind::BirthDate
                        }
                        _ => false,
                    })
                    .count();
                let names = r
                    .parts
                    .iter()
                    .map(|p| match p {
                        KeyPart::PhoneticPair(..) => 2,
                        KeyPart::Phonetic(f) | KeyPart::Exact(f) | KeyPart::Prefix(f, _) if kind(*f).is_name() => 1,
                        _ => 0,
                    })
                    .sum::<usize>();
                // a pair of names counts as two fields of the key
                let width = r.parts.len() + r.parts.iter().filter(|p| matches!(p, KeyPart::PhoneticPair(..))).count();
                r.when_missing.is_some() || (dates >= 1 && r.parts.len() >= 2) || (names >= 2 && width >= 3)
            })
            .collect()
    }
}

/// Dedupe: every pair of records; link: only pairs of records of different sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Dedupe,
    Link,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlockingConfig {
    pub rules: Vec<BlockingRule>,
    /// Blocks larger than this are not expanded (reported as oversized).
    pub max_block: usize,
    /// A rule generating more pairs than `pairs_per_record × records + 100,000` is skipped.
    pub pairs_per_record: f64,
    pub threads: usize,
}

impl BlockingConfig {
    pub fn defaults(schema: &Schema) -> Self {
        Self { rules: BlockingRule::defaults(schema), max_block: 5_000, pairs_per_record: 2.0, threads: 2 }
    }
}

/// What a rule contributed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleReport {
    pub rule: String,
    /// Pairs this rule added to the rules before it.
    pub pairs: u64,
    /// Pairs its blocks hold before removing those of earlier rules.
    pub raw_pairs: u64,
    pub oversized_blocks: u64,
    /// Skipped: its blocks would hold more pairs than the budget.
    pub skipped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockingReport {
    pub rules: Vec<RuleReport>,
    /// Unique candidate pairs compared.
    pub total: u64,
}

/// A compared candidate pair (`a < b`, record indices of the dataset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    pub pattern: Pattern,
}

/// The compared candidate pairs and the counts of their patterns.
#[derive(Debug, Default)]
pub struct Candidates {
    pub pairs: Vec<Pair>,
    /// Distinct patterns with their counts.
    pub patterns: Vec<(Pattern, u64)>,
    pub report: Option<BlockingReport>,
}

/// Up to two keys per record and rule, 0 for none.
pub(crate) type Keys = [u32; 2];

fn name_alternatives(ds: &Dataset, field: usize, i: usize, phonetic: bool, out: &mut [u64; 2]) -> usize {
    let v = ds.val(i as u32, field);
    if v == 0 {
        return 0;
    }
    let info = ds.name(v);
    let mut n = 0;
    let mut push = |x: u32, out: &mut [u64; 2]| {
        if x != 0 && n < 2 && !out[..n].contains(&u64::from(x)) {
            out[n] = u64::from(x);
            n += 1;
        }
    };
    match (ds.kind(field), phonetic) {
        (FieldKind::FamilyName, true) => {
            push(info.phon, out);
            let alt = ds.alt(i as u32, field);
            if alt != 0 {
                push(ds.name(alt).phon, out);
            }
        }
        (FieldKind::FamilyName, false) => {
            push(info.compact_id, out);
            let alt = ds.alt(i as u32, field);
            if alt != 0 {
                push(ds.name(alt).compact_id, out);
            }
        }
        (_, true) => {
            push(info.phon_first, out);
            push(info.phon, out);
        }
        (_, false) => push(info.compact_id, out),
    }
    n
}

/// The alternatives of one key part for record `i` (0, 1 or 2 values).
fn part_values(ds: &Dataset, part: KeyPart, i: usize, out: &mut [u64; 2]) -> usize {
    match part {
        KeyPart::Phonetic(f) | KeyPart::Exact(f) => {
            if ds.kind(f).is_name() {
                name_alternatives(ds, f, i, matches!(part, KeyPart::Phonetic(_)), out)
            } else {
                let v = ds.val(i as u32, f);
                out[0] = u64::from(v);
                usize::from(v != 0)
            }
        }
        KeyPart::Prefix(f, n) => {
            let v = ds.val(i as u32, f);
            if v == 0 {
                return 0;
            }
            let bytes: &[u8] = if ds.kind(f).is_name() { ds.names.compact(v) } else { ds.strings.get(v) };
            let mut key = 0u64;
            for &b in bytes.iter().take(usize::from(n.min(8))) {
                key = key << 8 | u64::from(b);
            }
            out[0] = key | 1 << 63;
            1
        }
        KeyPart::Year(f) | KeyPart::MonthDay(f) | KeyPart::Decade(f) => {
            let v = ds.val(i as u32, f);
            if v == 0 {
                return 0;
            }
            let d = ds.date(v);
            out[0] = match part {
                KeyPart::Year(_) => u64::from(d.year),
                KeyPart::Decade(_) => u64::from(d.year / 10),
                _ => u64::from(d.month) * 100 + u64::from(d.day),
            };
            1
        }
        KeyPart::PhoneticPair(f, g) => {
            let (x, y) = (ds.val(i as u32, f), ds.val(i as u32, g));
            if x == 0 || y == 0 {
                return 0;
            }
            let p = ds.name(x).phon;
            let given = ds.name(y);
            let mut n = 0;
            for q in [given.phon_first, given.phon] {
                let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
                let v = u64::from(lo) << 32 | u64::from(hi);
                if n == 0 || out[0] != v {
                    out[n] = v;
                    n += 1;
                }
            }
            n
        }
    }
}

/// The keys of record `i` for rule number `r`.
pub(crate) fn rule_keys(ds: &Dataset, r: usize, rule: &BlockingRule, i: usize) -> Keys {
    let values: Vec<([u64; 2], usize)> = rule
        .parts
        .iter()
        .map(|part| {
            let mut v = [0u64; 2];
            let n = part_values(ds, *part, i, &mut v);
            (v, n)
        })
        .collect();
    combine(r, values.iter())
}

/// The keys of rule number `r` from the values of its parts, in order (see [`part_values`]):
/// up to two combinations of the parts' alternatives.
fn combine<'a>(r: usize, parts: impl Iterator<Item = &'a ([u64; 2], usize)>) -> Keys {
    let mut combos: [u64; 2] = [mix64(0x5eed ^ r as u64), 0];
    let mut n = 1;
    for (k, (vals, nv)) in parts.enumerate() {
        if *nv == 0 {
            return [0, 0];
        }
        let mut next = [0u64; 2];
        let mut m = 0;
        for c in &combos[..n] {
            for v in &vals[..*nv] {
                if m < 2 {
                    next[m] = mix64(c ^ mix64(v.wrapping_add(k as u64 * 0x9e37_79b9)));
                    m += 1;
                }
            }
        }
        combos = next;
        n = m;
    }
    let fold = |h: u64| -> u32 {
        let x = (h ^ (h >> 32)) as u32;
        if x == 0 {
            1
        } else {
            x
        }
    };
    let k0 = fold(combos[0]);
    let k1 = if n > 1 { fold(combos[1]) } else { 0 };
    [k0, if k1 == k0 { 0 } else { k1 }]
}

#[inline]
fn shares(x: Keys, y: Keys) -> bool {
    x[0] != 0 && (x[0] == y[0] || x[0] == y[1]) || x[1] != 0 && (x[1] == y[0] || x[1] == y[1])
}

/// The checks every generated pair goes through (both in batch and incremental blocking).
/// `keys` holds the keys record by record: `keys[i * rules + r]`.
pub(crate) struct PairFilter<'a> {
    pub ds: &'a Dataset,
    pub rules: &'a [BlockingRule],
    pub keys: &'a [Keys],
    pub mode: Mode,
    pub active: &'a [bool],
}

impl PairFilter<'_> {
    #[inline]
    fn missing_ok(&self, rule: &BlockingRule, i: u32, j: u32) -> bool {
        match rule.when_missing {
            Some(f) => self.ds.is_missing(i, f) || self.ds.is_missing(j, f),
            None => true,
        }
    }

    /// Whether the pair `(i, j)`, `i < j`, found in rule `r`'s block of key `key` is kept
    /// there: right sources, rule condition, first shared key of this rule, not generated by an
    /// earlier rule.
    #[inline]
    pub(crate) fn keep(&self, r: usize, key: u32, i: u32, j: u32) -> bool {
        if self.mode == Mode::Link && self.ds.source(i) == self.ds.source(j) {
            return false;
        }
        let rule = &self.rules[r];
        if !self.missing_ok(rule, i, j) {
            return false;
        }
        let n = self.rules.len();
        let ki = &self.keys[i as usize * n..(i as usize + 1) * n];
        let kj = &self.keys[j as usize * n..(j as usize + 1) * n];
        if key != ki[r][0] && ki[r][0] != 0 && (ki[r][0] == kj[r][0] || ki[r][0] == kj[r][1]) {
            return false;
        }
        for q in 0..r {
            if self.active[q] && shares(ki[q], kj[q]) && self.missing_ok(&self.rules[q], i, j) {
                return false;
            }
        }
        true
    }

    /// Like [`PairFilter::keep`] without looking at the other rules (training samples all the
    /// pairs of a rule).
    #[inline]
    pub(crate) fn keep_alone(&self, r: usize, key: u32, i: u32, j: u32) -> bool {
        if self.mode == Mode::Link && self.ds.source(i) == self.ds.source(j) {
            return false;
        }
        if !self.missing_ok(&self.rules[r], i, j) {
            return false;
        }
        let n = self.rules.len();
        let ki = self.keys[i as usize * n + r];
        let kj = self.keys[j as usize * n + r];
        !(key != ki[0] && ki[0] != 0 && (ki[0] == kj[0] || ki[0] == kj[1]))
    }
}

/// Computes all rules' keys for records `from..len`, record by record, on `threads` threads.
/// Rules share parts (the phonetic family name is in most): each distinct part's values are
/// looked up once per record.
pub(crate) fn compute_keys(ds: &Dataset, rules: &[BlockingRule], from: usize, threads: usize) -> Vec<Keys> {
    let n = ds.len() - from;
    let r = rules.len().max(1);
    let mut distinct: Vec<KeyPart> = Vec::new();
    let plan: Vec<Vec<usize>> = rules
        .iter()
        .map(|rule| {
            rule.parts
                .iter()
                .map(|p| {
                    distinct.iter().position(|d| d == p).unwrap_or_else(|| {
                        distinct.push(*p);
                        distinct.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    let (distinct, plan) = (&distinct, &plan);
    let mut keys = vec![[0u32; 2]; n * rules.len()];
    let chunk = n.div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for (t, part) in keys.chunks_mut(chunk * r).enumerate() {
            s.spawn(move || {
                let mut values = vec![([0u64; 2], 0usize); distinct.len()];
                for (k, slot) in part.chunks_mut(r).enumerate() {
                    let i = from + t * chunk + k;
                    for (v, p) in values.iter_mut().zip(distinct) {
                        v.1 = part_values(ds, *p, i, &mut v.0);
                    }
                    for (q, parts) in plan.iter().enumerate() {
                        slot[q] = combine(q, parts.iter().map(|&x| &values[x]));
                    }
                }
            });
        }
    });
    keys
}

/// A contiguous range of blocks of one rule's sorted entries.
struct Unit {
    rule: usize,
    start: usize,
    end: usize,
}

/// The pairs of a block: all of them, or for a rule with a missing-field condition only those
/// with the field missing on at least one side (generated directly, not filtered).
#[inline]
fn for_block_pairs(
    ds: &Dataset,
    rule: &BlockingRule,
    block: &[u64],
    scratch: &mut Vec<u32>,
    mut f: impl FnMut(u32, u32),
) {
    match rule.when_missing {
        None => {
            for x in 0..block.len() {
                let i = block[x] as u32;
                for &y in &block[x + 1..] {
                    f(i, y as u32);
                }
            }
        }
        Some(field) => {
            scratch.clear();
            scratch.extend(block.iter().map(|&e| e as u32).filter(|&i| ds.is_missing(i, field)));
            for &i in scratch.iter() {
                for &y in block {
                    let j = y as u32;
                    // two missing records: once, from the smaller
                    if j == i || (j < i && ds.is_missing(j, field)) {
                        continue;
                    }
                    f(i.min(j), i.max(j));
                }
            }
        }
    }
}

/// The number of pairs a block yields (see [`for_block_pairs`]).
fn block_pairs(ds: &Dataset, rule: &BlockingRule, block: &[u64]) -> u64 {
    let s = block.len() as u64;
    match rule.when_missing {
        None => s * (s - 1) / 2,
        Some(field) => {
            let m = block.iter().filter(|&&e| ds.is_missing(e as u32, field)).count() as u64;
            m * (m.saturating_sub(1)) / 2 + m * (s - m)
        }
    }
}

/// Sorts entries generated in increasing record order by their key (the upper 32 bits): a
/// stable two-pass radix sort, so records stay in increasing order within a key.
fn sort_by_key_part(v: &mut Vec<u64>) {
    if v.len() < 1 << 16 {
        v.sort_unstable();
        return;
    }
    let mut buf = vec![0u64; v.len()];
    let mut counts = vec![0usize; 1 << 16];
    for shift in [32u32, 48] {
        counts.iter_mut().for_each(|c| *c = 0);
        for &x in v.iter() {
            counts[((x >> shift) & 0xffff) as usize] += 1;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &x in v.iter() {
            let d = ((x >> shift) & 0xffff) as usize;
            buf[counts[d]] = x;
            counts[d] += 1;
        }
        std::mem::swap(v, &mut buf);
    }
}

/// Runs of equal keys in sorted entries.
fn blocks_of(entries: &[u64]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    while s < entries.len() {
        let key = entries[s] >> 32;
        let mut e = s + 1;
        while e < entries.len() && entries[e] >> 32 == key {
            e += 1;
        }
        if e - s > 1 {
            out.push((s, e));
        }
        s = e;
    }
    out
}

/// Estimates the pairs of each rule from a sample of records (one record in `step`).
fn estimate_pairs(ds: &Dataset, rules: &[BlockingRule], step: usize, threads: usize) -> Vec<f64> {
    let sample: Vec<usize> = (0..ds.len()).step_by(step).collect();
    let mut entries: Vec<Vec<u64>> = vec![Vec::with_capacity(sample.len()); rules.len()];
    for &i in &sample {
        for (r, rule) in rules.iter().enumerate() {
            for &x in rule_keys(ds, r, rule, i).iter().filter(|&&x| x != 0) {
                entries[r].push(u64::from(x) << 32 | i as u64);
            }
        }
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<(usize, f64)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let r = next.fetch_add(1, Ordering::Relaxed);
                        if r >= rules.len() {
                            break;
                        }
                        let mut e = entries[r].clone();
                        e.sort_unstable();
                        let sampled: u64 =
                            blocks_of(&e).into_iter().map(|(s, t)| block_pairs(ds, &rules[r], &e[s..t])).sum();
                        mine.push((r, sampled as f64 * (step * step) as f64));
                    }
                    mine
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().expect("estimating thread")).collect()
    });
    out.sort_unstable_by_key(|(r, _)| *r);
    out.into_iter().map(|(_, e)| e).collect()
}

/// Generates and compares the candidate pairs of a dataset.
pub fn candidates(
    ds: &Dataset,
    cmp: &Comparator,
    cfg: &BlockingConfig,
    mode: Mode,
    progress: &(dyn Fn(u64) + Sync),
) -> Candidates {
    candidates_and_samples(ds, cmp, cfg, mode, &[], 0, progress).0
}

/// The patterns of (a sample of) the pairs of a training rule, and how many pairs were compared.
pub type RuleSample = (Vec<(Pattern, u64)>, u64);

/// Generates and compares the candidate pairs, and, in the same pass over the records, samples
/// the pairs of each training rule (at most `cap` per rule: each pair is kept with probability
/// `cap / pairs`, decided by a hash of the pair so the sample is reproducible).
pub fn candidates_and_samples(
    ds: &Dataset,
    cmp: &Comparator,
    cfg: &BlockingConfig,
    mode: Mode,
    training: &[BlockingRule],
    cap: usize,
    progress: &(dyn Fn(u64) + Sync),
) -> (Candidates, Vec<RuleSample>) {
    let n = ds.len();
    let threads = cfg.threads.max(1);
    let budget = (cfg.pairs_per_record * n as f64) as u64 + 100_000;
    // On large files, rules whose pairs (estimated on a sample) are far beyond the budget are
    // dropped before their keys are even computed.
    let mut reports: Vec<RuleReport> = cfg
        .rules
        .iter()
        .map(|r| RuleReport { rule: r.name.clone(), pairs: 0, raw_pairs: 0, oversized_blocks: 0, skipped: false })
        .collect();
    let mut live: Vec<usize> = (0..cfg.rules.len()).collect();
    if n > 200_000 {
        let estimates = estimate_pairs(ds, &cfg.rules, n / 60_000, threads);
        live.retain(|&r| {
            let estimate = estimates[r];
            if estimate > 3.0 * budget as f64 {
                reports[r].skipped = true;
                reports[r].raw_pairs = estimate as u64;
                false
            } else {
                true
            }
        });
    }
    let nb = live.len();
    let rules: Vec<BlockingRule> = live.iter().map(|&r| cfg.rules[r].clone()).chain(training.iter().cloned()).collect();
    let nr = rules.len();
    let keys = compute_keys(ds, &rules, 0, threads);
    // sorted entries per rule: each thread takes every `threads`-th rule, in one pass over the keys
    let sorted: Vec<Vec<u64>> = {
        let mut out: Vec<(usize, Vec<u64>)> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..threads)
                .map(|t| {
                    let keys = &keys;
                    s.spawn(move || {
                        let mine: Vec<usize> = (t..nr).step_by(threads).collect();
                        let mut entries: Vec<Vec<u64>> = mine.iter().map(|_| Vec::with_capacity(n + n / 8)).collect();
                        for i in 0..n {
                            let row = &keys[i * nr..(i + 1) * nr];
                            for (k, &r) in mine.iter().enumerate() {
                                for &x in row[r].iter().filter(|&&x| x != 0) {
                                    entries[k].push(u64::from(x) << 32 | i as u64);
                                }
                            }
                        }
                        mine.into_iter()
                            .zip(entries)
                            .map(|(r, mut e)| {
                                sort_by_key_part(&mut e);
                                (r, e)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().expect("sorting thread")).collect()
        });
        out.sort_unstable_by_key(|(r, _)| *r);
        out.into_iter().map(|(_, e)| e).collect()
    };
    // blocks, budget, work units
    let mut active = vec![false; nr];
    let mut units: Vec<Unit> = Vec::new();
    const UNIT_PAIRS: u64 = 1 << 14;
    for (r, entries) in sorted.iter().enumerate().take(nb) {
        let rule = &rules[r];
        let report = &mut reports[live[r]];
        let mut raw = 0u64;
        let mut oversized = 0u64;
        let mut kept: Vec<(usize, usize, u64)> = Vec::new();
        for (s, e) in blocks_of(entries) {
            if e - s > cfg.max_block {
                oversized += 1;
                continue;
            }
            let p = block_pairs(ds, rule, &entries[s..e]);
            if p > 0 {
                raw += p;
                kept.push((s, e, p));
            }
        }
        report.raw_pairs = raw;
        report.oversized_blocks = oversized;
        if raw > budget {
            report.skipped = true;
            continue;
        }
        active[r] = true;
        let mut acc = 0u64;
        let mut start = None;
        let mut end = 0;
        for (bs, be, p) in kept {
            start.get_or_insert(bs);
            end = be;
            acc += p;
            if acc >= UNIT_PAIRS {
                units.push(Unit { rule: r, start: start.take().unwrap_or(bs), end: be });
                acc = 0;
            }
        }
        if let Some(st) = start {
            units.push(Unit { rule: r, start: st, end });
        }
    }
    let filter = PairFilter { ds, rules: &rules, keys: &keys, mode, active: &active };
    let next = AtomicUsize::new(0);
    let results: Vec<(Vec<Pair>, FxMap<Pattern, u64>, Vec<u64>)> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut pairs = Vec::new();
                    let mut counts: FxMap<Pattern, u64> = FxMap::default();
                    let mut per_rule = vec![0u64; nr];
                    let mut scratch = Vec::new();
                    loop {
                        let u = next.fetch_add(1, Ordering::Relaxed);
                        let Some(unit) = units.get(u) else { break };
                        let rule = &rules[unit.rule];
                        let entries = &sorted[unit.rule][unit.start..unit.end];
                        let before = pairs.len();
                        for (s, e) in blocks_of(entries) {
                            if e - s > cfg.max_block {
                                continue;
                            }
                            let key = (entries[s] >> 32) as u32;
                            for_block_pairs(ds, rule, &entries[s..e], &mut scratch, |i, j| {
                                if filter.keep(unit.rule, key, i, j) {
                                    let pattern = cmp.compare(ds, i, j);
                                    *counts.entry(pattern).or_default() += 1;
                                    pairs.push(Pair { a: i, b: j, pattern });
                                }
                            });
                        }
                        per_rule[unit.rule] += (pairs.len() - before) as u64;
                        progress((pairs.len() - before) as u64);
                    }
                    (pairs, counts, per_rule)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("blocking thread")).collect()
    });
    let samples: Vec<RuleSample> =
        (nb..nr).map(|r| sample_rule(ds, cmp, &filter, r, &sorted[r], cap, cfg.max_block, threads)).collect();
    drop(sorted);
    drop(keys);
    let total: usize = results.iter().map(|r| r.0.len()).sum();
    let mut pairs = Vec::with_capacity(total);
    let mut counts: FxMap<Pattern, u64> = FxMap::default();
    for (p, c, per_rule) in results {
        pairs.extend_from_slice(&p);
        drop(p);
        for (k, v) in c {
            *counts.entry(k).or_default() += v;
        }
        for (r, v) in per_rule.into_iter().enumerate().take(nb) {
            reports[live[r]].pairs += v;
        }
    }
    let mut patterns: Vec<(Pattern, u64)> = counts.into_iter().collect();
    patterns.sort_unstable();
    (Candidates { pairs, patterns, report: Some(BlockingReport { rules: reports, total: total as u64 }) }, samples)
}

/// Samples the pairs of rule `r` (see [`candidates_and_samples`]).
fn sample_rule(
    ds: &Dataset,
    cmp: &Comparator,
    filter: &PairFilter<'_>,
    r: usize,
    entries: &[u64],
    cap: usize,
    max_block: usize,
    threads: usize,
) -> RuleSample {
    let rule = &filter.rules[r];
    let blocks: Vec<(usize, usize)> = blocks_of(entries).into_iter().filter(|(s, e)| e - s <= max_block).collect();
    let raw: u64 = blocks.iter().map(|&(s, e)| block_pairs(ds, rule, &entries[s..e])).sum();
    let threshold =
        if raw as f64 <= cap as f64 { u64::MAX } else { (cap as f64 / raw as f64 * u64::MAX as f64) as u64 };
    let next = AtomicUsize::new(0);
    let parts: Vec<(FxMap<Pattern, u64>, u64)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..threads.max(1))
            .map(|_| {
                sc.spawn(|| {
                    let mut counts: FxMap<Pattern, u64> = FxMap::default();
                    let mut n = 0u64;
                    let mut scratch = Vec::new();
                    loop {
                        let b = next.fetch_add(256, Ordering::Relaxed);
                        if b >= blocks.len() {
                            break;
                        }
                        for &(s, e) in &blocks[b..(b + 256).min(blocks.len())] {
                            let key = (entries[s] >> 32) as u32;
                            for_block_pairs(ds, rule, &entries[s..e], &mut scratch, |i, j| {
                                if threshold != u64::MAX && mix64(u64::from(i) << 32 | u64::from(j)) > threshold {
                                    return;
                                }
                                if filter.keep_alone(r, key, i, j) {
                                    *counts.entry(cmp.compare(ds, i, j)).or_default() += 1;
                                    n += 1;
                                }
                            });
                        }
                    }
                    (counts, n)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().expect("training thread")).collect()
    });
    let mut counts: FxMap<Pattern, u64> = FxMap::default();
    let mut n = 0;
    for (c, k) in parts {
        n += k;
        for (p, v) in c {
            *counts.entry(p).or_default() += v;
        }
    }
    let mut v: Vec<(Pattern, u64)> = counts.into_iter().collect();
    v.sort_unstable();
    (v, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::Thresholds;
    use crate::schema::Record;

    fn ds(rows: &[&[&str]]) -> Dataset {
        let records: Vec<Record> =
            rows.iter().enumerate().map(|(i, r)| Record::from_strs(format!("r{i}"), r)).collect();
        Dataset::from_records(Schema::parcours_core(), &records).unwrap()
    }

    fn pairs_of(ds: &Dataset, mode: Mode) -> (Vec<(u32, u32)>, BlockingReport) {
        pairs_with(ds, mode, BlockingConfig::defaults(ds.schema()))
    }

    fn pairs_with(ds: &Dataset, mode: Mode, cfg: BlockingConfig) -> (Vec<(u32, u32)>, BlockingReport) {
        let cmp = Comparator::new(ds.schema(), Thresholds::default());
        let c = candidates(ds, &cmp, &cfg, mode, &|_| {});
        let mut p: Vec<(u32, u32)> = c.pairs.iter().map(|p| (p.a, p.b)).collect();
        p.sort_unstable();
        (p, c.report.unwrap())
    }

    #[test]
    fn unique_pairs_from_a_union_of_rules() {
        let d = ds(&[
            &["Dupont", "Jean", "1980-01-02", "M", "75056"],
            &["Dupond", "Jean", "1980-01-02", "M", "75056"],
            &["Jean", "Dupont", "1980-01-02", "M", ""],
            &["Dupont", "Jean", "", "M", ""],
            &["Martin", "Anne", "1990-03-04", "F", "69123"],
        ]);
        let (p, report) = pairs_of(&d, Mode::Dedupe);
        assert!(p.contains(&(0, 1)), "same phonetic name and date");
        assert!(p.contains(&(0, 2)), "swapped names, same date");
        assert!(p.contains(&(0, 3)), "missing date, same names");
        assert!(!p.iter().any(|&(a, b)| a == 4 || b == 4), "Martin shares nothing");
        let mut dedup = p.clone();
        dedup.dedup();
        assert_eq!(dedup, p, "each pair once");
        assert_eq!(report.total as usize, p.len());
        assert_eq!(report.rules.iter().map(|r| r.pairs).sum::<u64>(), report.total);
    }

    #[test]
    fn keys_computed_together_are_each_rules_own() {
        let d = ds(&[
            &["Martin née Dupont", "Jean-Pierre", "1980-01-02", "M", "75056"],
            &["Jean", "Dupont", "", "M", ""],
            &["", "Anne", "1990-03-04", "F", "69123"],
            &["N'Diaye", "Fatou Aminata", "2001-12-24", "F", "69123"],
        ]);
        let mut rules = BlockingRule::defaults(d.schema());
        rules.push(BlockingRule::new("préfixe", vec![KeyPart::Prefix(0, 3), KeyPart::Year(2), KeyPart::Exact(1)]));
        let keys = compute_keys(&d, &rules, 1, 2);
        for i in 1..d.len() {
            for (r, rule) in rules.iter().enumerate() {
                assert_eq!(keys[(i - 1) * rules.len() + r], rule_keys(&d, r, rule, i), "record {i}, {}", rule.name);
            }
        }
        assert!(keys.iter().any(|k| k[1] != 0), "some records have two keys");
    }

    #[test]
    fn a_married_name_meets_by_date_commune_and_initial() {
        let d = ds(&[
            &["Martin", "Christine", "1971-06-15", "F", "69123"],
            &["Durand", "Christiane", "1971-06-15", "F", "69123"],
            &["Durand", "Paul", "1971-06-15", "M", "69123"],
        ]);
        // as on a large file, where the date and the commune alone, or the date alone, are too
        // broad rules
        let without = |name: &str| {
            let mut cfg = BlockingConfig::defaults(d.schema());
            cfg.rules
                .retain(|r| !["date de naissance + commune", "date de naissance", name].contains(&r.name.as_str()));
            cfg
        };
        let (p, _) = pairs_with(&d, Mode::Dedupe, without(""));
        assert!(p.contains(&(0, 1)), "same date, commune and initial: {p:?}");
        assert!(!p.contains(&(0, 2)), "another initial: {p:?}");
        let (p, _) = pairs_with(&d, Mode::Dedupe, without("date de naissance + commune + initiale du prénom"));
        assert!(!p.contains(&(0, 1)), "no other rule finds them: {p:?}");
    }

    #[test]
    fn same_names_meet_within_a_decade_not_decades_apart() {
        let d = ds(&[
            &["Dupont", "Jean", "1984-03-07", "M", "75056"],
            // two reports, each with one digit off: the year's and the day's
            &["Dupont", "Jean", "1987-03-08", "M", "69123"],
            // a namesake born decades later, elsewhere
            &["Dupont", "Jean", "2011-09-21", "M", "13055"],
        ]);
        let (p, _) = pairs_of(&d, Mode::Dedupe);
        assert_eq!(p, vec![(0, 1)], "same decade only: {p:?}");
        // without a date field the names alone block
        let mut undated = Dataset::new(Schema::new(vec![
            crate::schema::Field::new("nom", FieldKind::FamilyName),
            crate::schema::Field::new("prenom", FieldKind::GivenName),
        ]));
        for id in ["a", "b"] {
            undated.push(0, id, &[Some("Dupont"), Some("Jean")]).unwrap();
        }
        assert_eq!(pairs_of(&undated, Mode::Dedupe).0, vec![(0, 1)]);
    }

    #[test]
    fn swapped_names_meet_with_a_date_off_by_a_digit_or_missing() {
        let d = ds(&[
            &["Courpeou", "Bernard", "1995-01-07", "M", "69902"],
            &["Bernard", "Kourpeou", "1995-01-08", "M", "69903"],
            &["Bernard", "Courpeou", "", "M", "69904"],
            &["Bernard", "Courpeou", "1959-01-07", "M", "69902"],
        ]);
        // the selective rules only (a dated schema's defaults have no names-only rule either)
        let cfg = BlockingConfig { rules: BlockingRule::selective(d.schema()), ..BlockingConfig::defaults(d.schema()) };
        assert!(!BlockingConfig::defaults(d.schema()).rules.iter().any(|r| r.name == "noms inversés"));
        let (p, _) = pairs_with(&d, Mode::Dedupe, cfg);
        assert!(p.contains(&(0, 1)), "swapped, the day one digit off, another commune: {p:?}");
        assert!(p.contains(&(0, 2)), "swapped, one date missing: {p:?}");
        assert!(p.contains(&(0, 3)), "swapped, another date, same commune: {p:?}");
    }

    #[test]
    fn link_mode_pairs_only_across_sources() {
        let mut d = Dataset::new(Schema::parcours_core());
        for (s, id) in [(0u8, "a1"), (0, "a2"), (1, "b1")] {
            d.push(s, id, &[Some("Dupont"), Some("Jean"), Some("1980-01-02"), Some("M"), None]).unwrap();
        }
        let (p, _) = pairs_of(&d, Mode::Link);
        assert_eq!(p, vec![(0, 2), (1, 2)]);
    }

    #[test]
    fn radix_sort_sorts_by_key_keeping_record_order() {
        let mut rng = crate::util::SplitMix::new(3);
        let mut v: Vec<u64> = (0..200_000u64).map(|i| (rng.below(5000) << 32) | i).collect();
        let mut expected = v.clone();
        expected.sort_unstable();
        sort_by_key_part(&mut v);
        assert_eq!(v, expected);
    }

    #[test]
    fn two_keys_per_record_generate_a_pair_once() {
        // given names "Jean Pierre" have two phonetic keys (first name and whole)
        let d =
            ds(&[&["Dupont", "Jean Pierre", "1980-01-02", "", ""], &["Dupont", "Jean Pierre", "1980-01-02", "", ""]]);
        let (p, _) = pairs_of(&d, Mode::Dedupe);
        assert_eq!(p, vec![(0, 1)]);
    }
}
