//! The access policy: the one place that decides who may do what on which record.
//!
//! Access = habilitations (grants: organisation × role × territory scope × data tier, valid
//! from/to), plus per-case relations (the organisations following a household; temporary grants
//! to commission members for one session's files). For household files the policy yields a
//! [`ListScope`] that answers the yes/no for one household ([`ListScope::admits`]) and that the
//! store translates into the filter of list queries, so a list can never show a household that
//! its page would refuse, nor the reverse.

use crate::territory::InseeCode;
use crate::user::{Actor, Role};
use crate::{Date, InvalidInput, OrgId, UserId};

/// Data tiers, from the least to the most revealing (DOMAIN.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Agrege,
    Pseudonymise,
    Nominatif,
    Sensible,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Self::Agrege, Self::Pseudonymise, Self::Nominatif, Self::Sensible];

    pub fn code(self) -> &'static str {
        match self {
            Self::Agrege => "agrege",
            Self::Pseudonymise => "pseudonymise",
            Self::Nominatif => "nominatif",
            Self::Sensible => "sensible",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Agrege => "Agrégé",
            Self::Pseudonymise => "Pseudonymisé",
            Self::Nominatif => "Nominatif",
            Self::Sensible => "Sensible",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL.into_iter().find(|t| t.code() == code).ok_or_else(|| InvalidInput::new("niveau", "niveau inconnu"))
    }
}

/// The territory a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TerritoryScope {
    /// The whole territory of the platform.
    Tout,
    /// A département, by its code (e.g. "69", "2A", "974").
    Departement(String),
    /// An EPCI (intercommunality), by its SIREN code.
    Epci(String),
    /// A list of communes.
    Communes(Vec<InseeCode>),
}

impl TerritoryScope {
    pub fn kind_code(&self) -> &'static str {
        match self {
            Self::Tout => "tout",
            Self::Departement(_) => "departement",
            Self::Epci(_) => "epci",
            Self::Communes(_) => "communes",
        }
    }

    /// The stored value: empty, a code, or comma-separated INSEE codes.
    pub fn value(&self) -> String {
        match self {
            Self::Tout => String::new(),
            Self::Departement(c) | Self::Epci(c) => c.clone(),
            Self::Communes(cs) => cs.iter().map(InseeCode::as_str).collect::<Vec<_>>().join(","),
        }
    }

    pub fn parse(kind: &str, value: &str) -> Result<Self, InvalidInput> {
        let value = value.trim();
        let code_ok = |c: &str| !c.is_empty() && c.len() <= 12 && c.chars().all(|ch| ch.is_ascii_alphanumeric());
        match kind {
            "tout" => Ok(Self::Tout),
            "departement" if code_ok(value) && value.len() <= 3 => Ok(Self::Departement(value.to_ascii_uppercase())),
            "epci" if code_ok(value) => Ok(Self::Epci(value.to_owned())),
            "communes" => {
                let cs = value
                    .split([',', ' ', ';'])
                    .filter(|c| !c.is_empty())
                    .map(InseeCode::parse)
                    .collect::<Result<Vec<_>, _>>()?;
                if cs.is_empty() {
                    return Err(InvalidInput::new("périmètre", "au moins une commune"));
                }
                Ok(Self::Communes(cs))
            }
            "departement" | "epci" => Err(InvalidInput::new("périmètre", "code invalide")),
            _ => Err(InvalidInput::new("périmètre", "tout, departement, epci ou communes")),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Tout => "Tout le territoire".into(),
            Self::Departement(c) => format!("Département {c}"),
            Self::Epci(c) => format!("EPCI {c}"),
            Self::Communes(cs) => {
                format!("Communes {}", cs.iter().map(InseeCode::as_str).collect::<Vec<_>>().join(", "))
            }
        }
    }

    pub fn covers(&self, place: &Place) -> bool {
        match self {
            Self::Tout => true,
            Self::Departement(d) => place.commune.as_ref().is_some_and(|c| departement_of(c) == d),
            Self::Epci(e) => place.epci.as_deref() == Some(e.as_str()),
            Self::Communes(cs) => place.commune.as_ref().is_some_and(|c| cs.contains(c)),
        }
    }
}

