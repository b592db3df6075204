//! Day-precise pathway measures: time to housing and returns to homelessness after housing.
//!
//! Both read the day-by-day status of `status_on`. It only changes on a few days (contacts, the
//! day silence turns into inactivity, departures, death, starts and ends of situations), so each
//! household is examined on those days only.

use std::ops::RangeInclusive;

use super::history::{household_type_at_end_of, HouseholdHistory};
use super::month::Month;
use super::prepared::{day, Day, Prepared};
use super::segments::{AgeBand, Segment, SituationGroup, LONG_TERM_DAYS, LONG_TERM_WINDOW_MONTHS};
use crate::status::{Status, StatusRules};
use crate::Date;

/// Quartiles of a set of durations in days.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Quartiles {
    /// How many households were measured.
    pub count: usize,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
}

impl Quartiles {
    /// Quantiles by linear interpolation between closest ranks (the default of R and NumPy);
    /// `None` for an empty set.
    pub fn of(mut values: Vec<i64>) -> Option<Self> {
        if values.is_empty() {
            return None;
        }
        values.sort_unstable();
        let q = |p: f64| {
            let h = p * (values.len() - 1) as f64;
            let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
            values[lo] as f64 + (h - h.floor()) * (values[hi] - values[lo]) as f64
        };
        Some(Self { count: values.len(), p25: q(0.25), median: q(0.5), p75: q(0.75) })
    }
}

/// Days from first identification to first housing, for households first housed during `months`.
///
/// - First identification: the date of the household's first fact (the first day its status is
///   known).
/// - First housing: the first day its status is `logé`.
/// - Counted: households whose first housing falls in the months and who were on the list the day
///   before (`actif` or `inactif`). A household first known already housed, or identified and
///   housed the same day, never was on the list as homeless and is left out, as it is left out
///   of the monthly flows.
pub fn time_to_housing(
    histories: &[HouseholdHistory],
    months: RangeInclusive<Month>,
    rules: StatusRules,
) -> Option<Quartiles> {
    time_to_housing_in(histories, months, rules, &Segment::Tous)
}

/// [`time_to_housing`] for one population: a household counts in `segment` when it was in it at
/// the end of the month before the one it was housed in — the month end at which the flows
/// count its exit (see [`in_segment`]).
pub fn time_to_housing_in(
    histories: &[HouseholdHistory],
    months: RangeInclusive<Month>,
    rules: StatusRules,
    segment: &Segment,
) -> Option<Quartiles> {
    let (from, to) = (day(months.start().first_day()), day(months.end().last_day()));
    let mut p = Prepared::default();
    let mut points = Vec::new();
    let mut durations = Vec::new();
    for h in histories {
        p.load(&h.pathway);
        p.change_points(rules, &mut points);
        let Some(housed) = points.iter().copied().find(|&d| p.status_at(d, rules) == Some(Status::Loge)) else {
            continue;
        };
        if (from..=to).contains(&housed)
            && on_the_list(p.status_at(housed - 1, rules))
            && in_segment(h, &p, month_of(housed).previous(), segment)
        {
            durations.push(i64::from(housed - p.first_fact().unwrap_or(housed)));
        }
    }
    Quartiles::of(durations)
}

/// The HUD System Performance Measure 2 horizons: 6, 12 and 24 months, in days.
pub const RETURN_HORIZONS_DAYS: [i64; 3] = [183, 365, 730];

/// Returns to homelessness after an exit to housing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Returns {
    /// Households with an exit to housing in the window and a complete follow-up.
    pub exits: u32,
    /// Of these, those `actif` again within the horizon.
    pub returned: u32,
}

impl Returns {
    /// The share of exits followed by a return, `None` when there was no exit.
    pub fn rate(&self) -> Option<f64> {
        (self.exits > 0).then(|| f64::from(self.returned) / f64::from(self.exits))
    }
}

