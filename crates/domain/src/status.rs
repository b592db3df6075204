//! By-name list status, derived from a pathway as of any date (DOMAIN.md §2).

use crate::pathway::{EventKind, Pathway};
use crate::situation::{period_at, SituationClass};
use crate::{Date, InvalidInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Actif,
    Inactif,
    Loge,
    SortiTerritoire,
    Decede,
}

impl Status {
    pub const ALL: [Status; 5] = [Self::Actif, Self::Inactif, Self::Loge, Self::SortiTerritoire, Self::Decede];

    pub fn code(self) -> &'static str {
        match self {
            Self::Actif => "actif",
            Self::Inactif => "inactif",
            Self::Loge => "loge",
            Self::SortiTerritoire => "sorti-territoire",
            Self::Decede => "decede",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Actif => "Actif",
            Self::Inactif => "Inactif",
            Self::Loge => "Logé",
            Self::SortiTerritoire => "Sorti du territoire",
            Self::Decede => "Décédé",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or_else(|| InvalidInput::new("statut", "statut inconnu"))
    }
}

/// Territory settings for status derivation [to confirm per territory, hence configuration].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRules {
    /// A household with no contact for more than this many days is `inactif` (Built for Zero: 90).
    pub inactivity_days: i64,
}

impl Default for StatusRules {
    fn default() -> Self {
        Self { inactivity_days: 90 }
    }
}