/// The département code of a commune: 3 characters overseas (97x, 98x), else 2.
pub fn departement_of(c: &InseeCode) -> &str {
    let s = c.as_str();
    if s.starts_with("97") || s.starts_with("98") {
        &s[..3]
    } else {
        &s[..2]
    }
}

/// Where a household is, as far as territorial grants are concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub commune: Option<InseeCode>,
    pub epci: Option<String>,
}

/// A habilitation: members of `org` holding `role` may use data up to `tier` on households in
/// `scope`, from `valid_from` until the day before `valid_to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: i64,
    pub org: OrgId,
    pub role: Role,
    pub scope: TerritoryScope,
    pub tier: Tier,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

impl Grant {
    pub fn in_force(&self, day: Date) -> bool {
        self.valid_from <= day && self.valid_to.is_none_or(|t| day < t)
    }
}

/// What the household agreed to share, or objected to (DOMAIN.md §5, GDPR art. 18 and 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SharingScope {
    /// Sharing beyond the organisations that follow the household (territorial grants).
    Partenaires,
    /// The tenancy summary for landlords and the social rental agency.
    Bailleurs,
    /// Pseudonymised extracts for the observatory (aggregates stay anonymous and are unaffected).
    Observatoire,
}

impl SharingScope {
    pub const ALL: [SharingScope; 3] = [Self::Partenaires, Self::Bailleurs, Self::Observatoire];

    pub fn code(self) -> &'static str {
        match self {
            Self::Partenaires => "partenaires",
            Self::Bailleurs => "bailleurs",
            Self::Observatoire => "observatoire",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Partenaires => {
                "Partage avec les partenaires du territoire (au-delà des structures qui suivent le ménage)"
            }
            Self::Bailleurs => "Fiche logement transmise aux bailleurs et à l'agence immobilière sociale",
            Self::Observatoire => "Extractions pseudonymisées pour l'observatoire",
        }
    }

    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| InvalidInput::new("périmètre de partage", "inconnu"))
    }
}

/// The facts about one household that the policy needs, as of today.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFacts {
    pub place: Place,
    /// Organisations following the household today (follow-up memberships in force).
    pub followers: Vec<OrgId>,
    /// The followers flagged as referent today (normally one).
    pub referent_orgs: Vec<OrgId>,
    /// Users holding a temporary grant on this household now (commission members of a session).
    pub temporary_users: Vec<UserId>,
    /// Processing restricted (GDPR art. 18): only the referent organisation sees the file.
    pub restricted: bool,
    /// Moved to the restricted archive by retention: no file access at all (DPO rights only).
    pub archived: bool,
    pub objections: Vec<SharingScope>,
    /// The household agreed to share the tenancy summary with landlords.
    pub landlord_consent: bool,
}

/// Everything one may ask the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See a household on the by-name list and open its file (nominative data).
    ReadFile,
    /// Record facts: contacts, situations, members, notice, sharing choices.
    WriteFile,
    /// See the sensitive compartment (needs flags and sensitive notes).
    ReadSensitive,
    WriteSensitive,
    /// The tenancy summary a landlord may see, with the household's agreement.
    ReadTenancySummary,
    /// Pseudonymised records (observatory extracts).
    ReadPseudonymised,
    /// Aggregate indicators (dashboards).
    ReadAggregates,
    /// The DPO's rights workflows: access export, rectification, restriction, objection.
    ManageRights,
    /// The access log.
    ReadAuditLog,
    /// Organisations, users and grants.
    Administer,
    /// The CCA manager's work: inbox of referrals, sessions, decisions, measures.
    ManageCca,
    /// Read and record a household's eviction procedures (CCAPEX correspondent in its territory,
    /// or whoever may write in the household's file).
    ManageEviction,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Self::ReadFile,
        Self::WriteFile,
        Self::ReadSensitive,
        Self::WriteSensitive,
        Self::ReadTenancySummary,
        Self::ReadPseudonymised,
        Self::ReadAggregates,
        Self::ManageRights,
        Self::ReadAuditLog,
        Self::Administer,
        Self::ManageCca,
        Self::ManageEviction,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::ReadFile => "Lire le dossier nominatif",
            Self::WriteFile => "Écrire dans le dossier",
            Self::ReadSensitive => "Lire le compartiment sensible",
            Self::WriteSensitive => "Écrire dans le compartiment sensible",
            Self::ReadTenancySummary => "Lire la fiche logement (bailleur)",
            Self::ReadPseudonymised => "Lire des données pseudonymisées",
            Self::ReadAggregates => "Lire des indicateurs agrégés",
            Self::ManageRights => "Traiter les demandes d'exercice des droits",
            Self::ReadAuditLog => "Consulter le journal des accès",
            Self::Administer => "Administrer structures, comptes et habilitations",
            Self::ManageCca => "Gérer la CCA (saisines, séances, décisions, mesures)",
            Self::ManageEviction => "Suivre les procédures d'expulsion",
        }
    }
}

