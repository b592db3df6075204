//! One household per edge case, with the monthly cells it must produce.

use super::super::*;
use super::{d, ev, household, m, period};
use crate::household::Sex;
use crate::pathway::EventKind::*;
use crate::situation::Situation::*;
use crate::status::StatusRules;

const RULES: StatusRules = StatusRules { inactivity_days: 90 };

/// January to August 2025.
fn table(histories: &[HouseholdHistory]) -> FlowTable {
    compute(histories, m("2025-01")..=m("2025-08"), RULES)
}

/// One field of one segment, month by month.
fn series(t: &FlowTable, segment: &Segment, field: fn(&FlowRow) -> u32) -> Vec<u32> {
    t.series(segment).map(field).collect()
}

fn all(t: &FlowTable, field: fn(&FlowRow) -> u32) -> Vec<u32> {
    series(t, &Segment::Tous, field)
}

#[test]
fn identified_and_housed_within_a_month_is_in_no_flow() {
    let same_day = household(vec![period(LogementOrdinaire, "2025-03-10", None)], vec![ev(Contact, "2025-03-10")]);
    let same_month = household(
        vec![period(Rue, "2025-03-05", Some("2025-03-20")), period(LogementAccompagne, "2025-03-20", None)],
        vec![],
    );
    let t = table(&[same_day.clone(), same_month.clone()]);
    assert!(t.rows().iter().all(|r| r.opening + r.inflow() + r.outflow() + r.closing == 0));
    // Time to housing counts only the household that was on the list before being housed.
    let q = time_to_housing(&[same_day, same_month], m("2025-03")..=m("2025-03"), RULES).unwrap();
    assert_eq!((q.count, q.median), (1, 15.0));
}

#[test]
fn identified_on_the_last_day_of_a_month() {
    let t = table(&[household(vec![period(Rue, "2025-03-31", None)], vec![])]);
    assert_eq!(all(&t, |r| r.inflow_new), [0, 0, 1, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_first_time), [0, 0, 1, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.closing), [0, 0, 1, 1, 1, 0, 0, 0]);
    // 91 days of silence on 30 June
    assert_eq!(all(&t, |r| r.outflow_inactive), [0, 0, 0, 0, 0, 1, 0, 0]);
}

#[test]
fn inactive_then_seen_again_returns_in_the_month_of_the_contact() {
    let t = table(&[household(vec![], vec![ev(Observation, "2025-01-10"), ev(Contact, "2025-06-15")])]);
    assert_eq!(all(&t, |r| r.inflow_new), [1, 0, 0, 0, 0, 0, 0, 0]);
    // 80 days of silence on 31 March, 110 on 30 April
    assert_eq!(all(&t, |r| r.outflow_inactive), [0, 0, 0, 1, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_returned_inactive), [0, 0, 0, 0, 0, 1, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_first_time), [1, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.closing), [1, 1, 1, 0, 0, 1, 1, 1]);
}

