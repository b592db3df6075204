//! Encoding a partner's records as field-level Bloom filters keyed with the shared secret.

use std::collections::HashMap;

use hmac::{Hmac, Mac};
use rand::rngs::StdRng;
use rand::SeedableRng;
use sha2::Sha256;

use super::bloom::Filter;
use super::normalize::{first_token, glued, qgrams, split_family};
use super::secret::{hex_encode, Secret};

type HmacSha256 = Hmac<Sha256>;

/// The key domains: each has its own HMAC key derived from the secret and the field's name
/// (the per-field "salt"), its own filter length and number of hash positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    FamilyName,
    GivenNames,
    GivenFirst,
    BirthDate,
    Sex,
    Commune,
}

impl Field {
    pub const ALL: [Field; 6] =
        [Field::FamilyName, Field::GivenNames, Field::GivenFirst, Field::BirthDate, Field::Sex, Field::Commune];

    pub fn name(self) -> &'static str {
        match self {
            Self::FamilyName => "family_name",
            Self::GivenNames => "given_names",
            Self::GivenFirst => "given_first",
            Self::BirthDate => "birth_date",
            Self::Sex => "sex",
            Self::Commune => "commune",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The filters of an encoded record, i.e. the `*_bf` columns of an encoding file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    /// Bigrams of the glued family name.
    FamilyName,
    /// Bigrams of all given names glued.
    GivenNames,
    /// Bigrams of the first given name.
    GivenFirst,
    /// Tokens of the birth date (day, month, year, whole date).
    BirthDate,
    /// The same with day and month swapped (only when the day can be a month and differs from
    /// it), under the same key: compared with the other record's `BirthDate`.
    BirthDateSwapped,
    Sex,
    Commune,
    /// The first given name under the family-name key (for given and family names swapped).
    FamilyNameSwap,
    /// The glued family name under the first-given-name key (idem).
    GivenFirstSwap,
    /// Bigrams of the glued birth name, when the record has one besides the used name, under
    /// the family-name key: the family names of two records are compared as the closest of
    /// their used and birth names.
    BirthName,
}

impl Slot {
    pub const ALL: [Slot; 10] = [
        Slot::FamilyName,
        Slot::GivenNames,
        Slot::GivenFirst,
        Slot::BirthDate,
        Slot::BirthDateSwapped,
        Slot::Sex,
        Slot::Commune,
        Slot::FamilyNameSwap,
        Slot::GivenFirstSwap,
        Slot::BirthName,
    ];
    pub const COUNT: usize = 10;

    /// The column of the encoding file.
    pub fn column(self) -> &'static str {
        match self {
            Self::FamilyName => "family_name_bf",
            Self::GivenNames => "given_names_bf",
            Self::GivenFirst => "given_first_bf",
            Self::BirthDate => "birth_date_bf",
            Self::BirthDateSwapped => "birth_date_swapped_bf",
            Self::Sex => "sex_bf",
            Self::Commune => "commune_bf",
            Self::FamilyNameSwap => "family_name_swap_bf",
            Self::GivenFirstSwap => "given_first_swap_bf",
            Self::BirthName => "birth_name_bf",
        }
    }

