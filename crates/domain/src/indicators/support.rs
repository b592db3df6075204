//! Share of the households actif at a month end that have a support measure running that day
//! (DOMAIN.md §2: "share of households with an active support measure").

use std::ops::RangeInclusive;

use super::history::HouseholdHistory;
use super::measures::in_segment;
use super::month::Month;
use super::prepared::Prepared;
use super::segments::Segment;
use crate::status::{status_on, Status, StatusRules};

/// One month: households actif at its end, and those among them with a measure running then.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SupportShare {
    pub month: Month,
    pub actif: u32,
    pub supported: u32,
}

impl SupportShare {
    /// The share in percent, `None` when no household is actif.
    pub fn percent(&self) -> Option<f64> {
        (self.actif > 0).then(|| f64::from(self.supported) * 100.0 / f64::from(self.actif))
    }
}

/// For each month of `months`: a measure runs on the last day `d` of the month when it started
/// on or before `d` and has not ended by `d` (`[start, end)`).
pub fn support_share(
    histories: &[HouseholdHistory],
    months: RangeInclusive<Month>,
    rules: StatusRules,
) -> Vec<SupportShare> {
    support_share_in(histories, months, rules, &Segment::Tous)
}

/// [`support_share`] for one population (its households in it at each month end).
pub fn support_share_in(
    histories: &[HouseholdHistory],
    months: RangeInclusive<Month>,
    rules: StatusRules,
    segment: &Segment,
) -> Vec<SupportShare> {
    let mut p = Prepared::default();
    let mut out = Vec::new();
    let mut m = *months.start();
    while m <= *months.end() {
        let d = m.last_day();
        let mut row = SupportShare { month: m, actif: 0, supported: 0 };
        for h in histories {
            if status_on(&h.pathway, d, rules) == Some(Status::Actif) && {
                p.load(&h.pathway);
                in_segment(h, &p, m, segment)
            } {
                row.actif += 1;
                if h.support.iter().any(|(s, e)| *s <= d && e.is_none_or(|e| d < e)) {
                    row.supported += 1;
                }
            }
        }
        out.push(row);
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

    fn on_the_street(since: crate::Date, support: Vec<(crate::Date, Option<crate::Date>)>) -> HouseholdHistory {
        let pathway = Pathway {
            periods: vec![Period::new(Situation::Rue, since, None).unwrap()],
            events: vec![Event { kind: EventKind::Contact, date: date!(2026 - 03 - 20) }],
        };
        HouseholdHistory { support, ..HouseholdHistory::new(pathway) }
    }

    #[test]
    fn a_measure_counts_while_it_runs_at_month_end() {
        let m = |s: &str| Month::parse(s).unwrap();
        let hs = vec![
            on_the_street(date!(2026 - 01 - 10), vec![(date!(2026 - 02 - 28), Some(date!(2026 - 03 - 31)))]),
            on_the_street(date!(2026 - 01 - 10), vec![]),
        ];
        let rows = support_share(&hs, m("2026-01")..=m("2026-03"), StatusRules::default());
        assert_eq!(rows.iter().map(|r| (r.actif, r.supported)).collect::<Vec<_>>(), vec![(2, 0), (2, 1), (2, 0)]);
        assert_eq!(rows[1].percent(), Some(50.0));
        assert_eq!(support_share(&[], m("2026-01")..=m("2026-01"), StatusRules::default())[0].percent(), None);
    }
}
