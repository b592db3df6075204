//! Records prepared for linkage, column by column: every value is normalised once per distinct
//! raw string and interned, so that a record is a row of `u32` ids (0 = missing) and comparing
//! two records compares ids first and strings only when they differ.
//!
//! A [`Dataset`] may hold records of several sources (link mode compares only records of
//! different sources) and grows by [`Dataset::push`]: the incremental [`crate::Linker`] appends
//! to it.

use serde::Serialize;

use crate::normalize::{self, fold, fold_code, fold_place, fold_sex, fold_text, words, PARTICLES};
use crate::phonetic::key_of_compact;
use crate::schema::{FieldKind, Record, Schema};
use crate::util::FxMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Byte strings interned to dense ids; id 0 is the empty string (missing). Each string is
/// stored once, end to end in one buffer (a comparison reads its bytes without following a
/// pointer per string); the index maps its hash to its id (collisions are resolved by probing).
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    map: FxMap<u64, u32>,
    bytes: Vec<u8>,
    /// `ends[id]` is where string `id` ends in `bytes` (it starts where `id - 1` ends).
    ends: Vec<u32>,
}

impl Default for Interner {
    fn default() -> Self {
        Self { map: FxMap::default(), bytes: Vec::new(), ends: vec![0] }
    }
}

fn hash_bytes(s: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::util::FxHasher::default();
    h.write(s);
    crate::util::mix64(h.finish())
}

impl Interner {
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
        self.ends.reserve(additional);
        self.bytes.reserve(additional * 8);
    }

    pub(crate) fn intern(&mut self, s: &[u8]) -> u32 {
        if s.is_empty() {
            return 0;
        }
        let mut h = hash_bytes(s);
        loop {
            match self.map.get(&h) {
                Some(&id) if self.get(id) == s => return id,
                Some(_) => h = crate::util::mix64(h ^ 0x9e37_79b9_7f4a_7c15),
                None => break,
            }
        }
        let id = u32::try_from(self.ends.len()).expect("fewer than 4 billion distinct values");
        self.bytes.extend_from_slice(s);
        self.ends.push(u32::try_from(self.bytes.len()).expect("interned strings under 4 GB"));
        self.map.insert(h, id);
        id
    }

    #[inline]
    pub(crate) fn get(&self, id: u32) -> &[u8] {
        let id = id as usize;
        let start = if id == 0 { 0 } else { self.ends[id - 1] as usize };
        &self.bytes[start..self.ends[id] as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }
}

/// A normalised name and the forms the comparators and blocking keys use.
#[derive(Debug, Clone)]
pub struct NameInfo {
    /// Upper-case ASCII words (`JEAN PIERRE`).
    pub folded: Box<str>,
    pub(crate) compact_id: u32,
    pub(crate) core_id: u32,
    pub(crate) first_id: u32,
    /// Compact ids of the words (of two letters or more) and of the leading runs of words,
    /// without the whole name: `FATOU AMINATA` → `FATOU`, `AMINATA`.
    pub(crate) parts: Box<[u32]>,
    pub(crate) phon: u32,
    pub(crate) phon_first: u32,
}

/// The forms of a name computed from its folded text (pure: computed in parallel in bulk loads).
#[derive(Debug, Clone)]
pub(crate) struct NameForms {
    folded: String,
    compact: String,
    core: String,
    first: String,
    parts: Vec<String>,
    phon: String,
    phon_first: String,
}

/// The forms of an already folded name; `None` for an empty or placeholder name.
pub(crate) fn name_forms(folded: &str) -> Option<NameForms> {
    if normalize::is_placeholder(folded) {
        return None;
    }
    let ws: Vec<&str> = words(folded).collect();
    let compact: String = ws.concat();
    let skip = ws.iter().take_while(|w| PARTICLES.contains(w)).count();
    let core = if skip >= ws.len() { compact.clone() } else { ws[skip..].concat() };
    let first = ws.first().copied().unwrap_or("").to_string();
    let mut parts = Vec::new();
    if ws.len() > 1 {
        let mut run = String::new();
        for (i, w) in ws.iter().enumerate() {
            if w.len() >= 2 {
                parts.push((*w).to_string());
            }
            run.push_str(w);
            if i + 1 < ws.len() && i > 0 && run.len() >= 2 {
                parts.push(run.clone());
            }
        }
    }
    let phon = key_of_compact(compact.as_bytes());
    let phon_first = if ws.len() > 1 { key_of_compact(first.as_bytes()) } else { phon.clone() };
    Some(NameForms { folded: folded.to_string(), compact, core, first, parts, phon, phon_first })
}

