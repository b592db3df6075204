//! Records prepared for linkage, column by column: every value is normalised once per distinct
//! raw string and interned, so that a record is a row of `u32` ids (0 = missing) and comparing
//! two records compares ids first and strings only when they differ.
//!
//! A [`Dataset`] may hold records of several sources (link mode compares only records of
//! different sources) and grows by [`Dataset::push`]: the incremental [`crate::Linker`] appends
//! to it.

use serde::Serialize;

use crate::normalize::{self, fold, fold_code, fold_sex, fold_text, words, PARTICLES};
use crate::phonetic::key_of_compact;
use crate::schema::{FieldKind, Record, Schema};
use crate::util::FxMap;

/// Byte strings interned to dense ids; id 0 is the empty string (missing).
#[derive(Debug, Clone)]
pub(crate) struct Interner {
    map: FxMap<Box<[u8]>, u32>,
    items: Vec<Box<[u8]>>,
}

impl Default for Interner {
    fn default() -> Self {
        Self { map: FxMap::default(), items: vec![Box::from(&b""[..])] }
    }
}

impl Interner {
    pub(crate) fn intern(&mut self, s: &[u8]) -> u32 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = u32::try_from(self.items.len()).expect("fewer than 4 billion distinct values");
        self.items.push(Box::from(s));
        self.map.insert(Box::from(s), id);
        id
    }

    pub(crate) fn get(&self, id: u32) -> &[u8] {
        &self.items[id as usize]
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
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

/// Interned names, shared by all the name fields of a dataset.
#[derive(Debug, Clone)]
pub(crate) struct NameTable {
    pub(crate) infos: Vec<NameInfo>,
    by_folded: FxMap<Box<str>, u32>,
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
        Self { infos: vec![none], by_folded: FxMap::default(), compacts: Interner::default(), phons: Interner::default() }
    }
}

impl NameTable {
    /// Interns an already folded name; 0 for an empty or placeholder name.
    pub(crate) fn intern_folded(&mut self, folded: &str) -> u32 {
        if normalize::is_placeholder(folded) {
            return 0;
        }
        if let Some(&id) = self.by_folded.get(folded) {
            return id;
        }
        let ws: Vec<&str> = words(folded).collect();
        let compact: String = ws.concat();
        let compact_id = self.compacts.intern(compact.as_bytes());
        let skip = ws.iter().take_while(|w| PARTICLES.contains(w)).count();
        let core = if skip >= ws.len() { compact.clone() } else { ws[skip..].concat() };
        let core_id = self.compacts.intern(core.as_bytes());
        let first_id = self.compacts.intern(ws.first().copied().unwrap_or("").as_bytes());
        let mut parts = Vec::new();
        if ws.len() > 1 {
            let mut run = String::new();
            for (i, w) in ws.iter().enumerate() {
                if w.len() >= 2 {
                    parts.push(self.compacts.intern(w.as_bytes()));
                }
                run.push_str(w);
                if i + 1 < ws.len() && i > 0 && run.len() >= 2 {
                    parts.push(self.compacts.intern(run.as_bytes()));
                }
            }
            parts.sort_unstable();
            parts.dedup();
            parts.retain(|&p| p != compact_id);
        }
        let phon = self.phons.intern(key_of_compact(compact.as_bytes()).as_bytes());
        let phon_first = match ws.first() {
            Some(w) if ws.len() > 1 => self.phons.intern(key_of_compact(w.as_bytes()).as_bytes()),
            _ => phon,
        };
        let id = u32::try_from(self.infos.len()).expect("fewer than 4 billion names");
        self.infos.push(NameInfo {
            folded: Box::from(folded),
            compact_id,
            core_id,
            first_id,
            parts: parts.into_boxed_slice(),
            phon,
            phon_first,
        });
        self.by_folded.insert(Box::from(folded), id);
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
        valid.then(|| DateVal { year: y as u16, month: m as u8, day: d as u8 })
    }

    fn packed(self) -> u32 {
        u32::from(self.year) << 16 | u32::from(self.month) << 8 | u32::from(self.day)
    }
}

/// One field's values for all records.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) kind: FieldKind,
    /// Name id, date id or string id; 0 = missing.
    pub(crate) vals: Vec<u32>,
    /// Family names only: the birth name carried by the same value (`née …`), 0 if none.
    pub(crate) alt: Vec<u32>,
    raw: FxMap<Box<str>, (u32, u32)>,
}

/// Why a record could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    #[error("{got} valeurs pour {expected} champs")]
    Arity { expected: usize, got: usize },
}

/// Records prepared for linkage (see the module docs).
#[derive(Debug, Clone)]
pub struct Dataset {
    schema: Schema,
    id_text: String,
    id_ends: Vec<u32>,
    sources: Vec<u8>,
    pub(crate) cols: Vec<Column>,
    pub(crate) names: NameTable,
    pub(crate) dates: Vec<DateVal>,
    date_ids: FxMap<u32, u32>,
    pub(crate) strings: Interner,
}

