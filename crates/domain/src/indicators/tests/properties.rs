//! Properties on generated households: the fast engine equals the literal definitions, and the
//! accounting identities hold in every month and segment.

use proptest::prelude::*;
use time::Duration;

use super::super::prepared::{day, Prepared};
use super::super::*;
use super::reference::{coarse_memberships, exit_and_return_by_scan, first_housing_by_scan, reference_rows};
use super::{d, m};
use crate::household::{HouseholdType, MemberRole, Sex};
use crate::pathway::{Event, EventKind, Pathway};
use crate::situation::{Period, Situation};
use crate::status::{status_on, StatusRules};
use crate::{Date, OrgId};

const RULES: StatusRules = StatusRules { inactivity_days: 90 };
/// Facts are spread over three years, so that lookbacks and long-term windows have history.
const SPAN: i64 = 1100;

fn base() -> Date {
    d("2023-01-01")
}

fn at(n: i64) -> Date {
    base() + Duration::days(n)
}

/// A day in the span, often one of a few shared days so that facts coincide (same-day periods,
/// contacts on the day a period starts or ends).
fn arb_day() -> impl Strategy<Value = i64> {
    prop_oneof![0..SPAN, (0..20i64).prop_map(|k| k * 55)]
}

fn arb_pathway() -> impl Strategy<Value = Pathway> {
    let lengths = prop_oneof![1i64..400, (1..8i64).prop_map(|k| k * 55)];
    let periods = prop::collection::vec((0usize..12, arb_day(), prop::option::of(lengths)), 0..6).prop_map(|v| {
        v.into_iter()
            .map(|(s, start, len)| Period::new(Situation::ALL[s], at(start), len.map(|l| at(start + l))).unwrap())
            .collect()
    });
    let events = prop::collection::vec((0usize..6, arb_day()), 0..8)
        .prop_map(|v| v.into_iter().map(|(k, n)| Event { kind: EventKind::ALL[k], date: at(n) }).collect());
    (periods, events).prop_map(|(periods, events)| Pathway { periods, events })
}

fn arb_month(years: std::ops::Range<i32>) -> impl Strategy<Value = Month> {
    (years, 1u8..=12).prop_map(|(y, m)| Month::new(y, m).unwrap())
}

fn arb_sex() -> impl Strategy<Value = Sex> {
    prop::sample::select(vec![Sex::Femme, Sex::Homme, Sex::NonRenseigne])
}

fn arb_member() -> impl Strategy<Value = Member> {
    (
        prop::option::of(arb_month(1960..2025)),
        arb_sex(),
        prop::sample::select(MemberRole::ALL.to_vec()),
        0..SPAN,
        prop::option::of(1i64..600),
    )
        .prop_map(|(birth, sex, role, from, len)| Member {
            birth,
            sex,
            role,
            from: at(from),
            to: len.map(|l| at(from + l)),
        })
}

fn arb_history() -> impl Strategy<Value = HouseholdHistory> {
    let communes = prop::sample::select(vec![None, Some("A"), Some(" B "), Some("")]);
    let followers = prop::collection::vec((1i64..4, 0..SPAN, prop::option::of(1i64..500)), 0..3).prop_map(|v| {
        v.into_iter()
            .map(|(org, from, len)| Following { org: OrgId(org), from: at(from), to: len.map(|l| at(from + l)) })
            .collect()
    });
    (
        arb_pathway(),
        prop::option::of(arb_month(1970..2012)),
        arb_sex(),
        prop::collection::vec(arb_member(), 0..4),
        communes,
        followers,
    )
        .prop_map(|(pathway, reference_birth, reference_sex, members, commune, followers)| HouseholdHistory {
            pathway,
            reference_birth,
            reference_sex,
            members,
            commune: commune.map(str::to_string),
            followers,
            support: Vec::new(),
        })
}

/// A range of 1 to 8 months within the span of the facts (and a little after).
fn arb_months() -> impl Strategy<Value = std::ops::RangeInclusive<Month>> {
    (0i32..38, 0i32..8).prop_map(|(start, len)| {
        let first = m("2023-01").plus(start);
        first..=first.plus(len)
    })
}

