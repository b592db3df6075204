//! The referral (*fiche de saisine*) and the commission's decision on it.

use super::{coded_enum, illegal};
use crate::InvalidInput;

coded_enum! {
    /// Where a referral stands. `Accordee`, `Refusee`, `Reorientee` and `Retiree` are final;
    /// `Ajournee` comes back to a later session.
    ReferralState, "état de la saisine" {
        Brouillon => "brouillon", "Brouillon";
        Soumise => "soumise", "Soumise, à vérifier";
        ComplementsDemandes => "complements", "Compléments demandés";
        Complete => "complete", "Complète, à inscrire";
        Inscrite => "inscrite", "Inscrite à une séance";
        Ajournee => "ajournee", "Ajournée";
        Accordee => "accordee", "Accordée";
        Refusee => "refusee", "Refusée";
        Reorientee => "reorientee", "Réorientée";
        Retiree => "retiree", "Retirée";
    }
}

coded_enum! {
    /// The commission's decision on a referral reviewed in session.
    Outcome, "décision" {
        Accorde => "accorde", "Accordé";
        Ajourne => "ajourne", "Ajourné";
        Refuse => "refuse", "Refusé";
        Reoriente => "reoriente", "Réorienté";
    }
}

coded_enum! {
    /// The domains in which the référent describes the household's needs.
    Need, "besoin" {
        Logement => "logement", "Logement";
        Budget => "budget", "Budget";
        Administratif => "administratif", "Administratif";
        Sante => "sante", "Santé";
        Emploi => "emploi", "Emploi, formation";
        Parentalite => "parentalite", "Parentalité";
        Isolement => "isolement", "Isolement";
    }
}

/// What happens to a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferralEvent {
    /// The référent submits a draft, or sends the complements asked.
    Soumettre,
    /// The manager finds the referral incomplete and writes back.
    DemanderComplements,
    /// The manager finds it complete.
    DeclarerComplete,
    /// The manager puts it on a session's agenda.
    Inscrire,
    /// Taken off an agenda before the session decides.
    Desinscrire,
    /// The commission decides, in session.
    Decider(Outcome),
    /// The référent withdraws it (household housed meanwhile, changed its mind…).
    Retirer,
}

impl ReferralEvent {
    pub fn label(self) -> &'static str {
        match self {
            Self::Soumettre => "soumettre",
            Self::DemanderComplements => "demander des compléments",
            Self::DeclarerComplete => "déclarer complète",
            Self::Inscrire => "inscrire à une séance",
            Self::Desinscrire => "retirer de l'ordre du jour",
            Self::Decider(_) => "décider",
            Self::Retirer => "retirer la saisine",
        }
    }
}

impl ReferralState {
    pub fn is_final(self) -> bool {
        matches!(self, Self::Accordee | Self::Refusee | Self::Reorientee | Self::Retiree)
    }

    /// Still waiting for the manager or the commission (the inbox and the reminders).
    pub fn is_pending(self) -> bool {
        matches!(self, Self::Soumise | Self::Complete | Self::Inscrite | Self::Ajournee)
    }

    /// The référent may still edit its content.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Brouillon | Self::ComplementsDemandes)
    }

    /// The one transition function of referrals.
    pub fn next(self, event: ReferralEvent) -> Result<Self, InvalidInput> {
        use ReferralEvent as E;
        use ReferralState as S;
        let to = match (self, event) {
            (S::Brouillon | S::ComplementsDemandes, E::Soumettre) => S::Soumise,
            (S::Soumise | S::Ajournee, E::DemanderComplements) => S::ComplementsDemandes,
            (S::Soumise, E::DeclarerComplete) => S::Complete,
            (S::Complete | S::Ajournee, E::Inscrire) => S::Inscrite,
            (S::Inscrite, E::Desinscrire) => S::Complete,
            (S::Inscrite, E::Decider(o)) => match o {
                Outcome::Accorde => S::Accordee,
                Outcome::Ajourne => S::Ajournee,
                Outcome::Refuse => S::Refusee,
                Outcome::Reoriente => S::Reorientee,
            },
            (S::Brouillon | S::Soumise | S::ComplementsDemandes | S::Complete | S::Ajournee, E::Retirer) => S::Retiree,
            _ => return Err(illegal(self.label(), event.label())),
        };
        Ok(to)
    }
}

/// A decision's content: what each outcome requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionInput {
    pub outcome: Outcome,
    /// Accordé: the measure granted (catalogue code).
    pub measure: Option<String>,
    /// Refusé: the reason; Ajourné: what is missing; optional otherwise.
    pub reason: String,
    /// Réorienté: the scheme the household is sent to.
    pub redirected_to: String,
}

impl DecisionInput {
    /// Checks that the outcome carries what it needs.
    pub fn validate(&self) -> Result<(), InvalidInput> {
        let long = |s: &str| s.chars().count() > 2000;
        if long(&self.reason) || long(&self.redirected_to) {
            return Err(InvalidInput::new("décision", "2 000 caractères au plus"));
        }
        match self.outcome {
            Outcome::Accorde if self.measure.as_deref().is_none_or(str::is_empty) => {
                Err(InvalidInput::new("mesure", "une décision d'accord nomme la mesure accordée"))
            }
            Outcome::Refuse if self.reason.trim().is_empty() => Err(InvalidInput::new("motif", "un refus est motivé")),
            Outcome::Ajourne if self.reason.trim().is_empty() => {
                Err(InvalidInput::new("motif", "un ajournement dit ce qui manque"))
            }
            Outcome::Reoriente if self.redirected_to.trim().is_empty() => {
                Err(InvalidInput::new("réorientation", "nommer le dispositif vers lequel le ménage est réorienté"))
            }
            _ => Ok(()),
        }
    }
}

