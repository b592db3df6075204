//! Spelling variants of a person as a second partner reports them.
//!
//! Each variant is drawn independently, per person, in this order (rates are per duplicate
//! person; "when applicable" means the name has the feature):
//!
//! | variant | rate |
//! |---|---|
//! | only the first of several given names (`Fatou Aminata` → `Fatou`) | 60% when applicable |
//! | particle glued or split (`Le Goff` ↔ `Legoff`, `N'Diaye` → `Ndiaye` / `N Diaye`, `Benali` → `Ben Ali`) | 50% when applicable |
//! | hyphen turned into a space (65%) or lost (35%) (`Jean-Pierre` → `Jean Pierre` / `Jeanpierre`) | 50% per name when applicable |
//! | accents dropped in both names (`Hélène` → `Helene`) | 35% |
//! | one typo: a letter substituted, dropped or doubled, in the family (60%) or given name | 18% |
//! | given and family names swapped | 5% |
//! | upper-casing of the family name (80%) or of both names | 25% |
//! | birth date: missing / day and month swapped / one digit off | 8% / 5% (when day ≤ 12) / 5% |
//!
//! With the name lists of this crate, about 60% of duplicate persons end up with a name that
//! differs from the original's (measured by the tests), and about one in seven with a different
//! or missing birth date.

use domain::household::NewPerson;
use domain::Date;
use rand::Rng;

use crate::draw::R;
use crate::names::{GLUED_PREFIXES, PARTICLES};

pub(crate) fn variant(rng: &mut R, p: &NewPerson, today: Date) -> NewPerson {
    let mut family = p.family_name.clone();
    let mut given = p.given_names.clone();
    if let Some((first, _)) = given.split_once(' ') {
        if rng.gen_bool(0.6) {
            given = first.to_string();
        }
    }
    if rng.gen_bool(0.5) {
        if let Some(f) = toggle_particle(rng, &family) {
            family = f;
        }
    }
    for name in [&mut family, &mut given] {
        if name.contains('-') && rng.gen_bool(0.5) {
            *name = if rng.gen_bool(0.65) { name.replace('-', " ") } else { glue(name, '-') };
        }
    }
    if rng.gen_bool(0.35) {
        family = strip_accents(&family);
        given = strip_accents(&given);
    }
    if rng.gen_bool(0.18) {
        if rng.gen_bool(0.6) {
            family = typo(rng, &family);
        } else {
            given = typo(rng, &given);
        }
    }
    if rng.gen_bool(0.05) {
        std::mem::swap(&mut family, &mut given);
    }
    if rng.gen_bool(0.25) {
        family = family.to_uppercase();
        if rng.gen_bool(0.2) {
            given = given.to_uppercase();
        }
    }
    NewPerson {
        family_name: family,
        given_names: given,
        birth_date: p.birth_date.and_then(|b| birth_variant(rng, b, today)),
        sex: p.sex,
        // what the person says of their birth place does not depend on who asks
        birth: p.birth.clone(),
    }
}

fn birth_variant(rng: &mut R, b: Date, today: Date) -> Option<Date> {
    let r: f64 = rng.gen();
    let changed = if r < 0.08 {
        return None;
    } else if r < 0.13 {
        // day and month swapped: only possible when the day can be a month
        let (d, m) = (b.day(), u8::from(b.month()));
        if d <= 12 && d != m {
            time::Month::try_from(d).ok().and_then(|month| Date::from_calendar_date(b.year(), month, m).ok())
        } else {
            None
        }
    } else if r < 0.18 {
        one_digit_off(rng, b)
    } else {
        None
    };
    Some(changed.filter(|c| *c <= today).unwrap_or(b))
}

/// A single digit of the written date changed: the year's last digit, or the day's or month's.
fn one_digit_off(rng: &mut R, b: Date) -> Option<Date> {
    let step: i16 = if rng.gen_bool(0.5) { 1 } else { -1 };
    match rng.gen_range(0..3) {
        0 => b.replace_year(b.year() + i32::from(step)).ok(),
        1 => {
            let d = i16::from(b.day()) + if rng.gen_bool(0.3) { 10 * step } else { step };
            u8::try_from(d).ok().and_then(|d| b.replace_day(d).ok())
        }
        _ => {
            let m = i16::from(u8::from(b.month())) + step;
            let month = u8::try_from(m).ok().and_then(|m| time::Month::try_from(m).ok())?;
            b.replace_month(month).ok()
        }
    }
}

