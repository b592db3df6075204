//! Anonymisation coarsens birth dates to the first of their month; no cell may change.

use proptest::prelude::*;
use time::Duration;

use super::super::*;
use super::{d, household, m, period};
use crate::household::{MemberRole, Membership, Person, Sex};
use crate::pathway::{Event, EventKind, Pathway};
use crate::situation::{Period, Situation};
use crate::status::StatusRules;
use crate::{Date, PersonId};

const RULES: StatusRules = StatusRules { inactivity_days: 90 };

fn member(birth: Option<Date>, sex: Sex, role: MemberRole, from: Date, to: Option<Date>) -> Membership {
    Membership {
        person: Person { id: PersonId(1), family_name: "N".into(), given_names: "P".into(), birth_date: birth, sex },
        role,
        from,
        to,
    }
}

/// What anonymisation does to a birth date.
fn coarsen(memberships: &[Membership]) -> Vec<Membership> {
    let mut out = memberships.to_vec();
    for m in &mut out {
        m.person.birth_date = m.person.birth_date.map(|b| b.replace_day(1).unwrap());
    }
    out
}

fn table_of(households: &[(Pathway, Vec<Membership>)], months: std::ops::RangeInclusive<Month>) -> FlowTable {
    let histories: Vec<HouseholdHistory> =
        households.iter().map(|(p, ms)| HouseholdHistory::new(p.clone()).with_memberships(ms)).collect();
    compute(&histories, months, RULES)
}

#[test]
fn birthdays_late_in_the_month_and_on_29_february() {
    let mut p = household(vec![period(Situation::Rue, "2024-01-15", None)], vec![]).pathway;
    p.events =
        (0..30).map(|k| Event { kind: EventKind::Contact, date: d("2024-01-15") + Duration::days(30 * k) }).collect();
    let from = d("2024-01-01");
    let households = vec![
        // turns 18 on 29 February 2024, reference of a household with a child turning 18 too
        (
            p.clone(),
            vec![
                member(Some(d("2006-02-28")), Sex::Femme, MemberRole::Reference, from, None),
                member(Some(d("2007-02-28")), Sex::Homme, MemberRole::Enfant, from, None),
            ],
        ),
        (p.clone(), vec![member(Some(d("2000-02-29")), Sex::Homme, MemberRole::Reference, from, None)]),
        (p.clone(), vec![member(Some(d("1975-03-31")), Sex::Femme, MemberRole::Reference, from, None)]),
        (p, vec![member(Some(d("1999-12-31")), Sex::NonRenseigne, MemberRole::Reference, from, None)]),
    ];
    let coarse: Vec<_> = households.iter().map(|(p, ms)| (p.clone(), coarsen(ms))).collect();
    let months = m("2024-01")..=m("2026-03");
    let table = table_of(&households, months.clone());
    assert_eq!(table, table_of(&coarse, months));
    // the household whose child turns 18 in February 2025 is a couple from that month on
    let couples = Segment::TypeMenage(crate::household::HouseholdType::CoupleSansEnfant);
    assert_eq!(table.row(m("2025-01"), &couples).unwrap().closing, 0);
    assert_eq!(table.row(m("2025-02"), &couples).unwrap().closing, 1);
    // born 29 February 2000: 25 at the end of February 2025, as if born on 1 February
    let band = |month| table.row(m(month), &Segment::Age(AgeBand::De25a49)).unwrap().closing;
    assert_eq!([band("2025-01"), band("2025-02"), band("2025-03")], [2, 3, 2]);
}

fn arb_birth() -> impl Strategy<Value = Option<Date>> {
    // any day from 1950 to 2024, the ends of months included
    prop::option::of((0i64..27_000).prop_map(|n| d("1950-01-01") + Duration::days(n)))
}

fn arb_household() -> impl Strategy<Value = (Pathway, Vec<Membership>)> {
    let at = |n: i64| d("2023-01-01") + Duration::days(n);
    let periods =
        prop::collection::vec((0usize..12, 0i64..1000, prop::option::of(1i64..400)), 0..4).prop_map(move |v| {
            v.into_iter()
                .map(|(s, start, len)| Period::new(Situation::ALL[s], at(start), len.map(|l| at(start + l))).unwrap())
                .collect::<Vec<_>>()
        });
    let events = prop::collection::vec((0usize..4, 0i64..1000), 0..10).prop_map(move |v| {
        v.into_iter().map(|(k, n)| Event { kind: EventKind::RECORDABLE[k], date: at(n) }).collect::<Vec<_>>()
    });
    let members =
        prop::collection::vec((arb_birth(), 0usize..4, 0i64..1000, prop::option::of(1i64..500), any::<bool>()), 0..4)
            .prop_map(move |v| {
                v.into_iter()
                    .map(|(birth, role, from, len, woman)| {
                        let sex = if woman { Sex::Femme } else { Sex::Homme };
                        member(birth, sex, MemberRole::ALL[role], at(from), len.map(|l| at(from + l)))
                    })
                    .collect::<Vec<_>>()
            });
    (periods, events, members).prop_map(|(periods, events, members)| (Pathway { periods, events }, members))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn coarsening_birth_dates_changes_no_cell(households in prop::collection::vec(arb_household(), 0..8)) {
        let coarse: Vec<_> = households.iter().map(|(p, ms)| (p.clone(), coarsen(ms))).collect();
        let months = m("2023-01")..=m("2025-12");
        prop_assert_eq!(table_of(&households, months.clone()), table_of(&coarse, months));
    }
}
