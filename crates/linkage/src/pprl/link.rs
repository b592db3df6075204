//! Linking the encodings of several partners: blocking, comparison, EM, clustering.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::bloom::{and_count, dice};
use super::compare::{
    names_identical, pattern_index, pattern_levels, Levels, Model, Similarities, Thresholds, PATTERNS,
};
use super::encode::{EncodedRecord, Scheme, Slot};

/// At most this many partners in one linkage (the clustering keeps a bit set of partners per
/// cluster).
pub const MAX_PARTNERS: usize = 128;

/// Absent filter (in [`Dataset::ones`]).
const ABSENT: u32 = u32::MAX;

/// The encodings of all partners, loaded for linkage. The filters of a record are stored
/// together (record-major), so that comparing a pair reads two contiguous runs of memory.
pub struct Dataset {
    scheme: Scheme,
    flip: f64,
    partners: Vec<String>,
    partner_of: Vec<u16>,
    ids: Vec<String>,
    blocks: Vec<u64>,
    /// Per slot: length in bits, offset and length in words inside a record.
    bits: [usize; Slot::COUNT],
    offset: [usize; Slot::COUNT],
    words: [usize; Slot::COUNT],
    stride: usize,
    data: Vec<u64>,
    /// Per record and slot: number of set bits, or [`ABSENT`].
    ones: Vec<u32>,
    /// Per record: the person its partner found it to be (records of one partner with the
    /// same number are one person), numbered here across partners; `None` when not given.
    local: Vec<Option<u32>>,
    local_numbers: HashMap<(u16, String), u32>,
}

impl Dataset {
    pub fn new(scheme: Scheme) -> Self {
        let mut bits = [0; Slot::COUNT];
        let mut offset = [0; Slot::COUNT];
        let mut words = [0; Slot::COUNT];
        let mut stride = 0;
        for (k, s) in Slot::ALL.iter().enumerate() {
            bits[k] = scheme.params.field(s.field()).bits;
            words[k] = bits[k].div_ceil(64);
            offset[k] = stride;
            stride += words[k];
        }
        let flip = scheme.params.flip_probability();
        Self {
            scheme,
            flip,
            partners: Vec::new(),
            partner_of: Vec::new(),
            ids: Vec::new(),
            blocks: Vec::new(),
            bits,
            offset,
            words,
            stride,
            data: Vec::new(),
            ones: Vec::new(),
            local: Vec::new(),
            local_numbers: HashMap::new(),
        }
    }

    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn partners(&self) -> &[String] {
        &self.partners
    }

    pub fn partner_of(&self, i: usize) -> &str {
        &self.partners[usize::from(self.partner_of[i])]
    }

    pub fn id(&self, i: usize) -> &str {
        &self.ids[i]
    }

    /// Adds a record; its filters must have the scheme's lengths.
    pub fn push(&mut self, r: &EncodedRecord) -> Result<(), String> {
        for (k, f) in r.filters.iter().enumerate() {
            if let Some(f) = f {
                if f.len() != self.bits[k] {
                    return Err(format!("filtre de {} bits, {} attendus", f.len(), self.bits[k]));
                }
            }
        }
        let block = match &r.block {
            None => 0,
            Some(h) => {
                let v = u64::from_str_radix(h, 16).map_err(|_| format!("clé de blocage illisible « {h} »"))?;
                v.max(1)
            }
        };
        let p = match self.partners.iter().position(|p| *p == r.partner) {
            Some(p) => p,
            None if self.partners.len() < MAX_PARTNERS => {
                self.partners.push(r.partner.clone());
                self.partners.len() - 1
            }
            None => return Err(format!("plus de {MAX_PARTNERS} partenaires")),
        };
        for (k, f) in r.filters.iter().enumerate() {
            match f {
                Some(f) => {
                    self.data.extend_from_slice(f.words());
                    self.ones.push(f.count_ones());
                }
                None => {
                    self.data.extend(std::iter::repeat_n(0, self.words[k]));
                    self.ones.push(ABSENT);
                }
            }
        }
        self.partner_of.push(p as u16);
        self.ids.push(r.id.clone());
        self.blocks.push(block);
        let local = r.person.as_ref().filter(|k| !k.is_empty()).map(|k| {
            let next = self.local_numbers.len() as u32;
            *self.local_numbers.entry((p as u16, k.clone())).or_insert(next)
        });
        self.local.push(local);
        Ok(())
    }

