//! Support measures: the catalogue, their life (granted → started → reviews, renewals → ended)
//! and what an exit to housing means for the by-name list.

use super::{coded_enum, illegal};
use crate::situation::Situation;
use crate::{add_months, Date, InvalidInput};

/// The territory's catalogue when first installed (DOMAIN.md §3); administrators may add kinds
/// or retire some. (code, label, usual duration in months).
pub const DEFAULT_CATALOGUE: [(&str, &str, i64); 11] = [
    ("avdl", "AVDL — accompagnement vers et dans le logement", 6),
    ("asll", "ASLL (FSL) — accompagnement social lié au logement", 6),
    ("iml-sous-location", "IML sous-location", 18),
    ("iml-mandat", "IML mandat de gestion", 36),
    ("bail-glissant", "Bail glissant", 12),
    ("pension-famille", "Pension de famille / résidence accueil", 0),
    ("chez-soi-dabord", "Un chez-soi d'abord", 0),
    ("pluridisciplinaire", "Accompagnement pluridisciplinaire (social et santé mentale)", 12),
    ("pole-ressource", "Pôle ressource santé mentale et habitat", 6),
    ("logement-social-direct", "Logement social direct", 3),
    ("fsl-acces", "FSL accès", 3),
];

coded_enum! {
    MeasureState, "état de la mesure" {
        AttenteDemarrage => "attente", "Accordée, à démarrer";
        EnCours => "en-cours", "En cours";
        Terminee => "terminee", "Terminée";
    }
}

coded_enum! {
    /// Why a measure ended (DOMAIN.md §3).
    EndReason, "motif de fin" {
        Loge => "loge", "Ménage logé";
        MaintienLogement => "maintien", "Maintien dans le logement";
        PerteContact => "perte-contact", "Perte de contact";
        Refus => "refus", "Refus du ménage";
        Deces => "deces", "Décès";
        DepartTerritoire => "depart", "Départ du territoire";
    }
}

coded_enum! {
    /// The housing a household went to, for exits to housing.
    HousingType, "type de logement" {
        LogementSocial => "social", "Logement social";
        LogementPrive => "prive", "Logement privé";
        SousLocation => "iml", "Sous-location (IML) ou bail glissant";
        PensionFamille => "pension", "Pension de famille / résidence accueil";
        ResidenceSociale => "residence-sociale", "Résidence sociale, foyer";
    }
}

impl HousingType {
    /// The situation the by-name list records from the day of entry.
    pub fn situation(self) -> Situation {
        match self {
            Self::LogementSocial | Self::LogementPrive => Situation::LogementOrdinaire,
            Self::SousLocation | Self::PensionFamille | Self::ResidenceSociale => Situation::LogementAccompagne,
        }
    }
}

coded_enum! {
    /// The conclusion of a review (*bilan*).
    ReviewOutcome, "conclusion du bilan" {
        Poursuite => "poursuite", "Poursuite de la mesure";
        Renouvellement => "renouvellement", "Renouvellement demandé";
        FinProposee => "fin-proposee", "Fin de mesure proposée";
        Difficultes => "difficultes", "Difficultés, à revoir en commission";
    }
}

/// What happens to a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureEvent {
    Demarrer,
    Bilan,
    Renouveler,
    Terminer(EndReason),
}

impl MeasureEvent {
    pub fn label(self) -> &'static str {
        match self {
            Self::Demarrer => "démarrer",
            Self::Bilan => "faire un bilan",
            Self::Renouveler => "renouveler",
            Self::Terminer(_) => "terminer",
        }
    }
}

impl MeasureState {
    /// The one transition function of measures. Reviews and renewals keep a measure running;
    /// a measure may end before it started (refusal, lost contact, death…), but "kept in
    /// housing" only ends a measure that ran.
    pub fn next(self, event: MeasureEvent) -> Result<Self, InvalidInput> {
        use MeasureEvent as E;
        use MeasureState as S;
        match (self, event) {
            (S::AttenteDemarrage, E::Demarrer) => Ok(S::EnCours),
            (S::EnCours, E::Bilan | E::Renouveler) => Ok(S::EnCours),
            (S::AttenteDemarrage, E::Terminer(EndReason::MaintienLogement)) => {
                Err(illegal(self.label(), "terminer par un maintien dans le logement"))
            }
            (S::AttenteDemarrage | S::EnCours, E::Terminer(_)) => Ok(S::Terminee),
            _ => Err(illegal(self.label(), event.label())),
        }
    }
}

