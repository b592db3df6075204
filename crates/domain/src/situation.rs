//! Housing situations (an ETHOS-like scale, DOMAIN.md §2) and their dated periods.

use crate::{Date, InvalidInput};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Situation {
    Rue,
    AbriDeFortune,
    Squat,
    Hotel115,
    HebergementUrgence,
    HebergementInsertion,
    HebergeChezTiers,
    LogementAccompagne,
    LogementOrdinaire,
    LogementMenace,
    Institution,
    Inconnu,
}

/// How a situation counts on the by-name list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SituationClass {
    /// Without a home of one's own: on the by-name list.
    SansLogement,
    /// Housed (own lease, supported or adapted housing, even under threat of eviction).
    Loge,
    /// Neither (institution, unknown): the household stays on the list while contacts go on.
    Indetermine,
}

impl Situation {
    pub const ALL: [Situation; 12] = [
        Self::Rue,
        Self::AbriDeFortune,
        Self::Squat,
        Self::Hotel115,
        Self::HebergementUrgence,
        Self::HebergementInsertion,
        Self::HebergeChezTiers,
        Self::LogementAccompagne,
        Self::LogementOrdinaire,
        Self::LogementMenace,
        Self::Institution,
        Self::Inconnu,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Rue => "rue",
            Self::AbriDeFortune => "abri-fortune",
            Self::Squat => "squat",
            Self::Hotel115 => "hotel-115",
            Self::HebergementUrgence => "chu",
            Self::HebergementInsertion => "chrs",
            Self::HebergeChezTiers => "tiers",
            Self::LogementAccompagne => "logement-accompagne",
            Self::LogementOrdinaire => "logement-ordinaire",
            Self::LogementMenace => "logement-menace",
            Self::Institution => "institution",
            Self::Inconnu => "inconnu",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rue => "Rue",
            Self::AbriDeFortune => "Abri de fortune",
            Self::Squat => "Squat / bidonville",
            Self::Hotel115 => "Hôtel (115)",
            Self::HebergementUrgence => "Hébergement d'urgence (CHU)",
            Self::HebergementInsertion => "Hébergement d'insertion (CHRS)",
            Self::HebergeChezTiers => "Hébergé·e chez des tiers",
            Self::LogementAccompagne => "Logement accompagné / adapté",
            Self::LogementOrdinaire => "Logement ordinaire",
            Self::LogementMenace => "Logement menacé (expulsion en cours)",
            Self::Institution => "Institution (hôpital, prison)",
            Self::Inconnu => "Inconnue",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| InvalidInput::new("situation", "situation inconnue"))
    }

    /// Classification for the by-name list. Being hosted by third parties counts as without
    /// housing, as in the *démarche Synchro* lists [to confirm with the territory].
    pub fn class(self) -> SituationClass {
        match self {
            Self::Rue
            | Self::AbriDeFortune
            | Self::Squat
            | Self::Hotel115
            | Self::HebergementUrgence
            | Self::HebergementInsertion
            | Self::HebergeChezTiers => SituationClass::SansLogement,
            Self::LogementAccompagne | Self::LogementOrdinaire | Self::LogementMenace => SituationClass::Loge,
            Self::Institution | Self::Inconnu => SituationClass::Indetermine,
        }
    }

    /// Rough sleeping in the narrow sense (street, makeshift shelter, squat).
    pub fn is_street(self) -> bool {
        matches!(self, Self::Rue | Self::AbriDeFortune | Self::Squat)
    }
}

/// A housing situation over the half-open interval `[start, end)`; `end = None` means ongoing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub situation: Situation,
    pub start: Date,
    pub end: Option<Date>,
}

impl Period {
    pub fn new(situation: Situation, start: Date, end: Option<Date>) -> Result<Self, InvalidInput> {
        if end.is_some_and(|e| e <= start) {
            return Err(InvalidInput::new("fin", "la fin doit être postérieure au début"));
        }
        Ok(Self { situation, start, end })
    }

    pub fn covers(&self, day: Date) -> bool {
        self.start <= day && self.end.is_none_or(|e| day < e)
    }
}

/// The period covering `day`, if any. Periods may be given in any order; when two overlap
/// (data entered by two partners), the one that started last wins.
pub fn period_at(periods: &[Period], day: Date) -> Option<&Period> {
    periods.iter().filter(|p| p.covers(day)).max_by_key(|p| p.start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn half_open_periods() {
        let p = Period::new(Situation::Rue, date!(2025 - 01 - 01), Some(date!(2025 - 02 - 01))).unwrap();
        assert!(p.covers(date!(2025 - 01 - 01)));
        assert!(p.covers(date!(2025 - 01 - 31)));
        assert!(!p.covers(date!(2025 - 02 - 01)));
        assert!(!p.covers(date!(2024 - 12 - 31)));
        assert!(Period::new(Situation::Rue, date!(2025 - 01 - 01), Some(date!(2025 - 01 - 01))).is_err());
    }

    #[test]
    fn same_day_handover_picks_the_new_period() {
        let d = date!(2025 - 03 - 10);
        let ps = vec![
            Period::new(Situation::Rue, date!(2025 - 01 - 01), Some(d)).unwrap(),
            Period::new(Situation::LogementOrdinaire, d, None).unwrap(),
        ];
        assert_eq!(period_at(&ps, d).unwrap().situation, Situation::LogementOrdinaire);
        assert_eq!(period_at(&ps, d.previous_day().unwrap()).unwrap().situation, Situation::Rue);
    }

    #[test]
    fn codes_round_trip() {
        for s in Situation::ALL {
            assert_eq!(Situation::parse(s.code()), Ok(s));
        }
    }
}