/// The most a role may ever be granted on territorial grants: a grant above it confers only the
/// ceiling. Roles that need no territorial access have `None`.
pub fn role_ceiling(role: Role) -> Option<Tier> {
    match role {
        Role::CoordinateurSiao => Some(Tier::Sensible),
        Role::Referent | Role::GestionnaireCca | Role::CorrespondantCcapex => Some(Tier::Nominatif),
        Role::ChargeCaptation | Role::Bailleur | Role::Observatoire => Some(Tier::Pseudonymise),
        Role::MembreCommission => Some(Tier::Agrege),
        Role::Dpo | Role::Administrateur => None,
    }
}

/// What following a household gives a role of the follower organisation.
fn per_case_tier(role: Role) -> Option<Tier> {
    match role {
        Role::Referent => Some(Tier::Sensible),
        Role::CoordinateurSiao | Role::GestionnaireCca => Some(Tier::Nominatif),
        _ => None,
    }
}

/// The actor's grants in force on `day` for a role it holds, capped at the role's ceiling.
fn effective_grants<'a>(actor: &'a Actor, day: Date) -> impl Iterator<Item = (&'a Grant, Tier)> + 'a {
    actor.grants.iter().filter(move |g| g.org == actor.org && actor.has(g.role) && g.in_force(day)).filter_map(|g| {
        let ceiling = role_ceiling(g.role)?;
        Some((g, g.tier.min(ceiling)))
    })
}

/// The highest tier the actor may use on this household on `day`, or `None`.
pub fn household_tier(actor: &Actor, facts: &HouseholdFacts, day: Date) -> Option<Tier> {
    if facts.archived {
        return None;
    }
    let follows = facts.followers.contains(&actor.org);
    let is_referent_org = facts.referent_orgs.contains(&actor.org);
    let per_case = if follows && (!facts.restricted || is_referent_org) {
        actor.roles.iter().filter_map(|r| per_case_tier(*r)).max()
    } else {
        None
    };
    let temporary =
        (facts.temporary_users.contains(&actor.user) && actor.has(Role::MembreCommission) && !facts.restricted)
            .then_some(Tier::Nominatif);
    let territorial = if facts.restricted || facts.objections.contains(&SharingScope::Partenaires) {
        None
    } else {
        // A CCAPEX correspondent's grants serve eviction procedures only, never the social file.
        effective_grants(actor, day)
            .filter(|(g, _)| g.role != Role::CorrespondantCcapex && g.scope.covers(&facts.place))
            .map(|(_, t)| t)
            .max()
    };
    [per_case, temporary, territorial].into_iter().flatten().max()
}

/// The one decision function. Household-less actions (aggregates, rights, audit log,
/// administration) ignore `facts`.
pub fn decide(actor: &Actor, action: Action, facts: &HouseholdFacts, day: Date) -> bool {
    match action {
        Action::ReadFile => household_tier(actor, facts, day) >= Some(Tier::Nominatif),
        Action::WriteFile => {
            (actor.has(Role::Referent) || actor.has(Role::CoordinateurSiao))
                && household_tier(&writer_view(actor), facts, day) >= Some(Tier::Nominatif)
        }
        Action::ReadSensitive => household_tier(actor, facts, day) >= Some(Tier::Sensible),
        Action::WriteSensitive => {
            actor.has(Role::Referent)
                && facts.followers.contains(&actor.org)
                && !facts.archived
                && (!facts.restricted || facts.referent_orgs.contains(&actor.org))
        }
        Action::ReadTenancySummary => tenancy_scope(actor, day).admits(facts),
        Action::ReadPseudonymised => {
            actor.has(Role::Observatoire)
                && !facts.objections.contains(&SharingScope::Observatoire)
                && !facts.archived
                && effective_grants(actor, day).any(|(g, t)| {
                    g.role == Role::Observatoire && t >= Tier::Pseudonymise && g.scope.covers(&facts.place)
                })
        }
        Action::ReadAggregates => effective_grants(actor, day).next().is_some(),
        Action::ManageRights | Action::ReadAuditLog => actor.has(Role::Dpo),
        Action::Administer => actor.has(Role::Administrateur),
        Action::ManageCca => actor.has(Role::GestionnaireCca),
        Action::ManageEviction => {
            let ccapex = actor.has(Role::CorrespondantCcapex)
                && !facts.restricted
                && !facts.archived
                && !facts.objections.contains(&SharingScope::Partenaires)
                && effective_grants(actor, day).any(|(g, t)| {
                    g.role == Role::CorrespondantCcapex && t >= Tier::Nominatif && g.scope.covers(&facts.place)
                });
            ccapex || decide(actor, Action::WriteFile, facts, day)
        }
    }
}

/// A referral (*fiche de saisine*) is read by whoever may read the household's file (the
/// referrer's organisation, commission members during their session's window) and, once
/// submitted, by the CCA manager, whose job is to examine it.
pub fn may_read_referral(actor: &Actor, facts: &HouseholdFacts, submitted: bool, day: Date) -> bool {
    !facts.archived
        && ((submitted && actor.has(Role::GestionnaireCca) && !facts.restricted)
            || decide(actor, Action::ReadFile, facts, day))
}

/// Only the referrer's organisation edits, submits or withdraws its referral: a référent who
/// writes in the file, or the CCAPEX correspondent who referred from an eviction procedure.
pub fn may_write_referral(actor: &Actor, facts: &HouseholdFacts, referrer_org: OrgId, day: Date) -> bool {
    actor.org == referrer_org
        && (decide(actor, Action::WriteFile, facts, day) || decide(actor, Action::ManageEviction, facts, day))
}

/// Reviewing a pair of possible duplicates (same person or not, merge, unmerge): a référent or
/// the SIAO coordinator who may read both files. The queue never shows a person outside them.
pub fn may_review_pair(actor: &Actor, a: &HouseholdFacts, b: &HouseholdFacts, day: Date) -> bool {
    is_reviewer(actor) && decide(actor, Action::ReadFile, a, day) && decide(actor, Action::ReadFile, b, day)
}

/// The roles that review possible duplicates (on files they may read).
pub fn is_reviewer(actor: &Actor) -> bool {
    actor.has(Role::Referent) || actor.has(Role::CoordinateurSiao)
}

/// Recording the dwellings a social rental agency captured and matching them to the shared
/// housing requests: its chargé·e de captation (the requests themselves follow
/// [`tenancy_scope`]).
pub fn may_capture(actor: &Actor) -> bool {
    actor.has(Role::ChargeCaptation)
}

/// Asking for a linkage run now, between the nightly ones: the SIAO coordination, which keeps
/// the territory's review queue (a run reads every person, as the nightly one does, and shows
/// nobody anything).
pub fn may_run_linkage(actor: &Actor) -> bool {
    actor.has(Role::CoordinateurSiao)
}

/// Recording a measure's start, reviews and end: the CCA manager, or a référent of the operator
/// organisation running it.
pub fn may_manage_measure(actor: &Actor, operator: Option<OrgId>) -> bool {
    actor.has(Role::GestionnaireCca) || (actor.has(Role::Referent) && operator == Some(actor.org))
}

/// For actions on no particular household (aggregates, rights, audit log, administration).
pub fn may(actor: &Actor, action: Action, day: Date) -> bool {
    decide(actor, action, &HouseholdFacts::default(), day)
}

/// Writing is for the roles that record facts: a commission member's temporary grant, or an
/// observer's grants, never allow writing.
fn writer_view(actor: &Actor) -> Actor {
    Actor {
        roles: actor.roles.iter().copied().filter(|r| matches!(r, Role::Referent | Role::CoordinateurSiao)).collect(),
        ..actor.clone()
    }
}

/// Whether the actor may create a new household (its organisation will follow it as referent).
pub fn may_create_household(actor: &Actor) -> bool {
    actor.has(Role::Referent) || actor.has(Role::CoordinateurSiao)
}

/// Which households an actor may see on the by-name list for `action` (`ReadFile` or
/// `WriteFile`): the list side of [`decide`]. `admits(facts)` equals `decide(...)` for those
/// actions; the store turns the same structure into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListScope {
    /// Households followed by this organisation (per-case relation).
    pub followed_by: Option<OrgId>,
    /// Households on which this user holds a temporary grant.
    pub temporary_for: Option<UserId>,
    /// Territorial grants conferring at least the nominative tier.
    pub territories: Vec<TerritoryScope>,
}

