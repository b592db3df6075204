//! Population segments: the sub-populations every monthly indicator is broken down by.

use std::cmp::Ordering;
use std::fmt;

use super::month::Month;
use crate::household::{HouseholdType, Sex};
use crate::situation::{Situation, SituationClass};
use crate::{InvalidInput, OrgId};

/// Age band of the reference person at the end of the month, from the birth month only
/// ([`Month::age_of`]). Under 18 is kept apart so that unaccompanied minors are not counted as
/// young adults; a birth month after the month counts as unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeBand {
    Moins18,
    De18a24,
    De25a49,
    Plus50,
    Inconnu,
}

impl AgeBand {
    pub const ALL: [AgeBand; 5] = [Self::Moins18, Self::De18a24, Self::De25a49, Self::Plus50, Self::Inconnu];

    pub fn at_end_of(birth: Option<Month>, month: Month) -> Self {
        match birth.map(|b| month.age_of(b)) {
            None => Self::Inconnu,
            Some(a) if a < 0 => Self::Inconnu,
            Some(0..=17) => Self::Moins18,
            Some(18..=24) => Self::De18a24,
            Some(25..=49) => Self::De25a49,
            Some(_) => Self::Plus50,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Moins18 => "moins-18",
            Self::De18a24 => "18-24",
            Self::De25a49 => "25-49",
            Self::Plus50 => "50-plus",
            Self::Inconnu => "inconnu",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Moins18 => "Moins de 18 ans",
            Self::De18a24 => "18 à 24 ans",
            Self::De25a49 => "25 à 49 ans",
            Self::Plus50 => "50 ans et plus",
            Self::Inconnu => "Âge inconnu",
        }
    }
}

/// Where the household was on the last day of the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SituationGroup {
    /// Street, makeshift shelter, squat ([`Situation::is_street`]).
    Rue,
    /// The other homeless situations: hotel (115), emergency or insertion shelter, hosted by
    /// third parties.
    Hebergement,
    /// Anything else: institution, unknown, or no situation period covering the day.
    Autre,
}

impl SituationGroup {
    pub const ALL: [SituationGroup; 3] = [Self::Rue, Self::Hebergement, Self::Autre];

    pub fn of(situation: Option<Situation>) -> Self {
        match situation {
            Some(s) if s.is_street() => Self::Rue,
            Some(s) if s.class() == SituationClass::SansLogement => Self::Hebergement,
            _ => Self::Autre,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Rue => "rue",
            Self::Hebergement => "hebergement",
            Self::Autre => "autre",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rue => "Rue, abri de fortune, squat",
            Self::Hebergement => "Hôtel, hébergement, hébergé·e chez des tiers",
            Self::Autre => "Autre situation ou situation inconnue",
        }
    }
}

/// Long-term homelessness threshold: days in homeless situations over the 36 months ending with
/// the month (the month included).
pub const LONG_TERM_DAYS: u32 = 365;
/// The window of the long-term criterion, in months.
pub const LONG_TERM_WINDOW_MONTHS: i32 = 36;

const SEXES: [Sex; 3] = [Sex::Femme, Sex::Homme, Sex::NonRenseigne];

/// A sub-population. Every dimension except [`Dimension::Suivi`] is a partition: each household
/// is in exactly one of its segments, so the segments' cells add up to [`Segment::Tous`].
/// A household followed by several organisations counts once for each of them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Tous,
    TypeMenage(HouseholdType),
    Age(AgeBand),
    Situation(SituationGroup),
    /// At least [`LONG_TERM_DAYS`] days in homeless situations (class `SansLogement`) over the
    /// [`LONG_TERM_WINDOW_MONTHS`] months ending with the month.
    LongueDuree(bool),
    SexeReference(Sex),
    /// The household's commune (`None`: not recorded).
    Commune(Option<String>),
    /// An organisation following the household on the day.
    Suivi(OrgId),
    /// No organisation follows the household on the day.
    SansSuivi,
}

/// The families of segments, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Tous,
    TypeMenage,
    Age,
    Situation,
    Duree,
    Sexe,
    Commune,
    Suivi,
}

