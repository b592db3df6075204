//! Household composition: who the members are, their names, ages and dated membership.

use domain::household::{MemberRole, NewPerson, Sex};
use domain::identity::{BirthIdentity, Country};
use rand::{Rng, SeedableRng};

use crate::dates::{to_date, Day};
use crate::draw::{between, pick, R};
use crate::names::{FAMILY, FEMALE, MALE};
use crate::SynthMember;

/// Composition at first identification, the mix seen on by-name lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    SingleMan,
    SingleWoman,
    Couple,
    Family,
}

impl Kind {
    /// ~55% single men, ~15% single women, ~10% couples, ~20% families.
    pub(crate) fn draw(rng: &mut R) -> Self {
        match rng.gen_range(0..100) {
            0..55 => Self::SingleMan,
            55..70 => Self::SingleWoman,
            70..80 => Self::Couple,
            _ => Self::Family,
        }
    }
}

/// Share of adults whose birth date the reporting partner did not get.
const MISSING_BIRTH_DATE: f64 = 0.08;
/// Share of persons with a second given name (`Fatoumata Aminata`).
const SECOND_GIVEN_NAME: f64 = 0.15;

// Bounds in days, chosen so that `age_on` gives 18..=75 and under 18 whatever the leap years.
const ADULT_MIN_DAYS: i32 = 18 * 366;
const ADULT_MAX_DAYS: i32 = 76 * 365;
const MINOR_MAX_DAYS: i32 = 17 * 365 + 4;

/// Hands out `true_person` ids, unique per real person across the territory.
pub(crate) struct PersonIds(u64);

impl PersonIds {
    pub(crate) fn new() -> Self {
        Self(0)
    }