fn columns(r: &FlowRow) -> [u32; 10] {
    [
        r.opening,
        r.inflow_new,
        r.inflow_returned_housing,
        r.inflow_returned_inactive,
        r.inflow_other,
        r.outflow_housed,
        r.outflow_inactive,
        r.outflow_other,
        r.closing,
        r.inflow_first_time,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The one-pass monthly vector is `status_on` at each month end.
    #[test]
    fn monthly_statuses_are_status_on_at_month_ends(p in arb_pathway(), months in arb_months()) {
        let fast = monthly_statuses(&p, months.clone(), RULES);
        let slow: Vec<_> = Month::iter_range(&months).map(|m| status_on(&p, m.month_end(), RULES)).collect();
        prop_assert_eq!(fast, slow);
    }

    /// The day-level reading used by the measures is `status_on` too, and the status only
    /// changes on the change points.
    #[test]
    fn day_status_and_change_points(p in arb_pathway(), days in prop::collection::vec(-10..SPAN + 200, 1..20)) {
        let mut prepared = Prepared::default();
        prepared.load(&p);
        let mut points = Vec::new();
        prepared.change_points(RULES, &mut points);
        for n in days {
            let day_n = at(n);
            let expected = status_on(&p, day_n, RULES);
            prop_assert_eq!(prepared.status_at(day(day_n), RULES), expected);
            let last_point = points.iter().copied().filter(|x| *x <= day(day_n)).max();
            let from_point = last_point.and_then(|x| prepared.status_at(x, RULES));
            prop_assert_eq!(from_point, expected, "status changed away from a change point");
        }
    }

    /// Ages and household types from birth months are `HouseholdType::of` once births are moved
    /// to the first of their month.
    #[test]
    fn household_type_from_birth_months(members in prop::collection::vec(arb_member(), 0..5), month in arb_month(2023..2027)) {
        let expected = HouseholdType::of(&coarse_memberships(&members), month.month_end());
        prop_assert_eq!(household_type_at_end_of(&members, month), expected);
    }

    /// Every cell of the fast table equals the literal definition.
    #[test]
    fn table_matches_the_reference(h in prop::collection::vec(arb_history(), 0..6), months in arb_months()) {
        let table = compute(&h, months.clone(), RULES);
        let expected = reference_rows(&h, months, RULES);
        prop_assert_eq!(table.rows(), &expected[..]);
    }

    /// closing = opening + inflow − outflow in every month and segment; the opening of a month
    /// is the closing of the month before for the whole population; partition dimensions add up
    /// to the whole population.
    #[test]
    fn conservation_and_partitions(h in prop::collection::vec(arb_history(), 0..8), months in arb_months()) {
        let table = compute(&h, months, RULES);
        for r in table.rows() {
            prop_assert_eq!(i64::from(r.closing), i64::from(r.opening) + r.net_change());
            prop_assert!(r.inflow_first_time <= r.inflow());
        }
        let all: Vec<&FlowRow> = table.series(&Segment::Tous).collect();
        for w in all.windows(2) {
            prop_assert_eq!(w[1].opening, w[0].closing);
        }
        for (i, &month) in table.months().iter().enumerate() {
            let mut sums: std::collections::BTreeMap<Dimension, [u32; 10]> = Default::default();
            for s in table.segments().iter().filter(|s| s.dimension().is_partition()) {
                let c = columns(table.row(month, s).unwrap());
                sums.entry(s.dimension()).or_default().iter_mut().zip(c).for_each(|(t, x)| *t += x);
            }
            for (dimension, sum) in sums {
                prop_assert_eq!(sum, columns(all[i]), "{:?} in {}", dimension, month);
            }
        }
    }

    /// Sharing households between threads changes nothing.
    #[test]
    fn parallel_equals_sequential(h in prop::collection::vec(arb_history(), 0..12), months in arb_months(), threads in 1usize..5) {
        prop_assert_eq!(compute_in_parallel(&h, months.clone(), RULES, threads), compute(&h, months, RULES));
    }

    /// Time to housing against a day-by-day scan of `status_on`.
    #[test]
    fn time_to_housing_matches_a_day_scan(h in prop::collection::vec(arb_history(), 0..6), months in arb_months()) {
        let (from, to) = (months.start().first_day(), months.end().last_day());
        let mut expected = Vec::new();
        for x in &h {
            let Some(housed) = first_housing_by_scan(x, at(-1), at(SPAN + 500), RULES) else { continue };
            let listed = matches!(
                status_on(&x.pathway, housed.previous_day().unwrap(), RULES),
                Some(crate::status::Status::Actif | crate::status::Status::Inactif)
            );
            if from <= housed && housed <= to && listed {
                let first = (0..).map(|n| at(n - 1)).find(|d| status_on(&x.pathway, *d, RULES).is_some()).unwrap();
                expected.push((housed - first).whole_days());
            }
        }
        prop_assert_eq!(time_to_housing(&h, months, RULES), Quartiles::of(expected));
    }

    /// Time to housing and returns per population: in every partition dimension, the
    /// populations' households add up to the whole territory's.
    #[test]
    fn pathway_measures_partition_by_population(
        h in prop::collection::vec(arb_history(), 0..8),
        months in arb_months(),
        horizon in 1i64..400,
    ) {
        let mut communes: Vec<Option<String>> =
            h.iter().map(|x| x.commune.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string)).collect();
        communes.sort();
        communes.dedup();
        let segments: Vec<Segment> = Segment::fixed()
            .filter(|s| *s != Segment::Tous && s.dimension().is_partition())
            .chain(communes.into_iter().map(Segment::Commune))
            .collect();
        let exits = months.start().first_day()..=months.end().last_day();
        let as_of = at(SPAN + 400);
        let whole = time_to_housing(&h, months.clone(), RULES).map_or(0, |q| q.count);
        let whole_returns = returns_after_housing(&h, exits.clone(), horizon, as_of, RULES);
        let mut sums: std::collections::BTreeMap<Dimension, (usize, u32, u32)> = Default::default();
        for s in &segments {
            let n = time_to_housing_in(&h, months.clone(), RULES, s).map_or(0, |q| q.count);
            let r = returns_after_housing_in(&h, exits.clone(), horizon, as_of, RULES, s);
            let e = sums.entry(s.dimension()).or_default();
            e.0 += n;
            e.1 += r.exits;
            e.2 += r.returned;
        }
        for (dimension, (n, exits, returned)) in sums {
            prop_assert_eq!(n, whole, "{:?}", dimension);
            prop_assert_eq!((exits, returned), (whole_returns.exits, whole_returns.returned), "{:?}", dimension);
        }
    }

    /// Returns after housing against a day-by-day scan of `status_on`.
    #[test]
    fn returns_match_a_day_scan(
        h in prop::collection::vec(arb_history(), 0..6),
        start in 0..SPAN,
        len in 0i64..400,
        horizon in 1i64..400,
        as_of in 0..SPAN + 400,
    ) {
        let (from, to, as_of) = (at(start), at(start + len), at(as_of));
        let mut expected = Returns { exits: 0, returned: 0 };
        for x in &h {
            let Some((exit, back)) = exit_and_return_by_scan(x, from, to, as_of, RULES) else { continue };
            if exit + Duration::days(horizon) > as_of {
                continue;
            }
            expected.exits += 1;
            expected.returned += u32::from(back.is_some_and(|b| (b - exit).whole_days() <= horizon));
        }
        prop_assert_eq!(returns_after_housing(&h, from..=to, horizon, as_of, RULES), expected);
    }
}

proptest! {
    /// Households that come back after a long absence, so that the 24-month lookback of
    /// first-time homelessness is hit on both sides of its boundary: by month ends (contacts
    /// only, no situation) and by homeless days (street, then housing, then street again).
    #[test]
    fn first_time_lookback_boundaries(first in 0..60i64, gap in 600..800i64, homeless in 1..120i64) {
        let seen_again = first + 90 + gap;
        let by_contacts = HouseholdHistory::new(Pathway {
            periods: vec![],
            events: [first, seen_again].map(|n| Event { kind: EventKind::Contact, date: at(n) }).to_vec(),
        });
        let housed = first + homeless;
        let by_days = HouseholdHistory::new(Pathway {
            periods: vec![
                Period::new(Situation::Rue, at(first), Some(at(housed))).unwrap(),
                Period::new(Situation::LogementOrdinaire, at(housed), Some(at(seen_again))).unwrap(),
                Period::new(Situation::Rue, at(seen_again), None).unwrap(),
            ],
            events: vec![],
        });
        let month = Month::of(at(seen_again));
        let h = [by_contacts, by_days];
        let table = compute(&h, month..=month, RULES);
        prop_assert_eq!(table.rows(), &reference_rows(&h, month..=month, RULES)[..]);
    }
}