impl Dimension {
    pub fn code(self) -> &'static str {
        match self {
            Self::Tous => "tous",
            Self::TypeMenage => "type",
            Self::Age => "age",
            Self::Situation => "situation",
            Self::Duree => "duree",
            Self::Sexe => "sexe",
            Self::Commune => "commune",
            Self::Suivi => "suivi",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Tous => "Ensemble",
            Self::TypeMenage => "Type de ménage",
            Self::Age => "Âge de la personne de référence",
            Self::Situation => "Situation en fin de mois",
            Self::Duree => "Durée sans logement",
            Self::Sexe => "Sexe de la personne de référence",
            Self::Commune => "Commune",
            Self::Suivi => "Organisation qui suit le ménage",
        }
    }

    /// Whether each household falls in exactly one segment of the dimension.
    pub fn is_partition(self) -> bool {
        self != Self::Suivi
    }
}

impl Segment {
    /// The segments that exist whatever the data, in display order.
    pub fn fixed() -> impl Iterator<Item = Segment> {
        std::iter::once(Self::Tous)
            .chain(HouseholdType::ALL.into_iter().map(Self::TypeMenage))
            .chain(AgeBand::ALL.into_iter().map(Self::Age))
            .chain(SituationGroup::ALL.into_iter().map(Self::Situation))
            .chain([true, false].into_iter().map(Self::LongueDuree))
            .chain(SEXES.into_iter().map(Self::SexeReference))
            .chain(std::iter::once(Self::SansSuivi))
    }

    pub fn dimension(&self) -> Dimension {
        match self {
            Self::Tous => Dimension::Tous,
            Self::TypeMenage(_) => Dimension::TypeMenage,
            Self::Age(_) => Dimension::Age,
            Self::Situation(_) => Dimension::Situation,
            Self::LongueDuree(_) => Dimension::Duree,
            Self::SexeReference(_) => Dimension::Sexe,
            Self::Commune(_) => Dimension::Commune,
            Self::Suivi(_) | Self::SansSuivi => Dimension::Suivi,
        }
    }

    /// A stable code, `dimension:value` (or `tous`), for URLs, exports and the API.
    pub fn code(&self) -> String {
        let value = match self {
            Self::Tous => return "tous".into(),
            Self::TypeMenage(t) => t.code().to_string(),
            Self::Age(a) => a.code().to_string(),
            Self::Situation(s) => s.code().to_string(),
            Self::LongueDuree(long) => if *long { "longue" } else { "courte" }.to_string(),
            Self::SexeReference(s) => s.code().to_string(),
            Self::Commune(None) => "?".into(),
            Self::Commune(Some(c)) => format!("={c}"),
            Self::Suivi(org) => org.to_string(),
            Self::SansSuivi => "aucun".into(),
        };
        format!("{}:{value}", self.dimension().code())
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        let bad = || InvalidInput::new("segment", "segment inconnu");
        if code == "tous" {
            return Ok(Self::Tous);
        }
        let (dim, value) = code.split_once(':').ok_or_else(bad)?;
        let found = match dim {
            "type" => HouseholdType::parse(value).ok().map(Self::TypeMenage),
            "age" => AgeBand::ALL.into_iter().find(|a| a.code() == value).map(Self::Age),
            "situation" => SituationGroup::ALL.into_iter().find(|s| s.code() == value).map(Self::Situation),
            "duree" => ["longue", "courte"].iter().position(|v| *v == value).map(|i| Self::LongueDuree(i == 0)),
            "sexe" => SEXES.into_iter().find(|s| s.code() == value).map(Self::SexeReference),
            "commune" if value == "?" => Some(Self::Commune(None)),
            "commune" => value.strip_prefix('=').map(|c| Self::Commune(Some(c.to_string()))),
            "suivi" if value == "aucun" => Some(Self::SansSuivi),
            "suivi" => value.parse().ok().map(|id| Self::Suivi(OrgId(id))),
            _ => None,
        };
        found.ok_or_else(bad)
    }

