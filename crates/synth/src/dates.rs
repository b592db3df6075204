//! Days as plain integers (Julian day numbers) inside the generator: cheap to add and compare,
//! converted to `Date` only at the output.

use domain::Date;

pub(crate) type Day = i32;

pub(crate) fn to_day(d: Date) -> Day {
    d.to_julian_day()
}

pub(crate) fn to_date(d: Day) -> Date {
    Date::from_julian_day(d).expect("synthetic dates stay within the calendar")
}

/// Days in `years` years, leap days included on average.
pub(crate) fn years_in_days(years: u32) -> Day {
    (f64::from(years) * 365.25).round() as Day
}
