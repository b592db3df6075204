//! A pathway prepared once for many status queries.
//!
//! `status_on` rescans every fact on each call; the indicators need the status at dozens of month
//! ends for up to a million households, so each pathway is sorted once into day numbers and then
//! swept. The answers are exactly those of [`status_on`](crate::status::status_on): the property
//! tests compare them on generated pathways.

use std::ops::RangeInclusive;

use super::month::Month;
use crate::pathway::{EventKind, Pathway};
use crate::situation::{Situation, SituationClass};
use crate::status::{Status, StatusRules};
use crate::Date;

/// A day as a Julian day number: cheap to compare, subtract and sort.
pub(crate) type Day = i32;

pub(crate) fn day(d: Date) -> Day {
    d.to_julian_day()
}

/// The situation in force from `start` until the next step starts (`None`: no period covers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Step {
    start: Day,
    situation: Option<Situation>,
}

/// One pathway, sorted for queries. Reusable: `load` keeps the allocations.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    /// Days with evidence of contact (contact-like events and period starts), sorted, unique.
    contacts: Vec<Day>,
    departures: Vec<Day>,
    death: Option<Day>,
    /// The covering situation as a step function, with the overlap rule of `period_at`.
    steps: Vec<Step>,
    spans: Vec<(Day, Day, Situation)>,
    bounds: Vec<Day>,
}

impl Prepared {
    pub(crate) fn load(&mut self, p: &Pathway) {
        self.contacts.clear();
        self.departures.clear();
        self.death = None;
        for e in &p.events {
            let d = day(e.date);
            match e.kind {
                EventKind::Deces => self.death = Some(self.death.map_or(d, |x| x.min(d))),
                EventKind::DepartTerritoire => self.departures.push(d),
                k if k.is_contact_evidence() => self.contacts.push(d),
                _ => {}
            }
        }
        self.spans.clear();
        for period in &p.periods {
            let start = day(period.start);
            self.contacts.push(start);
            self.spans.push((start, period.end.map_or(Day::MAX, day), period.situation));
        }
        self.contacts.sort_unstable();
        self.contacts.dedup();
        self.departures.sort_unstable();
        self.resolve_steps();
    }

    /// Builds the step function: at every start or end of a period, the covering period that
    /// started last wins, and among equal starts the one given last (as `period_at` does).
    fn resolve_steps(&mut self) {
        self.steps.clear();
        self.bounds.clear();
        for &(start, end, _) in &self.spans {
            self.bounds.push(start);
            if end != Day::MAX {
                self.bounds.push(end);
            }
        }
        self.bounds.sort_unstable();
        self.bounds.dedup();
        for &b in &self.bounds {
            let mut best: Option<(Day, Situation)> = None;
            for &(start, end, situation) in &self.spans {
                if start <= b && b < end && best.is_none_or(|(s, _)| start >= s) {
                    best = Some((start, situation));
                }
            }
            let situation = best.map(|(_, s)| s);
            if self.steps.last().is_none_or(|s| s.situation != situation) {
                self.steps.push(Step { start: b, situation });
            }
        }
    }

    pub(crate) fn situation_at(&self, d: Day) -> Option<Situation> {
        let i = self.steps.partition_point(|s| s.start <= d);
        i.checked_sub(1).and_then(|i| self.steps[i].situation)
    }

    /// The status on day `d`: the rule of `status_on`, read from the sorted facts.
    pub(crate) fn status_at(&self, d: Day, rules: StatusRules) -> Option<Status> {
        let last_le = |v: &[Day]| v.partition_point(|&x| x <= d).checked_sub(1).map(|i| v[i]);
        status_from(self.death, last_le(&self.contacts), last_le(&self.departures), self.situation_at(d), d, rules)
    }

