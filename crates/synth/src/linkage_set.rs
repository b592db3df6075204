//! A labelled data set for record linkage (issue 6): distinct persons, each reported one to four
//! times by different partners (street team, 115, CCAS, shelter) with the spelling noise of
//! French by-name lists, and a ground-truth column.
//!
//! Only invented data: names are drawn from this crate's generic lists of common names
//! (`names.rs`) plus a synthetic long tail, dates and communes are invented.
//!
//! How persons are drawn:
//! - family names: 15% from the lists of common names with Zipf-like weights (Martin about 0.5%
//!   of persons, Diallo, Mohamed, Nguyen… close behind, so that term-frequency adjustment
//!   matters), 85% from a long tail of invented French-looking names (a thousand semi-frequent
//!   ones, then tens of thousands of rare ones and a million nearly unique ones);
//! - given names: 85% from the lists (Zipf-like: the most frequent about 4% of their sex), 15%
//!   invented; 20% have a second given name;
//! - one person in five is a relative of the previous one (same family name, same commune) and
//!   lives in their household;
//! - 30% of women of 25 or more have a used (married) name besides their birth name;
//! - 15% are minors; adults are 18 to 75, mostly in their forties.
//!
//! Reports per household: 1 (65%), 2 (20%), 3 (10%), 4 (5%), as partners report households: each
//! report lists the household's members under one number (the `household` column; numbers in
//! random order), the first one all of them, a later one each member with 90%. About a third of
//! persons have duplicates. The first report is a careful one (the family name upper-cased in a
//! quarter of them); each other report is a noisy copy:
//!
//! | noise (per duplicate report) | rate |
//! |---|---|
//! | used instead of birth surname (or the reverse, or both hyphenated) for married women | 35% / 10% |
//! | particle dropped (`Le Goff` → `Goff`, `Da Silva` → `Silva`) | 20% when applicable |
//! | phonetic spelling (`Ph`/`F`, `-ault`/`-eau`/`-o`, `y`/`i`, `c`/`k`, double letters, `Mohamed`/`Mohammed`…) | 15% |
//! | two given names hyphenated (`Jean Pierre` → `Jean-Pierre`) | 30% when applicable |
//! | an accent changed (`é` ↔ `è`) | 5% |
//! | then `noise::variant`: second given name dropped, particle glued or split and apostrophes (`N'Diaye` → `Ndiaye`), hyphens lost, accents dropped, one typo, given and family names swapped, upper case, birth date missing / day-month swapped / one digit off | see `noise.rs` |
//! | sex not given | 3% |
//! | another commune (the whole report) | 25% |
//!
//! Birth dates: 7% of persons never give one, and each report loses it with 8% more, so about
//! 15% of rows have none. Rows are shuffled, then numbered from 1.
//!
//! Three more columns carry the identity traits of the national identity-vigilance reference
//! (RNIV) that a by-name list can record besides the four above, drawn from a random stream of
//! their own so that the other columns are the same with or without them:
//!
//! - `birth_name`, the birth name in a field of its own: a report that writes a married woman's
//!   used name gives her birth name there in 65% of first reports and 45% of later ones; other
//!   reports copy the family name there now and then (15%, 20% when it is the birth name);
//! - `birth_country` (INSEE code, `99100` for France) and `birth_commune` (free text), drawn by
//!   [`crate::birth_places`]: namesakes share an origin, those born in France are born in a few
//!   cities. A person who never gives a birth date gives a birth place with 30%, others with
//!   92%; then a report gives the country with 88% (first) or 72% (later) and the commune with
//!   65% / 45% for those born in France, 30% / 20% for those born abroad. Later reports confuse
//!   countries of one origin (2%), write the commune of residence for the commune of birth (3%),
//!   and spell communes as partners do (`St-Étienne`, `SAINT ETIENNE`, a typo).

use std::io::{self, Write};

use domain::household::{NewPerson, Sex};
use domain::territory::InseeCode;
use domain::Date;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::birth_places::{self, BirthPlace};
use crate::dates::{to_date, to_day};
use crate::draw::{pick, R};
use crate::names::{FAMILY, FEMALE, MALE};
use crate::{noise, places};

/// One report of a person, as a row of the CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1 to the number of rows, in file order.
    pub id: u64,
    /// Ground truth: the same real person has the same number in every row that reports them.
    pub truth: u64,
    pub family_name: String,
    pub given_names: String,
    pub birth_date: Option<Date>,
    pub sex: Sex,
    pub commune: InseeCode,
    /// The report this row belongs to: the members of a household one partner reported together
    /// share it (two rows of one report are two different persons).
    pub household: u64,
    /// The birth name written in a field of its own (empty when not given).
    pub birth_name: String,
    /// INSEE country code of the birth place, `99100` for France (empty when not given).
    pub birth_country: String,
    /// The commune (or city abroad) of birth as written (empty when not given).
    pub birth_commune: String,
}

