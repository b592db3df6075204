//! A small hand-made territory: three partners, one account per role, four households whose
//! followers are chosen to exercise the access policy.

use app::households::NewHousehold;
use domain::household::{NewPerson, Sex};
use domain::org::OrgKind;
use domain::situation::Situation;
use domain::territory::{Commune, InseeCode};
use domain::user::{Actor, Role};
use domain::{HouseholdId, OrgId};

use crate::{TestApp, TODAY};

pub const PASSWORD: &str = "mot-de-passe-de-test";

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
}

impl Fixture {
    pub async fn new(t: &TestApp) -> Self {
        let app = &t.app;
        let mut conn = app.store.pool().acquire().await.unwrap();
        let insee = InseeCode::parse("69001").unwrap();
        store::orgs::upsert_commune(&mut conn, &Commune { insee: insee.clone(), name: "Loue-la-Ville".into() })
            .await
            .unwrap();
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
        let mut users = Vec::new();
        for (local, role, org) in accounts {
            let email = format!("{local}@test.parcours.test");
            let id = app.create_user(None, &email, local, PASSWORD, org, &[role], false).await.unwrap();
            users.push((email, Actor { user: id, org, roles: vec![role] }));
        }
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
        Self { org_a, org_b, siao, metropole, users, h_a, h_b, h_ab, h_ended }
    }

    pub fn actor(&self, local: &str) -> Actor {
        let email = format!("{local}@test.parcours.test");
        self.users.iter().find(|(e, _)| *e == email).map(|(_, a)| a.clone()).unwrap()
    }

    pub fn all_households(&self) -> [HouseholdId; 4] {
        [self.h_a, self.h_b, self.h_ab, self.h_ended]
    }
}
