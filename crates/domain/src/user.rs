//! Users, their memberships of organisations and their roles (DOMAIN.md §1).

use crate::{InvalidInput, OrgId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Referent,
    CoordinateurSiao,
    GestionnaireCca,
    MembreCommission,
    CorrespondantCcapex,
    ChargeCaptation,
    Bailleur,
    Observatoire,
    Dpo,
    Administrateur,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Self::Referent,
        Self::CoordinateurSiao,
        Self::GestionnaireCca,
        Self::MembreCommission,
        Self::CorrespondantCcapex,
        Self::ChargeCaptation,
        Self::Bailleur,
        Self::Observatoire,
        Self::Dpo,
        Self::Administrateur,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Referent => "referent",
            Self::CoordinateurSiao => "siao",
            Self::GestionnaireCca => "gestionnaire-cca",
            Self::MembreCommission => "membre-commission",
            Self::CorrespondantCcapex => "ccapex",
            Self::ChargeCaptation => "captation",
            Self::Bailleur => "bailleur",
            Self::Observatoire => "observatoire",
            Self::Dpo => "dpo",
            Self::Administrateur => "admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Referent => "Référent·e / travailleur·se social·e",
            Self::CoordinateurSiao => "Coordination SIAO",
            Self::GestionnaireCca => "Gestionnaire CCA",
            Self::MembreCommission => "Membre de commission",
            Self::CorrespondantCcapex => "Correspondant·e CCAPEX",
            Self::ChargeCaptation => "Chargé·e de captation",
            Self::Bailleur => "Bailleur",
            Self::Observatoire => "Observatoire / analyste",
            Self::Dpo => "Délégué·e à la protection des données",
            Self::Administrateur => "Administration de la plateforme",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|r| r.code() == code).ok_or_else(|| {
            InvalidInput::new("rôle", format!("valeurs possibles : {}", Self::ALL.map(Self::code).join(", ")))
        })
    }
}

/// A validated e-mail address, lower-cased (used as login).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, InvalidInput> {
        let s = s.trim().to_lowercase();
        let valid = s.len() <= 254
            && s.split_once('@').is_some_and(|(local, host)| {
                !local.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
            })
            && !s.chars().any(char::is_whitespace);
        if valid {
            Ok(Self(s))
        } else {
            Err(InvalidInput::new("email", "adresse électronique invalide"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who acts: one user, acting for one organisation with the roles held there, and that
/// organisation's habilitations. Every use case takes an `Actor`; the policy decides from it
/// and the record's facts alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub org: OrgId,
    pub roles: Vec<Role>,
    pub grants: Vec<crate::policy::Grant>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Ok(r));
        }
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" A.B@Exemple.fr ").unwrap().as_str(), "a.b@exemple.fr");
        for bad in ["", "a@b", "@b.fr", "a b@c.fr", "a@.fr"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
