//! Calendar months, the unit of every by-name-list indicator.

use std::fmt;
use std::ops::RangeInclusive;

use crate::{Date, InvalidInput};

/// A calendar month (`YYYY-MM`). Indicators are snapshots at the end of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    // Field order makes the derived ordering chronological.
    year: i32,
    month: u8,
}

impl Month {
    /// A month from its year and its number (1–12), within the years `time` supports.
    pub fn new(year: i32, month: u8) -> Result<Self, InvalidInput> {
        let m = time::Month::try_from(month).map_err(|_| InvalidInput::new("mois", "mois entre 01 et 12"))?;
        Date::from_calendar_date(year, m, 1).map_err(|_| InvalidInput::new("mois", "année hors limites"))?;
        Ok(Self { year, month })
    }

    /// The month containing `day`. Births are reduced to this before any indicator sees them.
    pub fn of(day: Date) -> Self {
        Self { year: day.year(), month: day.month() as u8 }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let bad = || InvalidInput::new("mois", "mois attendu au format AAAA-MM");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit())) {
            return Err(bad());
        }
        Self::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    /// The month number, 1–12.
    pub fn number(self) -> u8 {
        self.month
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.time_month(), 1).expect("checked at construction")
    }

    pub fn last_day(self) -> Date {
        let days = time::util::days_in_month(self.time_month(), self.year);
        Date::from_calendar_date(self.year, self.time_month(), days).expect("checked at construction")
    }

    /// The day every monthly snapshot is taken: the last day of the month.
    pub fn month_end(self) -> Date {
        self.last_day()
    }

    pub fn next(self) -> Self {
        self.plus(1)
    }

    pub fn previous(self) -> Self {
        self.plus(-1)
    }

    /// The month `n` months later (earlier when `n` is negative).
    pub fn plus(self, n: i32) -> Self {
        Self::from_ordinal(self.ordinal() + n)
    }

    /// Months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Month) -> i32 {
        later.ordinal() - self.ordinal()
    }

    /// Every month from `self` to `last`, both included (empty when `last` is earlier).
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> + Clone {
        (self.ordinal()..=last.ordinal()).map(Self::from_ordinal)
    }

    /// The months of an inclusive range, in order.
    pub fn iter_range(range: &RangeInclusive<Month>) -> impl Iterator<Item = Month> + Clone {
        range.start().through(*range.end())
    }

    /// Whole years of age at the end of this month for someone born in `birth`, counted as if
    /// born on the first day of that month. Only the year and the month of birth matter, so
    /// coarsening birth dates to the first of their month (anonymisation) changes no age.
    pub fn age_of(self, birth: Month) -> i32 {
        self.year - birth.year - i32::from(self.month < birth.month)
    }

    fn time_month(self) -> time::Month {
        time::Month::try_from(self.month).expect("checked at construction")
    }

    fn ordinal(self) -> i32 {
        self.year * 12 + i32::from(self.month) - 1
    }

    fn from_ordinal(n: i32) -> Self {
        Self { year: n.div_euclid(12), month: (n.rem_euclid(12) + 1) as u8 }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for Month {
    type Err = InvalidInput;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Month {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn parses_and_formats() {
        assert_eq!(m("2025-03"), Month::new(2025, 3).unwrap());
        assert_eq!(m(" 2025-12 ").to_string(), "2025-12");
        for bad in ["2025-13", "2025-00", "2025-3", "25-03", "2025/03", "2025-03-01", "abcd-ef", ""] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn days_and_arithmetic() {
        assert_eq!(m("2024-02").last_day(), date!(2024 - 02 - 29));
        assert_eq!(m("2025-02").month_end(), date!(2025 - 02 - 28));
        assert_eq!(m("2025-12").first_day(), date!(2025 - 12 - 01));
        assert_eq!(m("2025-01").previous(), m("2024-12"));
        assert_eq!(m("2025-12").next(), m("2026-01"));
        assert_eq!(m("2025-03").plus(-27), m("2022-12"));
        assert_eq!(m("2024-11").months_until(m("2025-02")), 3);
        let all: Vec<_> = m("2024-11").through(m("2025-02")).map(|x| x.to_string()).collect();
        assert_eq!(all, ["2024-11", "2024-12", "2025-01", "2025-02"]);
        assert_eq!(m("2025-02").through(m("2025-01")).count(), 0);
        assert_eq!(Month::of(date!(2025 - 07 - 31)), m("2025-07"));
    }

    #[test]
    fn age_counts_from_the_first_of_the_birth_month() {
        // born in March 2000: 18 from the end of March 2018, whatever the day of birth
        assert_eq!(m("2018-02").age_of(m("2000-03")), 17);
        assert_eq!(m("2018-03").age_of(m("2000-03")), 18);
        // a 29 February birthday never makes February a month short of a year
        assert_eq!(m("2001-02").age_of(m("2000-02")), 1);
    }
}
