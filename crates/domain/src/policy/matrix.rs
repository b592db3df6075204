//! The exhaustive policy matrix: every role × action × tier held × relation to the household,
//! decided by [`super::decide`]. A test checks it against an independent statement of the rules,
//! and `docs/data-protection.md` embeds [`markdown`], so the document cannot drift from the code.

use super::{decide, Action, Grant, HouseholdFacts, Place, TerritoryScope, Tier};
use crate::territory::InseeCode;
use crate::user::{Actor, Role};
use crate::{Date, OrgId, UserId};

/// How the actor stands towards the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    /// A grant in force covers the household's commune.
    InScope,
    /// The actor's grant covers another commune.
    OutOfScope,
    /// The actor's organisation follows the household (grant elsewhere).
    PerCase,
    /// The actor holds a temporary grant on the household (commission session; grant elsewhere).
    Temporary,
    /// A grant covering the household's commune, but expired.
    ExpiredGrant,
}

impl Relation {
    pub const ALL: [Relation; 5] =
        [Self::InScope, Self::OutOfScope, Self::PerCase, Self::Temporary, Self::ExpiredGrant];

    pub fn label(self) -> &'static str {
        match self {
            Self::InScope => "habilitation couvrant la commune",
            Self::OutOfScope => "habilitation hors périmètre",
            Self::PerCase => "structure qui suit le ménage",
            Self::Temporary => "accès temporaire (séance)",
            Self::ExpiredGrant => "habilitation expirée",
        }
    }
}

pub const DAY: Date = time::macros::date!(2026 - 01 - 15);

fn commune(code: &str) -> InseeCode {
    InseeCode::parse(code).expect("valid test commune")
}

/// The actor and household facts standing for one cell of the matrix.
pub fn situation(role: Role, tier: Tier, relation: Relation) -> (Actor, HouseholdFacts) {
    let org = OrgId(1);
    let here = commune("69001");
    let elsewhere = commune("69002");
    let covered = match relation {
        Relation::InScope | Relation::ExpiredGrant => here.clone(),
        _ => elsewhere,
    };
    let valid_to = (relation == Relation::ExpiredGrant).then(|| DAY - time::Duration::days(1));
    let grant = Grant {
        id: 1,
        org,
        role,
        scope: TerritoryScope::Communes(vec![covered]),
        tier,
        valid_from: DAY - time::Duration::days(365),
        valid_to,
    };
    let actor = Actor { user: UserId(1), org, roles: vec![role], grants: vec![grant] };
    let facts = HouseholdFacts {
        place: Place { commune: Some(here), epci: None },
        followers: if relation == Relation::PerCase { vec![org, OrgId(2)] } else { vec![OrgId(2)] },
        referent_orgs: vec![OrgId(2)],
        temporary_users: if relation == Relation::Temporary { vec![UserId(1)] } else { vec![] },
        restricted: false,
        archived: false,
        objections: vec![],
        landlord_consent: true,
    };
    (actor, facts)
}

/// The tiers (held in the grant) for which the action is allowed, per role × action × relation.
pub fn allowed_tiers(role: Role, action: Action, relation: Relation) -> Vec<Tier> {
    Tier::ALL
        .into_iter()
        .filter(|t| {
            let (actor, facts) = situation(role, *t, relation);
            decide(&actor, action, &facts, DAY)
        })
        .collect()
}

fn cell(tiers: &[Tier]) -> String {
    match tiers {
        [] => "—".into(),
        t if t.len() == Tier::ALL.len() => "oui".into(),
        [first, ..] => format!("si habilitation ≥ {}", first.label().to_lowercase()),
    }
}

/// The matrix as a Markdown table: one row per role × action, one column per relation; a cell
/// says whether access is granted and from which tier of habilitation.
pub fn markdown() -> String {
    let mut out = String::from("| rôle | action |");
    for r in Relation::ALL {
        out.push_str(&format!(" {} |", r.label()));
    }
    out.push_str("\n|---|---|");
    out.push_str(&"---|".repeat(Relation::ALL.len()));
    out.push('\n');
    for role in Role::ALL {
        for action in Action::ALL {
            let cells: Vec<String> = Relation::ALL.iter().map(|r| cell(&allowed_tiers(role, action, *r))).collect();
            if cells.iter().all(|c| c == "—") {
                continue;
            }
            out.push_str(&format!("| {} | {} | {} |\n", role.label(), action.label(), cells.join(" | ")));
        }
    }
    out
}