/// The header of [`write_csv`]'s output.
pub const CSV_HEADER: &str =
    "id,truth,family_name,given_names,birth_date,sex,commune,household,birth_name,birth_country,birth_commune";

/// Seed of the identity traits' own random stream (xor the set's seed).
const IDENTITY_STREAM: u64 = 0x1d_e471_7e5a;

/// Number of reports of a person and their weights: 35% of persons have duplicates.
const REPORTS: [(usize, u32); 4] = [(1, 65), (2, 20), (3, 10), (4, 5)];
/// Share of persons who never give a birth date; each report loses it with 8% more.
const NEVER_DATED: f64 = 0.07;
const REPORT_UNDATED: f64 = 0.08;
/// Share of persons drawn as a relative of the previous one (same family name and commune).
const RELATIVE: f64 = 0.2;
const MINOR: f64 = 0.15;
const SECOND_GIVEN_NAME: f64 = 0.2;
/// Share of women of 25 or more with a used (married) name.
const MARRIED_NAME: f64 = 0.3;
/// Share of family (given) names drawn from the lists of common names rather than the tail.
const COMMON_FAMILY: f64 = 0.15;
const COMMON_GIVEN: f64 = 0.85;

/// The day ages and noise are reckoned from: the synthetic territory's fixed day.
fn today() -> Date {
    time::macros::date!(2026 - 11 - 28)
}

/// A real person behind the reports.
#[derive(Clone)]
struct Person {
    birth_name: String,
    /// Used (married) name, when different from the birth name.
    used_name: Option<String>,
    given_names: String,
    birth_date: Option<Date>,
    sex: Sex,
    commune: usize,
    /// Where they were born, and whether they ever say so.
    birth_place: BirthPlace,
    gives_birth_place: bool,
}

/// Share of a household's members a later report lists (the first report lists them all).
const MEMBER_LISTED: f64 = 0.9;

/// `persons` distinct persons in households, each household reported one to four times (every
/// report lists its members under one household number), shuffled; deterministic by `seed`.
pub fn generate(persons: usize, seed: u64) -> Vec<Row> {
    let mut rng = R::seed_from_u64(seed);
    let mut id_rng = R::seed_from_u64(seed ^ IDENTITY_STREAM);
    let tables = Tables::new();
    let communes = places::communes();
    let commune_names: Vec<String> = communes.iter().map(|c| c.name.clone()).collect();
    let report_weights = Cumulative::new(REPORTS.iter().map(|&(_, w)| f64::from(w)));
    // a relative of the previous person joins their household
    let mut households: Vec<Vec<(u64, Person)>> = Vec::new();
    let mut previous: Option<Person> = None;
    for truth in 1..=persons as u64 {
        let (person, relative) = draw_person(&mut rng, &mut id_rng, &tables, &commune_names, previous.as_ref());
        match households.last_mut() {
            Some(h) if relative => h.push((truth, person.clone())),
            _ => households.push(vec![(truth, person.clone())]),
        }
        previous = Some(person);
    }
    let mut rows = Vec::with_capacity(persons * 8 / 5);
    let mut reports = 0u64;
    for members in &households {
        let n = REPORTS[report_weights.draw(&mut rng)].0;
        for k in 0..n {
            reports += 1;
            let commune =
                if k > 0 && rng.gen_bool(0.25) { places::draw_commune(&mut rng) } else { members[0].1.commune };
            let listed: Vec<&(u64, Person)> =
                members.iter().filter(|_| k == 0 || members.len() == 1 || rng.gen_bool(MEMBER_LISTED)).collect();
            for (truth, person) in listed {
                let (p, family) = if k == 0 { first_report(&mut rng, person) } else { duplicate(&mut rng, person) };
                let traits = reported_traits(&mut id_rng, person, family, k == 0, &commune_names[commune]);
                rows.push(Row {
                    id: 0,
                    truth: *truth,
                    family_name: p.family_name,
                    given_names: p.given_names,
                    birth_date: p.birth_date,
                    sex: p.sex,
                    commune: communes[commune].insee.clone(),
                    household: reports,
                    birth_name: traits.birth_name,
                    birth_country: traits.birth_country,
                    birth_commune: traits.birth_commune,
                });
            }
        }
    }
    // report numbers in random order: a household's reports are not numbered one after another
    let mut numbers: Vec<u64> = (1..=reports).collect();
    numbers.shuffle(&mut rng);
    for r in &mut rows {
        r.household = numbers[r.household as usize - 1];
    }
    rows.shuffle(&mut rng);
    for (i, r) in rows.iter_mut().enumerate() {
        r.id = i as u64 + 1;
    }
    rows
}

