//! Invented records for tests and measurements: two partners whose lists overlap, the second
//! one's copies carrying the spelling noise of French by-name lists. No real person: names are
//! drawn from short lists of common names and from invented syllable combinations.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// One row of a partner's file, with its ground truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthRow {
    pub id: String,
    /// The same invented person has the same number at every partner.
    pub truth: u64,
    pub family_name: String,
    pub given_names: String,
    /// `YYYY-MM-DD` or empty.
    pub birth_date: String,
    /// `M`, `F` or empty.
    pub sex: String,
    /// An invented INSEE-like commune code.
    pub commune: String,
}

const FAMILY: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Le Goff",
    "Le Gall",
    "Da Silva",
    "Dos Santos",
    "N'Diaye",
    "Diallo",
    "Traoré",
    "Koné",
    "Camara",
    "Benali",
    "Ben Salah",
    "El Amrani",
    "Nguyen",
    "Popescu",
    "Saint-Martin",
    "Petit-Jean",
    "Guérin",
    "Chérif",
    "Haddad",
    "Kowalski",
];
const FEMALE: &[&str] = &[
    "Marie",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Céline",
    "Sophie",
    "Julie",
    "Émilie",
    "Léa",
    "Chloé",
    "Sarah",
    "Hélène",
    "Fatima",
    "Aminata",
    "Fatoumata",
    "Khadija",
    "Leïla",
    "Naïma",
    "Ioana",
    "Elena",
    "Marie-Claire",
    "Anne-Sophie",
    "Aïssatou",
    "Zoé",
    "Inès",
];
const MALE: &[&str] = &[
    "Jean",
    "Pierre",
    "Michel",
    "Philippe",
    "Nicolas",
    "Éric",
    "Frédéric",
    "Sébastien",
    "Julien",
    "Jérôme",
    "Mohamed",
    "Ahmed",
    "Karim",
    "Mamadou",
    "Moussa",
    "Ibrahima",
    "Youssef",
    "Ion",
    "Andrei",
    "Jean-Pierre",
    "Jean-Claude",
    "Pierre-Yves",
    "Kévin",
    "Théo",
    "Saïd",
];
const SYLLABLES: &[&str] = &[
    "ba", "ber", "bou", "ca", "char", "co", "da", "del", "di", "fa", "fer", "ga", "gil", "go", "ja", "ker", "la",
    "lan", "le", "lo", "ma", "mar", "mi", "mon", "na", "nou", "pa", "per", "ra", "ri", "ro", "sa", "sel", "ta", "ter",
    "tou", "va", "vel", "za", "zi",
];
const ENDINGS: &[&str] = &["", "", "t", "n", "r", "ud", "ault", "ier", "ot", "in", "et", "ec", "ou", "y", "e"];

/// Zipf-like draw: index i with weight 1/(i+1).
fn zipf<'a>(rng: &mut StdRng, list: &'a [&'a str]) -> &'a str {
    let total: f64 = (1..=list.len()).map(|i| 1.0 / i as f64).sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, s) in list.iter().enumerate() {
        x -= 1.0 / (i + 1) as f64;
        if x <= 0.0 {
            return s;
        }
    }
    list[list.len() - 1]
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn invented(rng: &mut StdRng) -> String {
    let n = rng.gen_range(2..=3);
    let mut s: String = (0..n).map(|_| *SYLLABLES.choose(rng).expect("non-empty")).collect();
    s.push_str(ENDINGS.choose(rng).expect("non-empty"));
    capitalise(&s)
}

#[derive(Clone)]
struct Person {
    truth: u64,
    family: String,
    given: String,
    date: Option<(u16, u8, u8)>,
    female: bool,
    commune: String,
}

fn commune(rng: &mut StdRng) -> String {
    format!("{:02}{:03}", rng.gen_range(1..96), rng.gen_range(1..400))
}

fn person(rng: &mut StdRng, truth: u64, previous: Option<&Person>) -> Person {
    let female = rng.gen_bool(0.45);
    let list = if female { FEMALE } else { MALE };
    let mut given = if rng.gen_bool(0.8) { zipf(rng, list).to_string() } else { invented(rng) };
    if rng.gen_bool(0.2) {
        given = format!("{given} {}", zipf(rng, list));
    }
    let relative = previous.filter(|_| rng.gen_bool(0.15));
    let family = match relative {
        Some(p) => p.family.clone(),
        None if rng.gen_bool(0.4) => zipf(rng, FAMILY).to_string(),
        None => invented(rng),
    };
    let year = rng.gen_range(1950..2008);
    let month = rng.gen_range(1..=12);
    let day = rng.gen_range(1..=28);
    Person {
        truth,
        family,
        given,
        date: (!rng.gen_bool(0.07)).then_some((year, month, day)),
        female,
        commune: relative.map_or_else(|| commune(rng), |p| p.commune.clone()),
    }
}

fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'É' => 'E',
            c => c,
        })
        .collect()
}

