//! Persons behind the by-name list: the members of the households actif at a month end, counted
//! once per person as the record linkage groups their records (one person reported by several
//! partners is one person).

use std::collections::HashSet;
use std::ops::RangeInclusive;

use super::history::HouseholdHistory;
use super::month::Month;
use crate::status::{status_on, Status, StatusRules};
use crate::Date;

/// A member of a household over `[from, to)`, with the group the linkage put its record in (its
/// own record id when it was never linked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedMember {
    pub group: i64,
    pub from: Date,
    pub to: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PersonCount {
    pub month: Month,
    /// Member records of the households actif at the month end.
    pub records: u32,
    /// Distinct persons among them.
    pub persons: u32,
}

/// `members[i]` belongs to `histories[i]`.
pub fn distinct_persons(
    histories: &[HouseholdHistory],
    members: &[Vec<LinkedMember>],
    months: RangeInclusive<Month>,
    rules: StatusRules,
) -> Vec<PersonCount> {
    let mut out = Vec::new();
    let mut m = *months.start();
    let mut seen = HashSet::new();
    while m <= *months.end() {
        let d = m.last_day();
        seen.clear();
        let mut records = 0;
        for (h, ms) in histories.iter().zip(members) {
            if status_on(&h.pathway, d, rules) != Some(Status::Actif) {
                continue;
            }
            for x in ms.iter().filter(|x| x.from <= d && x.to.is_none_or(|t| d < t)) {
                records += 1;
                seen.insert(x.group);
            }
        }
        out.push(PersonCount { month: m, records, persons: seen.len() as u32 });
        m = m.plus(1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathway::{Event, EventKind, Pathway};
    use crate::situation::{Period, Situation};
    use time::macros::date;

    #[test]
    fn a_person_reported_twice_counts_once() {
        let h = || {
            HouseholdHistory::new(Pathway {
                periods: vec![Period::new(Situation::Rue, date!(2026 - 01 - 05), None).unwrap()],
                events: vec![Event { kind: EventKind::Contact, date: date!(2026 - 02 - 10) }],
            })
        };
        let member = |group| LinkedMember { group, from: date!(2026 - 01 - 05), to: None };
        // Two households, one by each partner, for the same person (group 7); a child only in one.
        let members = vec![vec![member(7), member(8)], vec![member(7)]];
        let m = Month::parse("2026-02").unwrap();
        let rows = distinct_persons(&[h(), h()], &members, m..=m, StatusRules::default());
        assert_eq!((rows[0].records, rows[0].persons), (3, 2));
    }
}