/// Writes the rows as CSV with [`CSV_HEADER`]: ISO dates, empty when missing; sex `F`, `M` or
/// `X` (not given).
pub fn write_csv(rows: &[Row], out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 20, out);
    writeln!(out, "{CSV_HEADER}")?;
    for r in rows {
        let date = r.birth_date.map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()));
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            r.id,
            r.truth,
            csv_field(&r.family_name),
            csv_field(&r.given_names),
            date.unwrap_or_default(),
            r.sex.code(),
            r.commune.as_str(),
            r.household,
            csv_field(&r.birth_name),
            r.birth_country,
            csv_field(&r.birth_commune),
        )?;
    }
    out.flush()
}

fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

// ---- persons ----------------------------------------------------------------------------------

/// A person, and whether they are a relative of `previous` (same family name and commune). The
/// birth place is drawn from `id_rng` only.
fn draw_person(
    rng: &mut R,
    id_rng: &mut R,
    t: &Tables,
    communes: &[String],
    previous: Option<&Person>,
) -> (Person, bool) {
    let relative = previous.filter(|_| rng.gen_bool(RELATIVE));
    let sex = if rng.gen_bool(0.55) { Sex::Homme } else { Sex::Femme };
    let birth_name = match relative {
        Some(p) => p.birth_name.clone(),
        None => t.family(rng),
    };
    let commune = relative.map_or_else(|| places::draw_commune(rng), |p| p.commune);
    let birth = to_day(today()) - age_days(rng);
    let birth_date = (!rng.gen_bool(NEVER_DATED)).then(|| to_date(birth));
    let adult_25 = to_day(today()) - birth >= 25 * 366;
    let used_name = (sex == Sex::Femme && adult_25 && rng.gen_bool(MARRIED_NAME))
        .then(|| t.family(rng))
        .filter(|u| *u != birth_name);
    let mut given_names = t.given(rng, sex);
    // relatives rarely share a given name
    for _ in 0..4 {
        if relative.is_none_or(|p| p.given_names.split(' ').next() != Some(given_names.as_str())) {
            break;
        }
        given_names = t.given(rng, sex);
    }
    if rng.gen_bool(SECOND_GIVEN_NAME) {
        let second = t.given(rng, sex);
        if second != given_names && !second.contains('-') && !given_names.contains('-') {
            given_names = format!("{given_names} {second}");
        }
    }
    // relatives share a birth place half the time; the others are born in France more often
    let birth_place = match relative {
        Some(p) if id_rng.gen_bool(0.5) => p.birth_place.clone(),
        _ => {
            let factor = if relative.is_some() { 0.5 } else { 1.0 };
            birth_places::draw(id_rng, &birth_name, &communes[0], &communes[1..], factor)
        }
    };
    let gives_birth_place = id_rng.gen_bool(if birth_date.is_some() { 0.92 } else { 0.3 });
    let person =
        Person { birth_name, used_name, given_names, birth_date, sex, commune, birth_place, gives_birth_place };
    (person, relative.is_some())
}

/// Age in days: 15% minors (0 to 17), adults 18 to 75 skewed towards the forties.
fn age_days(rng: &mut R) -> i32 {
    let years = if rng.gen_bool(MINOR) {
        rng.gen::<f64>() * 17.9
    } else {
        let u: f64 = rng.gen::<f64>() * rng.gen::<f64>();
        18.0 + 57.0 * u.sqrt()
    };
    (years * 365.25) as i32
}

/// Which of a person's family names a report wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// The person has one family name.
    Only,
    Used,
    Birth,
    /// `Used-Birth`.
    Both,
}

/// The family name a report gives: for a married woman, the used name most often, sometimes the
/// birth name or both.
fn reported_family(rng: &mut R, p: &Person, careful: bool) -> (String, Written) {
    let Some(used) = &p.used_name else { return (p.birth_name.clone(), Written::Only) };
    let r: f64 = rng.gen();
    if careful {
        return if r < 0.7 { (used.clone(), Written::Used) } else { (p.birth_name.clone(), Written::Birth) };
    }
    if r < 0.55 {
        (used.clone(), Written::Used)
    } else if r < 0.9 {
        (p.birth_name.clone(), Written::Birth)
    } else {
        (format!("{used}-{}", p.birth_name), Written::Both)
    }
}

fn first_report(rng: &mut R, p: &Person) -> (NewPerson, Written) {
    let (mut family_name, written) = reported_family(rng, p, true);
    if rng.gen_bool(0.25) {
        family_name = family_name.to_uppercase();
    }
    let person = NewPerson {
        family_name,
        given_names: p.given_names.clone(),
        birth_date: p.birth_date.filter(|_| !rng.gen_bool(REPORT_UNDATED)),
        sex: p.sex,
        // the identity traits of this set are drawn apart (`reported_traits`)
        birth: Default::default(),
    };
    (person, written)
}