impl ListScope {
    pub fn nothing() -> Self {
        Self { followed_by: None, temporary_for: None, territories: Vec::new() }
    }

    pub fn is_nothing(&self) -> bool {
        self.followed_by.is_none() && self.temporary_for.is_none() && self.territories.is_empty()
    }

    /// The actor's org, when a restricted household's file remains open to it as referent org.
    pub fn admits(&self, facts: &HouseholdFacts) -> bool {
        if facts.archived {
            return false;
        }
        let per_case = self
            .followed_by
            .is_some_and(|o| facts.followers.contains(&o) && (!facts.restricted || facts.referent_orgs.contains(&o)));
        let temporary = self.temporary_for.is_some_and(|u| facts.temporary_users.contains(&u) && !facts.restricted);
        let territorial = !facts.restricted
            && !facts.objections.contains(&SharingScope::Partenaires)
            && self.territories.iter().any(|t| t.covers(&facts.place));
        per_case || temporary || territorial
    }
}

/// Where a landlord or the social rental agency reads tenancy summaries: the territories of its
/// grants of that role at the pseudonymised tier or above. The one definition behind
/// [`Action::ReadTenancySummary`] and the list of the housing requests shared with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenancyScope {
    pub territories: Vec<TerritoryScope>,
}

impl TenancyScope {
    /// A household whose summary this scope may read: the household agreed to share it with
    /// landlords (the choice in force), its processing is not restricted, it is not archived, and
    /// it lives in one of the territories.
    pub fn admits(&self, facts: &HouseholdFacts) -> bool {
        facts.landlord_consent
            && !facts.objections.contains(&SharingScope::Bailleurs)
            && !facts.restricted
            && !facts.archived
            && self.territories.iter().any(|t| t.covers(&facts.place))
    }
}