/// Returns to homelessness within `horizon_days` after an exit to housing (HUD SPM 2 style).
///
/// - Exit to housing: a day whose status is `logé` when the day before was `actif` or `inactif`.
/// - Each household counts once, by its first exit to housing during `exits` (both days included),
///   and only if the whole follow-up has elapsed: exit day + `horizon_days` ≤ `as_of`.
/// - Returned: `actif` again on a day at most `horizon_days` days after the exit day. A return on
///   day `horizon_days` counts; one on the next day does not.
pub fn returns_after_housing(
    histories: &[HouseholdHistory],
    exits: RangeInclusive<Date>,
    horizon_days: i64,
    as_of: Date,
    rules: StatusRules,
) -> Returns {
    returns_after_housing_in(histories, exits, horizon_days, as_of, rules, &Segment::Tous)
}

/// [`returns_after_housing`] for one population, taken as for [`time_to_housing_in`].
pub fn returns_after_housing_in(
    histories: &[HouseholdHistory],
    exits: RangeInclusive<Date>,
    horizon_days: i64,
    as_of: Date,
    rules: StatusRules,
    segment: &Segment,
) -> Returns {
    let (from, to, as_of) = (day(*exits.start()), day(*exits.end()), i64::from(day(as_of)));
    let mut p = Prepared::default();
    let mut points = Vec::new();
    let mut out = Returns { exits: 0, returned: 0 };
    for h in histories {
        p.load(&h.pathway);
        p.change_points(rules, &mut points);
        let is_exit = |d: Day| p.status_at(d, rules) == Some(Status::Loge) && on_the_list(p.status_at(d - 1, rules));
        let Some(exit) = points.iter().copied().filter(|d| (from..=to).contains(d)).find(|&d| is_exit(d)) else {
            continue;
        };
        if i64::from(exit) + horizon_days > as_of || !in_segment(h, &p, month_of(exit).previous(), segment) {
            continue;
        }
        out.exits += 1;
        let back = points.iter().copied().filter(|&d| d > exit).find(|&d| p.status_at(d, rules) == Some(Status::Actif));
        out.returned += u32::from(back.is_some_and(|b| i64::from(b - exit) <= horizon_days));
    }
    out
}

fn month_of(d: Day) -> Month {
    Month::of(Date::from_julian_day(d).unwrap_or(Date::MIN))
}

/// Whether the household is in `segment` at the end of `month`, by the flows' definitions
/// (DOMAIN.md §2): household type, age band and sex of the reference person, situation and
/// long-term homelessness at the month end, commune, organisations following it then.
pub(crate) fn in_segment(h: &HouseholdHistory, p: &Prepared, month: Month, segment: &Segment) -> bool {
    let end = day(month.last_day());
    match segment {
        Segment::Tous => true,
        Segment::TypeMenage(t) => household_type_at_end_of(&h.members, month) == *t,
        Segment::Age(a) => AgeBand::at_end_of(h.reference_birth, month) == *a,
        Segment::Situation(g) => SituationGroup::of(p.situation_at(end)) == *g,
        Segment::LongueDuree(long) => {
            let starts = [day(month.plus(1 - LONG_TERM_WINDOW_MONTHS).first_day()), end + 1];
            let mut days = [0u32];
            p.homeless_days(&starts, &mut days);
            (days[0] >= LONG_TERM_DAYS) == *long
        }
        Segment::SexeReference(s) => h.reference_sex == *s,
        Segment::Commune(c) => h.commune.as_deref().map(str::trim).filter(|c| !c.is_empty()) == c.as_deref(),
        Segment::Suivi(org) => h.followers.iter().any(|f| f.org == *org && f.at_end_of(month)),
        Segment::SansSuivi => !h.followers.iter().any(|f| f.at_end_of(month)),
    }
}

fn on_the_list(status: Option<Status>) -> bool {
    matches!(status, Some(Status::Actif | Status::Inactif))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate() {
        assert_eq!(Quartiles::of(vec![]), None);
        let q = Quartiles::of(vec![40, 10, 20, 30]).unwrap();
        assert_eq!((q.count, q.p25, q.median, q.p75), (4, 17.5, 25.0, 32.5));
        let one = Quartiles::of(vec![7]).unwrap();
        assert_eq!((one.p25, one.median, one.p75), (7.0, 7.0, 7.0));
    }
}