fn duplicate(rng: &mut R, p: &Person) -> (NewPerson, Written) {
    let (mut family, written) = reported_family(rng, p, false);
    let mut given = p.given_names.clone();
    if rng.gen_bool(0.2) {
        if let Some(f) = drop_particle(&family) {
            family = f;
        }
    }
    if rng.gen_bool(0.15) {
        let name = if rng.gen_bool(0.6) { &mut family } else { &mut given };
        if let Some(v) = phonetic(rng, name) {
            *name = v;
        }
    }
    if given.contains(' ') && rng.gen_bool(0.3) {
        given = given.replacen(' ', "-", 1);
    }
    if rng.gen_bool(0.05) {
        let name = if rng.gen_bool(0.5) { &mut family } else { &mut given };
        *name = change_accent(name);
    }
    let base = NewPerson {
        family_name: family,
        given_names: given,
        birth_date: p.birth_date,
        sex: p.sex,
        birth: Default::default(),
    };
    // noise::variant drops the birth date of 8% of reports, as REPORT_UNDATED
    let mut v = noise::variant(rng, &base, today());
    if rng.gen_bool(0.03) {
        v.sex = Sex::NonRenseigne;
    }
    (v, written)
}

/// The identity traits a report gives besides the four columns.
struct Traits {
    birth_name: String,
    birth_country: String,
    birth_commune: String,
}

/// What one report says of a person's birth name and birth place (see the module docs), drawn
/// from `rng` (the identity stream); `residence` is the report's commune.
fn reported_traits(rng: &mut R, p: &Person, written: Written, careful: bool, residence: &str) -> Traits {
    let birth_name = match written {
        Written::Used if rng.gen_bool(if careful { 0.65 } else { 0.45 }) => p.birth_name.clone(),
        Written::Birth if rng.gen_bool(0.2) => p.birth_name.clone(),
        Written::Only if rng.gen_bool(0.15) => p.birth_name.clone(),
        _ => String::new(),
    };
    let birth_name = if birth_name.is_empty() { birth_name } else { spelled(rng, &birth_name, careful) };
    let mut t = Traits { birth_name, birth_country: String::new(), birth_commune: String::new() };
    if !p.gives_birth_place {
        return t;
    }
    let place = &p.birth_place;
    let french = place.country == birth_places::FRANCE;
    if rng.gen_bool(if careful { 0.88 } else { 0.72 }) {
        let mut country = place.country;
        if !careful && rng.gen_bool(0.02) {
            country = birth_places::neighbour_country(rng, &p.birth_name, country);
        } else if !careful && !french && rng.gen_bool(0.01) {
            country = birth_places::FRANCE;
        }
        t.birth_country = country.to_string();
    }
    let commune_rate = match (french, careful) {
        (true, true) => 0.65,
        (true, false) => 0.45,
        (false, true) => 0.3,
        (false, false) => 0.2,
    };
    if rng.gen_bool(commune_rate) {
        t.birth_commune = if french && !careful && rng.gen_bool(0.03) {
            residence.to_string()
        } else {
            spelled_place(rng, &place.commune, careful)
        };
    }
    t
}

/// A name as a report spells it: upper-cased now and then; later reports also drop accents or
/// make a typo.
fn spelled(rng: &mut R, name: &str, careful: bool) -> String {
    let mut s = name.to_string();
    if !careful {
        if rng.gen_bool(0.35) {
            s = noise::strip_accents(&s);
        }
        if rng.gen_bool(0.04) {
            s = noise::typo(rng, &s);
        }
    }
    if rng.gen_bool(0.25) {
        s = s.to_uppercase();
    }
    s
}

/// A place as a report spells it: `Saint-` abbreviated, hyphens as spaces, then as [`spelled`].
fn spelled_place(rng: &mut R, place: &str, careful: bool) -> String {
    let mut s = place.to_string();
    if !careful {
        if s.starts_with("Saint-") && rng.gen_bool(0.3) {
            s = s.replacen("Saint-", if rng.gen_bool(0.5) { "St-" } else { "St " }, 1);
        }
        if s.contains('-') && rng.gen_bool(0.3) {
            s = s.replace('-', " ");
        }
    }
    spelled(rng, &s, careful)
}

// ---- noise specific to this set ---------------------------------------------------------------

/// `Le Goff` → `Goff`, `De Sousa` → `Sousa`, `El Amrani` → `Amrani`.
fn drop_particle(name: &str) -> Option<String> {
    let (first, rest) = name.split_once(' ')?;
    let particle = ["Le", "La", "De", "Da", "Dos", "Du", "El", "Des", "Di"].contains(&first);
    (particle && rest.chars().count() >= 2).then(|| rest.to_string())
}

