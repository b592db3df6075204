//! Properties of the generated territory, mostly for the default config.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use domain::household::{age_on, HouseholdType, MemberRole, NewPerson};
use domain::org::OrgKind;
use domain::pathway::{Event, Pathway};
use domain::status::{status_on, Status, StatusRules};
use domain::territory::InseeCode;

use crate::*;

fn default_territory() -> &'static Territory {
    static T: OnceLock<Territory> = OnceLock::new();
    T.get_or_init(|| generate(&Config::default()))
}

fn pathway(h: &SynthHousehold) -> Pathway {
    Pathway {
        periods: h.periods.clone(),
        events: h.events.iter().map(|e| Event { kind: e.kind, date: e.date }).collect(),
    }
}

fn share(n: usize, total: usize) -> f64 {
    n as f64 / total as f64
}

#[test]
fn same_seed_same_territory() {
    let cfg = Config { households: 300, ..Config::default() };
    assert_eq!(generate(&cfg), generate(&cfg));
    let other = generate(&Config { seed: 7, ..cfg.clone() });
    assert_ne!(generate(&cfg).households, other.households);
}

#[test]
fn record_count_is_exact() {
    for n in [0, 1, 2, 17, 2000] {
        let cfg = Config { households: n, ..Config::default() };
        assert_eq!(generate(&cfg).households.len(), n);
    }
}

#[test]
fn organisations_cover_every_kind_and_communes_parse() {
    let t = default_territory();
    for kind in OrgKind::ALL {
        assert!(t.organisations.iter().any(|o| o.kind == kind), "{kind:?} missing");
    }
    assert!((15..=20).contains(&t.organisations.len()));
    assert!((18..=22).contains(&t.communes.len()));
    let codes: HashSet<_> = t.communes.iter().map(|c| c.insee.clone()).collect();
    assert_eq!(codes.len(), t.communes.len());
    for c in &t.communes {
        assert_eq!(InseeCode::parse(c.insee.as_str()).as_ref(), Ok(&c.insee));
    }
    assert!(t.organisations.iter().all(|o| codes.contains(&o.commune)));
    assert!(t.households.iter().all(|h| codes.contains(&h.commune)));
}

#[test]
fn records_are_valid() {
    let t = default_territory();
    let today = Config::default().today;
    let n_orgs = t.organisations.len();
    for (i, h) in t.households.iter().enumerate() {
        let ctx = format!("household {i}: {h:#?}");
        assert!(!h.members.is_empty() && !h.follows.is_empty(), "{ctx}");
        assert!(h.created_on <= today && h.created_by < n_orgs, "{ctx}");
        assert_eq!(h.members.iter().filter(|m| m.role == MemberRole::Reference).count(), 1, "{ctx}");
        for p in &h.periods {
            assert!(p.start <= today && p.start >= h.created_on, "{ctx}");
            assert!(p.end.is_none_or(|e| e > p.start && e <= today), "{ctx}");
        }
        for w in h.periods.windows(2) {
            assert!(w[0].end.is_some_and(|e| e <= w[1].start), "overlap or disorder: {ctx}");
        }
        assert!(h.events.windows(2).all(|w| w[0].date <= w[1].date), "{ctx}");
        assert!(h.events.iter().all(|e| e.date <= today && e.date >= h.created_on && e.org < n_orgs), "{ctx}");
        assert_eq!(h.events[0].date, h.created_on, "{ctx}");
        for f in &h.follows {
            assert!(f.org < n_orgs && f.from <= today && f.from >= h.created_on, "{ctx}");
            assert!(f.to.is_none_or(|t| t > f.from && t <= today), "{ctx}");
        }
        assert!(h.follows.iter().any(|f| f.org == h.created_by && f.from == h.created_on), "{ctx}");
        let mut ids = HashSet::new();
        for m in &h.members {
            assert!(ids.insert(m.true_person), "{ctx}");
            assert!(m.from <= today && m.to.is_none_or(|t| t > m.from && t <= today), "{ctx}");
            let p = &m.person;
            let birth = p.birth_date.map(domain::format_date).unwrap_or_default();
            // the generated person goes through the same validation as a partner's input
            let b = &p.birth;
            let identity = domain::identity::BirthIdentity::parse(
                b.birth_name.as_deref().unwrap_or(""),
                b.birth_country.map_or("", |c| c.code()),
                b.birth_commune.as_deref().unwrap_or(""),
            );
            let parsed = NewPerson::parse(&p.family_name, &p.given_names, &birth, p.sex.code(), today)
                .and_then(|n| Ok(n.with_birth(identity?)));
            assert_eq!(parsed.as_ref(), Ok(p), "{ctx}");
        }
    }
}

