//! The sensitive compartment (DOMAIN.md §5): needs recorded as yes/no flags, never diagnoses,
//! and sensitive notes. Stored encrypted; visible only to the roles the policy allows.

use crate::InvalidInput;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Need {
    Sante,
    SanteMentale,
    Addiction,
    Handicap,
    ViolencesConjugales,
}

impl Need {
    pub const ALL: [Need; 5] =
        [Self::Sante, Self::SanteMentale, Self::Addiction, Self::Handicap, Self::ViolencesConjugales];

    pub fn code(self) -> &'static str {
        match self {
            Self::Sante => "sante",
            Self::SanteMentale => "sante-mentale",
            Self::Addiction => "addiction",
            Self::Handicap => "handicap",
            Self::ViolencesConjugales => "violences-conjugales",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Sante => "Besoin d'accompagnement en santé",
            Self::SanteMentale => "Besoin d'accompagnement en santé mentale",
            Self::Addiction => "Besoin d'accompagnement en addictologie",
            Self::Handicap => "Situation de handicap (adaptation nécessaire)",
            Self::ViolencesConjugales => "Violences conjugales ou intrafamiliales (mise en sécurité)",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|n| n.code() == code).ok_or_else(|| InvalidInput::new("besoin", "besoin inconnu"))
    }
}

/// The set of needs flagged for a household.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs(Vec<Need>);

impl Needs {
    pub fn new(mut needs: Vec<Need>) -> Self {
        needs.sort();
        needs.dedup();
        Self(needs)
    }

    pub fn has(&self, n: Need) -> bool {
        self.0.contains(&n)
    }

    pub fn iter(&self) -> impl Iterator<Item = Need> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The plaintext that gets encrypted: comma-separated codes.
    pub fn encode(&self) -> String {
        self.0.iter().map(|n| n.code()).collect::<Vec<_>>().join(",")
    }

    pub fn decode(s: &str) -> Result<Self, InvalidInput> {
        Ok(Self::new(s.split(',').filter(|c| !c.is_empty()).map(Need::parse).collect::<Result<_, _>>()?))
    }
}

/// Validates a sensitive note's text.
pub fn check_note(text: &str) -> Result<String, InvalidInput> {
    let t = text.trim();
    if t.is_empty() {
        return Err(InvalidInput::new("note", "obligatoire"));
    }
    if t.chars().count() > 4000 {
        return Err(InvalidInput::new("note", "4 000 caractères au plus"));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_round_trip_sorted_and_deduplicated() {
        let n = Needs::new(vec![Need::Addiction, Need::Sante, Need::Addiction]);
        assert_eq!(n.encode(), "sante,addiction");
        assert_eq!(Needs::decode(&n.encode()).unwrap(), n);
        assert_eq!(Needs::decode("").unwrap(), Needs::default());
        assert!(Needs::decode("sante,diagnostic").is_err());
    }
}
