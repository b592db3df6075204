//! A small hand-made territory: four partners, one account per role, habilitations of every
//! scope kind (and an expired one), and seven households whose followers, commune, restriction,
//! objection and temporary grant exercise the access policy.

use app::admin::NewGrant;
use app::households::NewHousehold;
use app::protection::Choice;
use domain::household::{NewPerson, Sex};
use domain::org::OrgKind;
use domain::policy::{SharingScope, TerritoryScope, Tier};
use domain::situation::Situation;
use domain::territory::{Commune, InseeCode};
use domain::user::{Actor, Role};
use domain::{HouseholdId, OrgId};

use crate::{TestApp, TODAY};

pub const PASSWORD: &str = "mot-de-passe-de-test";
pub const EPCI: &str = "200046977";

pub struct Fixture {
    pub org_a: OrgId,
    pub org_b: OrgId,
    pub siao: OrgId,
    pub metropole: OrgId,
    /// (e-mail, actor) per account.
    pub users: Vec<(String, Actor)>,
    /// Followed by A only.
    pub h_a: HouseholdId,
    /// Followed by B only.
    pub h_b: HouseholdId,
    /// Followed by A and B.
    pub h_ab: HouseholdId,
    /// Was followed by A until last month, now by B only.
    pub h_ended: HouseholdId,
    /// In another département, followed by B.
    pub h_far: HouseholdId,
    /// A is referent, B follows too; processing restricted.
    pub h_restricted: HouseholdId,
    /// Followed by B; the household objected to territory-wide sharing.
    pub h_objecting: HouseholdId,
}

