//! A hostile user of each role walks every household id and every export through the real
//! router, and obtains nothing outside its grants: what the policy (asked directly, as the
//! oracle) refuses answers 404 or 403 and reveals no name.

use domain::policy::{decide, Action};
use testkit::{apps, fixture_password as password, Fixture, TODAY};

const ROLES: [&str; 11] = [
    "referent-a",
    "referent-b",
    "siao",
    "cca",
    "commission",
    "ccapex",
    "captation",
    "bailleur",
    "observatoire",
    "dpo",
    "admin",
];

const NAMES: [&str; 7] = ["AUBERT", "BERNARD", "COLIN", "DURAND", "ESTÈVE", "FAURE", "GARNIER"];

#[tokio::test]
async fn every_role_tries_every_household_and_export() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let ids: Vec<i64> = f.all_households().iter().map(|h| h.0).chain([0, 999_999]).collect();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let mut facts = Vec::new();
        for id in &ids {
            let now = t.app.now_ts();
            facts.push(store::access::household_facts(&mut conn, domain::HouseholdId(*id), TODAY, &now).await.unwrap());
        }
        drop(conn);
        for who in ROLES {
            let actor = f.actor(who);
            let mut c = t.client();
            assert_eq!(c.login(&format!("{who}@test.parcours.test"), password()).await.status, 303, "{who}");
            for (id, fact) in ids.iter().zip(&facts) {
                let oracle = |action| fact.as_ref().is_some_and(|fact| decide(&actor, action, fact, TODAY));
                let pages = [
                    (format!("/menages/{id}"), oracle(Action::ReadFile)),
                    (format!("/menages/{id}/sensible"), oracle(Action::ReadSensitive)),
                    (format!("/menages/{id}/fiche-logement"), oracle(Action::ReadTenancySummary)),
                    (format!("/dpo/menages/{id}"), fact.is_some() && who == "dpo"),
                    (format!("/dpo/menages/{id}/export"), fact.is_some() && who == "dpo"),
                    (format!("/dpo/menages/{id}/export.json"), fact.is_some() && who == "dpo"),
                ];
                for (path, allowed) in pages {
                    let r = c.get(&path).await;
                    if allowed {
                        assert_eq!(r.status, 200, "{who} {path}");
                    } else {
                        assert!(matches!(r.status.as_u16(), 403 | 404), "{who} {path}: {}", r.status);
                        for name in NAMES {
                            assert!(!r.body.to_uppercase().contains(name), "{who} {path} leaks {name}");
                        }
                    }
                }
            }
            // The list shows exactly the households whose file opens.
            let list = c.get("/menages").await;
            for (id, fact) in ids.iter().zip(&facts) {
                let listed = list.body.contains(&format!("href=\"/menages/{id}\""));
                let may = fact.as_ref().is_some_and(|fact| decide(&actor, Action::ReadFile, fact, TODAY));
                assert_eq!(listed, may, "{who} list vs file for {id}");
            }
            // Administration and the DPO's screens are for their roles only.
            let admin_status = c.get("/admin/habilitations").await.status.as_u16();
            assert_eq!(admin_status == 200, who == "admin", "{who} /admin");
            let dpo_status = c.get("/dpo").await.status.as_u16();
            assert_eq!(dpo_status == 200, who == "dpo", "{who} /dpo");
        }
        t.finish().await;
    }
}