/// Interned names, shared by all the name fields of a dataset.
#[derive(Debug, Clone)]
pub(crate) struct NameTable {
    pub(crate) infos: Vec<NameInfo>,
    pub(crate) compacts: Interner,
    pub(crate) phons: Interner,
}

impl Default for NameTable {
    fn default() -> Self {
        let none = NameInfo {
            folded: Box::from(""),
            compact_id: 0,
            core_id: 0,
            first_id: 0,
            parts: Box::new([]),
            phon: 0,
            phon_first: 0,
        };
        Self { infos: vec![none], compacts: Interner::default(), phons: Interner::default() }
    }
}

impl NameTable {
    fn reserve(&mut self, additional: usize) {
        self.infos.reserve(additional);
        self.compacts.reserve(additional);
        self.phons.reserve(additional / 2);
    }

    pub(crate) fn intern_forms(&mut self, f: NameForms) -> u32 {
        let compact_id = self.compacts.intern(f.compact.as_bytes());
        let core_id = if f.core == f.compact { compact_id } else { self.compacts.intern(f.core.as_bytes()) };
        let first_id = if f.first == f.compact { compact_id } else { self.compacts.intern(f.first.as_bytes()) };
        let mut parts: Vec<u32> = f.parts.iter().map(|p| self.compacts.intern(p.as_bytes())).collect();
        parts.sort_unstable();
        parts.dedup();
        parts.retain(|&p| p != compact_id);
        let phon = self.phons.intern(f.phon.as_bytes());
        let phon_first = if f.phon_first == f.phon { phon } else { self.phons.intern(f.phon_first.as_bytes()) };
        let id = u32::try_from(self.infos.len()).expect("fewer than 4 billion names");
        self.infos.push(NameInfo {
            folded: Box::from(f.folded.as_str()),
            compact_id,
            core_id,
            first_id,
            parts: parts.into_boxed_slice(),
            phon,
            phon_first,
        });
        id
    }

    #[inline]
    pub(crate) fn compact(&self, id: u32) -> &[u8] {
        self.compacts.get(self.infos[id as usize].compact_id)
    }
}

/// A calendar date as written (not checked against the calendar beyond ranges).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DateVal {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl DateVal {
    /// Parses `YYYY-MM-DD`, `YYYYMMDD`, `DD/MM/YYYY` (or with `-`/`.`), surrounding spaces
    /// allowed. `None` when missing, partial (`00` day or month) or out of range.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let b = t.as_bytes();
        let num = |s: &[u8]| -> Option<u32> {
            if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
                return None;
            }
            Some(s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
        };
        let (y, m, d) = if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
            (num(&b[0..4])?, num(&b[4..6])?, num(&b[6..8])?)
        } else {
            let parts: Vec<&str> = t.split(['-', '/', '.']).collect();
            if parts.len() != 3 {
                return None;
            }
            let p: Vec<&[u8]> = parts.iter().map(|p| p.as_bytes()).collect();
            if p[0].len() == 4 {
                (num(p[0])?, num(p[1])?, num(p[2])?)
            } else if p[2].len() == 4 {
                (num(p[2])?, num(p[1])?, num(p[0])?)
            } else {
                return None;
            }
        };
        let valid = (1850..=2150).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
        valid.then_some(DateVal { year: y as u16, month: m as u8, day: d as u8 })
    }

    fn packed(self) -> u32 {
        u32::from(self.year) << 16 | u32::from(self.month) << 8 | u32::from(self.day)
    }
}

/// A raw value normalised, before interning (pure: computed in parallel in bulk loads).
// Built once per distinct raw value and consumed at once: boxing the names would only add an
// allocation per name.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum Prepared {
    Names(Option<NameForms>, Option<NameForms>),
    Date(Option<DateVal>),
    Str(String),
}

pub(crate) fn prepare(kind: FieldKind, raw: &str) -> Prepared {
    match kind {
        FieldKind::FamilyName => {
            let f = normalize::family_names(raw);
            let used = name_forms(&f.used);
            let birth = f.birth.as_deref().and_then(name_forms);
            if used.is_none() {
                Prepared::Names(birth, None)
            } else {
                Prepared::Names(used, birth)
            }
        }
        FieldKind::GivenName | FieldKind::BirthName => Prepared::Names(name_forms(&fold(raw)), None),
        FieldKind::BirthDate => Prepared::Date(DateVal::parse(raw)),
        FieldKind::Sex => Prepared::Str(fold_sex(raw)),
        FieldKind::Code | FieldKind::Number | FieldKind::BirthCountry => Prepared::Str(fold_code(raw)),
        FieldKind::Text => Prepared::Str(fold_text(raw)),
        FieldKind::BirthPlace => Prepared::Str(fold_place(raw)),
    }
}