    /// The filter of a slot of a record, and its number of set bits.
    #[inline]
    fn get(&self, slot: Slot, i: usize) -> Option<(&[u64], u32)> {
        let k = slot.index();
        let ones = self.ones[i * Slot::COUNT + k];
        if ones == ABSENT {
            return None;
        }
        let start = i * self.stride + self.offset[k];
        Some((&self.data[start..start + self.words[k]], ones))
    }

    /// BLIP-corrected Dice of slot `sa` of record `i` and slot `sb` of record `j` (same key
    /// domain).
    #[inline]
    fn dice(&self, sa: Slot, i: usize, sb: Slot, j: usize) -> Option<f64> {
        let (a, na) = self.get(sa, i)?;
        let (b, nb) = self.get(sb, j)?;
        Some(dice(and_count(a, b), na, nb, self.bits[sa.index()], self.flip))
    }

    /// The family names' similarity: the closest of the used and birth names of each side.
    fn family(&self, i: usize, j: usize) -> Option<f64> {
        let mut best: Option<f64> = None;
        for (a, b) in [
            (Slot::FamilyName, Slot::FamilyName),
            (Slot::FamilyName, Slot::BirthName),
            (Slot::BirthName, Slot::FamilyName),
            (Slot::BirthName, Slot::BirthName),
        ] {
            if let Some(d) = self.dice(a, i, b, j) {
                best = Some(best.map_or(d, |x: f64| x.max(d)));
            }
        }
        best
    }

    /// The similarities of a pair, and its comparison levels. The two "swapped" similarities
    /// are only computed when they can change the levels (names not already alike, date not
    /// already identical), which saves a third of the work on most pairs.
    pub fn compare(&self, i: usize, j: usize, t: &Thresholds) -> (Similarities, Levels) {
        let mut s = Similarities {
            family: self.family(i, j),
            given_all: self.dice(Slot::GivenNames, i, Slot::GivenNames, j),
            given_first: self.dice(Slot::GivenFirst, i, Slot::GivenFirst, j),
            names_swapped: None,
            date: self.dice(Slot::BirthDate, i, Slot::BirthDate, j),
            date_swapped: None,
            sex: self.dice(Slot::Sex, i, Slot::Sex, j),
            commune: self.dice(Slot::Commune, i, Slot::Commune, j),
        };
        // As in `Thresholds::levels`: family name at most partial, given names not identical;
        // and only when the birth dates do not disagree (a swap of the names with a different
        // date cannot make a link), which spares this on most pairs of a birth-year block.
        let below = |d: Option<f64>, x: f64| d.is_none_or(|d| d < x);
        if below(s.family, t.close)
            && below(s.given_all, t.exact)
            && below(s.given_first, t.exact)
            && s.date.is_none_or(|d| d >= t.date_one_off)
        {
            s.names_swapped = match (
                self.dice(Slot::FamilyName, i, Slot::FamilyNameSwap, j),
                self.dice(Slot::GivenFirst, i, Slot::GivenFirstSwap, j),
            ) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            };
        }
        if s.date.is_some_and(|d| d < t.date_exact) {
            s.date_swapped = match (
                self.dice(Slot::BirthDate, i, Slot::BirthDateSwapped, j),
                self.dice(Slot::BirthDateSwapped, i, Slot::BirthDate, j),
            ) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0).max(b.unwrap_or(0.0))),
            };
        }
        let levels = t.levels(&s);
        (s, levels)
    }
}

/// How to link.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkOptions {
    /// Minimum match probability of a link (0.9: see `docs/pprl.md` § 3.4).
    pub threshold: f64,
    /// Blocking rule 1: the keyed birth-year + sex key written by the partners.
    pub block_on_year_sex: bool,
    /// Blocking rules 2…: MinHash LSH bands over the bits of the family-name and
    /// first-given-name filters, each band made of `lsh_rows` min-hashes of each.
    pub lsh_bands: usize,
    pub lsh_rows: usize,
    /// Blocks larger than this are skipped (and reported).
    pub max_block: usize,
    /// Random cross-partner pairs drawn for `u` (and as many inside the birth-year + sex
    /// blocks, for EM).
    pub random_pairs: usize,
    pub em_max_iter: usize,
    pub thresholds: Thresholds,
    /// Seed of the random pairs and of the public MinHash permutations.
    pub seed: u64,
    /// Worker threads for the comparisons.
    pub threads: usize,
}