#[test]
fn referents_never_overlap() {
    for h in &default_territory().households {
        let refs: Vec<_> = h.follows.iter().filter(|f| f.referent).collect();
        assert!(!refs.is_empty());
        for day in h.follows.iter().flat_map(|f| [Some(f.from), f.to]).flatten() {
            let in_force = refs.iter().filter(|f| f.from <= day && f.to.is_none_or(|t| day < t)).count();
            assert!(in_force <= 1, "{h:#?}");
        }
    }
}

#[test]
fn ages_and_children() {
    let t = default_territory();
    let today = Config::default().today;
    let (mut adults, mut missing) = (0, 0);
    let mut seen = HashSet::new();
    for h in &t.households {
        // originals only: duplicates carry noisy birth dates
        for m in h.members.iter().filter(|m| seen.insert(m.true_person)) {
            match (m.role, m.person.birth_date) {
                (MemberRole::Enfant, Some(b)) => assert!(age_on(b, today) < 18 && b <= m.from),
                (MemberRole::Enfant, None) => panic!("children always have a birth date"),
                (_, Some(b)) => {
                    adults += 1;
                    let age = age_on(b, m.from);
                    assert!((18..=75).contains(&age), "age {age}");
                }
                (_, None) => {
                    adults += 1;
                    missing += 1;
                }
            }
        }
    }
    let missing = share(missing, adults);
    assert!((0.05..0.15).contains(&missing), "missing birth dates {missing}");
}

#[test]
fn household_mix() {
    let t = default_territory();
    let mut counts: HashMap<HouseholdType, usize> = HashMap::new();
    let mut dated = 0;
    for h in &t.households {
        let members: Vec<_> = h
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| domain::household::Membership {
                person: domain::household::Person {
                    id: domain::PersonId(i as i64),
                    family_name: m.person.family_name.clone(),
                    given_names: m.person.given_names.clone(),
                    birth_date: m.person.birth_date,
                    sex: m.person.sex,
                },
                role: m.role,
                from: m.from,
                to: m.to,
            })
            .collect();
        *counts.entry(HouseholdType::of(&members, h.created_on)).or_default() += 1;
        dated += usize::from(h.members.iter().any(|m| m.from > h.created_on || m.to.is_some()));
    }
    let n = t.households.len();
    let get = |k| share(counts.get(&k).copied().unwrap_or(0), n);
    assert!((0.48..0.62).contains(&get(HouseholdType::HommeSeul)), "{counts:?}");
    assert!((0.10..0.22).contains(&get(HouseholdType::FemmeSeule)), "{counts:?}");
    assert!((0.06..0.15).contains(&get(HouseholdType::CoupleSansEnfant)), "{counts:?}");
    assert!((0.12..0.26).contains(&get(HouseholdType::FamilleAvecEnfants)), "{counts:?}");
    let dated = share(dated, n);
    assert!((0.06..0.16).contains(&dated), "dated memberships {dated}");
}

#[test]
fn status_shares_at_today() {
    let t = default_territory();
    let today = Config::default().today;
    let mut counts: HashMap<Status, usize> = HashMap::new();
    for h in &t.households {
        let s = status_on(&pathway(h), today, StatusRules::default()).expect("every household is known by today");
        *counts.entry(s).or_default() += 1;
    }
    let n = t.households.len();
    let get = |s| share(counts.get(&s).copied().unwrap_or(0), n);
    let shares: Vec<_> = Status::ALL.iter().map(|&s| (s.code(), get(s))).collect();
    println!("status shares at today: {shares:?}");
    assert!((0.40..=0.50).contains(&get(Status::Actif)), "{shares:?}");
    assert!((0.10..=0.20).contains(&get(Status::Inactif)), "{shares:?}");
    assert!((0.25..=0.35).contains(&get(Status::Loge)), "{shares:?}");
    let gone = get(Status::Decede) + get(Status::SortiTerritoire);
    assert!(get(Status::Decede) > 0.0 && (0.02..=0.08).contains(&gone), "{shares:?}");
}