/// Known alternative spellings of frequent names, transliterations mostly.
const SPELLINGS: &[&[&str]] = &[
    &["Mohamed", "Mohammed", "Mohamad", "Mouhamed", "Muhammad"],
    &["Mamadou", "Mamadu"],
    &["Youssef", "Youcef", "Yousef", "Youssouf"],
    &["Fatoumata", "Fatimata", "Fatoumatta"],
    &["Aïssatou", "Aissata", "Aïssata"],
    &["Khadija", "Kadija", "Khadidja"],
    &["Sergueï", "Sergei", "Sergey"],
    &["Dmitri", "Dmitry", "Dimitri"],
    &["Abdelkader", "Abdel-Kader", "Abdelkadir"],
    &["Mustapha", "Mustafa", "Moustapha"],
    &["Ibrahima", "Ibrahim"],
    &["Oumar", "Omar"],
    &["Ousmane", "Usman", "Ousman"],
    &["Cheikh", "Cheick", "Sheikh"],
    &["Nguyen", "Nguyên", "Ngyuen"],
    &["Diallo", "Dialo"],
    &["Traoré", "Traore", "Traoret"],
    &["Cissé", "Sissé", "Cisse"],
    &["Keita", "Keïta", "Keyta"],
    &["Coulibaly", "Koulibaly", "Coulibali"],
    &["Camara", "Kamara"],
    &["Chérif", "Cherif", "Shérif"],
    &["Benaïssa", "Ben Aïssa", "Benaissa"],
    &["Belkacem", "Belkassem"],
    &["Krasniqi", "Krasniki"],
    &["Grigoryan", "Grigorian"],
    &["Sargsyan", "Sarkissian", "Sargsian"],
];

/// Generic French spelling equivalences: (written, heard the same as).
const SOUNDS: &[(&str, &str)] = &[
    ("ph", "f"),
    ("th", "t"),
    ("qu", "k"),
    ("ault", "eau"),
    ("ault", "aut"),
    ("eau", "o"),
    ("eau", "ault"),
    ("aud", "eau"),
    ("y", "i"),
    ("ie", "y"),
    ("ll", "l"),
    ("tt", "t"),
    ("nn", "n"),
    ("ss", "s"),
    ("rr", "r"),
    ("mm", "m"),
    ("pp", "p"),
    ("ca", "ka"),
    ("co", "ko"),
    ("cou", "kou"),
    ("ch", "sh"),
    ("ai", "è"),
    ("ou", "u"),
    ("in", "ain"),
];

/// A spelling that sounds the same: a known transliteration, else one generic equivalence
/// applied at one place (the case of the first letter kept).
fn phonetic(rng: &mut R, name: &str) -> Option<String> {
    // a known transliteration of one of the words
    let words: Vec<&str> = name.split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        if let Some(group) = SPELLINGS.iter().find(|g| g.contains(w)) {
            let others: Vec<&str> = group.iter().copied().filter(|s| s != w).collect();
            let mut out = words.clone();
            out[i] = *pick(rng, &others);
            return Some(out.join(" "));
        }
    }
    let lower = name.to_lowercase();
    if lower.len() != name.len() {
        return None;
    }
    let mut options: Vec<(usize, &str, &str)> = Vec::new();
    for &(from, to) in SOUNDS {
        for (at, _) in lower.match_indices(from) {
            // long patterns are endings: only where they end a word
            let end = at + from.len();
            let ending = from.len() >= 3 && from != "cou";
            if ending && end != lower.len() && !lower[end..].starts_with([' ', '-']) {
                continue;
            }
            options.push((at, from, to));
        }
    }
    if options.is_empty() {
        return None;
    }
    let (at, from, to) = options[rng.gen_range(0..options.len())];
    let original = &name[at..at + from.len()];
    let to = if original.chars().count() > 1 && original.chars().all(|c| !c.is_lowercase()) {
        to.to_uppercase()
    } else if original.chars().next().is_some_and(char::is_uppercase) {
        let mut c = to.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
    } else {
        to.to_string()
    };
    Some(format!("{}{to}{}", &name[..at], &name[at + from.len()..]))
}

/// One accent changed: `é` ↔ `è`, `ë`/`ê` → `é`.
fn change_accent(name: &str) -> String {
    let mut done = false;
    name.chars()
        .map(|c| {
            if done {
                return c;
            }
            let n = match c {
                'é' => 'è',
                'è' | 'ê' | 'ë' => 'é',
                'É' => 'È',
                'È' => 'É',
                'ï' => 'î',
                _ => return c,
            };
            done = true;
            n
        })
        .collect()
}

// ---- name frequencies -------------------------------------------------------------------------

/// Names frequent on French by-name lists that the generic lists lack or that serve the noise
/// (phonetic endings, compound given names, apostrophes).
#[rustfmt::skip]
const EXTRA_FAMILY: &[&str] = &[
    "Mohamed", "Ali", "Ahmed", "Renault", "Perrault", "Thibault", "Boileau", "Philippon", "D'Almeida",
    "M'Bengue", "Hamidou", "Kaya", "Yilmaz", "Sylla", "Fofana", "Konaté", "Bah", "Barry",
];
#[rustfmt::skip]
const EXTRA_FEMALE: &[&str] = &["Marie-Thérèse", "Anne-Marie", "Marie-Pierre", "Sylvaine", "Raphaëlle"];
#[rustfmt::skip]
const EXTRA_MALE: &[&str] = &["Jean-Baptiste", "Jean-Philippe", "Raphaël", "Yannick", "Ali"];

