//! Partner organisations.

use crate::{InvalidInput, OrgId};

/// The kind of partner (DOMAIN.md §1): it decides, with roles, what the members may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgKind {
    ServiceEtat,
    Metropole,
    Ccas,
    Siao,
    Association,
    GestionnaireHebergement,
    AgenceImmobiliereSociale,
    BailleurSocial,
}

impl OrgKind {
    pub const ALL: [OrgKind; 8] = [
        Self::ServiceEtat,
        Self::Metropole,
        Self::Ccas,
        Self::Siao,
        Self::Association,
        Self::GestionnaireHebergement,
        Self::AgenceImmobiliereSociale,
        Self::BailleurSocial,
    ];

    /// Stable code, stored in the database and used on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Self::ServiceEtat => "etat",
            Self::Metropole => "metropole",
            Self::Ccas => "ccas",
            Self::Siao => "siao",
            Self::Association => "association",
            Self::GestionnaireHebergement => "hebergement",
            Self::AgenceImmobiliereSociale => "ais",
            Self::BailleurSocial => "bailleur",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::ServiceEtat => "Service de l'État",
            Self::Metropole => "Métropole",
            Self::Ccas => "CCAS",
            Self::Siao => "SIAO",
            Self::Association => "Association",
            Self::GestionnaireHebergement => "Gestionnaire d'hébergement",
            Self::AgenceImmobiliereSociale => "Agence immobilière sociale",
            Self::BailleurSocial => "Bailleur social",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| InvalidInput::new("type d'organisation", format!("valeurs possibles : {}", Self::codes())))
    }

    fn codes() -> String {
        Self::ALL.map(Self::code).join(", ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub name: String,
    pub kind: OrgKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.code()), Ok(k));
        }
        assert!(OrgKind::parse("nope").is_err());
    }
}
