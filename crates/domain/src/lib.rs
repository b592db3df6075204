//! The pure heart of parcours: types, rules and derivations of the by-name list.
//! No I/O, no async, no SQL: everything here is deterministic and unit-tested.

pub mod audit;
pub mod cca;
pub mod dwelling;
pub mod eviction;
pub mod household;
pub mod identity;
pub mod ids;
pub mod indicators;
pub mod local_time;
pub mod org;
pub mod pathway;
pub mod policy;
pub mod publication;
pub mod sensitive;
pub mod situation;
pub mod status;
pub mod tenancy;
pub mod territory;
pub mod text;
pub mod timeline;
pub mod user;

pub use ids::{HouseholdId, OrgId, PersonId, UserId};

/// A calendar date (no time zone: the field works in local days).
pub type Date = time::Date;

/// Parses an ISO-8601 calendar date (`YYYY-MM-DD`).
pub fn parse_date(s: &str) -> Result<Date, InvalidInput> {
    Date::parse(s.trim(), ISO_DATE).map_err(|_| InvalidInput::new("date", "date attendue au format AAAA-MM-JJ"))
}

/// `d` plus `delta` calendar months (negative: minus), clamped to the end of the month, as
/// delays in months are counted. Saturates rather than panicking on absurd inputs.
pub fn add_months(d: Date, delta: i64) -> Date {
    let index = i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1 + delta;
    let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
    let Ok(year) = i32::try_from(year) else {
        return if delta < 0 { Date::MIN } else { Date::MAX };
    };
    let month = time::Month::try_from(month0 as u8 + 1).expect("a month index below 12 is a month");
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(if delta < 0 { Date::MIN } else { Date::MAX })
}

/// Formats a date as ISO-8601 (`YYYY-MM-DD`), the form stored in both databases.
pub fn format_date(d: Date) -> String {
    d.format(ISO_DATE).expect("ISO dates always format")
}

/// Formats a date the French way (`JJ/MM/AAAA`) for display.
pub fn format_date_fr(d: Date) -> String {
    d.format(FR_DATE).expect("dates always format")
}

const ISO_DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");
const FR_DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[day]/[month]/[year]");

/// A rejected input: which field, and why, in French for the user.
/// Never carries the offending value, which may be personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} : {reason}")]
pub struct InvalidInput {
    pub field: &'static str,
    pub reason: String,
}

impl InvalidInput {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}
