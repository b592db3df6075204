//! The published definitions written out literally, day by day, with `status_on`, `period_at`
//! and `HouseholdType::of`: slow, obviously right, and the yardstick of the fast engine.

use std::collections::{BTreeSet, HashMap};
use std::ops::RangeInclusive;

use super::super::{AgeBand, FlowRow, HouseholdHistory, Member, Month, Segment, SituationGroup};
use crate::household::{age_on, HouseholdType, Membership, Person};
use crate::situation::{period_at, SituationClass};
use crate::status::{status_on, Status, StatusRules};
use crate::{Date, PersonId};

/// The memberships a member stands for once its birth date is moved to the first of its month.
pub(super) fn coarse_memberships(members: &[Member]) -> Vec<Membership> {
    members
        .iter()
        .map(|m| Membership {
            person: Person {
                id: PersonId(0),
                family_name: String::new(),
                given_names: String::new(),
                birth_date: m.birth.map(Month::first_day),
                sex: m.sex,
            },
            role: m.role,
            from: m.from,
            to: m.to,
        })
        .collect()
}

fn days(from: Date, to: Date) -> impl Iterator<Item = Date> {
    std::iter::successors(Some(from), |d| d.next_day()).take_while(move |d| *d <= to)
}

fn homeless_days(h: &HouseholdHistory, from: Date, to: Date) -> u32 {
    let homeless = |d: &Date| {
        period_at(&h.pathway.periods, *d).is_some_and(|p| p.situation.class() == SituationClass::SansLogement)
    };
    days(from, to).filter(homeless).count() as u32
}

fn segments_at(h: &HouseholdHistory, at: Month) -> Vec<Segment> {
    let end = at.month_end();
    let age = match h.reference_birth.map(|b| age_on(b.first_day(), end)) {
        None => AgeBand::Inconnu,
        Some(a) if a < 0 => AgeBand::Inconnu,
        Some(a) if a < 18 => AgeBand::Moins18,
        Some(a) if a < 25 => AgeBand::De18a24,
        Some(a) if a < 50 => AgeBand::De25a49,
        Some(_) => AgeBand::Plus50,
    };
    let long_term = homeless_days(h, at.plus(-35).first_day(), end) >= 365;
    let commune = h.commune.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    let mut segments = vec![
        Segment::Tous,
        Segment::TypeMenage(HouseholdType::of(&coarse_memberships(&h.members), end)),
        Segment::Age(age),
        Segment::Situation(SituationGroup::of(period_at(&h.pathway.periods, end).map(|p| p.situation))),
        Segment::LongueDuree(long_term),
        Segment::SexeReference(h.reference_sex),
        Segment::Commune(commune),
    ];
    let orgs: BTreeSet<_> = h
        .followers
        .iter()
        .filter(|f| f.from <= end && f.to.is_none_or(|t| end < t))
        .map(|f| Segment::Suivi(f.org))
        .collect();
    if orgs.is_empty() {
        segments.push(Segment::SansSuivi);
    }
    segments.extend(orgs);
    segments
}

fn empty_row(month: Month, segment: Segment) -> FlowRow {
    FlowRow {
        month,
        segment,
        opening: 0,
        inflow_new: 0,
        inflow_returned_housing: 0,
        inflow_returned_inactive: 0,
        inflow_other: 0,
        outflow_housed: 0,
        outflow_inactive: 0,
        outflow_other: 0,
        closing: 0,
        inflow_first_time: 0,
    }
}

/// The whole flow table, in the order of `FlowTable::rows`.
pub(super) fn reference_rows(
    histories: &[HouseholdHistory],
    months: RangeInclusive<Month>,
    rules: StatusRules,
) -> Vec<FlowRow> {
    let mut cells: HashMap<(Month, Segment), FlowRow> = HashMap::new();
    let mut seen: BTreeSet<Segment> = Segment::fixed().collect();
    let status = |h: &HouseholdHistory, m: Month| status_on(&h.pathway, m.month_end(), rules);
    for h in histories {
        for month in Month::iter_range(&months) {
            let (before, after) = (status(h, month.previous()), status(h, month));
            let actif = |s: Option<Status>| s == Some(Status::Actif);
            if !actif(before) && !actif(after) {
                continue;
            }
            let at = if actif(after) { month } else { month.previous() };
            let first_time = !actif(before)
                && (1..=24).all(|k| !actif(status(h, month.plus(-k))))
                && homeless_days(h, month.plus(-24).first_day(), month.previous().last_day()) == 0;
            for segment in segments_at(h, at) {
                seen.insert(segment.clone());
                let row = cells.entry((month, segment.clone())).or_insert_with(|| empty_row(month, segment));
                row.opening += u32::from(actif(before));
                row.closing += u32::from(actif(after));
                row.inflow_first_time += u32::from(first_time);
                match (before, after) {
                    (None, Some(Status::Actif)) => row.inflow_new += 1,
                    (Some(Status::Loge), Some(Status::Actif)) => row.inflow_returned_housing += 1,
                    (Some(Status::Inactif), Some(Status::Actif)) => row.inflow_returned_inactive += 1,
                    (Some(Status::SortiTerritoire), Some(Status::Actif)) => row.inflow_other += 1,
                    (Some(Status::Actif), Some(Status::Loge)) => row.outflow_housed += 1,
                    (Some(Status::Actif), Some(Status::Inactif)) => row.outflow_inactive += 1,
                    (Some(Status::Actif), Some(Status::Decede | Status::SortiTerritoire)) => row.outflow_other += 1,
                    (Some(Status::Actif), Some(Status::Actif)) => {}
                    other => panic!("impossible transition {other:?}"),
                }
            }
        }
    }
    let mut rows = Vec::new();
    for month in Month::iter_range(&months) {
        for segment in &seen {
            rows.push(cells.remove(&(month, segment.clone())).unwrap_or_else(|| empty_row(month, segment.clone())));
        }
    }
    rows
}

/// First day with status `logé`, scanning every day of `[from, to]`.
pub(super) fn first_housing_by_scan(h: &HouseholdHistory, from: Date, to: Date, rules: StatusRules) -> Option<Date> {
    days(from, to).find(|d| status_on(&h.pathway, *d, rules) == Some(Status::Loge))
}

/// `(exit day, first actif day after it)` of the first exit to housing in `[from, to]`, scanning
/// every day up to `horizon_end`.
pub(super) fn exit_and_return_by_scan(
    h: &HouseholdHistory,
    from: Date,
    to: Date,
    horizon_end: Date,
    rules: StatusRules,
) -> Option<(Date, Option<Date>)> {
    let s = |d: Date| status_on(&h.pathway, d, rules);
    let listed = |d: Date| matches!(s(d), Some(Status::Actif | Status::Inactif));
    let exit = days(from, to).find(|d| s(*d) == Some(Status::Loge) && listed(d.previous_day().unwrap()))?;
    let back = days(exit.next_day().unwrap(), horizon_end).find(|d| s(*d) == Some(Status::Actif));
    Some((exit, back))
}