    fn next(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

/// The members of a newly identified household. Children are minors on `today`; a child born
/// after `created` joins on its birth date. No birth falls on or after `horizon`.
pub(crate) fn members(
    rng: &mut R,
    kind: Kind,
    created: Day,
    today: Day,
    horizon: Day,
    ids: &mut PersonIds,
) -> Vec<SynthMember> {
    let family = pick(rng, FAMILY);
    let mut out = Vec::with_capacity(2);
    let mut adult = |rng: &mut R, sex: Sex, role: MemberRole, family: &str, oldest: Option<Day>| {
        let mut birth = created - adult_age_days(rng);
        if let Some(child) = oldest {
            // parents are at least 16 years older than their children
            birth = birth.min(child - 16 * 365 - between(rng, 0, 3650));
        }
        let birth = birth.max(created - ADULT_MAX_DAYS);
        let birth = (!rng.gen_bool(MISSING_BIRTH_DATE)).then_some(birth);
        member(rng, sex, family, birth, role, created, ids)
    };
    match kind {
        Kind::SingleMan => out.push(adult(rng, Sex::Homme, MemberRole::Reference, family, None)),
        Kind::SingleWoman => out.push(adult(rng, Sex::Femme, MemberRole::Reference, family, None)),
        Kind::Couple => {
            let (a, b) = if rng.gen_bool(0.7) { (Sex::Homme, Sex::Femme) } else { (Sex::Femme, Sex::Homme) };
            out.push(adult(rng, a, MemberRole::Reference, family, None));
            let other = if rng.gen_bool(0.6) { family } else { pick(rng, FAMILY) };
            out.push(adult(rng, b, MemberRole::Conjoint, other, None));
        }
        Kind::Family => {
            let n = match rng.gen_range(0..100) {
                0..40 => 1,
                40..75 => 2,
                75..92 => 3,
                _ => 4,
            };
            let latest_birth = today.min(horizon - 1);
            let births: Vec<Day> = (0..n).map(|_| between(rng, today - MINOR_MAX_DAYS, latest_birth + 1)).collect();
            let oldest = births.iter().copied().min();
            // single mothers are the majority of families on the street and in 115 hotels
            let (reference, partner) = match rng.gen_range(0..100) {
                0..55 => (Sex::Femme, None),
                55..60 => (Sex::Homme, None),
                60..80 => (Sex::Femme, Some(Sex::Homme)),
                _ => (Sex::Homme, Some(Sex::Femme)),
            };
            out.push(adult(rng, reference, MemberRole::Reference, family, oldest));
            if let Some(sex) = partner {
                out.push(adult(rng, sex, MemberRole::Conjoint, family, oldest));
            }
            for birth in births {
                let sex = if rng.gen_bool(0.5) { Sex::Femme } else { Sex::Homme };
                out.push(member(rng, sex, family, Some(birth), MemberRole::Enfant, created.max(birth), ids));
            }
        }
    }
    out
}

/// A dated change of composition on `day`: a partner joins a person alone, or a partner leaves.
/// Returns whether anything changed.
pub(crate) fn change(rng: &mut R, members: &mut Vec<SynthMember>, day: Day, ids: &mut PersonIds) -> bool {
    let date = to_date(day);
    let partner = members.iter().position(|m| m.role == MemberRole::Conjoint && m.to.is_none());
    match partner {
        Some(i) if members[i].from < date => {
            members[i].to = Some(date);
            true
        }
        Some(_) => false,
        None => {
            let sex = match members[0].person.sex {
                Sex::Homme => Sex::Femme,
                _ => Sex::Homme,
            };
            let birth = (!rng.gen_bool(MISSING_BIRTH_DATE)).then(|| day - adult_age_days(rng));
            let family = pick(rng, FAMILY);
            members.push(member(rng, sex, family, birth, MemberRole::Conjoint, day, ids));
            true
        }
    }
}

/// Adult age in days, skewed towards the forties (mean about 43 years).
fn adult_age_days(rng: &mut R) -> i32 {
    let u: f64 = rng.gen::<f64>() * rng.gen::<f64>();
    let years = 18.0 + 57.0 * u.sqrt();
    ((years * 365.25) as i32).clamp(ADULT_MIN_DAYS, ADULT_MAX_DAYS)
}

fn member(
    rng: &mut R,
    sex: Sex,
    family: &str,
    birth: Option<Day>,
    role: MemberRole,
    from: Day,
    ids: &mut PersonIds,
) -> SynthMember {
    let true_person = ids.next();
    let adult_woman = sex == Sex::Femme && role != MemberRole::Enfant;
    SynthMember {
        person: NewPerson {
            family_name: family.to_string(),
            given_names: given_names(rng, sex),
            birth_date: birth.map(to_date),
            sex,
            birth: birth_identity(true_person, family, role == MemberRole::Enfant, adult_woman, birth.is_some()),
        },
        role,
        from: to_date(from),
        to: None,
        true_person,
    }
}

/// Seed of the birth identities' streams (one per person: the other draws of the territory are
/// the same with or without them).
const IDENTITY_STREAM: u64 = 0xb1_27_1d;

/// What the partner recorded of a person's birth: the country three times in four, the commune
/// half the time (less often for those who gave no birth date), a birth name for a fifth of the
/// adult women (their family name then being a married name).
fn birth_identity(true_person: u64, family: &str, child: bool, adult_woman: bool, dated: bool) -> BirthIdentity {
    let rng = &mut R::seed_from_u64(true_person ^ IDENTITY_STREAM);
    static COMMUNES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    let communes = COMMUNES.get_or_init(|| crate::places::communes().into_iter().map(|c| c.name).collect());
    let place = crate::birth_places::draw(rng, family, &communes[0], &communes[1..], if child { 0.3 } else { 1.0 });
    let gives = rng.gen_bool(if dated { 0.9 } else { 0.35 });
    let birth_name = (adult_woman && rng.gen_bool(0.2)).then(|| pick(rng, FAMILY).to_string()).filter(|n| n != family);
    BirthIdentity {
        birth_name,
        birth_country: (gives && rng.gen_bool(0.8)).then(|| Country::parse(place.country).ok()).flatten(),
        birth_commune: (gives && rng.gen_bool(0.55)).then_some(place.commune),
    }
}

fn given_names(rng: &mut R, sex: Sex) -> String {
    let list = if sex == Sex::Femme { FEMALE } else { MALE };
    let first = *pick(rng, list);
    if rng.gen_bool(SECOND_GIVEN_NAME) {
        let second = *pick(rng, list);
        if second != first {
            return format!("{first} {second}");
        }
    }
    first.to_string()
}