/// `Le Goff` → `Legoff`, `N'Diaye` → `Ndiaye` or `N Diaye`, `Benali` → `Ben Ali`.
fn toggle_particle(rng: &mut R, name: &str) -> Option<String> {
    if name.contains('\'') {
        return Some(if rng.gen_bool(0.7) { glue(name, '\'') } else { name.replace('\'', " ") });
    }
    if let Some((first, _)) = name.split_once(' ') {
        return PARTICLES.contains(&first).then(|| glue(name, ' '));
    }
    let prefix = GLUED_PREFIXES.iter().find(|p| name.starts_with(**p))?;
    let rest = &name[prefix.len()..];
    let mut chars = rest.chars();
    let initial = chars.next()?;
    (initial.is_lowercase() && rest.chars().count() >= 3)
        .then(|| format!("{prefix} {}{}", initial.to_uppercase(), chars.as_str()))
}

/// Removes `sep` and lower-cases the letter that followed it: `Jean-Pierre` → `Jeanpierre`.
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

pub(crate) fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' | 'á' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' | 'ó' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ÿ' => 'y',
            'À' | 'Â' | 'Ä' | 'Á' => 'A',
            'É' | 'È' | 'Ê' | 'Ë' => 'E',
            'Î' | 'Ï' => 'I',
            'Ô' | 'Ö' | 'Ó' => 'O',
            'Ù' | 'Û' | 'Ü' => 'U',
            'Ç' => 'C',
            c => c,
        })
        .collect()
}

/// One letter substituted, dropped or doubled; never touches the first letter (partners rarely
/// get it wrong) nor leaves a name shorter than two letters.
pub(crate) fn typo(rng: &mut R, name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let letters: Vec<usize> = (1..chars.len()).filter(|&i| chars[i].is_alphabetic()).collect();
    if letters.is_empty() {
        return name.to_string();
    }
    let i = letters[rng.gen_range(0..letters.len())];
    let mut out: Vec<char> = chars.clone();
    match rng.gen_range(0..3) {
        0 => {
            let mut c = char::from(b'a' + rng.gen_range(0..26u8));
            if c == chars[i].to_ascii_lowercase() {
                c = if c == 'z' { 'a' } else { char::from(c as u8 + 1) };
            }
            out[i] = if chars[i].is_uppercase() { c.to_ascii_uppercase() } else { c };
        }
        1 if chars.len() > 2 => {
            out.remove(i);
        }
        _ => out.insert(i, chars[i]),
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn particles_and_hyphens() {
        let rng = &mut R::seed_from_u64(1);
        assert_eq!(toggle_particle(rng, "Le Goff").as_deref(), Some("Legoff"));
        assert_eq!(toggle_particle(rng, "Da Silva").as_deref(), Some("Dasilva"));
        assert_eq!(toggle_particle(rng, "Benali").as_deref(), Some("Ben Ali"));
        assert_eq!(toggle_particle(rng, "Leroy").as_deref(), Some("Le Roy"));
        assert!(toggle_particle(rng, "N'Diaye").is_some_and(|n| n == "Ndiaye" || n == "N Diaye"));
        assert_eq!(toggle_particle(rng, "Martin"), None);
        assert_eq!(glue("Jean-Pierre", '-'), "Jeanpierre");
        assert_eq!(strip_accents("Hélène Aïssatou"), "Helene Aissatou");
    }

    #[test]
    fn typos_change_the_name_and_keep_it_valid() {
        let mut rng = R::seed_from_u64(1);
        for name in ["Jo", "Sow", "Hélène", "Koné"] {
            for _ in 0..200 {
                let t = typo(&mut rng, name);
                assert_ne!(t, name);
                assert!(t.chars().count() >= 2 && !t.chars().any(|c| c.is_ascii_digit() || c == ' '));
            }
        }
    }
}