impl Fixture {
    pub async fn new(t: &TestApp) -> Self {
        let app = &t.app;
        let mut conn = app.store.pool().acquire().await.unwrap();
        let insee = InseeCode::parse("69001").unwrap();
        let far = InseeCode::parse("38001").unwrap();
        store::orgs::upsert_commune(&mut conn, &Commune { insee: insee.clone(), name: "Loue-la-Ville".into() })
            .await
            .unwrap();
        store::orgs::upsert_commune(&mut conn, &Commune { insee: far.clone(), name: "Ailleurs".into() }).await.unwrap();
        store::orgs::set_epci(&mut conn, &insee, Some(EPCI)).await.unwrap();
        drop(conn);
        let org_a =
            app.create_organisation(None, "Association A", OrgKind::Association, Some(insee.clone())).await.unwrap();
        let org_b = app.create_organisation(None, "CCAS B", OrgKind::Ccas, None).await.unwrap();
        let siao = app.create_organisation(None, "SIAO", OrgKind::Siao, None).await.unwrap();
        let metropole = app.create_organisation(None, "Métropole", OrgKind::Metropole, None).await.unwrap();
        let accounts = [
            ("referent-a", Role::Referent, org_a),
            ("referent-b", Role::Referent, org_b),
            ("siao", Role::CoordinateurSiao, siao),
            ("cca", Role::GestionnaireCca, org_a),
            ("commission", Role::MembreCommission, org_b),
            ("ccapex", Role::CorrespondantCcapex, metropole),
            ("captation", Role::ChargeCaptation, metropole),
            ("bailleur", Role::Bailleur, metropole),
            ("observatoire", Role::Observatoire, metropole),
            ("dpo", Role::Dpo, metropole),
            ("admin", Role::Administrateur, metropole),
        ];
        // Habilitations: one of each territory scope kind, and an expired one.
        let since = TODAY - time::Duration::days(365);
        let grants = [
            (siao, Role::CoordinateurSiao, TerritoryScope::Tout, Tier::Sensible, None),
            (metropole, Role::CorrespondantCcapex, TerritoryScope::Departement("69".into()), Tier::Nominatif, None),
            (metropole, Role::ChargeCaptation, TerritoryScope::Epci(EPCI.into()), Tier::Pseudonymise, None),
            (metropole, Role::Bailleur, TerritoryScope::Communes(vec![insee.clone()]), Tier::Pseudonymise, None),
            (metropole, Role::Observatoire, TerritoryScope::Tout, Tier::Pseudonymise, None),
            (org_a, Role::GestionnaireCca, TerritoryScope::Tout, Tier::Agrege, None),
            (org_b, Role::Referent, TerritoryScope::Tout, Tier::Nominatif, Some(TODAY - time::Duration::days(30))),
        ];
        for (org, role, scope, tier, valid_to) in grants {
            let g = NewGrant { org, role, scope, tier, valid_from: since, valid_to };
            app.add_grant(None, g).await.unwrap();
        }
        let mut users = Vec::new();
        let mut conn = app.store.pool().acquire().await.unwrap();
        for (local, role, org) in accounts {
            let email = format!("{local}@test.parcours.test");
            let id = app.create_user(None, &email, local, PASSWORD, org, &[role], false).await.unwrap();
            let grants = store::access::grants_of(&mut conn, org).await.unwrap();
            users.push((email, Actor { user: id, org, roles: vec![role], grants }));
        }
        drop(conn);
        let ref_a = users[0].1.clone();
        let ref_b = users[1].1.clone();
        let new = |name: &str, sex: Sex, situation: Situation| NewHousehold {
            reference: NewPerson::parse(name, "Camille", "1980-04-02", sex.code(), TODAY).unwrap(),
            commune: Some(insee.clone()),
            situation,
            situation_since: TODAY - time::Duration::days(30),
            identified_on: TODAY - time::Duration::days(10),
            siao_number: None,
            housing_demand_number: None,
        };
        let h_a = app.create_household(&ref_a, new("Aubert", Sex::Femme, Situation::Rue)).await.unwrap();
        let h_b =
            app.create_household(&ref_b, new("Bernard", Sex::Homme, Situation::HebergementUrgence)).await.unwrap();
        let h_ab = app.create_household(&ref_a, new("Colin", Sex::Homme, Situation::Hotel115)).await.unwrap();
        let h_ended = app.create_household(&ref_b, new("Durand", Sex::Femme, Situation::Squat)).await.unwrap();
        let mut far_household = new("Estève", Sex::Homme, Situation::Rue);
        far_household.commune = Some(far);
        let h_far = app.create_household(&ref_b, far_household).await.unwrap();
        let h_restricted = app.create_household(&ref_a, new("Faure", Sex::Femme, Situation::Rue)).await.unwrap();
        let h_objecting = app.create_household(&ref_b, new("Garnier", Sex::Homme, Situation::Rue)).await.unwrap();
        let mut conn = app.store.pool().acquire().await.unwrap();
        store::households::insert_follow(&mut conn, h_ab, org_b, TODAY - time::Duration::days(5), None, false)
            .await
            .unwrap();
        store::households::insert_follow(
            &mut conn,
            h_ended,
            org_a,
            TODAY - time::Duration::days(60),
            Some(TODAY - time::Duration::days(20)),
            false,
        )
        .await
        .unwrap();
        store::households::insert_follow(&mut conn, h_restricted, org_b, TODAY - time::Duration::days(5), None, false)
            .await
            .unwrap();
        drop(conn);
        let fixture =
            Self { org_a, org_b, siao, metropole, users, h_a, h_b, h_ab, h_ended, h_far, h_restricted, h_objecting };
        let dpo = fixture.actor("dpo");
        app.restrict(&dpo, h_restricted, "demande de la personne").await.unwrap();
        app.record_sharing_choice(&ref_b, h_objecting, SharingScope::Partenaires, Choice::Opposition, TODAY)
            .await
            .unwrap();
        app.record_sharing_choice(&ref_a, h_a, SharingScope::Bailleurs, Choice::Accord, TODAY).await.unwrap();
        // A commission member may open h_b for the length of a session, which is now.
        let now = time::OffsetDateTime::now_utc().replace_date(TODAY);
        let ts = |d: time::OffsetDateTime| d.format(&time::format_description::well_known::Rfc3339).unwrap();
        let member = fixture.actor("commission").user;
        let (from, to) = (ts(now - time::Duration::hours(1)), ts(now + time::Duration::hours(2)));
        app.grant_temporary(None, h_b, member, &from, &to, "séance CCA").await.unwrap();
        fixture
    }

    pub fn actor(&self, local: &str) -> Actor {
        let email = format!("{local}@test.parcours.test");
        self.users.iter().find(|(e, _)| *e == email).map(|(_, a)| a.clone()).unwrap()
    }

    pub fn all_households(&self) -> [HouseholdId; 7] {
        [self.h_a, self.h_b, self.h_ab, self.h_ended, self.h_far, self.h_restricted, self.h_objecting]
    }
}
