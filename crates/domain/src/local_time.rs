//! The territory's wall clock. Instants are stored in UTC (RFC 3339); people read them, and say
//! « today », in the territory's own time: Europe/Paris, summer time included (UTC+1 in winter,
//! UTC+2 in summer). Without it, a CCA session published at 10:20 read « 09:20 », and a decision
//! taken at 00:30 was dated the day before.

use std::sync::OnceLock;

use jiff::tz::TimeZone;
use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

/// The IANA zone of the territory (a métropole of mainland France). The rules are bundled with
/// the binary: a server without system time-zone data reads the same hours.
pub const TERRITORY_ZONE: &str = "Europe/Paris";

fn zone() -> &'static TimeZone {
    static ZONE: OnceLock<TimeZone> = OnceLock::new();
    ZONE.get_or_init(|| TimeZone::get(TERRITORY_ZONE).expect("the bundled time-zone data holds Europe/Paris"))
}

/// A wall-clock reading: the day, hour, minute and second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WallClock {
    pub day: Date,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// `at` on the territory's clock.
pub fn wall_clock(at: OffsetDateTime) -> WallClock {
    let ts = jiff::Timestamp::from_second(at.unix_timestamp()).expect("stored instants are within jiff's range");
    let dt = zone().to_datetime(ts);
    let month = Month::try_from(dt.month() as u8).expect("jiff months are 1 to 12");
    let day = Date::from_calendar_date(i32::from(dt.year()), month, dt.day() as u8).expect("a valid calendar date");
    WallClock { day, hour: dt.hour() as u8, minute: dt.minute() as u8, second: dt.second() as u8 }
}

/// A stored timestamp (RFC 3339) on the territory's clock; `None` when it is not one.
pub fn wall_clock_of(timestamp: &str) -> Option<WallClock> {
    OffsetDateTime::parse(timestamp.trim(), &Rfc3339).ok().map(wall_clock)
}

/// The territory's day at instant `now`.
pub fn local_day(now: OffsetDateTime) -> Date {
    wall_clock(now).day
}

/// The instant the territory's day `d` starts, as stored (RFC 3339, UTC): a day's bounds for
/// searching stored timestamps.
pub fn day_start(d: Date) -> String {
    let midnight = jiff::civil::date(d.year() as i16, u8::from(d.month()) as i8, d.day() as i8).at(0, 0, 0, 0);
    let ts = zone().to_timestamp(midnight).expect("every day of the territory has a midnight");
    OffsetDateTime::from_unix_timestamp(ts.as_second())
        .expect("within range")
        .format(&Rfc3339)
        .expect("UTC instants format")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn winter_is_one_hour_ahead_of_utc_and_summer_two() {
        let w = wall_clock_of("2026-12-08T09:20:00Z").unwrap();
        assert_eq!(w, WallClock { day: date!(2026 - 12 - 08), hour: 10, minute: 20, second: 0 });
        let s = wall_clock_of("2026-07-14T09:20:00Z").unwrap();
        assert_eq!((s.hour, s.minute), (11, 20));
        // fractional seconds and offsets, as RFC 3339 allows
        assert_eq!(wall_clock_of("2026-07-14T11:20:00.123+02:00").unwrap(), s);
        assert_eq!(wall_clock_of("2026-07-14T09:20:31.999Z").unwrap().second, 31);
        assert_eq!(wall_clock_of("2026-07-14"), None);
        assert_eq!(wall_clock_of("n'importe quoi"), None);
    }

    #[test]
    fn the_day_turns_at_the_territorys_midnight() {
        // 23:30 UTC on 7 December is 00:30 on the 8th in Paris
        assert_eq!(local_day(datetime!(2026-12-07 23:30 UTC)), date!(2026 - 12 - 08));
        assert_eq!(local_day(datetime!(2026-12-07 22:59 UTC)), date!(2026 - 12 - 07));
        // in summer, from 22:00 UTC
        assert_eq!(local_day(datetime!(2026-07-13 22:00 UTC)), date!(2026 - 07 - 14));
    }

    proptest::proptest! {
        /// Any day of this century starts at midnight on the territory's clock, and the instant
        /// before belongs to the day before.
        #[test]
        fn every_day_starts_at_local_midnight(offset in 0i64..36_500) {
            let d = date!(2000 - 01 - 01) + time::Duration::days(offset);
            let start = day_start(d);
            proptest::prop_assert_eq!(wall_clock_of(&start), Some(WallClock { day: d, hour: 0, minute: 0, second: 0 }));
            let before = OffsetDateTime::parse(&start, &Rfc3339).unwrap() - time::Duration::seconds(1);
            proptest::prop_assert_eq!(local_day(before), d.previous_day().unwrap());
        }
    }

    #[test]
    fn a_day_starts_at_local_midnight_even_on_the_days_the_clocks_change() {
        assert_eq!(day_start(date!(2026 - 12 - 08)), "2026-12-07T23:00:00Z");
        assert_eq!(day_start(date!(2026 - 07 - 14)), "2026-07-13T22:00:00Z");
        // 29 March 2026: clocks go forward at 02:00; the day started in winter time
        assert_eq!(day_start(date!(2026 - 03 - 29)), "2026-03-28T23:00:00Z");
        // 25 October 2026: clocks go back at 03:00; the day started in summer time
        assert_eq!(day_start(date!(2026 - 10 - 25)), "2026-10-24T22:00:00Z");
        assert_eq!(wall_clock_of("2026-10-25T00:30:00Z").unwrap().hour, 2);
        assert_eq!(wall_clock_of("2026-10-25T01:30:00Z").unwrap().hour, 2, "the hour lived twice");
    }
}