/// The household's status on `day`, or `None` when nothing was known of it yet.
///
/// Order of precedence: death; departure from the territory (unless the household was seen
/// again afterwards); a housing period covering the day; otherwise active or inactive by the
/// time since the last contact (exactly `inactivity_days` days is still active).
pub fn status_on(pathway: &Pathway, day: Date, rules: StatusRules) -> Option<Status> {
    let last_contact = pathway.last_contact_on_or_before(day);
    let died = pathway.last_event_on_or_before(EventKind::Deces, day);
    let left = pathway.last_event_on_or_before(EventKind::DepartTerritoire, day);
    if died.is_some() {
        return Some(Status::Decede);
    }
    if let Some(left) = left {
        if last_contact.is_none_or(|c| c <= left) {
            return Some(Status::SortiTerritoire);
        }
    }
    let last_contact = last_contact?;
    if period_at(&pathway.periods, day).is_some_and(|p| p.situation.class() == SituationClass::Loge) {
        return Some(Status::Loge);
    }
    if (day - last_contact).whole_days() > rules.inactivity_days {
        Some(Status::Inactif)
    } else {
        Some(Status::Actif)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pathway::Event;
    use crate::situation::{Period, Situation};
    use proptest::prelude::*;
    use time::macros::date;
    use time::Duration;

    const RULES: StatusRules = StatusRules { inactivity_days: 90 };

    fn period(s: Situation, start: Date, end: Option<Date>) -> Period {
        Period::new(s, start, end).unwrap()
    }

    fn ev(kind: EventKind, date: Date) -> Event {
        Event { kind, date }
    }

    #[test]
    fn unknown_before_first_fact() {
        let p = Pathway { periods: vec![period(Situation::Rue, date!(2025 - 05 - 01), None)], events: vec![] };
        assert_eq!(status_on(&p, date!(2025 - 04 - 30), RULES), None);
        assert_eq!(status_on(&p, date!(2025 - 05 - 01), RULES), Some(Status::Actif));
    }

    #[test]
    fn inactivity_boundary_is_inclusive_of_the_threshold() {
        let seen = date!(2025 - 01 - 01);
        let p = Pathway { periods: vec![], events: vec![ev(EventKind::Observation, seen)] };
        assert_eq!(status_on(&p, seen + Duration::days(90), RULES), Some(Status::Actif));
        assert_eq!(status_on(&p, seen + Duration::days(91), RULES), Some(Status::Inactif));
        let custom = StatusRules { inactivity_days: 30 };
        assert_eq!(status_on(&p, seen + Duration::days(31), custom), Some(Status::Inactif));
    }

    #[test]
    fn open_homeless_period_alone_goes_inactive() {
        // An open street period is not contact: without news, the household becomes inactive.
        let p = Pathway { periods: vec![period(Situation::Rue, date!(2025 - 01 - 01), None)], events: vec![] };
        assert_eq!(status_on(&p, date!(2025 - 06 - 01), RULES), Some(Status::Inactif));
    }

    #[test]
    fn same_day_housing_wins_over_same_day_contact() {
        let d = date!(2025 - 03 - 01);
        let p = Pathway {
            periods: vec![
                period(Situation::Rue, date!(2025 - 01 - 01), Some(d)),
                period(Situation::LogementOrdinaire, d, None),
            ],
            events: vec![ev(EventKind::Contact, d)],
        };
        assert_eq!(status_on(&p, d.previous_day().unwrap(), RULES), Some(Status::Actif));
        assert_eq!(status_on(&p, d, RULES), Some(Status::Loge));
        // housed stays housed whatever the silence
        assert_eq!(status_on(&p, date!(2027 - 01 - 01), RULES), Some(Status::Loge));
    }

    #[test]
    fn re_entry_after_housing() {
        let housed = date!(2025 - 03 - 01);
        let back = date!(2025 - 09 - 01);
        let p = Pathway {
            periods: vec![
                period(Situation::HebergementUrgence, date!(2025 - 01 - 01), Some(housed)),
                period(Situation::LogementAccompagne, housed, Some(back)),
                period(Situation::Rue, back, None),
            ],
            events: vec![],
        };
        assert_eq!(status_on(&p, date!(2025 - 08 - 31), RULES), Some(Status::Loge));
        assert_eq!(status_on(&p, back, RULES), Some(Status::Actif));
    }

    #[test]
    fn housing_period_ending_without_news_falls_back_to_contacts() {
        let p = Pathway {
            periods: vec![period(Situation::LogementOrdinaire, date!(2025 - 01 - 01), Some(date!(2025 - 02 - 01)))],
            events: vec![],
        };
        assert_eq!(status_on(&p, date!(2025 - 02 - 01), RULES), Some(Status::Actif));
        assert_eq!(status_on(&p, date!(2025 - 05 - 01), RULES), Some(Status::Inactif));
    }

    #[test]
    fn death_is_final_and_departure_is_undone_by_a_later_contact() {
        let left = date!(2025 - 04 - 01);
        let mut p = Pathway {
            periods: vec![period(Situation::Rue, date!(2025 - 01 - 01), None)],
            events: vec![ev(EventKind::DepartTerritoire, left), ev(EventKind::Contact, left)],
        };
        assert_eq!(status_on(&p, left, RULES), Some(Status::SortiTerritoire), "same-day contact does not undo");
        p.events.push(ev(EventKind::Observation, date!(2025 - 05 - 01)));
        assert_eq!(status_on(&p, date!(2025 - 05 - 01), RULES), Some(Status::Actif));
        assert_eq!(status_on(&p, date!(2025 - 04 - 15), RULES), Some(Status::SortiTerritoire));
        p.events.push(ev(EventKind::Deces, date!(2025 - 06 - 01)));
        assert_eq!(status_on(&p, date!(2025 - 06 - 01), RULES), Some(Status::Decede));
        assert_eq!(status_on(&p, date!(2025 - 05 - 31), RULES), Some(Status::Actif));
    }

    fn arb_pathway() -> impl Strategy<Value = Pathway> {
        let base = date!(2024 - 01 - 01);
        let day = move |n: i64| base + Duration::days(n);
        let periods =
            prop::collection::vec((0usize..12, 0i64..700, prop::option::of(1i64..300)), 0..5).prop_map(move |v| {
                v.into_iter()
                    .map(|(s, start, len)| period(Situation::ALL[s], day(start), len.map(|l| day(start + l))))
                    .collect()
            });
        let events = prop::collection::vec((0usize..6, 0i64..700), 0..8)
            .prop_map(move |v| v.into_iter().map(|(k, d)| ev(EventKind::ALL[k], day(d))).collect());
        (periods, events).prop_map(|(periods, events)| Pathway { periods, events })
    }

    proptest! {
        /// Status depends only on facts dated on or before the day: adding a later fact never
        /// changes the past.
        #[test]
        fn later_facts_do_not_change_the_past(p in arb_pathway(), d in 0i64..700, extra in 0usize..6) {
            let day = date!(2024 - 01 - 01) + Duration::days(d);
            let before = status_on(&p, day, RULES);
            let mut q = p.clone();
            q.events.push(ev(EventKind::ALL[extra], day + Duration::days(1)));
            q.periods.push(period(Situation::LogementOrdinaire, day + Duration::days(1), None));
            prop_assert_eq!(before, status_on(&q, day, RULES));
        }

        /// Once dead, always dead; and a known household never becomes unknown again.
        #[test]
        fn death_is_absorbing_and_knowledge_monotone(p in arb_pathway(), d in 0i64..700, later in 0i64..400) {
            let day = date!(2024 - 01 - 01) + Duration::days(d);
            let after = day + Duration::days(later);
            let now = status_on(&p, day, RULES);
            if now == Some(Status::Decede) {
                prop_assert_eq!(status_on(&p, after, RULES), Some(Status::Decede));
            }
            if now.is_some() {
                prop_assert!(status_on(&p, after, RULES).is_some());
            }
        }

        /// A household with a contact within the threshold and no housing, death or departure
        /// is active.
        #[test]
        fn recent_contact_without_housing_is_active(gap in 0i64..=90, start in 0i64..500) {
            let seen = date!(2024 - 01 - 01) + Duration::days(start);
            let p = Pathway { periods: vec![period(Situation::Rue, seen, None)], events: vec![ev(EventKind::Contact, seen)] };
            prop_assert_eq!(status_on(&p, seen + Duration::days(gap), RULES), Some(Status::Actif));
            prop_assert_eq!(status_on(&p, seen + Duration::days(91 + gap), RULES), Some(Status::Inactif));
        }
    }
}