    /// Statuses and situations on ascending `days`, in one forward sweep over the sorted facts.
    pub(crate) fn sweep(
        &self,
        days: &[Day],
        rules: StatusRules,
        statuses: &mut Vec<Option<Status>>,
        situations: &mut Vec<Option<Situation>>,
    ) {
        statuses.clear();
        situations.clear();
        let (mut ci, mut di, mut si) = (0, 0, 0);
        for &d in days {
            while ci < self.contacts.len() && self.contacts[ci] <= d {
                ci += 1;
            }
            while di < self.departures.len() && self.departures[di] <= d {
                di += 1;
            }
            while si < self.steps.len() && self.steps[si].start <= d {
                si += 1;
            }
            let contact = ci.checked_sub(1).map(|i| self.contacts[i]);
            let left = di.checked_sub(1).map(|i| self.departures[i]);
            let situation = si.checked_sub(1).and_then(|i| self.steps[i].situation);
            statuses.push(status_from(self.death, contact, left, situation, d, rules));
            situations.push(situation);
        }
    }

    /// Adds to `out[k]` the days of `[starts[k], starts[k + 1])` spent in a homeless situation
    /// (class `SansLogement`); `starts` has one more entry than `out`.
    pub(crate) fn homeless_days(&self, starts: &[Day], out: &mut [u32]) {
        let (Some(&lo), Some(&hi)) = (starts.first(), starts.last()) else { return };
        for (i, step) in self.steps.iter().enumerate() {
            if step.situation.is_none_or(|s| s.class() != SituationClass::SansLogement) {
                continue;
            }
            let end = self.steps.get(i + 1).map_or(Day::MAX, |s| s.start).min(hi);
            let mut from = step.start.max(lo);
            let mut k = starts.partition_point(|&s| s <= from).saturating_sub(1);
            while from < end {
                let to = end.min(starts[k + 1]);
                out[k] += (to - from) as u32;
                from = to;
                k += 1;
            }
        }
    }

    /// Every day on which the status may change, ascending: the status is constant from one of
    /// these days to the next, and unknown before the first.
    pub(crate) fn change_points(&self, rules: StatusRules, out: &mut Vec<Day>) {
        out.clear();
        let silence = Day::try_from(rules.inactivity_days + 1).unwrap_or(Day::MAX);
        out.extend(&self.contacts);
        out.extend(self.contacts.iter().map(|c| c.saturating_add(silence)));
        out.extend(&self.departures);
        out.extend(self.death);
        out.extend(self.steps.iter().map(|s| s.start));
        out.sort_unstable();
        out.dedup();
    }

    /// The first day a fact is known of: the first day the status is not unknown.
    pub(crate) fn first_fact(&self) -> Option<Day> {
        [self.contacts.first(), self.departures.first(), self.death.as_ref()].into_iter().flatten().min().copied()
    }
}

/// The precedence of `status_on`: death, departure not followed by a contact, housing, then
/// activity by the silence since the last contact.
fn status_from(
    death: Option<Day>,
    contact: Option<Day>,
    left: Option<Day>,
    situation: Option<Situation>,
    d: Day,
    rules: StatusRules,
) -> Option<Status> {
    if death.is_some_and(|x| x <= d) {
        return Some(Status::Decede);
    }
    if let Some(left) = left {
        if contact.is_none_or(|c| c <= left) {
            return Some(Status::SortiTerritoire);
        }
    }
    let contact = contact?;
    if situation.is_some_and(|s| s.class() == SituationClass::Loge) {
        Some(Status::Loge)
    } else if i64::from(d - contact) > rules.inactivity_days {
        Some(Status::Inactif)
    } else {
        Some(Status::Actif)
    }
}

/// The household's status at the end of each month of `months`, in order: the same values as
/// `status_on(pathway, month.month_end(), rules)`, computed in one pass.
pub fn monthly_statuses(pathway: &Pathway, months: RangeInclusive<Month>, rules: StatusRules) -> Vec<Option<Status>> {
    let mut p = Prepared::default();
    p.load(pathway);
    let ends: Vec<Day> = Month::iter_range(&months).map(|m| day(m.month_end())).collect();
    let (mut statuses, mut situations) = (Vec::new(), Vec::new());
    p.sweep(&ends, rules, &mut statuses, &mut situations);
    statuses
}