pub fn tenancy_scope(actor: &Actor, day: Date) -> TenancyScope {
    scope_of(actor, day, |r| r == Role::Bailleur || r == Role::ChargeCaptation)
}

/// The summaries listed to match requests with dwellings: the agency's chargé·e de captation
/// only (DOMAIN.md §1). A landlord reads a summary it is given (a proposal's), under
/// [`tenancy_scope`], but is not shown the territory's requests to browse: the narrower reading.
pub fn tenancy_list_scope(actor: &Actor, day: Date) -> TenancyScope {
    scope_of(actor, day, |r| r == Role::ChargeCaptation)
}

fn scope_of(actor: &Actor, day: Date, role: impl Fn(Role) -> bool) -> TenancyScope {
    let territories = effective_grants(actor, day)
        .filter(|(g, t)| role(g.role) && *t >= Tier::Pseudonymise)
        .map(|(g, _)| g.scope.clone())
        .collect();
    TenancyScope { territories }
}

/// The list scope for reading (`ReadFile`) or writing (`WriteFile`) household files.
pub fn list_scope(actor: &Actor, action: Action, day: Date) -> ListScope {
    let actor = if action == Action::WriteFile { writer_view(actor) } else { actor.clone() };
    let wanted = match action {
        Action::ReadFile | Action::WriteFile => Tier::Nominatif,
        Action::ReadSensitive => Tier::Sensible,
        _ => return ListScope::nothing(),
    };
    let followed_by =
        actor.roles.iter().filter_map(|r| per_case_tier(*r)).max().filter(|t| *t >= wanted).map(|_| actor.org);
    let temporary_for = (actor.has(Role::MembreCommission) && Tier::Nominatif >= wanted && action != Action::WriteFile)
        .then_some(actor.user);
    let territories = effective_grants(&actor, day)
        .filter(|(g, t)| *t >= wanted && g.role != Role::CorrespondantCcapex)
        .map(|(g, _)| g.scope.clone())
        .collect();
    ListScope { followed_by, temporary_for, territories }
}

pub mod matrix;

#[cfg(test)]
mod tests;