    /// The key domain (and so filter length) of the slot.
    pub fn field(self) -> Field {
        match self {
            Self::FamilyName | Self::FamilyNameSwap | Self::BirthName => Field::FamilyName,
            Self::GivenNames => Field::GivenNames,
            Self::GivenFirst | Self::GivenFirstSwap => Field::GivenFirst,
            Self::BirthDate | Self::BirthDateSwapped => Field::BirthDate,
            Self::Sex => Field::Sex,
            Self::Commune => Field::Commune,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Length `bits` and number of hash positions `k` of one key domain's filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldParams {
    pub bits: usize,
    pub k: usize,
}

/// Encoding parameters. Every partner of a campaign must use the same ones (they are written
/// into every row, with the secret's fingerprint, and `link` refuses a mix).
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Length of the q-grams of names and communes (2: bigrams, padded with `_`).
    pub q: usize,
    /// Per key domain, in the order of [`Field::ALL`].
    pub fields: [FieldParams; 6],
    /// BLIP privacy parameter ε: each bit is flipped with probability `1 / (1 + e^ε)`;
    /// `None`: no flipping.
    pub blip_epsilon: Option<f64>,
}

impl Default for Params {
    /// Names: 1,000 bits, k = 20 — a name has 7 to 12 bigrams, so 140–240 bits are set
    /// (fill 13–21 %): Dice on the filters stays close to Dice on the bigrams, two unrelated
    /// names score about the fill, and each bigram is carried by 20 bits, enough to survive
    /// BLIP. Birth date: 9 tokens into 500 bits, k = 10 (fill ≈ 17 %). Sex: 1 token, 100 bits,
    /// k = 10. Commune (an INSEE code: 6 bigrams; a name: up to 20): 500 bits, k = 10. BLIP
    /// ε = 4 (flip probability 1.8 %). See `docs/pprl.md`.
    fn default() -> Self {
        let names = FieldParams { bits: 1000, k: 20 };
        Self {
            q: 2,
            fields: [
                names,
                names,
                names,
                FieldParams { bits: 500, k: 10 },
                FieldParams { bits: 100, k: 10 },
                FieldParams { bits: 500, k: 10 },
            ],
            blip_epsilon: Some(4.0),
        }
    }
}

impl Params {
    pub fn field(&self, f: Field) -> FieldParams {
        self.fields[f.index()]
    }

    /// The per-bit flip probability of BLIP (0 without BLIP).
    pub fn flip_probability(&self) -> f64 {
        self.blip_epsilon.map_or(0.0, |e| 1.0 / (1.0 + e.exp()))
    }

    fn check(&self) -> Result<(), String> {
        if !(1..=4).contains(&self.q) {
            return Err(format!("q = {} : 1 à 4 attendu", self.q));
        }
        for (f, p) in Field::ALL.iter().zip(&self.fields) {
            if !(16..=1 << 16).contains(&p.bits) || !(1..=64).contains(&p.k) {
                return Err(format!(
                    "{} : l = {}, k = {} hors des bornes (16 ≤ l ≤ 65536, 1 ≤ k ≤ 64)",
                    f.name(),
                    p.bits,
                    p.k
                ));
            }
        }
        if let Some(e) = self.blip_epsilon {
            if !(e.is_finite() && e > 0.0) {
                return Err(format!("ε de BLIP = {e} : un réel strictement positif est attendu"));
            }
        }
        Ok(())
    }
}

/// What every row of an encoding file carries besides its filters: the scheme version, the
/// secret's fingerprint and the parameters. `link` needs the parameters (filter lengths, BLIP
/// flip probability) and refuses files whose schemes differ.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheme {
    pub fingerprint: String,
    pub params: Params,
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.params;
        let join =
            |g: &dyn Fn(&FieldParams) -> usize| p.fields.iter().map(|x| g(x).to_string()).collect::<Vec<_>>().join("/");
        write!(f, "pprl-v2;kid={};q={};l={};k={};blip=", self.fingerprint, p.q, join(&|x| x.bits), join(&|x| x.k))?;
        match p.blip_epsilon {
            Some(e) => write!(f, "{e}"),
            None => f.write_str("none"),
        }
    }
}

impl std::str::FromStr for Scheme {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("schéma d'encodage inconnu : « {s} »");
        let mut parts = s.split(';');
        match parts.next() {
            Some("pprl-v2") => {}
            Some("pprl-v1") => {
                return Err("encodage d'une version antérieure (pprl-v1, sans nom de naissance) : \
                            chaque partenaire doit réencoder ses fiches"
                    .into())
            }
            _ => return Err(bad()),
        }
        let mut kv: HashMap<&str, &str> = HashMap::new();
        for p in parts {
            let (k, v) = p.split_once('=').ok_or_else(bad)?;
            kv.insert(k, v);
        }
        let get = |k: &str| kv.get(k).copied().ok_or_else(bad);
        let list = |k: &str| -> Result<Vec<usize>, String> {
            get(k)?.split('/').map(|x| x.parse::<usize>().map_err(|_| bad())).collect()
        };
        let (ls, ks) = (list("l")?, list("k")?);
        if ls.len() != 6 || ks.len() != 6 {
            return Err(bad());
        }
        let mut fields = [FieldParams { bits: 0, k: 0 }; 6];
        for i in 0..6 {
            fields[i] = FieldParams { bits: ls[i], k: ks[i] };
        }
        let blip_epsilon = match get("blip")? {
            "none" => None,
            e => Some(e.parse::<f64>().map_err(|_| bad())?),
        };
        let params = Params { q: get("q")?.parse().map_err(|_| bad())?, fields, blip_epsilon };
        params.check()?;
        let fingerprint = get("kid")?.to_string();
        Ok(Self { fingerprint, params })
    }
}