    /// A French label for tables and charts (organisations by number: names live elsewhere).
    pub fn label(&self) -> String {
        match self {
            Self::Tous => "Tous les ménages".into(),
            Self::TypeMenage(t) => t.label().into(),
            Self::Age(a) => a.label().into(),
            Self::Situation(s) => s.label().into(),
            Self::LongueDuree(true) => "Sans logement depuis longtemps (365 jours ou plus sur 3 ans)".into(),
            Self::LongueDuree(false) => "Sans logement moins de 365 jours sur 3 ans".into(),
            Self::SexeReference(s) => format!("Personne de référence : {}", s.label().to_lowercase()),
            Self::Commune(None) => "Commune non renseignée".into(),
            Self::Commune(Some(c)) => format!("Commune : {c}"),
            Self::Suivi(org) => format!("Suivi par l'organisation n° {org}"),
            Self::SansSuivi => "Suivi par aucune organisation".into(),
        }
    }

    /// Display order: by dimension, then by the order of each dimension's values (communes by
    /// name, organisations by number).
    fn sort_key(&self) -> (Dimension, u32, Option<&str>, i64) {
        match self {
            Self::Tous => (Dimension::Tous, 0, None, 0),
            Self::TypeMenage(t) => (Dimension::TypeMenage, *t as u32, None, 0),
            Self::Age(a) => (Dimension::Age, *a as u32, None, 0),
            Self::Situation(s) => (Dimension::Situation, *s as u32, None, 0),
            Self::LongueDuree(long) => (Dimension::Duree, u32::from(!long), None, 0),
            Self::SexeReference(s) => (Dimension::Sexe, SEXES.iter().position(|x| x == s).unwrap_or(0) as u32, None, 0),
            Self::Commune(c) => (Dimension::Commune, u32::from(c.is_none()), c.as_deref(), 0),
            Self::Suivi(org) => (Dimension::Suivi, 0, None, org.0),
            Self::SansSuivi => (Dimension::Suivi, 1, None, 0),
        }
    }
}

impl Ord for Segment {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Segment {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl serde::Serialize for Segment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Segment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_order_is_stable() {
        let mut all: Vec<Segment> = Segment::fixed().collect();
        all.extend([
            Segment::Commune(None),
            Segment::Commune(Some("Saint-Denis".into())),
            Segment::Commune(Some("a:b".into())),
            Segment::Suivi(OrgId(7)),
        ]);
        for s in &all {
            assert_eq!(Segment::parse(&s.code()).as_ref(), Ok(s), "{}", s.code());
            assert!(!s.label().is_empty());
        }
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(sorted[0], Segment::Tous);
        assert_eq!(sorted.last(), Some(&Segment::SansSuivi));
        assert!(Segment::parse("age:12").is_err());
        assert!(Segment::parse("commune:Paris").is_err());
    }

    #[test]
    fn age_bands_from_birth_month() {
        let m = |s| Month::parse(s).unwrap();
        assert_eq!(AgeBand::at_end_of(None, m("2025-01")), AgeBand::Inconnu);
        assert_eq!(AgeBand::at_end_of(Some(m("2007-02")), m("2025-01")), AgeBand::Moins18);
        assert_eq!(AgeBand::at_end_of(Some(m("2007-01")), m("2025-01")), AgeBand::De18a24);
        assert_eq!(AgeBand::at_end_of(Some(m("2000-02")), m("2025-01")), AgeBand::De18a24);
        assert_eq!(AgeBand::at_end_of(Some(m("2000-01")), m("2025-01")), AgeBand::De25a49);
        assert_eq!(AgeBand::at_end_of(Some(m("1975-01")), m("2025-01")), AgeBand::Plus50);
        assert_eq!(AgeBand::at_end_of(Some(m("2025-02")), m("2025-01")), AgeBand::Inconnu);
    }

    #[test]
    fn situation_groups() {
        assert_eq!(SituationGroup::of(Some(Situation::Squat)), SituationGroup::Rue);
        assert_eq!(SituationGroup::of(Some(Situation::Hotel115)), SituationGroup::Hebergement);
        assert_eq!(SituationGroup::of(Some(Situation::HebergeChezTiers)), SituationGroup::Hebergement);
        assert_eq!(SituationGroup::of(Some(Situation::Institution)), SituationGroup::Autre);
        assert_eq!(SituationGroup::of(Some(Situation::LogementOrdinaire)), SituationGroup::Autre);
        assert_eq!(SituationGroup::of(None), SituationGroup::Autre);
    }
}
