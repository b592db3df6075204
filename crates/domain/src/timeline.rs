//! A household's timeline: periods and events merged into one dated story, newest first.

use crate::pathway::EventKind;
use crate::situation::Situation;
use crate::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Period { situation: Situation, start: Date, end: Option<Date> },
    Event { kind: EventKind, date: Date },
}

impl Entry {
    pub fn date(&self) -> Date {
        match self {
            Self::Period { start, .. } => *start,
            Self::Event { date, .. } => *date,
        }
    }
}

/// Sorts entries newest first; on the same day a period comes before the event that records it.
pub fn sort_newest_first<T>(items: &mut [T], entry: impl Fn(&T) -> &Entry) {
    items.sort_by(|a, b| {
        let (a, b) = (entry(a), entry(b));
        b.date().cmp(&a.date()).then_with(|| rank(a).cmp(&rank(b)))
    });
}

fn rank(e: &Entry) -> u8 {
    match e {
        Entry::Period { .. } => 0,
        Entry::Event { .. } => 1,
    }
}

/// Checks a change of situation: it starts after the latest recorded period began (periods
/// never overlap and are never empty) and not in the future.
pub fn check_situation_change(period_starts: &[Date], start: Date, today: Date) -> Result<(), crate::InvalidInput> {
    if start > today {
        return Err(crate::InvalidInput::new("date", "la date ne peut pas être dans le futur"));
    }
    if period_starts.iter().any(|s| *s >= start) {
        return Err(crate::InvalidInput::new(
            "date",
            "la nouvelle situation doit commencer après le début de la situation précédente",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn newest_first_with_periods_before_events_on_the_same_day() {
        let d = date!(2025 - 01 - 10);
        let mut v = vec![
            Entry::Event { kind: EventKind::ChangementSituation, date: d },
            Entry::Event { kind: EventKind::Contact, date: date!(2024 - 12 - 01) },
            Entry::Period { situation: Situation::Rue, start: d, end: None },
        ];
        sort_newest_first(&mut v, |e| e);
        assert!(matches!(v[0], Entry::Period { .. }));
        assert_eq!(v[2].date(), date!(2024 - 12 - 01));
    }

    #[test]
    fn situation_changes_move_forward_only() {
        let today = date!(2025 - 06 - 01);
        let starts = [date!(2025 - 01 - 01), date!(2025 - 03 - 01)];
        assert!(check_situation_change(&starts, date!(2025 - 03 - 02), today).is_ok());
        assert!(check_situation_change(&starts, date!(2025 - 03 - 01), today).is_err());
        assert!(check_situation_change(&starts, date!(2025 - 06 - 02), today).is_err());
        assert!(check_situation_change(&[], today, today).is_ok());
    }
}