/// Whether a value says "unknown" in so many words, rather than being unreadable: a sex
/// written `X` (the by-name list's « non renseigné »), `U`, `I`, `0`, `9`, `NR`, `inconnu`…
fn states_unknown(kind: FieldKind, raw: &str) -> bool {
    kind == FieldKind::Sex
        && matches!(
            crate::normalize::fold_code(raw).as_str(),
            "X" | "U" | "I" | "0" | "9" | "NR" | "INCONNU" | "INDETERMINE" | "NON RENSEIGNE" | "UNKNOWN" | "?"
        )
}

/// Why a record could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    #[error("{got} valeurs pour {expected} champs")]
    Arity { expected: usize, got: usize },
}

/// Records prepared for linkage (see the module docs). Values are stored row by row (a record's
/// ids are contiguous: comparing two records touches two cache lines).
#[derive(Debug, Clone)]
pub struct Dataset {
    schema: Schema,
    kinds: Vec<FieldKind>,
    /// Values per record: one slot per field, then one per family field for its birth name.
    width: usize,
    alt_slot: Vec<usize>,
    rows: Vec<u32>,
    id_text: String,
    id_ends: Vec<u32>,
    sources: Vec<u8>,
    raw: Vec<FxMap<Box<str>, (u32, u32)>>,
    pub(crate) names: NameTable,
    pub(crate) dates: Vec<DateVal>,
    date_ids: FxMap<u32, u32>,
    pub(crate) strings: Interner,
    /// The household (report) of each record, 0 for none; empty when no record has one.
    groups: Vec<u32>,
    /// Per field: the records whose value was given but could not be read (an impossible date,
    /// a name of punctuation only), taken as missing.
    unreadable: Vec<Vec<u32>>,
}

