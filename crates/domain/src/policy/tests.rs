use super::matrix::{allowed_tiers, situation, Relation, DAY};
use super::*;
use proptest::prelude::*;

/// The rules restated independently of the implementation, as the data-sharing convention
/// words them; the matrix must agree with this statement cell by cell.
fn expected(role: Role, action: Action, tier: Tier, relation: Relation) -> bool {
    use Relation::*;
    use Role::*;
    use Tier::*;
    let ceiling = match role {
        CoordinateurSiao => Some(Sensible),
        Referent | GestionnaireCca | CorrespondantCcapex => Some(Nominatif),
        ChargeCaptation | Bailleur | Observatoire => Some(Pseudonymise),
        MembreCommission => Some(Agrege),
        Dpo | Administrateur => None,
    };
    let effective = ceiling.map(|c| tier.min(c));
    let in_scope = |min: Tier| relation == InScope && effective >= Some(min);
    let grant_in_force = relation != ExpiredGrant && effective.is_some();
    match action {
        Action::ReadFile => {
            (in_scope(Nominatif) && role != CorrespondantCcapex)
                || (relation == PerCase && matches!(role, Referent | CoordinateurSiao | GestionnaireCca))
                || (relation == Temporary && role == MembreCommission)
        }
        Action::WriteFile => {
            matches!(role, Referent | CoordinateurSiao) && (in_scope(Nominatif) || relation == PerCase)
        }
        Action::ReadSensitive => in_scope(Sensible) || (relation == PerCase && role == Referent),
        Action::WriteSensitive => relation == PerCase && role == Referent,
        Action::ReadTenancySummary => matches!(role, Bailleur | ChargeCaptation) && in_scope(Pseudonymise),
        Action::ReadPseudonymised => role == Observatoire && in_scope(Pseudonymise),
        Action::ReadAggregates => grant_in_force,
        Action::ManageRights | Action::ReadAuditLog => role == Dpo,
        Action::Administer => role == Administrateur,
        Action::ManageCca => role == GestionnaireCca,
        Action::ManageEviction => {
            (role == CorrespondantCcapex && in_scope(Nominatif))
                || (matches!(role, Referent | CoordinateurSiao) && (in_scope(Nominatif) || relation == PerCase))
        }
    }
}

#[test]
fn exhaustive_matrix_matches_the_stated_rules() {
    let mut cells = 0;
    for role in Role::ALL {
        for action in Action::ALL {
            for relation in Relation::ALL {
                let allowed = allowed_tiers(role, action, relation);
                for tier in Tier::ALL {
                    assert_eq!(
                        allowed.contains(&tier),
                        expected(role, action, tier, relation),
                        "{role:?} {action:?} {tier:?} {relation:?}"
                    );
                    cells += 1;
                }
            }
        }
    }
    assert_eq!(cells, 10 * 12 * 4 * 5);
}

#[test]
fn the_document_embeds_the_current_matrix() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/data-protection.md");
    let doc = std::fs::read_to_string(path).expect("docs/data-protection.md exists");
    let (start, end) = ("<!-- matrix:start -->\n", "<!-- matrix:end -->");
    let (a, b) = (doc.find(start).expect("start marker") + start.len(), doc.find(end).expect("end marker"));
    let table = matrix::markdown();
    if doc[a..b] != table {
        if std::env::var("PARCOURS_BLESS").is_ok() {
            std::fs::write(path, format!("{}{}{}", &doc[..a], table, &doc[b..])).unwrap();
        } else {
            panic!("docs/data-protection.md is out of date: run `PARCOURS_BLESS=1 cargo test -p domain` and commit it");
        }
    }
}

#[test]
fn restriction_leaves_only_the_referent_organisation() {
    let (mut referent, mut facts) = situation(Role::Referent, Tier::Nominatif, Relation::PerCase);
    facts.restricted = true;
    assert!(!decide(&referent, Action::ReadFile, &facts, DAY), "a follower that is not the referent");
    facts.referent_orgs = vec![referent.org];
    assert!(decide(&referent, Action::ReadFile, &facts, DAY));
    assert!(decide(&referent, Action::WriteSensitive, &facts, DAY));
    // territorial and temporary grants give nothing on a restricted household
    let (siao, mut f2) = situation(Role::CoordinateurSiao, Tier::Sensible, Relation::InScope);
    f2.restricted = true;
    assert!(!decide(&siao, Action::ReadFile, &f2, DAY));
    let (member, mut f3) = situation(Role::MembreCommission, Tier::Agrege, Relation::Temporary);
    assert!(decide(&member, Action::ReadFile, &f3, DAY));
    f3.restricted = true;
    assert!(!decide(&member, Action::ReadFile, &f3, DAY));
    // archived: nobody opens the file, not even the referent
    facts.archived = true;
    assert!(!decide(&referent, Action::ReadFile, &facts, DAY));
    referent.roles.push(Role::Dpo);
    assert!(decide(&referent, Action::ManageRights, &facts, DAY));
}

