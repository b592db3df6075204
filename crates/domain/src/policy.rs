//! The access policy: the one place that decides who may do what on which record.
//!
//! For household files the policy yields a [`Scope`]; the same scope answers the yes/no for one
//! household ([`Scope::admits`]) and is translated by the store into the filter of list queries,
//! so a list can never show a household that its page would refuse, nor the reverse.

use crate::user::{Actor, Role};
use crate::OrgId;

/// What one wants to do with household files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HouseholdAction {
    /// See the by-name list and open a household's file (nominative data).
    Read,
    /// Record facts on an existing household: contacts, situations, members.
    Write,
}

/// Which households an actor may act on. Ordered from narrowest to widest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// No household at all.
    Nothing,
    /// The households that this organisation follows today.
    FollowedBy(OrgId),
    /// Every household of the territory.
    Territory,
}

/// The facts about one household that the policy needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    /// Organisations following the household today (follow-up memberships in force).
    pub followers: Vec<OrgId>,
}

impl Scope {
    pub fn admits(&self, facts: &HouseholdFacts) -> bool {
        match self {
            Self::Nothing => false,
            Self::FollowedBy(org) => facts.followers.contains(org),
            Self::Territory => true,
        }
    }
}

/// The scope one role grants, acting for `org`. Roles without a need for nominative files get
/// nothing here; their own screens come with their own grants (commission sessions, landlord
/// summaries, aggregates).
fn role_scope(role: Role, org: OrgId, action: HouseholdAction) -> Scope {
    use HouseholdAction::{Read, Write};
    match (role, action) {
        (Role::CoordinateurSiao, Read | Write) => Scope::Territory,
        (Role::Referent, Read | Write) => Scope::FollowedBy(org),
        // The CCA manager reads the files its own organisation follows; the files referred to the
        // commission come with the commission's own grants.
        (Role::GestionnaireCca, Read) => Scope::FollowedBy(org),
        (Role::GestionnaireCca, Write)
        | (
            Role::MembreCommission
            | Role::CorrespondantCcapex
            | Role::ChargeCaptation
            | Role::Bailleur
            | Role::Observatoire
            | Role::Dpo
            | Role::Administrateur,
            Read | Write,
        ) => Scope::Nothing,
    }
}

/// The widest scope among the actor's roles for `action`.
pub fn household_scope(actor: &Actor, action: HouseholdAction) -> Scope {
    actor.roles.iter().map(|r| role_scope(*r, actor.org, action)).max().unwrap_or(Scope::Nothing)
}

/// Whether the actor may open or change this one household.
pub fn may_access_household(actor: &Actor, action: HouseholdAction, facts: &HouseholdFacts) -> bool {
    household_scope(actor, action).admits(facts)
}

/// Whether the actor may create a new household (it will then be followed by the actor's
/// organisation, with the actor's organisation as referent).
pub fn may_create_household(actor: &Actor) -> bool {
    actor.has(Role::Referent) || actor.has(Role::CoordinateurSiao)
}

/// Platform administration: organisations and user accounts.
pub fn may_administer(actor: &Actor) -> bool {
    actor.has(Role::Administrateur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UserId;

    fn actor(role: Role, org: i64) -> Actor {
        Actor { user: UserId(1), org: OrgId(org), roles: vec![role] }
    }

    fn followed_by(orgs: &[i64]) -> HouseholdFacts {
        HouseholdFacts { followers: orgs.iter().map(|o| OrgId(*o)).collect() }
    }

    /// Every role × action × relation, with the expected answer.
    #[test]
    fn matrix() {
        let own = followed_by(&[1]);
        let other = followed_by(&[2]);
        let nobody = followed_by(&[]);
        for role in Role::ALL {
            for action in [HouseholdAction::Read, HouseholdAction::Write] {
                let a = actor(role, 1);
                let (own_ok, other_ok) = match (role, action) {
                    (Role::CoordinateurSiao, _) => (true, true),
                    (Role::Referent, _) | (Role::GestionnaireCca, HouseholdAction::Read) => (true, false),
                    _ => (false, false),
                };
                assert_eq!(may_access_household(&a, action, &own), own_ok, "{role:?} {action:?} own");
                assert_eq!(may_access_household(&a, action, &other), other_ok, "{role:?} {action:?} other");
                assert_eq!(may_access_household(&a, action, &nobody), other_ok, "{role:?} {action:?} nobody");
            }
        }
    }

    #[test]
    fn widest_role_wins_and_no_role_gets_nothing() {
        let mut a = actor(Role::Observatoire, 1);
        assert_eq!(household_scope(&a, HouseholdAction::Read), Scope::Nothing);
        a.roles.push(Role::Referent);
        assert_eq!(household_scope(&a, HouseholdAction::Read), Scope::FollowedBy(OrgId(1)));
        a.roles.clear();
        assert_eq!(household_scope(&a, HouseholdAction::Read), Scope::Nothing);
    }

    #[test]
    fn administrators_manage_but_open_no_file() {
        let a = actor(Role::Administrateur, 1);
        assert!(may_administer(&a));
        assert!(!may_create_household(&a));
        assert_eq!(household_scope(&a, HouseholdAction::Read), Scope::Nothing);
        assert!(!may_administer(&actor(Role::CoordinateurSiao, 1)));
    }
}
