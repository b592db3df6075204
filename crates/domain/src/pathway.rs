//! A household's pathway: its situation periods and dated events, the raw material from which
//! every status and indicator is derived.

use crate::situation::Period;
use crate::{Date, InvalidInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A contact with the household (appointment, phone call, visit).
    Contact,
    /// The household was seen (e.g. by a street team) without a real exchange.
    Observation,
    /// A change of housing situation was recorded (also evidence of contact).
    ChangementSituation,
    /// A member joined or left the household.
    ChangementComposition,
    Deces,
    DepartTerritoire,
}

impl EventKind {
    pub const ALL: [EventKind; 6] = [
        Self::Contact,
        Self::Observation,
        Self::ChangementSituation,
        Self::ChangementComposition,
        Self::Deces,
        Self::DepartTerritoire,
    ];

    /// The kinds a user records by hand through the contact form.
    pub const RECORDABLE: [EventKind; 4] = [Self::Contact, Self::Observation, Self::Deces, Self::DepartTerritoire];

    pub fn code(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Observation => "observation",
            Self::ChangementSituation => "situation",
            Self::ChangementComposition => "composition",
            Self::Deces => "deces",
            Self::DepartTerritoire => "depart-territoire",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Contact => "Contact",
            Self::Observation => "Observation (maraude, signalement)",
            Self::ChangementSituation => "Changement de situation",
            Self::ChangementComposition => "Changement de composition",
            Self::Deces => "Décès",
            Self::DepartTerritoire => "Départ du territoire",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| InvalidInput::new("type d'événement", "type inconnu"))
    }

    /// Whether the event shows the household was in touch with a partner on that day.
    pub fn is_contact_evidence(self) -> bool {
        !matches!(self, Self::Deces | Self::DepartTerritoire)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub date: Date,
}

/// Everything dated about one household, in no particular order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pathway {
    pub periods: Vec<Period>,
    pub events: Vec<Event>,
}

impl Pathway {
    /// The last day on or before `day` with evidence that the household was in touch:
    /// a contact-like event or the start of a situation period.
    pub fn last_contact_on_or_before(&self, day: Date) -> Option<Date> {
        let from_events = self.events.iter().filter(|e| e.kind.is_contact_evidence()).map(|e| e.date);
        let from_periods = self.periods.iter().map(|p| p.start);
        from_events.chain(from_periods).filter(|d| *d <= day).max()
    }

    /// The latest event of `kind` on or before `day`.
    pub fn last_event_on_or_before(&self, kind: EventKind, day: Date) -> Option<Date> {
        self.events.iter().filter(|e| e.kind == kind && e.date <= day).map(|e| e.date).max()
    }
}