impl Dataset {
    pub fn new(schema: Schema) -> Self {
        let cols = schema
            .fields
            .iter()
            .map(|f| Column { kind: f.kind, vals: Vec::new(), alt: Vec::new(), raw: FxMap::default() })
            .collect();
        Self {
            schema,
            id_text: String::new(),
            id_ends: Vec::new(),
            sources: Vec::new(),
            cols,
            names: NameTable::default(),
            dates: vec![DateVal { year: 0, month: 0, day: 0 }],
            date_ids: FxMap::default(),
            strings: Interner::default(),
        }
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

    pub fn reserve(&mut self, additional: usize) {
        self.id_ends.reserve(additional);
        self.sources.reserve(additional);
        for c in &mut self.cols {
            c.vals.reserve(additional);
            if c.kind == FieldKind::FamilyName {
                c.alt.reserve(additional);
            }
        }
    }

    pub fn push_record(&mut self, source: u8, record: &Record) -> Result<u32, DatasetError> {
        let values: Vec<Option<&str>> = record.values.iter().map(Option::as_deref).collect();
        self.push(source, &record.id, &values)
    }

    /// Adds a record; returns its index. Empty values are missing.
    pub fn push(&mut self, source: u8, id: &str, values: &[Option<&str>]) -> Result<u32, DatasetError> {
        if values.len() != self.cols.len() {
            return Err(DatasetError::Arity { expected: self.cols.len(), got: values.len() });
        }
        let index = u32::try_from(self.id_ends.len()).expect("fewer than 4 billion records");
        self.id_text.push_str(id);
        self.id_ends.push(u32::try_from(self.id_text.len()).expect("identifiers under 4 GB"));
        self.sources.push(source);
        for (c, value) in values.iter().enumerate() {
            let raw = value.map(str::trim).unwrap_or("");
            let (v, alt) = if raw.is_empty() {
                (0, 0)
            } else if let Some(&hit) = self.cols[c].raw.get(raw) {
                hit
            } else {
                let prepared = self.prepare(self.cols[c].kind, raw);
                self.cols[c].raw.insert(Box::from(raw), prepared);
                prepared
            };
            let col = &mut self.cols[c];
            col.vals.push(v);
            if col.kind == FieldKind::FamilyName {
                col.alt.push(alt);
            }
        }
        Ok(index)
    }

    fn prepare(&mut self, kind: FieldKind, raw: &str) -> (u32, u32) {
        match kind {
            FieldKind::FamilyName => {
                let f = normalize::family_names(raw);
                let used = self.names.intern_folded(&f.used);
                let birth = f.birth.map_or(0, |b| self.names.intern_folded(&b));
                if used == 0 {
                    (birth, 0)
                } else {
                    (used, birth)
                }
            }
            FieldKind::GivenName | FieldKind::BirthName => (self.names.intern_folded(&fold(raw)), 0),
            FieldKind::BirthDate => match DateVal::parse(raw) {
                Some(d) => {
                    let next = u32::try_from(self.dates.len()).expect("few dates");
                    let id = *self.date_ids.entry(d.packed()).or_insert(next);
                    if id == next {
                        self.dates.push(d);
                    }
                    (id, 0)
                }
                None => (0, 0),
            },
            FieldKind::Sex => (self.strings.intern(fold_sex(raw).as_bytes()), 0),
            FieldKind::Code | FieldKind::Number => (self.strings.intern(fold_code(raw).as_bytes()), 0),
            FieldKind::Text => (self.strings.intern(fold_text(raw).as_bytes()), 0),
        }
    }

    /// The normalised value of a field, for display (`None` when missing).
    pub fn normalised(&self, index: u32, field: usize) -> Option<String> {
        let col = &self.cols[field];
        let v = col.vals[index as usize];
        if v == 0 {
            return None;
        }
        Some(match col.kind {
            FieldKind::FamilyName => {
                let alt = col.alt[index as usize];
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
        self.cols[field].vals[index as usize] == 0
    }

    /// The value used for term frequencies: the compact name, the date, the code.
    #[inline]
    pub(crate) fn tf_key(&self, field: usize, index: u32) -> u32 {
        let col = &self.cols[field];
        let v = col.vals[index as usize];
        if col.kind.is_name() {
            self.names.infos[v as usize].compact_id
        } else {
            v
        }
    }

    /// How many distinct term-frequency keys a field can have (ids are below this).
    pub(crate) fn tf_key_space(&self, field: usize) -> usize {
        match self.cols[field].kind {
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
        let mut ds = Dataset::new(Schema::parcours());
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
    fn a_family_value_with_a_birth_name_keeps_both() {
        let mut ds = Dataset::new(Schema::parcours());
        let a = ds.push(0, "a", &[Some("Martin née Dupont"), Some("Anne"), None, None, None]).unwrap();
        assert_eq!(ds.normalised(a, 0).as_deref(), Some("MARTIN NEE DUPONT"));
        let col = &ds.cols[0];
        assert_ne!(col.alt[a as usize], 0);
    }
}