#[test]
fn pathways_use_realistic_situations_and_events() {
    use domain::pathway::EventKind;
    use domain::situation::Situation;
    let t = default_territory();
    let periods: Vec<_> = t.households.iter().flat_map(|h| &h.periods).collect();
    for s in [
        Situation::Rue,
        Situation::Hotel115,
        Situation::HebergementUrgence,
        Situation::HebergementInsertion,
        Situation::HebergeChezTiers,
        Situation::LogementAccompagne,
        Situation::LogementOrdinaire,
    ] {
        assert!(periods.iter().any(|p| p.situation == s), "{s:?} never used");
    }
    for h in &t.households {
        // one change-of-situation event on each period start after the first
        let changes = h.events.iter().filter(|e| e.kind == EventKind::ChangementSituation).count();
        assert_eq!(changes, h.periods.len().saturating_sub(1), "{h:#?}");
    }
    // some households go back to the street after being housed
    let returns = t
        .households
        .iter()
        .filter(|h| {
            h.periods.windows(2).any(|w| {
                w[0].situation.class() == domain::situation::SituationClass::Loge
                    && w[1].situation.class() == domain::situation::SituationClass::SansLogement
            })
        })
        .count();
    assert!(returns > 10, "{returns} returns to homelessness");
    assert!(t.households.iter().filter(|h| h.siao_number.is_some()).count() > t.households.len() / 3);
}

#[test]
fn duplicates_share_true_persons_with_noisy_names() {
    let t = default_territory();
    // the first record naming a person is the original; later ones are duplicate reports
    let mut first: HashMap<u64, &SynthMember> = HashMap::new();
    let (mut duplicates, mut compared, mut differ) = (0, 0, 0);
    for h in &t.households {
        let seen = h.members.iter().filter(|m| first.contains_key(&m.true_person)).count();
        assert!(seen == 0 || seen == h.members.len(), "a record is either new or a full re-report");
        if seen > 0 {
            duplicates += 1;
            let orgs: HashSet<_> = t
                .households
                .iter()
                .filter(|o| o.members.iter().any(|m| m.true_person == h.members[0].true_person))
                .map(|o| o.created_by)
                .collect();
            assert!(orgs.len() >= 2, "duplicates come from another partner");
        }
        for m in &h.members {
            match first.get(&m.true_person) {
                Some(o) => {
                    compared += 1;
                    assert_eq!(o.person.sex, m.person.sex);
                    let (a, b) = (&o.person, &m.person);
                    differ += usize::from(a.family_name != b.family_name || a.given_names != b.given_names);
                }
                None => {
                    first.insert(m.true_person, m);
                }
            }
        }
    }
    let rate = share(duplicates, t.households.len());
    let differ = share(differ, compared);
    println!("duplicate records {rate:.3}, names differing {differ:.3}");
    assert!((0.11..=0.19).contains(&rate), "duplicate rate {rate}");
    assert!(differ >= 0.5, "names differ in {differ}");
}

#[test]
fn demo_persons_say_where_they_were_born_as_partners_record_it() {
    let persons: Vec<&NewPerson> =
        default_territory().households.iter().flat_map(|h| h.members.iter().map(|m| &m.person)).collect();
    let share = |f: &dyn Fn(&NewPerson) -> bool| persons.iter().filter(|p| f(p)).count() as f64 / persons.len() as f64;
    let country = share(&|p| p.birth.birth_country.is_some());
    assert!((0.55..0.8).contains(&country), "{country}");
    let commune = share(&|p| p.birth.birth_commune.is_some());
    assert!((0.35..0.6).contains(&commune), "{commune}");
    let birth_name = share(&|p| p.birth.birth_name.is_some());
    assert!(birth_name > 0.01 && birth_name < 0.15, "{birth_name}");
    assert!(persons.iter().filter(|p| p.birth.birth_name.is_some()).all(|p| p.sex == domain::household::Sex::Femme));
    // deterministic: a second generation gives the same birth identities
    let again = generate(&Config::default());
    let births = |t: &Territory| -> Vec<domain::identity::BirthIdentity> {
        t.households.iter().flat_map(|h| h.members.iter().map(|m| m.person.birth.clone())).collect()
    };
    assert_eq!(births(&again), births(default_territory()));
}
