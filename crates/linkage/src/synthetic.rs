//! Synthetic persons with duplicates and French spelling noise, with the truth: for tests,
//! examples and benchmarks of this crate. Names are drawn from lists of common names; they
//! designate nobody.
//!
//! Each person has 0 to 3 duplicate records; each duplicate is drawn with this noise (per
//! duplicate, "when applicable" meaning the name has the feature):
//!
//! | variant | rate |
//! |---|---|
//! | only the first of several given names | 60% when applicable |
//! | particle glued or split (`Le Goff` ↔ `Legoff`, `N'Diaye` → `Ndiaye`) | 50% when applicable |
//! | hyphen turned into a space or lost (`Jean-Pierre` → `Jean Pierre` / `Jeanpierre`) | 50% when applicable |
//! | accents dropped | 35% |
//! | one typo (letter substituted, dropped or doubled), family name 60% | 18% |
//! | given and family names swapped | 5% |
//! | upper case | 25% |
//! | birth date missing / day and month swapped / one digit off | 8% / 5% / 5% |
//! | another commune | 30% |

use crate::schema::Record;
use crate::util::SplitMix;

#[rustfmt::skip]
const FAMILY: &[&str] = &[
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon",
    "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
    "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval", "Denis", "Dumont",
    "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier",
    "Philippe", "Bourgeois", "Pierre", "Rey", "Leclerc", "Payet", "Rolland", "Leblanc", "Saint-Martin",
    "Petit-Jean", "Le Goff", "Le Gall", "Le Roux", "Le Bihan", "Da Silva", "Dos Santos", "De Sousa",
    "Ferreira", "Pereira", "Rodrigues", "Lopez", "Sanchez", "Fernandez", "Nguyen", "N'Diaye", "Diallo", "Traoré",
    "Koné", "Camara", "Diop", "Sow", "Cissé", "Touré", "Keita", "Coulibaly", "Bamba", "Mendy", "N'Guessan", "Benali",
    "Benaïssa", "Bouzid", "Haddad", "Mansouri", "Belkacem", "Chérif", "Saïdi", "Khelifi", "El Amrani", "Ben Salah",
    "Boukhari", "Hamdi", "Popescu", "Ionescu", "Stoica", "Dumitru", "Popa", "Rusu", "Kowalski", "Nowak",
    "Ivanov", "Petrov", "Horváth", "Sargsyan", "Krasniqi", "Berisha",
];

#[rustfmt::skip]
const FEMALE: &[&str] = &[
    "Marie", "Anne", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Christine", "Sandrine", "Valérie", "Céline",
    "Stéphanie", "Sophie", "Aurélie", "Julie", "Émilie", "Camille", "Léa", "Manon", "Chloé", "Sarah", "Laura",
    "Hélène", "Françoise", "Monique", "Martine", "Brigitte", "Nicole", "Patricia", "Véronique", "Virginie",
    "Jessica", "Mélanie", "Audrey", "Élodie", "Pauline", "Marine", "Inès", "Jade", "Louise", "Zoé", "Emma", "Lina",
    "Marie-Claire", "Anne-Sophie", "Marie-Hélène", "Fatima", "Fatoumata", "Aminata", "Mariam",
    "Awa", "Aïssatou", "Khadija", "Samira", "Nadia", "Yasmina", "Leïla", "Malika", "Karima", "Naïma", "Rachida",
    "Souad", "Amel", "Sonia", "Djamila", "Kadiatou", "Mariama", "Fanta", "Oumou", "Hawa", "Ioana", "Elena", "Maria",
    "Andreea", "Natalia", "Olga", "Svetlana", "Irina", "Tatiana",
];

#[rustfmt::skip]
const MALE: &[&str] = &[
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe", "Daniel", "Bernard", "Éric",
    "Frédéric", "Laurent", "Stéphane", "David", "Olivier", "Thierry", "Pascal", "Sébastien", "Julien", "Jérôme",
    "Thomas", "Mickaël", "Kévin", "Maxime", "Alexandre", "Romain", "Anthony", "Guillaume", "Dylan", "Lucas", "Hugo",
    "Théo", "Nathan", "Enzo", "Jean-Pierre", "Jean-Claude", "Jean-Luc", "Jean-Marc", "Jean-François", "Jean-Michel",
    "Pierre-Yves", "Mohamed", "Ahmed", "Karim", "Rachid", "Mustapha", "Youssef", "Saïd", "Abdelkader", "Hamid",
    "Farid", "Nordine", "Sofiane", "Bilal", "Mamadou", "Moussa", "Ibrahima", "Oumar", "Amadou", "Boubacar",
    "Abdoulaye", "Seydou", "Issa", "Ousmane", "Lamine", "Cheikh", "Ion", "Gheorghe", "Vasile", "Constantin",
    "Andrei", "Mihai", "Florin", "Adrian", "Dmitri", "Vladimir", "Alexandru", "Arben", "Artur", "Giorgi",
];