/// Names given extra weight: the most frequent on by-name lists (in this order, highest first).
#[rustfmt::skip]
const VERY_COMMON_FAMILY: &[&str] = &[
    "Martin", "Diallo", "Mohamed", "Nguyen", "Bernard", "Traoré", "Dubois", "Camara", "N'Diaye", "Thomas",
    "Diop", "Petit", "Koné", "Cissé", "Robert", "Ali", "Coulibaly", "Ahmed", "Richard", "Sow",
];

/// Syllables of the invented long tail of family names.
#[rustfmt::skip]
const ONSETS: &[&str] = &[
    "Bel", "Ber", "Bou", "Cha", "Del", "Fon", "Gau", "Gui", "Lan", "Mar", "Mon", "Pel", "Ri", "Ro", "Sau", "Ta",
    "Ver", "Vi", "Bra", "Cla", "Dro", "Fla", "Gre", "Jou", "Leb", "Mas", "Nau", "Pou", "Quen", "Tho", "Cour", "Fer",
    "Gar", "Hu", "Lau", "Mer", "Pa", "Ra", "Sal", "Ter", "Va", "Cor", "Bon", "Dan", "Phil", "Tri", "Chau", "Bri",
];
#[rustfmt::skip]
const MIDDLES: &[&str] = &[
    "ra", "li", "mo", "ta", "ve", "ni", "co", "du", "ge", "be", "lan", "mer", "sa", "to", "ri", "va", "quet",
    "chi", "pe", "dé", "lo", "ma", "no", "ter", "bil", "ci", "fa", "gno", "ré", "vil", "son", "ty",
];
#[rustfmt::skip]
const ENDINGS: &[&str] = &[
    "ard", "aud", "ault", "eau", "et", "ier", "in", "on", "ot", "ou", "y", "ac", "ais", "and", "el", "ès", "eix",
    "oux", "ert", "at", "ent", "iaux", "ic", "ay", "elle", "ière", "ond", "eaux",
];
#[rustfmt::skip]
const GIVEN_ONSETS: &[&str] = &["Ma", "Li", "Na", "Ya", "So", "Ka", "Sa", "Da", "Ra", "Ti", "Lo", "No", "Ha", "Ja", "Yo"];
#[rustfmt::skip]
const GIVEN_ENDINGS_F: &[&str] = &["rine", "lia", "ssa", "na", "lie", "ra", "ëlle", "dia", "ya", "nette", "ïa"];
#[rustfmt::skip]
const GIVEN_ENDINGS_M: &[&str] = &["rim", "lan", "ssim", "nel", "ric", "ran", "ël", "dy", "mir", "ris", "hel"];

/// Draws from a list with given weights by binary search on cumulative weights.
struct Cumulative(Vec<f64>);

impl Cumulative {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        Self(
            weights
                .into_iter()
                .map(|w| {
                    total += w;
                    total
                })
                .collect(),
        )
    }

    fn draw(&self, rng: &mut R) -> usize {
        let x = rng.gen::<f64>() * self.0.last().copied().unwrap_or(0.0);
        self.0.partition_point(|&c| c <= x).min(self.0.len() - 1)
    }
}

/// A name list with Zipf-like weights (the i-th name weighs `1/(i+offset)`), the very common
/// names first.
struct Weighted {
    names: Vec<&'static str>,
    weights: Cumulative,
}

impl Weighted {
    fn new(first: &[&'static str], lists: &[&[&'static str]], offset: f64) -> Self {
        let mut names: Vec<&'static str> = first.to_vec();
        for list in lists {
            for n in *list {
                if !names.contains(n) {
                    names.push(n);
                }
            }
        }
        let weights = Cumulative::new((0..names.len()).map(|i| 1.0 / (i as f64 + offset)));
        Self { names, weights }
    }

    fn draw(&self, rng: &mut R) -> &'static str {
        self.names[self.weights.draw(rng)]
    }
}

struct Tables {
    family: Weighted,
    female: Weighted,
    male: Weighted,
}

impl Tables {
    fn new() -> Self {
        Self {
            family: Weighted::new(VERY_COMMON_FAMILY, &[FAMILY, EXTRA_FAMILY], 10.0),
            female: Weighted::new(&[], &[FEMALE, EXTRA_FEMALE], 8.0),
            male: Weighted::new(&[], &[MALE, EXTRA_MALE], 8.0),
        }
    }

