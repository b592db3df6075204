//! Commission sessions and the members' temporary access to the files on the agenda.

use super::{coded_enum, illegal};
use crate::{Date, InvalidInput};

coded_enum! {
    SessionState, "état de la séance" {
        Preparee => "preparee", "En préparation";
        OrdreDuJourPublie => "publiee", "Ordre du jour publié";
        Close => "close", "Tenue, compte rendu clos";
    }
}

impl SessionState {
    pub fn publish(self) -> Result<Self, InvalidInput> {
        match self {
            Self::Preparee => Ok(Self::OrdreDuJourPublie),
            _ => Err(illegal(self.label(), "publier l'ordre du jour")),
        }
    }

    pub fn close(self) -> Result<Self, InvalidInput> {
        match self {
            Self::OrdreDuJourPublie => Ok(Self::Close),
            _ => Err(illegal(self.label(), "clore la séance")),
        }
    }

    /// Decisions are entered during the session, once the agenda is out and before closing.
    pub fn accepts_decisions(self) -> bool {
        self == Self::OrdreDuJourPublie
    }

    /// The agenda may change until the session is closed.
    pub fn agenda_editable(self) -> bool {
        self != Self::Close
    }
}

/// The members' access to the files on the agenda: from `published_at` (an ISO timestamp) to
/// the end of the session's day plus `delay_days` on the territory's clock, as ISO timestamps
/// `[from, to)` comparable with the store's `now` strings.
pub fn access_window(published_at: &str, session_day: Date, delay_days: i64) -> (String, String) {
    let end = session_day + time::Duration::days(1 + delay_days.max(0));
    (published_at.to_owned(), crate::local_time::day_start(end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn session_life() {
        let s = SessionState::Preparee;
        assert!(!s.accepts_decisions());
        assert!(s.close().is_err());
        let s = s.publish().unwrap();
        assert!(s.accepts_decisions());
        assert!(s.publish().is_err());
        let s = s.close().unwrap();
        assert!(!s.accepts_decisions() && !s.agenda_editable());
        assert!(s.publish().is_err() && s.close().is_err());
    }

    #[test]
    fn window_ends_after_the_session_day_and_the_delay() {
        let (from, to) = access_window("2026-10-01T09:00:00Z", date!(2026 - 10 - 12), 2);
        assert_eq!(from, "2026-10-01T09:00:00Z");
        // midnight in Paris, still in summer time
        assert_eq!(to, "2026-10-14T22:00:00Z");
        assert!("2026-10-14T21:59:59Z" < to.as_str() && "2026-10-14T22:00:00Z" >= to.as_str());
        let (_, to) = access_window("2026-10-01T09:00:00Z", date!(2026 - 12 - 31), 0);
        assert_eq!(to, "2026-12-31T23:00:00Z");
    }
}