/// The referral's content as the référent fills it in. Only the fields the commission needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferralContent {
    pub needs: Vec<Need>,
    /// Free description of the needs, by the référent.
    pub needs_detail: String,
    pub wishes: String,
    /// Catalogue code of the measure asked.
    pub measure_asked: Option<String>,
    pub motivation: String,
    pub previous_measures: String,
    /// The day the household was given the information notice for this referral.
    pub notice_given_on: Option<crate::Date>,
}

impl ReferralContent {
    /// What is still missing before submission (empty when it may be submitted).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.needs.is_empty() {
            m.push("au moins un domaine de besoin");
        }
        if self.measure_asked.is_none() {
            m.push("la mesure demandée");
        }
        if self.motivation.trim().is_empty() {
            m.push("la motivation de la demande");
        }
        if self.notice_given_on.is_none() {
            m.push("la date de remise de la notice d'information au ménage");
        }
        m
    }

    pub fn validate_lengths(&self) -> Result<(), InvalidInput> {
        for (field, v) in [
            ("besoins", &self.needs_detail),
            ("souhaits", &self.wishes),
            ("motivation", &self.motivation),
            ("mesures antérieures", &self.previous_measures),
        ] {
            if v.chars().count() > 4000 {
                return Err(InvalidInput::new(field, "4 000 caractères au plus"));
            }
        }
        Ok(())
    }

    /// Needs as stored: comma-separated codes.
    pub fn needs_code(&self) -> String {
        self.needs.iter().map(|n| n.code()).collect::<Vec<_>>().join(",")
    }

    pub fn parse_needs(s: &str) -> Result<Vec<Need>, InvalidInput> {
        s.split(',').filter(|c| !c.trim().is_empty()).map(Need::parse).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn events() -> Vec<ReferralEvent> {
        let mut e = vec![
            ReferralEvent::Soumettre,
            ReferralEvent::DemanderComplements,
            ReferralEvent::DeclarerComplete,
            ReferralEvent::Inscrire,
            ReferralEvent::Desinscrire,
            ReferralEvent::Retirer,
        ];
        e.extend(Outcome::ALL.iter().map(|o| ReferralEvent::Decider(*o)));
        e
    }

    #[test]
    fn the_usual_path() {
        let s = ReferralState::Brouillon;
        let s = s.next(ReferralEvent::Soumettre).unwrap();
        let s = s.next(ReferralEvent::DemanderComplements).unwrap();
        let s = s.next(ReferralEvent::Soumettre).unwrap();
        let s = s.next(ReferralEvent::DeclarerComplete).unwrap();
        let s = s.next(ReferralEvent::Inscrire).unwrap();
        let s = s.next(ReferralEvent::Decider(Outcome::Ajourne)).unwrap();
        assert_eq!(s, ReferralState::Ajournee);
        let s = s.next(ReferralEvent::Inscrire).unwrap();
        assert_eq!(s.next(ReferralEvent::Decider(Outcome::Accorde)).unwrap(), ReferralState::Accordee);
    }

    #[test]
    fn a_draft_is_never_decided_nor_put_on_an_agenda() {
        assert!(ReferralState::Brouillon.next(ReferralEvent::Inscrire).is_err());
        assert!(ReferralState::Brouillon.next(ReferralEvent::Decider(Outcome::Accorde)).is_err());
        assert!(ReferralState::Soumise.next(ReferralEvent::Inscrire).is_err());
        assert!(ReferralState::Complete.next(ReferralEvent::Decider(Outcome::Refuse)).is_err());
    }

    #[test]
    fn decisions_require_their_content() {
        let d = |o, m: Option<&str>, r: &str, t: &str| DecisionInput {
            outcome: o,
            measure: m.map(str::to_owned),
            reason: r.into(),
            redirected_to: t.into(),
        };
        assert!(d(Outcome::Accorde, None, "", "").validate().is_err());
        assert!(d(Outcome::Accorde, Some("avdl"), "", "").validate().is_ok());
        assert!(d(Outcome::Refuse, None, "  ", "").validate().is_err());
        assert!(d(Outcome::Refuse, None, "hors critères", "").validate().is_ok());
        assert!(d(Outcome::Ajourne, None, "", "").validate().is_err());
        assert!(d(Outcome::Reoriente, None, "", "").validate().is_err());
        assert!(d(Outcome::Reoriente, None, "", "SIAO insertion").validate().is_ok());
    }

    proptest! {
        /// Walking random events from a draft: final states accept nothing, a decision is only
        /// ever taken on a referral inscribed on an agenda, and every accepted step is one of
        /// the transitions of the table (the only way to reach `Inscrite` is from a complete or
        /// adjourned referral).
        #[test]
        fn no_illegal_transition_is_accepted(picks in proptest::collection::vec(0usize..10, 0..40)) {
            let all = events();
            let mut s = ReferralState::Brouillon;
            for p in picks {
                let e = all[p % all.len()];
                if let Ok(to) = s.next(e) {
                    prop_assert!(!s.is_final());
                    if let ReferralEvent::Decider(_) = e { prop_assert_eq!(s, ReferralState::Inscrite); }
                    if to == ReferralState::Inscrite {
                        prop_assert!(matches!(s, ReferralState::Complete | ReferralState::Ajournee));
                    }
                    if to == ReferralState::Soumise {
                        prop_assert!(s.is_editable());
                    }
                    s = to;
                }
            }
        }
    }

    #[test]
    fn final_states_are_final() {
        for s in ReferralState::ALL.iter().filter(|s| s.is_final()) {
            for e in events() {
                assert!(s.next(e).is_err(), "{s:?} {e:?}");
            }
        }
    }
}