    fn family(&self, rng: &mut R) -> String {
        if rng.gen_bool(COMMON_FAMILY) {
            return self.family.draw(rng).to_string();
        }
        // no middle syllable: ~1,300 names; one: ~43,000; two: ~1,400,000
        let mut s = String::from(*pick(rng, ONSETS));
        let middles = match rng.gen_range(0..4) {
            0 => 0,
            3 => 2,
            _ => 1,
        };
        for _ in 0..middles {
            s.push_str(pick::<&str>(rng, MIDDLES));
        }
        s.push_str(pick::<&str>(rng, ENDINGS));
        s
    }

    fn given(&self, rng: &mut R, sex: Sex) -> String {
        let female = sex == Sex::Femme;
        if rng.gen_bool(COMMON_GIVEN) {
            let list = if female { &self.female } else { &self.male };
            return list.draw(rng).to_string();
        }
        let endings = if female { GIVEN_ENDINGS_F } else { GIVEN_ENDINGS_M };
        format!("{}{}", pick(rng, GIVEN_ONSETS), pick(rng, endings))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn by_truth(rows: &[Row]) -> HashMap<u64, Vec<&Row>> {
        let mut m: HashMap<u64, Vec<&Row>> = HashMap::new();
        for r in rows {
            m.entry(r.truth).or_default().push(r);
        }
        m
    }

    #[test]
    fn same_seed_same_rows() {
        assert_eq!(generate(500, 3), generate(500, 3));
        assert_ne!(generate(500, 3), generate(500, 4));
        assert!(generate(0, 1).is_empty());
    }

    #[test]
    fn every_person_has_one_to_four_rows_and_ids_are_the_row_numbers() {
        let rows = generate(5000, 1);
        let groups = by_truth(&rows);
        assert_eq!(groups.len(), 5000);
        assert!(groups.values().all(|g| (1..=4).contains(&g.len())));
        assert!(rows.iter().enumerate().all(|(i, r)| r.id == i as u64 + 1));
        // shuffled: duplicates are not next to each other
        let adjacent = rows.windows(2).filter(|w| w[0].truth == w[1].truth).count();
        assert!(adjacent < rows.len() / 100, "{adjacent}");
    }

    #[test]
    fn a_report_lists_different_persons_of_one_household() {
        let rows = generate(20_000, 6);
        let mut reports: HashMap<u64, Vec<&Row>> = HashMap::new();
        for r in &rows {
            reports.entry(r.household).or_default().push(r);
        }
        let multi: Vec<&Vec<&Row>> = reports.values().filter(|m| m.len() > 1).collect();
        assert!(multi.len() > 1000, "{}", multi.len());
        for m in &multi {
            let truths: std::collections::HashSet<u64> = m.iter().map(|r| r.truth).collect();
            assert_eq!(truths.len(), m.len(), "one person twice in a report");
            assert!(m.iter().all(|r| r.commune == m[0].commune));
        }
        // a household's reports are not numbered one after another
        let mut of_person: HashMap<u64, Vec<u64>> = HashMap::new();
        for r in &rows {
            of_person.entry(r.truth).or_default().push(r.household);
        }
        let consecutive = of_person
            .values()
            .filter(|h| h.len() > 1)
            .filter(|h| h.windows(2).any(|w| w[0].abs_diff(w[1]) == 1))
            .count();
        assert!(consecutive < 100, "{consecutive}");
    }

    #[test]
    fn about_a_third_of_persons_have_duplicates() {
        let rows = generate(20_000, 2);
        let groups = by_truth(&rows);
        let dup = groups.values().filter(|g| g.len() > 1).count() as f64 / groups.len() as f64;
        assert!((0.32..0.38).contains(&dup), "{dup}");
    }

    #[test]
    fn about_fifteen_percent_of_birth_dates_are_missing() {
        let rows = generate(20_000, 3);
        let missing = rows.iter().filter(|r| r.birth_date.is_none()).count() as f64 / rows.len() as f64;
        assert!((0.12..0.18).contains(&missing), "{missing}");
        assert!(rows.iter().filter_map(|r| r.birth_date).all(|d| d <= today()));
    }

    #[test]
    fn duplicates_are_noisy_and_common_names_frequent() {
        let rows = generate(20_000, 4);
        let groups = by_truth(&rows);
        let key = |r: &Row| (r.family_name.clone(), r.given_names.clone(), r.birth_date);
        let dups: Vec<_> = groups.values().filter(|g| g.len() > 1).collect();
        let differ = dups.iter().filter(|g| g.iter().any(|r| key(r) != key(g[0]))).count() as f64;
        assert!(differ / dups.len() as f64 > 0.6, "{differ}");
        let martin = rows.iter().filter(|r| r.family_name.eq_ignore_ascii_case("martin")).count() as f64;
        assert!((0.003..0.008).contains(&(martin / rows.len() as f64)), "{martin}");
        let mut names: HashMap<&str, usize> = HashMap::new();
        for r in &rows {
            *names.entry(&r.family_name).or_default() += 1;
        }
        assert!(names.len() > 10_000, "a long tail: {}", names.len());
        // the noise this set adds shows up
        assert!(rows.iter().any(|r| r.family_name == "Ndiaye" || r.family_name == "NDIAYE"));
        assert!(rows.iter().any(|r| r.given_names.contains('-') && r.given_names.contains("Jean")));
        assert!(rows.iter().any(|r| r.sex == Sex::NonRenseigne));
    }

    #[test]
    fn phonetic_variants_sound_the_same() {
        let mut rng = R::seed_from_u64(1);
        for _ in 0..50 {
            let v = phonetic(&mut rng, "Mohamed").unwrap();
            assert!(["Mohammed", "Mohamad", "Mouhamed", "Muhammad"].contains(&v.as_str()));
        }
        let seen: std::collections::HashSet<String> = (0..200).filter_map(|_| phonetic(&mut rng, "Philippe")).collect();
        assert!(seen.contains("Filippe") && seen.contains("Philipe"), "{seen:?}");
        let seen: std::collections::HashSet<String> = (0..200).filter_map(|_| phonetic(&mut rng, "Renault")).collect();
        assert!(seen.contains("Reneau") && seen.contains("Renaut"), "{seen:?}");
        assert_eq!(drop_particle("Le Goff").as_deref(), Some("Goff"));
        assert_eq!(drop_particle("Martin"), None);
        assert_eq!(change_accent("Hélène"), "Hèlène");
    }

    #[test]
    fn csv_has_the_header_iso_dates_and_empty_missing_dates() {
        let rows = generate(300, 5);
        let mut out = Vec::new();
        write_csv(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(CSV_HEADER));
        let body: Vec<&str> = lines.collect();
        assert_eq!(body.len(), rows.len());
        for (line, r) in body.iter().zip(&rows) {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 11, "{line}");
            assert_eq!(fields[7], r.household.to_string());
            assert_eq!(fields[9], r.birth_country);
            assert_eq!(fields[4].is_empty(), r.birth_date.is_none());
            if let Some(d) = r.birth_date {
                assert_eq!(fields[4], domain::format_date(d));
            }
        }
        assert_eq!(csv_field("a,b"), "\"a,b\"");
    }