const PARTICLES: &[&str] = &["Le", "La", "De", "Da", "Dos", "Du", "El", "Ben"];
const GLUED: &[&str] = &["Ben", "Le", "Du"];

#[derive(Debug, Clone, Copy)]
pub struct Config {
    pub persons: usize,
    pub seed: u64,
    /// Number of communes persons live in.
    pub communes: usize,
}

impl Config {
    pub fn new(persons: usize, seed: u64) -> Self {
        Self { persons, seed, communes: 40 }
    }
}

/// One generated record, in the `parcours` CSV schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthRecord {
    pub id: String,
    pub truth: u64,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub sex: &'static str,
    pub commune: String,
}

impl SynthRecord {
    /// As a record of [`crate::Schema::parcours`].
    pub fn to_record(&self) -> Record {
        Record::new(
            self.id.clone(),
            vec![
                Some(self.family_name.clone()),
                Some(self.given_names.clone()),
                self.birth_date.clone(),
                Some(self.sex.to_string()),
                Some(self.commune.clone()),
            ],
        )
    }
}

struct Person {
    family: String,
    given: String,
    birth: Option<(i32, u32, u32)>,
    sex: &'static str,
    commune: usize,
}

/// Generates persons and their duplicate records, shuffled.
pub fn generate(cfg: &Config) -> Vec<SynthRecord> {
    let mut rng = SplitMix::new(cfg.seed);
    let mut out = Vec::with_capacity(cfg.persons * 17 / 10);
    for p in 0..cfg.persons {
        let sex = if rng.chance(0.6) { "M" } else { "F" };
        let list = if sex == "M" { MALE } else { FEMALE };
        let mut given = (*rng.pick(list)).to_string();
        if rng.chance(0.15) {
            let second = *rng.pick(list);
            if second != given {
                given = format!("{given} {second}");
            }
        }
        let birth = (!rng.chance(0.08)).then(|| {
            let y = 1945 + rng.below(62) as i32;
            let m = 1 + rng.below(12) as u32;
            let d = 1 + rng.below(days_in(y, m) as u64) as u32;
            (y, m, d)
        });
        let person = Person {
            family: (*rng.pick(FAMILY)).to_string(),
            given,
            birth,
            sex,
            commune: rng.below(cfg.communes.max(1) as u64) as usize,
        };
        let dups = match rng.below(100) {
            0..50 => 0,
            50..80 => 1,
            80..95 => 2,
            _ => 3,
        };
        out.push(record(&person, p as u64, 0, cfg));
        for k in 1..=dups {
            let v = variant(&mut rng, &person, cfg);
            out.push(record(&v, p as u64, k, cfg));
        }
    }
    // shuffle (Fisher–Yates) so that duplicates are not adjacent
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}

fn commune_code(k: usize) -> String {
    format!("{}", 69001 + k * 7)
}

fn record(p: &Person, truth: u64, k: usize, _cfg: &Config) -> SynthRecord {
    SynthRecord {
        id: format!("p{truth}-{k}"),
        truth,
        family_name: p.family.clone(),
        given_names: p.given.clone(),
        birth_date: p.birth.map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        sex: p.sex,
        commune: commune_code(p.commune),
    }
}