#[test]
fn objections_close_their_sharing_scope_only() {
    let (siao, mut facts) = situation(Role::CoordinateurSiao, Tier::Nominatif, Relation::InScope);
    facts.objections = vec![SharingScope::Partenaires];
    assert!(!decide(&siao, Action::ReadFile, &facts, DAY), "territorial sharing refused");
    let (referent, mut f2) = situation(Role::Referent, Tier::Agrege, Relation::PerCase);
    f2.objections = vec![SharingScope::Partenaires];
    assert!(decide(&referent, Action::ReadFile, &f2, DAY), "the follower keeps its file");
    let (landlord, mut f3) = situation(Role::Bailleur, Tier::Pseudonymise, Relation::InScope);
    assert!(decide(&landlord, Action::ReadTenancySummary, &f3, DAY));
    f3.objections = vec![SharingScope::Bailleurs];
    assert!(!decide(&landlord, Action::ReadTenancySummary, &f3, DAY));
    f3.objections.clear();
    f3.landlord_consent = false;
    assert!(!decide(&landlord, Action::ReadTenancySummary, &f3, DAY), "no agreement, no summary");
    let (obs, mut f4) = situation(Role::Observatoire, Tier::Pseudonymise, Relation::InScope);
    assert!(decide(&obs, Action::ReadPseudonymised, &f4, DAY));
    f4.objections = vec![SharingScope::Observatoire];
    assert!(!decide(&obs, Action::ReadPseudonymised, &f4, DAY));
    assert!(decide(&obs, Action::ReadAggregates, &f4, DAY), "aggregates are anonymous");
}

#[test]
fn grants_of_another_organisation_or_role_confer_nothing() {
    let (mut a, facts) = situation(Role::CoordinateurSiao, Tier::Sensible, Relation::InScope);
    a.grants[0].org = OrgId(99);
    assert!(!decide(&a, Action::ReadFile, &facts, DAY));
    let (mut b, facts) = situation(Role::CoordinateurSiao, Tier::Sensible, Relation::InScope);
    b.roles = vec![Role::Referent];
    assert!(!decide(&b, Action::ReadFile, &facts, DAY), "grant for a role the user does not hold");
    assert!(!may_create_household(&situation(Role::Administrateur, Tier::Sensible, Relation::InScope).0));
}

#[test]
fn only_the_siao_coordination_runs_the_linkage_on_request() {
    for role in Role::ALL {
        let (actor, _) = situation(role, Tier::Sensible, Relation::InScope);
        assert_eq!(may_run_linkage(&actor), role == Role::CoordinateurSiao, "{role:?}");
    }
}

#[test]
fn territory_scopes() {
    let c = InseeCode::parse("69123").unwrap();
    let place = Place { commune: Some(c.clone()), epci: Some("200046977".into()) };
    assert!(TerritoryScope::Tout.covers(&Place::default()));
    assert!(TerritoryScope::Departement("69".into()).covers(&place));
    assert!(!TerritoryScope::Departement("38".into()).covers(&place));
    assert!(TerritoryScope::Epci("200046977".into()).covers(&place));
    assert!(TerritoryScope::Communes(vec![c]).covers(&place));
    assert!(!TerritoryScope::Departement("69".into()).covers(&Place::default()));
    assert_eq!(departement_of(&InseeCode::parse("97411").unwrap()), "974");
    let s = TerritoryScope::parse("communes", "69001, 69002").unwrap();
    assert_eq!(TerritoryScope::parse(s.kind_code(), &s.value()).unwrap(), s);
    assert!(TerritoryScope::parse("epci", "").is_err());
}

fn arb_facts() -> impl Strategy<Value = HouseholdFacts> {
    let communes = ["69001", "69002", "69003"];
    (
        prop::option::of(0usize..3),
        prop::option::of(prop_oneof![Just("E1"), Just("E2")]),
        prop::collection::vec(1i64..4, 0..3),
        prop::option::of(1i64..4),
        prop::collection::vec(1i64..3, 0..2),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(0usize..3, 0..3),
    )
        .prop_map(move |(c, e, followers, referent, temps, restricted, archived, objections)| HouseholdFacts {
            place: Place { commune: c.map(|i| InseeCode::parse(communes[i]).unwrap()), epci: e.map(str::to_owned) },
            followers: followers.into_iter().map(OrgId).collect(),
            referent_orgs: referent.map(OrgId).into_iter().collect(),
            temporary_users: temps.into_iter().map(UserId).collect(),
            restricted,
            archived,
            objections: objections.into_iter().map(|i| SharingScope::ALL[i]).collect(),
            landlord_consent: true,
        })
}

fn arb_actor() -> impl Strategy<Value = Actor> {
    let scopes = prop_oneof![
        Just(TerritoryScope::Tout),
        Just(TerritoryScope::Departement("69".into())),
        Just(TerritoryScope::Epci("E1".into())),
        Just(TerritoryScope::Communes(vec![InseeCode::parse("69002").unwrap()])),
    ];
    let grant = (scopes, 0usize..4, 0usize..10, 1i64..3, any::<bool>()).prop_map(|(scope, t, r, org, expired)| Grant {
        id: 1,
        org: OrgId(org),
        role: Role::ALL[r],
        scope,
        tier: Tier::ALL[t],
        valid_from: DAY - time::Duration::days(10),
        valid_to: expired.then_some(DAY),
    });
    (prop::collection::vec(0usize..10, 1..3), prop::collection::vec(grant, 0..4), 1i64..3, 1i64..3).prop_map(
        |(roles, grants, org, user)| Actor {
            user: UserId(user),
            org: OrgId(org),
            roles: roles.into_iter().map(|i| Role::ALL[i]).collect(),
            grants,
        },
    )
}

proptest! {
    /// The list filter and the single-record decision never disagree.
    #[test]
    fn list_scope_agrees_with_decide(actor in arb_actor(), facts in arb_facts()) {
        for action in [Action::ReadFile, Action::WriteFile, Action::ReadSensitive] {
            prop_assert_eq!(list_scope(&actor, action, DAY).admits(&facts), decide(&actor, action, &facts, DAY), "{:?}", action);
        }
    }
}
