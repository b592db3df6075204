//! Tests of the indicator engine: hand-built scenarios, properties against a literal reference
//! implementation, and invariance under anonymisation.

mod anonymisation;
mod properties;
mod reference;
mod scenarios;

use super::{HouseholdHistory, Month};
use crate::pathway::{Event, EventKind, Pathway};
use crate::situation::{Period, Situation};
use crate::Date;

fn d(s: &str) -> Date {
    crate::parse_date(s).unwrap()
}

fn m(s: &str) -> Month {
    Month::parse(s).unwrap()
}

fn period(situation: Situation, start: &str, end: Option<&str>) -> Period {
    Period::new(situation, d(start), end.map(d)).unwrap()
}

fn ev(kind: EventKind, date: &str) -> Event {
    Event { kind, date: d(date) }
}

fn household(periods: Vec<Period>, events: Vec<Event>) -> HouseholdHistory {
    HouseholdHistory::new(Pathway { periods, events })
}