/// A birth date, complete or with only its year (`00/00/1985`, `1985`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BirthDate {
    pub year: u16,
    /// `(month, day)`, `None` when only the year is known.
    pub month_day: Option<(u8, u8)>,
}

impl BirthDate {
    /// Parses `YYYY-MM-DD`, `DD/MM/YYYY`, `YYYY`, and year-only forms with zero day and month
    /// (`1985-00-00`, `00/00/1985`); empty: `None`.
    pub fn parse(s: &str) -> Result<Option<Self>, String> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(None);
        }
        let bad = || format!("date de naissance illisible « {s} » (AAAA-MM-JJ ou JJ/MM/AAAA attendu)");
        let num = |x: &str| -> Result<u16, String> {
            if x.is_empty() || !x.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            x.parse::<u16>().map_err(|_| bad())
        };
        let (y, m, d) = if let Some((y, rest)) = s.split_once('-') {
            let (m, d) = rest.split_once('-').ok_or_else(bad)?;
            if y.len() != 4 || m.len() != 2 || d.len() != 2 {
                return Err(bad());
            }
            (num(y)?, num(m)?, num(d)?)
        } else if let Some((d, rest)) = s.split_once('/') {
            let (m, y) = rest.split_once('/').ok_or_else(bad)?;
            if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
                return Err(bad());
            }
            (num(y)?, num(m)?, num(d)?)
        } else if s.len() == 4 {
            (num(s)?, 0, 0)
        } else {
            return Err(bad());
        };
        if !(1890..=2100).contains(&y) {
            return Err(format!("année de naissance {y} invraisemblable"));
        }
        if m == 0 && d == 0 {
            return Ok(Some(Self { year: y, month_day: None }));
        }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let days = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(format!("mois {m} impossible dans « {s} »")),
        };
        if !(1..=days).contains(&d) {
            return Err(format!("jour {d} impossible dans « {s} »"));
        }
        Ok(Some(Self { year: y, month_day: Some((m as u8, d as u8)) }))
    }

    /// The tokens of the date: each digit of `DDMMYYYY` with its position (`0:0`, `1:7`, `2:0`,
    /// `3:3`, `4:1`, …) and the whole date. Equal dates share all 9 tokens (Dice 1); one digit
    /// off (a typo, day ± 1 or ± 10, month ± 1, year ± 1 within a decade) shares 7 of 9 (Dice
    /// 0.78); the same year and month with an unrelated day about 6 (0.67); only the year, 4
    /// (0.44). A year-only date has only the year's four digits. `swapped`: the same with day
    /// and month exchanged, `None` when they cannot be (day above 12, or equal to the month).
    fn tokens(self, swapped: bool) -> Option<Vec<String>> {
        let y = self.year;
        let digits = |s: &str, from: usize| -> Vec<String> {
            s.chars().enumerate().map(|(i, c)| format!("{}:{c}", from + i)).collect()
        };
        match self.month_day {
            None if swapped => None,
            None => Some(digits(&format!("{y:04}"), 4)),
            Some((m, d)) => {
                let (m, d) = if swapped {
                    if d > 12 || d == m {
                        return None;
                    }
                    (d, m)
                } else {
                    (m, d)
                };
                let text = format!("{d:02}{m:02}{y:04}");
                let mut t = digits(&text, 0);
                t.push(text);
                Some(t)
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// `M`, `H`, `homme`, `masculin`, `1` / `F`, `femme`, `féminin`, `2`; empty, `X`, `I`, `?`,
    /// `inconnu`, `non renseigné`…: `None`.
    pub fn parse(s: &str) -> Result<Option<Self>, String> {
        let n = glued(s);
        match n.as_str() {
            "M" | "H" | "HOMME" | "MASCULIN" | "MALE" | "1" => Ok(Some(Self::Male)),
            "F" | "FEMME" | "FEMININ" | "FEMALE" | "2" => Ok(Some(Self::Female)),
            "" | "X" | "I" | "U" | "N" | "NR" | "INCONNU" | "INDETERMINE" | "NONRENSEIGNE" | "AUTRE" | "9" => Ok(None),
            _ => Err(format!("sexe illisible « {} » (M, F ou vide attendu)", s.trim())),
        }
    }

    fn token(self) -> &'static str {
        match self {
            Self::Male => "M",
            Self::Female => "F",
        }
    }
}

/// A partner's record in clear, as read from its file. Never leaves the partner.
#[derive(Clone, Debug, PartialEq)]
pub struct PlainRecord {
    pub id: String,
    /// The used family name.
    pub family_name: String,
    /// The birth name when the record has one besides the used name (empty otherwise).
    pub birth_name: String,
    pub given_names: String,
    pub birth_date: Option<BirthDate>,
    pub sex: Option<Sex>,
    pub commune: String,
}

impl PlainRecord {
    /// A record from the text of its columns; the error says which value is wrong. An empty id,
    /// or an id that contains the family name (ids leave the partner: they must be opaque), is
    /// refused. A family name that carries both names (`Martin née Dupont`, `Dupont épouse
    /// Martin`) is split into the used and the birth name.
    pub fn parse(
        id: &str,
        family_name: &str,
        given_names: &str,
        birth_date: &str,
        sex: &str,
        commune: &str,
    ) -> Result<Self, String> {
        let id = id.trim();
        if id.is_empty() {
            return Err("identifiant vide".into());
        }
        let family = glued(family_name);
        if family.len() >= 3 && glued(id).contains(&family) {
            return Err("l'identifiant contient le nom de famille : il doit être opaque".into());
        }
        let (used, birth) = split_family(family_name);
        Ok(Self {
            id: id.to_string(),
            family_name: used,
            birth_name: birth.unwrap_or_default(),
            given_names: given_names.to_string(),
            birth_date: BirthDate::parse(birth_date)?,
            sex: Sex::parse(sex)?,
            commune: commune.to_string(),
        })
    }
}

impl PlainRecord {
    /// The birth name from a column of its own (`birth_name`), when given: it takes the place
    /// of one found in the family name.
    pub fn with_birth_name(mut self, birth_name: &str) -> Self {
        if !glued(birth_name).is_empty() {
            self.birth_name = birth_name.trim().to_string();
        }
        self
    }
}

/// An encoded record: the partner's name, its own record id, the keyed blocking key and the
/// filters (`None`: the value was missing).
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedRecord {
    pub partner: String,
    pub id: String,
    /// `HMAC(secret, birth year | sex)`, 8 bytes in hexadecimal; `None` when either is unknown.
    pub block: Option<String>,
    pub filters: [Option<Filter>; Slot::COUNT],
    /// The partner's own person number, when it deduplicated its file before encoding: its
    /// records that share one are one person (an arbitrary number, nothing of the person).
    pub person: Option<String>,
}

/// Encodes records with a secret and parameters. Caches the bit positions of each token (a
/// few thousand distinct bigrams), so that the HMAC cost is paid once per token, not per record.
pub struct Encoder {
    params: Params,
    keys: Vec<HmacSha256>,
    block_key: HmacSha256,
    scheme: String,
    cache: HashMap<(Field, String), Vec<u32>>,
    rng: StdRng,
}

impl Encoder {
    /// BLIP draws its flips from the operating system's generator (never from the secret: the
    /// other partners hold it).
    pub fn new(secret: &Secret, params: Params) -> Result<Self, String> {
        Self::with_rng(secret, params, StdRng::from_entropy())
    }

    /// For tests and reproducible evaluations only: BLIP flips drawn from a seeded generator.
    pub fn with_seed(secret: &Secret, params: Params, seed: u64) -> Result<Self, String> {
        Self::with_rng(secret, params, StdRng::seed_from_u64(seed))
    }

    fn with_rng(secret: &Secret, params: Params, rng: StdRng) -> Result<Self, String> {
        params.check()?;
        let mac = |label: &str| HmacSha256::new_from_slice(&secret.derive(label)).expect("any key length");
        let keys = Field::ALL.iter().map(|f| mac(&format!("bloom/{}", f.name()))).collect();
        let scheme = Scheme { fingerprint: secret.fingerprint(), params: params.clone() }.to_string();
        Ok(Self { params, keys, block_key: mac("block/birth-year+sex"), scheme, cache: HashMap::new(), rng })
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The scheme string written into every row.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The `k` positions of a token: `HMAC(K_field, c ‖ token)` for c = 0, 1, … cut into
    /// 32-bit words, each reduced modulo `l` ("random hashing": k independent keyed positions,
    /// not double hashing, whose structure an attacker can exploit).
    fn positions(&mut self, field: Field, token: &str) -> &[u32] {
        let key = (field, token.to_string());
        let FieldParams { bits, k } = self.params.field(field);
        let mac = &self.keys[field.index()];
        self.cache.entry(key).or_insert_with(|| {
            let mut out = Vec::with_capacity(k);
            let mut c = 0u8;
            while out.len() < k {
                let mut m = mac.clone();
                m.update(&[c]);
                m.update(token.as_bytes());
                let digest = m.finalize().into_bytes();
                for w in digest.chunks(4) {
                    if out.len() < k {
                        out.push(u32::from_le_bytes([w[0], w[1], w[2], w[3]]) % bits as u32);
                    }
                }
                c += 1;
            }
            out
        })
    }

    fn filter(&mut self, field: Field, tokens: &[String]) -> Option<Filter> {
        if tokens.is_empty() {
            return None;
        }
        let mut f = Filter::new(self.params.field(field).bits);
        for t in tokens {
            for &p in self.positions(field, t) {
                f.set(p as usize);
            }
        }
        let p = self.params.flip_probability();
        f.blip(p, &mut self.rng);
        Some(f)
    }

    /// Encodes one record of `partner`.
    pub fn encode(&mut self, partner: &str, r: &PlainRecord) -> EncodedRecord {
        let q = self.params.q;
        let family_glued = glued(&r.family_name);
        let family = qgrams(&family_glued, q);
        let birth_glued = glued(&r.birth_name);
        // a birth name equal to the used one adds nothing
        let birth = if birth_glued == family_glued { Vec::new() } else { qgrams(&birth_glued, q) };
        let given_all = qgrams(&glued(&r.given_names), q);
        let given_first = qgrams(&first_token(&r.given_names).unwrap_or_default(), q);
        let date = r.birth_date.and_then(|d| d.tokens(false)).unwrap_or_default();
        let date_swapped = r.birth_date.and_then(|d| d.tokens(true)).unwrap_or_default();
        let sex: Vec<String> = r.sex.map(|s| vec![s.token().to_string()]).unwrap_or_default();
        let commune = qgrams(&glued(&r.commune), q);
        let filters = [
            self.filter(Field::FamilyName, &family),
            self.filter(Field::GivenNames, &given_all),
            self.filter(Field::GivenFirst, &given_first),
            self.filter(Field::BirthDate, &date),
            self.filter(Field::BirthDate, &date_swapped),
            self.filter(Field::Sex, &sex),
            self.filter(Field::Commune, &commune),
            self.filter(Field::FamilyName, &given_first),
            self.filter(Field::GivenFirst, &family),
            self.filter(Field::FamilyName, &birth),
        ];
        let block = match (r.birth_date, r.sex) {
            (Some(d), Some(s)) => {
                let mut m = self.block_key.clone();
                m.update(format!("{:04}|{}", d.year, s.token()).as_bytes());
                Some(hex_encode(&m.finalize().into_bytes()[..8]))
            }
            _ => None,
        };
        EncodedRecord { partner: partner.to_string(), id: r.id.clone(), block, filters, person: None }
    }
}