#[test]
fn death_is_an_other_exit() {
    let t = table(&[household(vec![period(Rue, "2025-01-05", None)], vec![ev(Deces, "2025-03-12")])]);
    assert_eq!(all(&t, |r| r.outflow_other), [0, 0, 1, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.closing), [1, 1, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn leaving_the_territory_and_coming_back() {
    let h = household(
        vec![period(Rue, "2025-01-05", None)],
        vec![ev(DepartTerritoire, "2025-02-20"), ev(Contact, "2025-05-02")],
    );
    let t = table(&[h]);
    assert_eq!(all(&t, |r| r.outflow_other), [0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_other), [0, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_first_time), [1, 0, 0, 0, 0, 0, 0, 0]);
}

/// Housed on 1 February; back on the street 180 days later (31 July) or 181 days later (1 August).
fn housed_then_back_after(days: &str) -> HouseholdHistory {
    household(
        vec![
            period(Rue, "2025-01-10", Some("2025-02-01")),
            period(LogementOrdinaire, "2025-02-01", Some(days)),
            period(Rue, days, None),
        ],
        vec![],
    )
}

#[test]
fn re_entry_after_housing_is_a_return_from_housing() {
    let t = table(&[housed_then_back_after("2025-07-31"), housed_then_back_after("2025-08-01")]);
    assert_eq!(all(&t, |r| r.inflow_new), [2, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.outflow_housed), [0, 2, 0, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_returned_housing), [0, 0, 0, 0, 0, 0, 1, 1]);
    assert_eq!(all(&t, |r| r.inflow_first_time), [2, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn a_return_on_the_last_day_of_the_horizon_counts_and_not_the_day_after() {
    let on_day_180 = housed_then_back_after("2025-07-31");
    let on_day_181 = housed_then_back_after("2025-08-01");
    let both = [on_day_180.clone(), on_day_181.clone()];
    let window = d("2025-01-01")..=d("2025-06-30");
    let returns =
        |h: &[HouseholdHistory], horizon| returns_after_housing(h, window.clone(), horizon, d("2025-12-31"), RULES);
    assert_eq!(returns(&[on_day_180], 180), Returns { exits: 1, returned: 1 });
    assert_eq!(returns(&[on_day_181], 180), Returns { exits: 1, returned: 0 });
    assert_eq!(returns(&both, 181), Returns { exits: 2, returned: 2 });
    assert_eq!(returns(&both, RETURN_HORIZONS_DAYS[0]).rate(), Some(1.0));
    // exits whose follow-up is not over yet are left out
    let early = returns_after_housing(&both, window, 365, d("2025-12-31"), RULES);
    assert_eq!(early, Returns { exits: 0, returned: 0 });
    assert_eq!(early.rate(), None);
}

#[test]
fn time_to_housing_quartiles() {
    let housed_after = |from: &str| {
        household(vec![period(Rue, from, Some("2025-04-01")), period(LogementOrdinaire, "2025-04-01", None)], vec![])
    };
    let h = [housed_after("2025-03-22"), housed_after("2025-03-02"), housed_after("2025-02-20")];
    let q = time_to_housing(&h, m("2025-04")..=m("2025-04"), RULES).unwrap();
    assert_eq!((q.count, q.p25, q.median, q.p75), (3, 20.0, 30.0, 35.0));
    assert_eq!(time_to_housing(&h, m("2025-05")..=m("2025-06"), RULES), None);
}

#[test]
fn first_time_looks_back_24_months() {
    // homeless in 2022, housed until March 2025: no homeless day nor actif month end in the
    // 24 months before March 2025, so the return is first-time homelessness
    let long_ago = household(
        vec![
            period(Rue, "2022-01-01", Some("2023-02-28")),
            period(LogementOrdinaire, "2023-02-28", Some("2025-03-10")),
            period(Rue, "2025-03-10", None),
        ],
        vec![],
    );
    // the same, last homeless on 1 March 2023: within the lookback
    let recent = household(
        vec![
            period(Rue, "2022-01-01", Some("2023-03-02")),
            period(LogementOrdinaire, "2023-03-02", Some("2025-03-10")),
            period(Rue, "2025-03-10", None),
        ],
        vec![],
    );
    let t = table(&[long_ago, recent]);
    assert_eq!(all(&t, |r| r.inflow_returned_housing), [0, 0, 2, 0, 0, 0, 0, 0]);
    assert_eq!(all(&t, |r| r.inflow_first_time), [0, 0, 1, 0, 0, 0, 0, 0]);
}

#[test]
fn long_term_means_365_days_homeless_over_36_months() {
    // in a hotel until 1 June 2025 (excluded), seen on 15 May: 365 days, or 364, by 31 May
    let hotel_from =
        |start: &str| household(vec![period(Hotel115, start, Some("2025-06-01"))], vec![ev(Contact, "2025-05-15")]);
    let t = table(&[hotel_from("2024-06-01"), hotel_from("2024-06-02")]);
    let long = Segment::LongueDuree(true);
    let short = Segment::LongueDuree(false);
    assert_eq!(t.row(m("2025-04"), &long).unwrap().closing, 0);
    assert_eq!(t.row(m("2025-05"), &long).unwrap().closing, 1);
    assert_eq!(t.row(m("2025-05"), &short).unwrap().closing, 1);
    // the stay leaves the window 36 months later: seen again in May 2027 (no situation
    // recorded), the household has 365 days by 31 May and 335 by 30 June
    let back = household(vec![period(Hotel115, "2024-06-01", Some("2025-06-01"))], vec![ev(Contact, "2027-05-20")]);
    let later = compute(&[back], m("2027-05")..=m("2027-06"), RULES);
    assert_eq!(later.series(&long).map(|r| r.closing).collect::<Vec<_>>(), [1, 0]);
    assert_eq!(later.series(&short).map(|r| r.closing).collect::<Vec<_>>(), [0, 1]);
}

#[test]
fn outflows_count_where_the_household_was_when_last_actif() {
    let h = household(
        vec![period(Rue, "2025-01-10", Some("2025-02-01")), period(LogementOrdinaire, "2025-02-01", None)],
        vec![],
    );
    let t = table(&[h]);
    let street = Segment::Situation(SituationGroup::Rue);
    assert_eq!(series(&t, &street, |r| r.outflow_housed), [0, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(series(&t, &street, |r| r.opening), [0, 1, 0, 0, 0, 0, 0, 0]);
    let other = Segment::Situation(SituationGroup::Autre);
    assert!(t.series(&other).all(|r| r.opening + r.closing + r.inflow() + r.outflow() == 0));
}

#[test]
fn a_birthday_moves_the_household_to_the_next_band_for_both_ends_of_the_month() {
    let mut h = household(vec![period(HebergementUrgence, "2024-12-01", None)], vec![ev(Contact, "2025-03-15")]);
    h.reference_birth = Some(m("2000-03"));
    h.reference_sex = Sex::Femme;
    h.commune = Some("Montreuil".into());
    let t = table(&[h]);
    let young = Segment::Age(AgeBand::De18a24);
    let older = Segment::Age(AgeBand::De25a49);
    assert_eq!(series(&t, &young, |r| r.closing), [1, 1, 0, 0, 0, 0, 0, 0]);
    assert_eq!(series(&t, &older, |r| r.opening), [0, 0, 1, 1, 1, 1, 0, 0]);
    assert_eq!(series(&t, &older, |r| r.outflow_inactive), [0, 0, 0, 0, 0, 1, 0, 0]);
    for r in t.rows() {
        assert_eq!(i64::from(r.closing), i64::from(r.opening) + r.net_change(), "{r:?}");
    }
    let commune = Segment::Commune(Some("Montreuil".into()));
    assert_eq!(series(&t, &commune, |r| r.closing), [1, 1, 1, 1, 1, 0, 0, 0]);
    let women = Segment::SexeReference(Sex::Femme);
    assert_eq!(series(&t, &women, |r| r.closing), [1, 1, 1, 1, 1, 0, 0, 0]);
    assert_eq!(t.row(m("2025-02"), &Segment::SansSuivi).map(|r| r.closing), Some(1));
    assert_eq!(t.row(m("2025-09"), &Segment::Tous), None);
}

#[test]
fn a_household_counts_for_each_organisation_following_it() {
    let mut h = household(vec![period(Rue, "2025-01-05", None)], vec![ev(Contact, "2025-03-15")]);
    h.followers = vec![
        Following { org: crate::OrgId(2), from: d("2025-02-01"), to: Some(d("2025-03-31")) },
        Following { org: crate::OrgId(1), from: d("2025-01-05"), to: None },
        Following { org: crate::OrgId(2), from: d("2025-01-01"), to: None },
    ];
    let t = table(&[h]);
    let org = |n| Segment::Suivi(crate::OrgId(n));
    assert_eq!(series(&t, &org(1), |r| r.closing), [1, 1, 1, 1, 1, 0, 0, 0]);
    assert_eq!(series(&t, &org(2), |r| r.closing), [1, 1, 1, 1, 1, 0, 0, 0]);
    assert_eq!(series(&t, &Segment::SansSuivi, |r| r.closing), [0; 8]);
}

#[test]
fn functional_zero_from_a_flow_table() {
    // three households housed in February, none left actif
    let h = housed_then_back_after("2026-01-01");
    let t = table(&[h.clone(), h.clone(), h]);
    let points: Vec<MonthlyPoint> = t.series(&Segment::Tous).map(MonthlyPoint::from).collect();
    let rule = FunctionalZeroRule { average_over_months: 2, sustained_months: 2 };
    assert_eq!(functional_zero(&points, rule), Some(m("2025-02")));
}