    /// The identity traits come from a stream of their own: the other columns are exactly those
    /// of the generator before the traits existed (FNV-1a of its CSV for 3,000 persons, seed 9,
    /// written by commit f3d6b9b's `parcours bench linkage-data`).
    #[test]
    fn identity_traits_leave_the_other_columns_as_they_were() {
        let rows = generate(3000, 9);
        let mut text = String::from("id,truth,family_name,given_names,birth_date,sex,commune,household\n");
        for r in &rows {
            let date = r.birth_date.map(domain::format_date).unwrap_or_default();
            text.push_str(&format!(
                "{},{},{},{},{date},{},{},{}\n",
                r.id,
                r.truth,
                csv_field(&r.family_name),
                csv_field(&r.given_names),
                r.sex.code(),
                r.commune.as_str(),
                r.household
            ));
        }
        let fnv = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        assert_eq!((text.len(), fnv), (228_182, 0x8ebc_6412_0e9a_c964));
    }

    #[test]
    fn identity_traits_are_given_as_the_module_says() {
        let rows = generate(20_000, 12);
        let share = |f: &dyn Fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count() as f64 / rows.len() as f64;
        let country = share(&|r| !r.birth_country.is_empty());
        assert!((0.6..0.8).contains(&country), "{country}");
        let commune = share(&|r| !r.birth_commune.is_empty());
        assert!((0.3..0.5).contains(&commune), "{commune}");
        let abroad = share(&|r| !r.birth_country.is_empty() && r.birth_country != birth_places::FRANCE);
        assert!((0.04..0.15).contains(&abroad), "{abroad}");
        // the birth name apart: mostly for women whose row gives another family name
        let apart: Vec<&Row> = rows.iter().filter(|r| !r.birth_name.is_empty()).collect();
        assert!(apart.len() > 1000, "{}", apart.len());
        let differing = |sex: Sex| {
            apart.iter().filter(|r| r.sex == sex && !r.birth_name.eq_ignore_ascii_case(&r.family_name)).count()
        };
        // men's differ by spelling noise only
        assert!(differing(Sex::Femme) > 300 && differing(Sex::Femme) > 4 * differing(Sex::Homme));
        // a person's reports agree on the country far more often than two persons do
        let groups = by_truth(&rows);
        let (mut agree, mut both) = (0, 0);
        for g in groups.values() {
            for (a, b) in g.iter().zip(g.iter().skip(1)) {
                if !a.birth_country.is_empty() && !b.birth_country.is_empty() {
                    both += 1;
                    agree += usize::from(a.birth_country == b.birth_country);
                }
            }
        }
        assert!(agree as f64 > 0.95 * both as f64, "{agree}/{both}");
    }
}