impl Default for LinkOptions {
    fn default() -> Self {
        Self {
            threshold: 0.9,
            block_on_year_sex: true,
            lsh_bands: 24,
            lsh_rows: 3,
            max_block: 20_000,
            random_pairs: 200_000,
            em_max_iter: 100,
            thresholds: Thresholds::default(),
            seed: 0x7070_726c,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()).min(8),
        }
    }
}

/// A retained link between two records of different partners.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    pub levels: Levels,
    pub weight: f64,
    pub probability: f64,
    /// Refused by the clustering: it would have put two records of one partner in a person.
    pub refused: bool,
}

/// The outcome of a linkage.
#[derive(Clone, Debug)]
pub struct LinkReport {
    pub records: usize,
    /// Records joined to another of the same partner by the partner's own person numbers.
    pub grouped_by_partners: usize,
    pub records_per_partner: Vec<usize>,
    /// Distinct candidate pairs, and the new pairs each blocking rule brought.
    pub candidates: u64,
    pub candidates_by_rule: Vec<(String, u64)>,
    pub skipped_blocks: usize,
    /// Links above the threshold, strongest first (those refused by the clustering included).
    pub links: Vec<Link>,
    /// Cluster (person) number of each record, 0-based, in order of first record.
    pub cluster_of: Vec<u32>,
    pub unique_persons: usize,
    /// `overlap[p][q]`: persons with records at both partners p and q; `overlap[p][p]`: the
    /// persons partner p reported.
    pub overlap: Vec<Vec<usize>>,
    /// Persons reported by at least two partners.
    pub shared_persons: usize,
    /// The Fellegi–Sunter model (u from random pairs, m by EM per blocking family, prior
    /// share of matches by fixed point); a list, named, for the reports.
    pub models: Vec<(String, Model)>,
    /// Share of matches EM found in each blocking family's pairs.
    pub group_share: Vec<(String, f64)>,
    pub blocking_time: Duration,
    pub comparison_time: Duration,
    pub total_time: Duration,
}

/// The blocking keys of every record (`0`: none), rule-major inside a record.
struct Keys {
    rules: usize,
    names: Vec<String>,
    keys: Vec<u64>,
}

impl Keys {
    fn get(&self, i: usize, rule: usize) -> u64 {
        self.keys[i * self.rules + rule]
    }

    /// Whether an earlier rule already makes (i, j) a candidate.
    fn seen_before(&self, i: usize, j: usize, rule: usize) -> bool {
        (0..rule).any(|t| {
            let k = self.get(i, t);
            k != 0 && k == self.get(j, t)
        })
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// MinHash signatures of one slot: `hashes` minima over the set bits of each filter, with
/// public pseudo-random permutations of the bit positions (the linkage unit needs no secret).
fn minhashes(ds: &Dataset, slot: Slot, hashes: usize, seed: u64) -> Vec<Option<Vec<u32>>> {
    let bits = ds.bits[slot.index()];
    let table: Vec<u32> =
        (0..bits * hashes).map(|x| splitmix(seed ^ (slot.index() as u64) << 56 ^ x as u64) as u32).collect();
    (0..ds.len())
        .map(|i| {
            let (words, _) = ds.get(slot, i)?;
            let mut mins = vec![u32::MAX; hashes];
            for (w, &word) in words.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    let pos = w * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    let row = &table[pos * hashes..(pos + 1) * hashes];
                    mins.iter_mut().zip(row).for_each(|(m, &r)| *m = (*m).min(r));
                }
            }
            Some(mins)
        })
        .collect()
}

fn blocking_keys(ds: &Dataset, o: &LinkOptions) -> Keys {
    let rules = usize::from(o.block_on_year_sex) + o.lsh_bands;
    let mut names = Vec::new();
    if o.block_on_year_sex {
        names.push("année de naissance + sexe (HMAC)".to_string());
    }
    for b in 0..o.lsh_bands {
        names.push(format!("LSH MinHash nom + prénom, bande {}", b + 1));
    }
    let hashes = o.lsh_bands * o.lsh_rows;
    let (fam, giv) = if hashes > 0 {
        (minhashes(ds, Slot::FamilyName, hashes, o.seed), minhashes(ds, Slot::GivenFirst, hashes, o.seed))
    } else {
        (vec![None; ds.len()], vec![None; ds.len()])
    };
    let mut keys = Vec::with_capacity(ds.len() * rules);
    for i in 0..ds.len() {
        if o.block_on_year_sex {
            keys.push(ds.blocks[i]);
        }
        for b in 0..o.lsh_bands {
            let key = match (&fam[i], &giv[i]) {
                (Some(f), Some(g)) => {
                    let r = b * o.lsh_rows..(b + 1) * o.lsh_rows;
                    let mut h = splitmix(b as u64 ^ 0xB10C);
                    for &x in f[r.clone()].iter().chain(&g[r]) {
                        h = splitmix(h ^ u64::from(x));
                    }
                    h.max(1)
                }
                _ => 0,
            };
            keys.push(key);
        }
    }
    Keys { rules, names, keys }
}