fn typo(rng: &mut StdRng, s: &str) -> String {
    let mut c: Vec<char> = s.chars().collect();
    if c.len() < 3 {
        return s.to_string();
    }
    let i = rng.gen_range(1..c.len());
    match rng.gen_range(0..3) {
        0 => c[i] = char::from(b'a' + rng.gen_range(0..26u8)),
        1 => {
            c.remove(i);
        }
        _ => c.insert(i, c[i]),
    }
    c.into_iter().collect()
}

/// A noisy copy of a person, as another partner reports them.
fn variant(rng: &mut StdRng, p: &Person) -> Person {
    let mut v = p.clone();
    if let Some((first, _)) = v.given.split_once(' ') {
        if rng.gen_bool(0.6) {
            v.given = first.to_string();
        }
    }
    if rng.gen_bool(0.5) {
        v.family = if v.family.contains('\'') {
            v.family.replace('\'', "")
        } else if let Some((a, b)) = v.family.split_once(' ') {
            format!("{a}{}", b.to_lowercase())
        } else {
            v.family.clone()
        };
    }
    for name in [&mut v.family, &mut v.given] {
        if name.contains('-') && rng.gen_bool(0.5) {
            *name = if rng.gen_bool(0.65) { name.replace('-', " ") } else { name.replace('-', "") };
        }
    }
    if rng.gen_bool(0.35) {
        v.family = strip_accents(&v.family);
        v.given = strip_accents(&v.given);
    }
    if rng.gen_bool(0.18) {
        if rng.gen_bool(0.6) {
            v.family = typo(rng, &v.family);
        } else {
            v.given = typo(rng, &v.given);
        }
    }
    if rng.gen_bool(0.05) {
        std::mem::swap(&mut v.family, &mut v.given);
    }
    if rng.gen_bool(0.25) {
        v.family = v.family.to_uppercase();
    }
    v.date = v.date.and_then(|(y, m, d)| {
        let r: f64 = rng.gen();
        if r < 0.08 {
            None
        } else if r < 0.13 && d <= 12 && d != m {
            Some((y, d, m))
        } else if r < 0.18 {
            Some(match rng.gen_range(0..3) {
                0 => (y + 1, m, d),
                1 => (y, m, if d < 28 { d + 1 } else { d - 1 }),
                _ => (y, if m < 12 { m + 1 } else { m - 1 }, d),
            })
        } else {
            Some((y, m, d))
        }
    });
    if rng.gen_bool(0.25) {
        v.commune = commune(rng);
    }
    v
}

fn row(rng: &mut StdRng, p: &Person, id: String) -> SynthRow {
    SynthRow {
        id,
        truth: p.truth,
        family_name: p.family.clone(),
        given_names: p.given.clone(),
        birth_date: p.date.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")).unwrap_or_default(),
        sex: if rng.gen_bool(0.03) {
            String::new()
        } else if p.female {
            "F".into()
        } else {
            "M".into()
        },
        commune: p.commune.clone(),
    }
}

/// Two partners of `n` rows each; a share `overlap` of the persons of partner A is also in
/// partner B's list, as noisy copies. Rows are shuffled; ids are `A000001`, `B000001`…
pub fn two_partners(n: usize, overlap: f64, seed: u64) -> (Vec<SynthRow>, Vec<SynthRow>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let shared = (n as f64 * overlap).round() as usize;
    let total = 2 * n - shared;
    let mut persons: Vec<Person> = Vec::with_capacity(total);
    for t in 0..total {
        let p = person(&mut rng, t as u64 + 1, persons.last());
        persons.push(p);
    }
    persons.shuffle(&mut rng);
    let (a_only, rest) = persons.split_at(n - shared);
    let (both, b_only) = rest.split_at(shared);
    let mut a: Vec<Person> = a_only.iter().chain(both).cloned().collect();
    let mut b: Vec<Person> = both.iter().map(|p| variant(&mut rng, p)).chain(b_only.iter().cloned()).collect();
    a.shuffle(&mut rng);
    b.shuffle(&mut rng);
    let a = a.iter().enumerate().map(|(i, p)| row(&mut rng, p, format!("A{:06}", i + 1))).collect();
    let b = b.iter().enumerate().map(|(i, p)| row(&mut rng, p, format!("B{:06}", i + 1))).collect();
    (a, b)
}

impl SynthRow {
    /// The row as the encoder reads it.
    pub fn to_plain(&self) -> super::PlainRecord {
        super::PlainRecord::parse(
            &self.id,
            &self.family_name,
            &self.given_names,
            &self.birth_date,
            &self.sex,
            &self.commune,
        )
        .expect("synthetic rows are well formed")
    }
}