impl Dataset {
    pub fn new(schema: Schema) -> Self {
        let kinds: Vec<FieldKind> = schema.fields.iter().map(|f| f.kind).collect();
        let mut width = kinds.len();
        let alt_slot = kinds
            .iter()
            .map(|k| {
                if *k == FieldKind::FamilyName {
                    width += 1;
                    width - 1
                } else {
                    usize::MAX
                }
            })
            .collect();
        Self {
            raw: vec![FxMap::default(); kinds.len()],
            schema,
            kinds,
            width,
            alt_slot,
            rows: Vec::new(),
            id_text: String::new(),
            id_ends: Vec::new(),
            sources: Vec::new(),
            names: NameTable::default(),
            dates: vec![DateVal { year: 0, month: 0, day: 0 }],
            date_ids: FxMap::default(),
            strings: Interner::default(),
            groups: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    /// Per field (schema order): the records whose value was given but unreadable, and so
    /// taken as missing — for the loader to say so.
    pub fn unreadable(&self) -> Vec<(&str, &[u32])> {
        let none: &[u32] = &[];
        self.schema
            .fields
            .iter()
            .enumerate()
            .map(|(f, field)| (field.name.as_str(), self.unreadable.get(f).map_or(none, Vec::as_slice)))
            .collect()
    }

    fn note_unreadable(&mut self, field: usize, record: u32) {
        if self.unreadable.len() <= field {
            self.unreadable.resize(self.kinds.len(), Vec::new());
        }
        self.unreadable[field].push(record);
    }

    /// A dataset of records from one source (source 0).
    pub fn from_records(schema: Schema, records: &[Record]) -> Result<Self, DatasetError> {
        let mut ds = Self::new(schema);
        for r in records {
            ds.push_record(0, r)?;
        }
        Ok(ds)
    }

    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// The identifier of the record at `index`.
    pub fn id(&self, index: u32) -> &str {
        let i = index as usize;
        let start = if i == 0 { 0 } else { self.id_ends[i - 1] as usize };
        &self.id_text[start..self.id_ends[i] as usize]
    }

    pub fn source(&self, index: u32) -> u8 {
        self.sources[index as usize]
    }

    /// Puts a record in a household, as one partner reported it: records of one household are
    /// different persons (see [`crate::context`]). Group numbers are the caller's, unique across
    /// sources; 0 means none.
    pub fn set_group(&mut self, index: u32, group: u32) {
        let i = index as usize;
        if self.groups.len() <= i {
            if group == 0 {
                return;
            }
            self.groups.resize(self.len().max(i + 1), 0);
        }
        self.groups[i] = group;
    }

    /// The household of a record (0: none).
    #[inline]
    pub fn group(&self, index: u32) -> u32 {
        self.groups.get(index as usize).copied().unwrap_or(0)
    }

    /// Whether some record has a household.
    pub fn has_groups(&self) -> bool {
        self.groups.iter().any(|&g| g != 0)
    }

    /// The kind of a field.
    #[inline]
    pub(crate) fn kind(&self, field: usize) -> FieldKind {
        self.kinds[field]
    }

    /// The value id of a field (name, date or string id; 0 when missing).
    #[inline]
    pub(crate) fn val(&self, index: u32, field: usize) -> u32 {
        self.rows[index as usize * self.width + field]
    }

    /// The birth name carried by a family-name value (0 when none or not a family name).
    #[inline]
    pub(crate) fn alt(&self, index: u32, field: usize) -> u32 {
        match self.alt_slot[field] {
            usize::MAX => 0,
            s => self.rows[index as usize * self.width + s],
        }
    }

    pub fn reserve(&mut self, additional: usize) {
        self.id_ends.reserve(additional);
        self.sources.reserve(additional);
        self.rows.reserve(additional * self.width);
    }

    pub fn push_record(&mut self, source: u8, record: &Record) -> Result<u32, DatasetError> {
        let values: Vec<Option<&str>> = record.values.iter().map(Option::as_deref).collect();
        self.push(source, &record.id, &values)
    }

    fn push_id(&mut self, source: u8, id: &str) -> u32 {
        let index = u32::try_from(self.id_ends.len()).expect("fewer than 4 billion records");
        self.id_text.push_str(id);
        self.id_ends.push(u32::try_from(self.id_text.len()).expect("identifiers under 4 GB"));
        self.sources.push(source);
        self.rows.resize(self.rows.len() + self.width, 0);
        index
    }

    /// Adds a record; returns its index. Empty values are missing.
    pub fn push(&mut self, source: u8, id: &str, values: &[Option<&str>]) -> Result<u32, DatasetError> {
        if values.len() != self.kinds.len() {
            return Err(DatasetError::Arity { expected: self.kinds.len(), got: values.len() });
        }
        let index = self.push_id(source, id);
        for (f, value) in values.iter().enumerate() {
            let raw = value.map(str::trim).unwrap_or("");
            let (v, alt) = if raw.is_empty() {
                (0, 0)
            } else if let Some(&hit) = self.raw[f].get(raw) {
                hit
            } else {
                let prepared = self.intern(prepare(self.kinds[f], raw));
                self.raw[f].insert(Box::from(raw), prepared);
                prepared
            };
            if !raw.is_empty() && (v, alt) == (0, 0) && !states_unknown(self.kinds[f], raw) {
                self.note_unreadable(f, index);
            }
            self.set(index, f, v, alt);
        }
        Ok(index)
    }

    fn set(&mut self, index: u32, field: usize, v: u32, alt: u32) {
        let base = index as usize * self.width;
        self.rows[base + field] = v;
        if self.alt_slot[field] != usize::MAX {
            self.rows[base + self.alt_slot[field]] = alt;
        }
    }

    fn intern(&mut self, p: Prepared) -> (u32, u32) {
        match p {
            Prepared::Names(a, b) => {
                let a = a.map_or(0, |f| self.names.intern_forms(f));
                let b = b.map_or(0, |f| self.names.intern_forms(f));
                (a, b)
            }
            Prepared::Date(Some(d)) => {
                let next = u32::try_from(self.dates.len()).expect("few dates");
                let id = *self.date_ids.entry(d.packed()).or_insert(next);
                if id == next {
                    self.dates.push(d);
                }
                (id, 0)
            }
            Prepared::Date(None) => (0, 0),
            Prepared::Str(s) => (self.strings.intern(s.as_bytes()), 0),
        }
    }

    /// The normalised value of a field, for display (`None` when missing).
    pub fn normalised(&self, index: u32, field: usize) -> Option<String> {
        let v = self.val(index, field);
        if v == 0 {
            return None;
        }
        Some(match self.kinds[field] {
            FieldKind::FamilyName => {
                let alt = self.alt(index, field);
                let used = self.names.infos[v as usize].folded.to_string();
                if alt == 0 {
                    used
                } else {
                    format!("{used} NEE {}", self.names.infos[alt as usize].folded)
                }
            }
            FieldKind::GivenName | FieldKind::BirthName => self.names.infos[v as usize].folded.to_string(),
            FieldKind::BirthDate => {
                let d = self.dates[v as usize];
                format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
            }
            _ => String::from_utf8_lossy(self.strings.get(v)).into_owned(),
        })
    }

    /// Whether a field is missing for a record.
    pub fn is_missing(&self, index: u32, field: usize) -> bool {
        self.val(index, field) == 0
    }

    /// The value used for term frequencies: the compact name, the date, the code.
    #[inline]
    pub(crate) fn tf_key(&self, field: usize, index: u32) -> u32 {
        let v = self.val(index, field);
        if self.kinds[field].is_name() {
            self.names.infos[v as usize].compact_id
        } else {
            v
        }
    }

    /// How many distinct term-frequency keys a field can have (ids are below this).
    pub(crate) fn tf_key_space(&self, field: usize) -> usize {
        match self.kinds[field] {
            k if k.is_name() => self.names.compacts.len(),
            FieldKind::BirthDate => self.dates.len(),
            _ => self.strings.len(),
        }
    }

    #[inline]
    pub(crate) fn date(&self, id: u32) -> DateVal {
        self.dates[id as usize]
    }

    #[inline]
    pub(crate) fn name(&self, id: u32) -> &NameInfo {
        &self.names.infos[id as usize]
    }
}

/// A raw value as a map key: short values inline, so that a lookup does not follow a pointer to
/// compare (a million rows make ten million lookups, most of them hits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum RawKey {
    Inline(u8, [u8; RAW_INLINE]),
    Heap(Box<str>),
}

const RAW_INLINE: usize = 22;

impl RawKey {
    fn of(s: &str) -> Self {
        if s.len() <= RAW_INLINE {
            let mut b = [0u8; RAW_INLINE];
            b[..s.len()].copy_from_slice(s.as_bytes());
            RawKey::Inline(s.len() as u8, b)
        } else {
            RawKey::Heap(Box::from(s))
        }
    }
}

/// Bulk loading: raw values are collected (and deduplicated) first, then normalised on all
/// threads, then interned. Much faster than [`Dataset::push`] for large files.
pub struct DatasetBuilder {
    ds: Dataset,
    raw_ids: Vec<FxMap<RawKey, u32>>,
    raw_list: Vec<Vec<Box<str>>>,
    raw_rows: Vec<u32>,
}

impl DatasetBuilder {
    pub fn new(schema: Schema) -> Self {
        let n = schema.len();
        Self {
            ds: Dataset::new(schema),
            raw_ids: vec![FxMap::default(); n],
            raw_list: vec![vec![Box::from("")]; n],
            raw_rows: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.ds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ds.is_empty()
    }

    pub fn reserve(&mut self, additional: usize) {
        self.ds.id_ends.reserve(additional);
        self.ds.sources.reserve(additional);
        self.raw_rows.reserve(additional * self.raw_ids.len());
    }

    /// Adds a record (normalised in [`DatasetBuilder::build`]); returns its index.
    pub fn push(&mut self, source: u8, id: &str, values: &[Option<&str>]) -> Result<u32, DatasetError> {
        let n = self.raw_ids.len();
        if values.len() != n {
            return Err(DatasetError::Arity { expected: n, got: values.len() });
        }
        let index = u32::try_from(self.ds.id_ends.len()).expect("fewer than 4 billion records");
        self.ds.id_text.push_str(id);
        self.ds.id_ends.push(u32::try_from(self.ds.id_text.len()).expect("identifiers under 4 GB"));
        self.ds.sources.push(source);
        for (f, value) in values.iter().enumerate() {
            let raw = value.map(str::trim).unwrap_or("");
            let id = if raw.is_empty() { 0 } else { self.raw_id(f, raw, || Box::from(raw)) };
            self.raw_rows.push(id);
        }
        Ok(index)
    }

    /// The number of raw value `raw` of field `f`, a new one when first seen (`owned` gives the
    /// value to keep then).
    fn raw_id(&mut self, f: usize, raw: &str, owned: impl FnOnce() -> Box<str>) -> u32 {
        self.raw_id_of(f, RawKey::of(raw), owned)
    }

    fn raw_id_of(&mut self, f: usize, key: RawKey, owned: impl FnOnce() -> Box<str>) -> u32 {
        if let Some(&id) = self.raw_ids[f].get(&key) {
            return id;
        }
        let id = u32::try_from(self.raw_list[f].len()).expect("fewer than 4 billion values");
        self.raw_list[f].push(owned());
        self.raw_ids[f].insert(key, id);
        id
    }

    /// Appends the records of another builder of the same schema (builders filled on several
    /// threads are merged this way: the work is in proportion to `other`'s distinct values).
    pub fn append(&mut self, other: DatasetBuilder) {
        let n = self.raw_ids.len();
        assert_eq!(n, other.raw_ids.len(), "builders of the same schema");
        let remap: Vec<Vec<u32>> = other
            .raw_list
            .into_iter()
            .enumerate()
            .map(|(f, list)| {
                list.into_iter()
                    .enumerate()
                    .map(|(k, raw)| {
                        if k == 0 {
                            return 0;
                        }
                        let key = RawKey::of(&raw);
                        self.raw_id_of(f, key, || raw)
                    })
                    .collect()
            })
            .collect();
        self.raw_rows.reserve(other.raw_rows.len());
        for (k, &v) in other.raw_rows.iter().enumerate() {
            self.raw_rows.push(remap[k % n][v as usize]);
        }
        let base = self.ds.id_text.len() as u32;
        self.ds.id_text.push_str(&other.ds.id_text);
        self.ds.id_ends.extend(other.ds.id_ends.iter().map(|e| e + base));
        self.ds.sources.extend_from_slice(&other.ds.sources);
    }

    /// Normalises the distinct values on `threads` threads and builds the dataset.
    ///
    /// Interning gives ids in order of first appearance, so it runs on one thread; the values
    /// are normalised by chunks on the others meanwhile (and by the interning thread when it
    /// would otherwise wait), so the two overlap instead of alternating field by field.
    pub fn build(self, threads: usize) -> Dataset {
        let Self { mut ds, raw_ids, raw_list, raw_rows } = self;
        drop(raw_ids);
        let n = raw_list.len();
        let threads = threads.max(1);
        const CHUNK: usize = 4096;
        let jobs: Vec<(usize, usize, usize)> = raw_list
            .iter()
            .enumerate()
            .flat_map(|(f, list)| (0..list.len()).step_by(CHUNK).map(move |s| (f, s, (s + CHUNK).min(list.len()))))
            .collect();
        let names: usize =
            raw_list.iter().enumerate().filter(|(f, _)| ds.kinds[*f].is_name()).map(|(_, l)| l.len()).sum();
        ds.names.reserve(names);
        let kinds = ds.kinds.clone();
        let prepare_job = |j: usize| -> Vec<Prepared> {
            let (f, s, e) = jobs[j];
            raw_list[f][s..e].iter().map(|r| prepare(kinds[f], r)).collect()
        };
        let ready: Mutex<Vec<Option<Vec<Prepared>>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
        let done = Condvar::new();
        let next = AtomicUsize::new(0);
        let mut maps: Vec<Vec<(u32, u32)>> = raw_list.iter().map(|l| Vec::with_capacity(l.len())).collect();
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(|| loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= jobs.len() {
                        break;
                    }
                    let v = prepare_job(j);
                    lock(&ready)[j] = Some(v);
                    done.notify_all();
                });
            }
            for j in 0..jobs.len() {
                let prepared = loop {
                    if let Some(v) = lock(&ready)[j].take() {
                        break v;
                    }
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k < jobs.len() {
                        let v = prepare_job(k);
                        if k == j {
                            break v;
                        }
                        lock(&ready)[k] = Some(v);
                        continue;
                    }
                    let mut g = lock(&ready);
                    while g[j].is_none() {
                        g = done.wait(g).unwrap_or_else(|e| e.into_inner());
                    }
                    break g[j].take().expect("prepared chunk");
                };
                let (f, start, _) = jobs[j];
                for (k, p) in prepared.into_iter().enumerate() {
                    maps[f].push(if start + k == 0 { (0, 0) } else { ds.intern(p) });
                }
            }
        });
        // the raw values that say "unknown" in so many words (sex `X`): missing, not unreadable
        let stated: Vec<Vec<u32>> = raw_list
            .iter()
            .enumerate()
            .map(|(f, list)| {
                let sex = kinds[f] == FieldKind::Sex;
                let unknown = list.iter().enumerate().filter(|(_, raw)| sex && states_unknown(kinds[f], raw));
                unknown.map(|(r, _)| r as u32).collect()
            })
            .collect();
        drop(raw_list);
        let records = ds.id_ends.len();
        let width = ds.width;
        ds.rows = vec![0; records * width];
        let per = records.div_ceil(threads).max(1);
        let (maps, alt_slot, raw_rows) = (&maps, &ds.alt_slot, &raw_rows);
        std::thread::scope(|s| {
            for (t, part) in ds.rows.chunks_mut(per * width).enumerate() {
                s.spawn(move || {
                    for (k, row) in part.chunks_mut(width).enumerate() {
                        let i = t * per + k;
                        for (f, map) in maps.iter().enumerate() {
                            let (v, alt) = map[raw_rows[i * n + f] as usize];
                            row[f] = v;
                            if alt_slot[f] != usize::MAX {
                                row[alt_slot[f]] = alt;
                            }
                        }
                    }
                });
            }
        });
        // values given (raw id 0 is the empty one) that read as missing
        for f in 0..n {
            for i in 0..records {
                let raw = raw_rows[i * n + f];
                if raw != 0 && maps[f][raw as usize] == (0, 0) && !stated[f].contains(&raw) {
                    ds.note_unreadable(f, i as u32);
                }
            }
        }
        ds
    }
}