/// A block: its rule and its records (at least two partners).
struct Block {
    rule: usize,
    members: Vec<u32>,
    pairs: u64,
}

fn blocks(ds: &Dataset, keys: &Keys, max_block: usize) -> (Vec<Block>, usize) {
    let mut out = Vec::new();
    let mut skipped = 0;
    for rule in 0..keys.rules {
        let mut groups: HashMap<u64, Vec<u32>> = HashMap::new();
        for i in 0..ds.len() {
            let k = keys.get(i, rule);
            if k != 0 {
                groups.entry(k).or_default().push(i as u32);
            }
        }
        let mut groups: Vec<(u64, Vec<u32>)> = groups.into_iter().filter(|(_, g)| g.len() > 1).collect();
        groups.sort_unstable_by_key(|(k, _)| *k);
        for (_, members) in groups {
            if members.len() > max_block {
                skipped += 1;
                continue;
            }
            let first = ds.partner_of[members[0] as usize];
            if members.iter().all(|&m| ds.partner_of[m as usize] == first) {
                continue;
            }
            let n = members.len() as u64;
            out.push(Block { rule, members, pairs: n * (n - 1) / 2 });
        }
    }
    (out, skipped)
}

/// Calls `f(i, j)` for every new cross-partner pair of a block.
fn for_each_pair(ds: &Dataset, keys: &Keys, b: &Block, mut f: impl FnMut(usize, usize)) {
    for (x, &i) in b.members.iter().enumerate() {
        let i = i as usize;
        for &j in &b.members[x + 1..] {
            let j = j as usize;
            if ds.partner_of[i] != ds.partner_of[j] && !keys.seen_before(i, j, b.rule) {
                f(i, j);
            }
        }
    }
}

/// Splits the blocks into `parts` contiguous runs of about equal pair counts.
fn partition(blocks: &[Block], parts: usize) -> Vec<&[Block]> {
    let total: u64 = blocks.iter().map(|b| b.pairs).sum();
    let per = total / parts.max(1) as u64 + 1;
    let mut out = Vec::new();
    let (mut start, mut acc) = (0, 0u64);
    for (i, b) in blocks.iter().enumerate() {
        acc += b.pairs;
        if acc >= per && out.len() + 1 < parts {
            out.push(&blocks[start..=i]);
            start = i + 1;
            acc = 0;
        }
    }
    out.push(&blocks[start..]);
    out
}