/// A measure's dated plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub start: Date,
    /// Planned duration in months (0: no fixed end, e.g. pension de famille).
    pub months: i64,
    pub next_review: Option<Date>,
}

impl Plan {
    pub fn validate(&self) -> Result<(), InvalidInput> {
        if !(0..=120).contains(&self.months) {
            return Err(InvalidInput::new("durée", "entre 0 et 120 mois"));
        }
        if self.next_review.is_some_and(|r| r < self.start) {
            return Err(InvalidInput::new("date de bilan", "le bilan suit le début de la mesure"));
        }
        Ok(())
    }

    /// The planned end, when the measure has a fixed duration.
    pub fn planned_end(&self) -> Option<Date> {
        (self.months > 0).then(|| add_months(self.start, self.months))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn catalogue_codes_are_unique() {
        let mut codes: Vec<_> = DEFAULT_CATALOGUE.iter().map(|c| c.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), DEFAULT_CATALOGUE.len());
    }

    #[test]
    fn months_clamp_to_the_end_of_month() {
        assert_eq!(add_months(date!(2026 - 08 - 31), 6), date!(2027 - 02 - 28));
        assert_eq!(add_months(date!(2027 - 12 - 31), 2), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 01 - 15), 12), date!(2027 - 01 - 15));
        assert_eq!(add_months(date!(2026 - 03 - 31), -1), date!(2026 - 02 - 28));
    }

    #[test]
    fn exits_to_housing_are_housed_situations() {
        for h in HousingType::ALL {
            assert_eq!(h.situation().class(), crate::situation::SituationClass::Loge);
        }
    }

    #[test]
    fn plans_are_checked() {
        let p = Plan { start: date!(2026 - 06 - 01), months: 6, next_review: Some(date!(2026 - 09 - 01)) };
        assert!(p.validate().is_ok());
        assert_eq!(p.planned_end(), Some(date!(2026 - 12 - 01)));
        assert!(Plan { months: 121, ..p }.validate().is_err());
        assert!(Plan { next_review: Some(date!(2026 - 05 - 01)), ..p }.validate().is_err());
        assert_eq!(Plan { months: 0, ..p }.planned_end(), None);
    }

    fn event(i: usize) -> MeasureEvent {
        match i % 4 {
            0 => MeasureEvent::Demarrer,
            1 => MeasureEvent::Bilan,
            2 => MeasureEvent::Renouveler,
            _ => MeasureEvent::Terminer(EndReason::ALL[i / 4 % EndReason::ALL.len()]),
        }
    }

    proptest! {
        /// A measure starts at most once, is reviewed or renewed only while running, and
        /// nothing happens after its end.
        #[test]
        fn no_illegal_measure_transition(picks in proptest::collection::vec(0usize..40, 0..30)) {
            let mut s = MeasureState::AttenteDemarrage;
            let mut starts = 0;
            for p in picks {
                let e = event(p);
                if let Ok(to) = s.next(e) {
                    prop_assert_ne!(s, MeasureState::Terminee);
                    match e {
                        MeasureEvent::Demarrer => { starts += 1; prop_assert_eq!(s, MeasureState::AttenteDemarrage); }
                        MeasureEvent::Bilan | MeasureEvent::Renouveler => prop_assert_eq!(s, MeasureState::EnCours),
                        MeasureEvent::Terminer(r) => {
                            prop_assert_eq!(to, MeasureState::Terminee);
                            if r == EndReason::MaintienLogement { prop_assert_eq!(s, MeasureState::EnCours); }
                        }
                    }
                    s = to;
                }
            }
            prop_assert!(starts <= 1);
        }

        #[test]
        fn add_months_lands_in_the_right_month(y in 2000i32..2100, m in 1u8..=12, d in 1u8..=31, n in 0i64..60) {
            let month = time::Month::try_from(m).unwrap();
            let d = Date::from_calendar_date(y, month, d.min(month.length(y))).unwrap();
            let r = add_months(d, n);
            prop_assert!(r >= d);
            let months = (r.year() - d.year()) * 12 + i32::from(r.month() as u8) - i32::from(d.month() as u8);
            prop_assert_eq!(i64::from(months), n);
        }
    }
}