fn days_in(y: i32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn variant(rng: &mut SplitMix, p: &Person, cfg: &Config) -> Person {
    let mut family = p.family.clone();
    let mut given = p.given.clone();
    if let Some((first, _)) = given.split_once(' ') {
        if rng.chance(0.6) {
            given = first.to_string();
        }
    }
    if rng.chance(0.5) {
        if let Some(f) = toggle_particle(rng, &family) {
            family = f;
        }
    }
    for name in [&mut family, &mut given] {
        if name.contains('-') && rng.chance(0.5) {
            *name = if rng.chance(0.65) { name.replace('-', " ") } else { glue(name, '-') };
        }
    }
    if rng.chance(0.35) {
        family = strip_accents(&family);
        given = strip_accents(&given);
    }
    if rng.chance(0.18) {
        if rng.chance(0.6) {
            family = typo(rng, &family);
        } else {
            given = typo(rng, &given);
        }
    }
    if rng.chance(0.05) {
        std::mem::swap(&mut family, &mut given);
    }
    if rng.chance(0.25) {
        family = family.to_uppercase();
        if rng.chance(0.2) {
            given = given.to_uppercase();
        }
    }
    let birth = p.birth.and_then(|(y, m, d)| {
        let r = rng.unit();
        if r < 0.08 {
            None
        } else if r < 0.13 && d <= 12 && d != m {
            Some((y, d, m))
        } else if r < 0.18 {
            Some(match rng.below(3) {
                0 => (if rng.chance(0.5) { y + 1 } else { y - 1 }, m, d),
                1 => {
                    let nd = if rng.chance(0.5) { d + 1 } else { d.saturating_sub(1) };
                    (y, m, nd.clamp(1, days_in(y, m)))
                }
                _ => {
                    let nm = if rng.chance(0.5) { m + 1 } else { m.saturating_sub(1) };
                    let nm = nm.clamp(1, 12);
                    (y, nm, d.min(days_in(y, nm)))
                }
            })
        } else {
            Some((y, m, d))
        }
    });
    let commune = if rng.chance(0.3) { rng.below(cfg.communes.max(1) as u64) as usize } else { p.commune };
    Person { family, given, birth, sex: p.sex, commune }
}

fn toggle_particle(rng: &mut SplitMix, name: &str) -> Option<String> {
    if name.contains('\'') {
        return Some(if rng.chance(0.7) { glue(name, '\'') } else { name.replace('\'', " ") });
    }
    if let Some((first, _)) = name.split_once(' ') {
        return PARTICLES.contains(&first).then(|| glue(name, ' '));
    }
    let prefix = GLUED.iter().find(|p| name.starts_with(**p))?;
    let rest = &name[prefix.len()..];
    let mut chars = rest.chars();
    let initial = chars.next()?;
    (initial.is_lowercase() && rest.chars().count() >= 3)
        .then(|| format!("{prefix} {}{}", initial.to_uppercase(), chars.as_str()))
}

fn glue(name: &str, sep: char) -> String {
    let mut out = String::with_capacity(name.len());
    let mut lower_next = false;
    for c in name.chars() {
        if c == sep {
            lower_next = true;
        } else if lower_next {
            out.extend(c.to_lowercase());
            lower_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'É' => 'E',
            'È' => 'E',
            c => c,
        })
        .collect()
}

fn typo(rng: &mut SplitMix, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len()).filter(|&i| chars[i].is_alphabetic()).collect();
    if letters.len() < 3 {
        return s.to_string();
    }
    // never the first letter
    let i = letters[1 + rng.below(letters.len() as u64 - 1) as usize];
    match rng.below(3) {
        0 => {
            let c = (b'a' + rng.below(26) as u8) as char;
            chars[i] = if chars[i].is_uppercase() { c.to_ascii_uppercase() } else { c };
        }
        1 => {
            chars.remove(i);
        }
        _ => {
            let c = chars[i];
            chars.insert(i, c);
        }
    }
    chars.into_iter().collect()
}

/// The records as CSV in the `parcours` schema: `id,truth,family_name,given_names,birth_date,sex,commune`.
pub fn to_csv(records: &[SynthRecord]) -> String {
    let mut s = String::from("id,truth,family_name,given_names,birth_date,sex,commune\n");
    for r in records {
        s.push_str(&format!(
            "{},{},{},{},{},{},{}\n",
            r.id,
            r.truth,
            r.family_name,
            r.given_names,
            r.birth_date.as_deref().unwrap_or(""),
            r.sex,
            r.commune
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_duplicates_with_noise_deterministically() {
        let a = generate(&Config::new(2000, 1));
        let b = generate(&Config::new(2000, 1));
        assert_eq!(a, b);
        assert!(a.len() > 2000 * 14 / 10 && a.len() < 2000 * 20 / 10, "{}", a.len());
        let changed = a.iter().filter(|r| !r.id.ends_with("-0")).count();
        assert!(changed > 1000);
    }
}