/// Links the records of a data set: pairs of different partners only, each partner's file taken
/// as deduplicated — by the partner, before encoding, when its records carry a person number
/// (those sharing one start as one person), otherwise record by record.
pub fn link(ds: &Dataset, o: &LinkOptions) -> LinkReport {
    let t0 = Instant::now();
    let keys = blocking_keys(ds, o);
    let (blocks, skipped_blocks) = blocks(ds, &keys, o.max_block);
    let blocking_time = t0.elapsed();

    // Pass 1 (threads): the level pattern of every candidate pair, kept in enumeration order,
    // and for each record the number of its candidates at each other partner whose family and
    // given names are identical to its own (its namesakes there).
    let t1 = Instant::now();
    let np = ds.partners.len();
    let parts = partition(&blocks, o.threads.max(1));
    let per_part: Vec<(Vec<u16>, Vec<u64>, Vec<u32>)> = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let keys = &keys;
                s.spawn(move || {
                    let mut patterns = Vec::new();
                    let mut by_rule = vec![0u64; keys.rules];
                    let mut namesakes = vec![0u32; ds.len() * np];
                    for b in *part {
                        for_each_pair(ds, keys, b, |i, j| {
                            let l = ds.compare(i, j, &o.thresholds).1;
                            if names_identical(&l) {
                                namesakes[i * np + usize::from(ds.partner_of[j])] += 1;
                                namesakes[j * np + usize::from(ds.partner_of[i])] += 1;
                            }
                            patterns.push(pattern_index(&l));
                            by_rule[b.rule] += 1;
                        });
                    }
                    (patterns, by_rule, namesakes)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("comparison thread")).collect()
    });
    let mut by_rule = vec![0u64; keys.rules];
    let mut namesakes = vec![0u32; ds.len() * np];
    for (_, r, ns) in &per_part {
        by_rule.iter_mut().zip(r).for_each(|(a, b)| *a += b);
        namesakes.iter_mut().zip(ns).for_each(|(a, b)| *a += b);
    }
    let candidates: u64 = by_rule.iter().sum();

    // The namesakes level of a pair whose names are identical: is each the other's only
    // namesake at the other's partner?
    let full_pattern = |base: u16, i: usize, j: usize| -> u16 {
        let mut l = pattern_levels(base);
        if names_identical(&l) {
            let sole = namesakes[i * np + usize::from(ds.partner_of[j])] == 1
                && namesakes[j * np + usize::from(ds.partner_of[i])] == 1;
            l[5] = u8::from(!sole);
        }
        pattern_index(&l)
    };
    // Replays the enumeration with the complete patterns; `f(rule, i, j, pattern)`.
    let replay = |f: &mut dyn FnMut(usize, usize, usize, u16)| {
        for (part, (patterns, _, _)) in parts.iter().zip(&per_part) {
            let mut next = patterns.iter();
            for b in *part {
                for_each_pair(ds, &keys, b, |i, j| {
                    let base = *next.next().expect("same enumeration");
                    f(b.rule, i, j, full_pattern(base, i, j));
                });
            }
        }
    };

    // u: random cross-partner pairs (almost all non-matches).
    let mut random = [0u64; PATTERNS];
    let mut rng = StdRng::seed_from_u64(o.seed);
    let (mut drawn, mut tries) = (0, 0);
    while np > 1 && drawn < o.random_pairs && tries < o.random_pairs * 20 {
        tries += 1;
        let (i, j) = (rng.gen_range(0..ds.len()), rng.gen_range(0..ds.len()));
        if ds.partner_of[i] != ds.partner_of[j] {
            let base = pattern_index(&ds.compare(i, j, &o.thresholds).1);
            random[usize::from(full_pattern(base, i, j))] += 1;
            drawn += 1;
        }
    }
    let mut model = Model::from_random_pairs(&random);

    // m: EM on the pairs sharing the birth-year + sex key, with u drawn from random pairs *of
    // the same blocks*: there, every pair agrees on year and sex, given names follow sex, so
    // namesakes and birth dates of the same year are more common than among all pairs, and
    // the u of all pairs would make EM take them for matches. All variables but sex (always
    // equal there; its m keeps its prior, 0.98) are estimated. The birth-date m are those of
    // the matches that agree on the year: a little optimistic for "identical", the year typos
    // being elsewhere. The pairs found by the name LSH alone are not used: names agree there
    // whatever the pair, and EM on the remaining variables alone is undetermined.
    let mut by_year_sex = [0u64; PATTERNS];
    let mut all = [0u64; PATTERNS];
    replay(&mut |rule, _, _, p| {
        all[usize::from(p)] += 1;
        if o.block_on_year_sex && rule == 0 {
            by_year_sex[usize::from(p)] += 1;
        }
    });
    let mut group_share = Vec::new();
    let year_sex_blocks: Vec<&Block> = blocks.iter().filter(|b| o.block_on_year_sex && b.rule == 0).collect();
    if by_year_sex.iter().sum::<u64>() >= 1_000 {
        let mut cumulative = Vec::with_capacity(year_sex_blocks.len());
        let mut acc = 0u64;
        for b in &year_sex_blocks {
            acc += b.pairs;
            cumulative.push(acc);
        }
        let mut within = [0u64; PATTERNS];
        let (mut drawn, mut tries) = (0, 0);
        while drawn < o.random_pairs && tries < o.random_pairs * 20 {
            tries += 1;
            let x = rng.gen_range(0..acc);
            let b = year_sex_blocks[cumulative.partition_point(|&c| c <= x)];
            let i = b.members[rng.gen_range(0..b.members.len())] as usize;
            let j = b.members[rng.gen_range(0..b.members.len())] as usize;
            if ds.partner_of[i] != ds.partner_of[j] {
                let base = pattern_index(&ds.compare(i, j, &o.thresholds).1);
                within[usize::from(full_pattern(base, i, j))] += 1;
                drawn += 1;
            }
        }
        let vars = [true, true, true, false, true, true];
        let mut in_blocks = Model::from_random_pairs(&within);
        // The namesakes variable only exists for identical names, which random pairs seldom
        // have and which, when they do, are often true matches: its u is estimated by EM too.
        let free_u = [false, false, false, false, false, true];
        let share = in_blocks.em_m(&by_year_sex, vars, free_u, o.em_max_iter);
        for (k, used) in vars.iter().enumerate() {
            if *used {
                model.m[k].clone_from(&in_blocks.m[k]);
            }
        }
        model.u[5].clone_from(&in_blocks.u[5]);
        model.iterations = in_blocks.iterations;
        group_share.push(("année + sexe (HMAC)".to_string(), share));
    }
    let sizes: Vec<f64> =
        (0..np).map(|p| ds.partner_of.iter().filter(|&&q| usize::from(q) == p).count() as f64).collect();
    let total_pairs: f64 =
        (0..np).flat_map(|p| (p + 1..np).map(move |q| (p, q))).map(|(p, q)| sizes[p] * sizes[q]).sum();
    model.fit_prior(&all, total_pairs, o.em_max_iter);
    let probability: Vec<f64> = (0..PATTERNS).map(|p| model.probability(&pattern_levels(p as u16))).collect();
    let models = vec![("global".to_string(), model)];

    // Pass 3: the pairs whose probability passes the threshold.
    let mut links = Vec::new();
    replay(&mut |_, i, j, p| {
        let pr = probability[usize::from(p)];
        if pr >= o.threshold {
            let levels = pattern_levels(p);
            links.push(Link {
                a: i as u32,
                b: j as u32,
                levels,
                weight: models[0].1.weight(&levels),
                probability: pr,
                refused: false,
            });
        }
    });
    let comparison_time = t1.elapsed();

    // Clustering: strongest links first; a link is refused when the two clusters share a
    // partner (a person has at most one record per partner), which stops chaining.
    links.sort_by(|x, y| {
        y.probability.total_cmp(&x.probability).then(y.weight.total_cmp(&x.weight)).then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let n = ds.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    let mut mask: Vec<u128> = ds.partner_of.iter().map(|&p| 1u128 << p).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    // the records a partner found to be one person start as one (same partner, same bit)
    let mut first_of: HashMap<u32, u32> = HashMap::new();
    for (i, local) in ds.local.iter().enumerate() {
        if let Some(k) = local {
            let root = *first_of.entry(*k).or_insert(i as u32);
            parent[i] = root;
        }
    }
    let grouped_by_partners = n - (0..n as u32).filter(|&i| find(&mut parent, i) == i).count();
    for l in &mut links {
        let (ra, rb) = (find(&mut parent, l.a), find(&mut parent, l.b));
        if ra == rb {
            continue;
        }
        if mask[ra as usize] & mask[rb as usize] != 0 {
            l.refused = true;
            continue;
        }
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[gone as usize] = keep;
        mask[keep as usize] |= mask[gone as usize];
    }
    let mut cluster_of = vec![0u32; n];
    let mut number: HashMap<u32, u32> = HashMap::new();
    for (i, c) in cluster_of.iter_mut().enumerate() {
        let r = find(&mut parent, i as u32);
        let next = number.len() as u32;
        *c = *number.entry(r).or_insert(next);
    }
    let unique_persons = number.len();
    let np = ds.partners.len();
    let mut overlap = vec![vec![0usize; np]; np];
    let mut shared_persons = 0;
    for &r in number.keys() {
        let m = mask[r as usize];
        let present: Vec<usize> = (0..np).filter(|&p| m >> p & 1 == 1).collect();
        if present.len() > 1 {
            shared_persons += 1;
        }
        for &p in &present {
            for &q in &present {
                overlap[p][q] += 1;
            }
        }
    }
    let mut records_per_partner = vec![0usize; np];
    ds.partner_of.iter().for_each(|&p| records_per_partner[usize::from(p)] += 1);
    LinkReport {
        records: n,
        grouped_by_partners,
        records_per_partner,
        candidates,
        candidates_by_rule: keys.names.into_iter().zip(by_rule).collect(),
        skipped_blocks,
        links,
        cluster_of,
        unique_persons,
        overlap,
        shared_persons,
        models,
        group_share,
        blocking_time,
        comparison_time,
        total_time: t0.elapsed(),
    }
}