/// A lock that a panicked holder does not poison for the others (they only store chunks).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dates_in_the_usual_formats() {
        let d = Some(DateVal { year: 1984, month: 3, day: 7 });
        assert_eq!(DateVal::parse("1984-03-07"), d);
        assert_eq!(DateVal::parse("19840307"), d);
        assert_eq!(DateVal::parse("07/03/1984"), d);
        assert_eq!(DateVal::parse(" 1984-3-7 "), d);
        assert_eq!(DateVal::parse(""), None);
        assert_eq!(DateVal::parse("1984-00-00"), None);
        assert_eq!(DateVal::parse("1984-13-01"), None);
        assert_eq!(DateVal::parse("abcd"), None);
        assert_eq!(DateVal::parse("0000-01-01"), None);
    }

    #[test]
    fn interns_names_and_keeps_their_forms() {
        let mut ds = Dataset::new(Schema::parcours_core());
        let a = ds.push(0, "a", &[Some("Le Goff"), Some("Jean-Pierre"), Some("1980-01-02"), Some("H"), Some("29019")]);
        let b = ds.push(0, "b", &[Some("LEGOFF"), Some("jean pierre"), Some("19800102"), Some("m"), None]);
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(ds.id(a), "a");
        assert_eq!(ds.id(b), "b");
        assert_eq!(ds.tf_key(0, a), ds.tf_key(0, b), "same compact family name");
        assert_eq!(ds.tf_key(1, a), ds.tf_key(1, b), "same compact given name");
        assert_eq!(ds.tf_key(2, a), ds.tf_key(2, b), "same date");
        assert_eq!(ds.tf_key(3, a), ds.tf_key(3, b), "same sex");
        assert!(ds.is_missing(b, 4));
        assert_eq!(ds.normalised(a, 1).as_deref(), Some("JEAN PIERRE"));
        assert_eq!(ds.normalised(a, 2).as_deref(), Some("1980-01-02"));
        assert!(ds.push(0, "c", &[None]).is_err());
    }

    #[test]
    fn bulk_loading_gives_the_same_values() {
        // the last two rows' family names are longer than a key held inline (one in each half)
        let rows: [[&str; 5]; 5] = [
            ["Le Goff", "Jean-Pierre", "1980-01-02", "H", "29019"],
            ["Martin née Dupont", "Anne", "", "F", "69123"],
            ["LEGOFF", "jean pierre", "19800102", "m", ""],
            ["De La Tour d'Auvergne-Lauraguais", "Anne", "1975-05-05", "F", "69123"],
            ["De La Tour d'Auvergne-Lauraguais", "Anne", "1975-05-05", "F", "69123"],
        ];
        let mut one = Dataset::new(Schema::parcours_core());
        let mut bulk = DatasetBuilder::new(Schema::parcours_core());
        for (i, r) in rows.iter().enumerate() {
            let v: Vec<Option<&str>> = r.iter().map(|x| Some(*x)).collect();
            one.push(0, &i.to_string(), &v).unwrap();
            bulk.push(0, &i.to_string(), &v).unwrap();
        }
        let bulk = bulk.build(2);
        // the same rows split over two builders and appended
        let mut first = DatasetBuilder::new(Schema::parcours_core());
        let mut second = DatasetBuilder::new(Schema::parcours_core());
        for (i, r) in rows.iter().enumerate() {
            let v: Vec<Option<&str>> = r.iter().map(|x| Some(*x)).collect();
            if i < 4 { &mut first } else { &mut second }.push(0, &i.to_string(), &v).unwrap();
        }
        first.append(second);
        let appended = first.build(1);
        assert_eq!(appended.tf_key(0, 3), appended.tf_key(0, 4), "the long name, found in both builders");
        for i in 0..5 {
            for f in 0..5 {
                assert_eq!(appended.normalised(i, f), bulk.normalised(i, f));
            }
            assert_eq!(appended.id(i), bulk.id(i));
        }
        for i in 0..5 {
            for f in 0..5 {
                assert_eq!(one.normalised(i, f), bulk.normalised(i, f));
                assert_eq!(one.tf_key(f, i) == one.tf_key(f, 0), bulk.tf_key(f, i) == bulk.tf_key(f, 0));
            }
            assert_eq!(one.id(i), bulk.id(i));
        }
    }

    /// A value given but unreadable (an impossible date, a name of punctuation, a sex that is
    /// none of the codes) is taken as missing, and said — not a sex stated unknown (`X`): the
    /// same records whether loaded one by one, in bulk or appended.
    #[test]
    fn unreadable_values_are_missing_and_listed() {
        let rows: [[&str; 5]; 4] = [
            ["Dupont", "Anne", "1984-13-01", "F", "69123"],
            ["Dupont", "Anne", "1984-03-01", "X", "69123"],
            ["--", "Anne", "", "F", "69123"],
            ["Martin", "Paul", "45/02/1990", "Z", ""],
        ];
        let mut one = Dataset::new(Schema::parcours_core());
        let mut bulk = DatasetBuilder::new(Schema::parcours_core());
        let (mut first, mut second) =
            (DatasetBuilder::new(Schema::parcours_core()), DatasetBuilder::new(Schema::parcours_core()));
        for (i, r) in rows.iter().enumerate() {
            let v: Vec<Option<&str>> = r.iter().map(|x| Some(*x)).collect();
            one.push(0, &i.to_string(), &v).unwrap();
            bulk.push(0, &i.to_string(), &v).unwrap();
            if i < 2 { &mut first } else { &mut second }.push(0, &i.to_string(), &v).unwrap();
        }
        first.append(second);
        let expected: Vec<(&str, Vec<u32>)> = vec![
            ("family_name", vec![2]),
            ("given_names", vec![]),
            ("birth_date", vec![0, 3]),
            ("sex", vec![3]),
            ("commune", vec![]),
        ];
        for ds in [one, bulk.build(2), first.build(1)] {
            let got: Vec<(&str, Vec<u32>)> = ds.unreadable().into_iter().map(|(f, r)| (f, r.to_vec())).collect();
            assert_eq!(got, expected);
            assert_eq!(ds.normalised(0, 2), ds.normalised(2, 2), "an impossible date reads as none");
        }
    }

    #[test]
    fn bulk_loading_over_many_chunks_gives_the_same_ids_on_any_number_of_threads() {
        // more distinct values than one normalising chunk, in every kind of field
        let letters = |mut i: usize| {
            let mut s = String::new();
            for _ in 0..4 {
                s.push((b'A' + (i % 26) as u8) as char);
                i /= 26;
            }
            s
        };
        let rows: Vec<[String; 5]> = (0..30_000)
            .map(|i| {
                [
                    format!("{} née {}", letters(i % 9_000), letters(i % 5_000 + 7)),
                    format!("{}-{}", letters(i % 6_000 + 3), letters(i % 11)),
                    format!("{}-{:02}-{:02}", 1930 + i % 70, 1 + i % 12, 1 + i % 28),
                    ["H", "F", ""][i % 3].to_string(),
                    format!("{:05}", i % 7_919),
                ]
            })
            .collect();
        let build = |threads: usize| {
            let mut b = DatasetBuilder::new(Schema::parcours_core());
            for (i, r) in rows.iter().enumerate() {
                let v: Vec<Option<&str>> = r.iter().map(|x| Some(x.as_str())).collect();
                b.push(0, &i.to_string(), &v).unwrap();
            }
            b.build(threads)
        };
        let (one, three) = (build(1), build(3));
        assert_eq!(one.rows, three.rows, "the same ids whatever the threads");
        let mut single = Dataset::new(Schema::parcours_core());
        for (i, r) in rows.iter().enumerate() {
            let v: Vec<Option<&str>> = r.iter().map(|x| Some(x.as_str())).collect();
            single.push(0, &i.to_string(), &v).unwrap();
        }
        for i in (0..rows.len() as u32).step_by(7) {
            for f in 0..5 {
                assert_eq!(three.normalised(i, f), single.normalised(i, f));
                assert_eq!(three.alt(i, 0) == 0, single.alt(i, 0) == 0);
            }
        }
        assert_eq!(three.names.infos.len(), single.names.infos.len());
    }

    #[test]
    fn a_family_value_with_a_birth_name_keeps_both() {
        let mut ds = Dataset::new(Schema::parcours_core());
        let a = ds.push(0, "a", &[Some("Martin née Dupont"), Some("Anne"), None, None, None]).unwrap();
        assert_eq!(ds.normalised(a, 0).as_deref(), Some("MARTIN NEE DUPONT"));
        assert_ne!(ds.alt(a, 0), 0);
    }
}
