//! `/admin`: organisations, accounts and habilitations through the real router — refused to
//! everyone but administrators, validated next to the form, audited, and effective at once.

use app::households::ListFilter;
use domain::user::{Actor, Role};
use testkit::fixture_password as password;
use testkit::{apps, Fixture, TestApp};

const ADMIN: &str = "admin@test.parcours.test";
const PAGES: [&str; 4] = ["/admin", "/admin/structures", "/admin/comptes", "/admin/habilitations"];

/// The `<tr id="habilitation-{id}">` row of the grants page.
fn grant_row(body: &str, id: i64) -> &str {
    let start = body.find(&format!("id=\"habilitation-{id}\"")).expect("the grant has a row");
    let end = body[start..].find("</tr>").unwrap();
    &body[start..start + end]
}

/// The actor as a new session would see it: the organisation's grants as stored now.
async fn fresh(t: &TestApp, actor: &Actor) -> Actor {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let grants = store::access::grants_of(&mut conn, actor.org).await.unwrap();
    Actor { grants, ..actor.clone() }
}

#[tokio::test]
async fn an_administrator_adds_an_organisation_an_account_and_a_grant() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let admin = f.actor("admin");
        let mut c = t.client();
        c.login(ADMIN, password()).await;
        let menu = c.get("/menages").await;
        assert!(menu.body.contains("href=\"/admin\""), "the administrator's menu links to /admin");
        let home = c.get("/admin").await;
        assert_eq!(home.status, 200);
        for section in ["/admin/structures", "/admin/comptes", "/admin/habilitations"] {
            assert!(home.body.contains(&format!("href=\"{section}\"")), "{section}");
        }
        let csrf = c.csrf().await;

        // an organisation
        let r = c
            .post(
                "/admin/structures",
                &[("csrf", &csrf), ("name", "Foyer Les Tilleuls"), ("kind", "hebergement"), ("commune", "69001")],
            )
            .await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/admin/structures?ajout=1")));
        let page = c.get("/admin/structures?ajout=1").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("La structure a été ajoutée."));
        let row = &page.body[page.body.find("Foyer Les Tilleuls</th>").expect("listed")..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains("Gestionnaire d&#39;hébergement") || row.contains("Gestionnaire d&#x27;hébergement"),
            "{row}"
        );
        assert!(row.contains("Loue-la-Ville (69001)"), "{row}");
        let org = t
            .app
            .organisations(&admin)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.org.name == "Foyer Les Tilleuls")
            .unwrap()
            .org
            .id;
        let org_id = org.0.to_string();

        // an account with two roles
        let new_password = "un mot de passe solide";
        let r = c
            .post(
                "/admin/comptes",
                &[
                    ("csrf", &csrf),
                    ("email", "Nina.Nouvelle@Tilleuls.example"),
                    ("display_name", "Nina Nouvelle"),
                    ("org", &org_id),
                    ("role", "referent"),
                    ("role", "gestionnaire-cca"),
                    ("password", new_password),
                ],
            )
            .await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/admin/comptes?ajout=1")));
        let page = c.get("/admin/comptes").await;
        let row = &page.body[page.body.find("Nina Nouvelle").expect("listed")..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("nina.nouvelle@tilleuls.example"), "{row}");
        assert!(row.contains("Foyer Les Tilleuls"), "{row}");
        assert!(row.contains(Role::Referent.label()) && row.contains(Role::GestionnaireCca.label()), "{row}");
        assert!(row.contains("oui"), "{row}");
        let structures = c.get("/admin/structures").await;
        let row = &structures.body[structures.body.find("Foyer Les Tilleuls</th>").unwrap()..];
        assert!(row[..row.find("</tr>").unwrap()].contains("<td>1</td>"), "one account in the new organisation");

        // the new account logs in with the chosen password
        let mut nina = t.client();
        let r = nina.login("nina.nouvelle@tilleuls.example", new_password).await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/menages")));
        let r = nina.get("/menages").await;
        assert!(r.body.contains("Nina Nouvelle") && r.body.contains("Foyer Les Tilleuls"));
        assert!(!r.body.contains("href=\"/admin\""), "no administration entry for a référent");

        // a grant for the new organisation
        let r = c
            .post(
                "/admin/habilitations",
                &[
                    ("csrf", &csrf),
                    ("org", &org_id),
                    ("role", "gestionnaire-cca"),
                    ("scope_kind", "communes"),
                    ("scope_value", "69001"),
                    ("tier", "nominatif"),
                    ("valid_from", "2026-06-01"),
                    ("valid_to", ""),
                ],
            )
            .await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/admin/habilitations?ajout=1")));
        let grant = t.app.grants(&admin).await.unwrap().into_iter().find(|(g, _)| g.org == org).expect("stored").0;
        assert_eq!(grant.scope.label(), "Communes 69001");
        let page = c.get("/admin/habilitations").await;
        let row = grant_row(&page.body, grant.id);
        for want in ["Foyer Les Tilleuls", Role::GestionnaireCca.label(), "Communes 69001", "Nominatif", "01/06/2026"] {
            assert!(row.contains(want), "{want} in {row}");
        }
        assert!(row.contains("en vigueur") && row.contains("/fin\""), "{row}");

        // the grant takes effect: the new CCA manager now lists the households in 69001
        let nina_actor = Actor {
            user: t
                .app
                .users(&admin)
                .await
                .unwrap()
                .into_iter()
                .find(|u| u.display_name == "Nina Nouvelle")
                .unwrap()
                .id,
            org,
            roles: vec![Role::Referent, Role::GestionnaireCca],
            grants: Vec::new(),
        };
        let listed = t.app.list_households(&fresh(&t, &nina_actor).await, &ListFilter::default()).await.unwrap();
        assert!(listed.rows.iter().any(|r| r.id == f.h_a), "h_a is in commune 69001");
        assert!(!listed.rows.iter().any(|r| r.id == f.h_far), "h_far is elsewhere");

        // no page ever shows a password hash
        for p in PAGES {
            let r = c.get(p).await;
            assert_eq!(r.status, 200, "{p}");
            assert!(!r.body.contains("$argon2"), "{p} shows a password hash");
        }
        t.finish().await;
    }
}

#[tokio::test]
async fn invalid_inputs_are_shown_next_to_the_form_with_422() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let admin = f.actor("admin");
        let mut c = t.client();
        c.login(ADMIN, password()).await;
        let csrf = c.csrf().await;
        let orgs_before = t.app.organisations(&admin).await.unwrap().len();
        let users_before = t.app.users(&admin).await.unwrap().len();
        let grants_before = t.app.grants(&admin).await.unwrap().len();
        let metropole = f.metropole.0.to_string();

        // a tier above the role's ceiling: refused, with the ceiling, other inputs kept
        let r = c
            .post(
                "/admin/habilitations",
                &[
                    ("csrf", &csrf),
                    ("org", &metropole),
                    ("role", "observatoire"),
                    ("scope_kind", "departement"),
                    ("scope_value", "69"),
                    ("tier", "nominatif"),
                    ("valid_from", "2026-06-15"),
                ],
            )
            .await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("role=\"alert\""));
        assert!(r.body.contains("au plus « Pseudonymisé » pour ce rôle"), "the ceiling is in the message");
        assert!(r.body.contains("value=\"69\""), "the scope value is kept");
        assert!(r.body.contains(&format!("<option value=\"{metropole}\" selected>")), "the organisation is kept");
        assert!(r.body.contains("<option value=\"observatoire\" selected>"), "the role is kept");

        // an unknown commune, a malformed code, an end before the start
        for (kind, value, to, want) in [
            ("communes", "69999", "", "code 69999 inconnu"),
            ("communes", "69A01", "", "code INSEE attendu"),
            ("departement", "rhône", "", "code invalide"),
            ("tout", "", "2026-01-01", "la fin doit suivre le début"),
        ] {
            let r = c
                .post(
                    "/admin/habilitations",
                    &[
                        ("csrf", &csrf),
                        ("org", &metropole),
                        ("role", "ccapex"),
                        ("scope_kind", kind),
                        ("scope_value", value),
                        ("tier", "nominatif"),
                        ("valid_from", "2026-06-15"),
                        ("valid_to", to),
                    ],
                )
                .await;
            assert_eq!(r.status, 422, "{kind} {value}");
            assert!(r.body.contains(want), "{want}");
        }

        // organisations: an unknown commune, a duplicate name, a missing name
        for (name, commune, want) in [
            ("Nouvelle structure", "69999", "code 69999 inconnu"),
            ("SIAO", "", "une structure porte déjà ce nom"),
            ("  ", "", "nom : obligatoire"),
        ] {
            let r = c
                .post(
                    "/admin/structures",
                    &[("csrf", &csrf), ("name", name), ("kind", "association"), ("commune", commune)],
                )
                .await;
            assert_eq!(r.status, 422, "{want}");
            assert!(r.body.contains(want), "{want}");
        }

        // accounts: bad e-mail, short password, no role, an e-mail already used
        let org_a = f.org_a.0.to_string();
        for (email, pass, role, want) in [
            ("pas-une-adresse", "un mot de passe solide", "referent", "adresse électronique invalide"),
            ("court@test.parcours.test", "trop-court", "referent", "12 caractères au moins"),
            ("sans-role@test.parcours.test", "un mot de passe solide", "", "au moins un rôle"),
            ("referent-a@test.parcours.test", "un mot de passe solide", "referent", "un compte existe déjà"),
        ] {
            let mut form = vec![
                ("csrf", csrf.as_str()),
                ("email", email),
                ("display_name", "Camille Essai"),
                ("org", org_a.as_str()),
                ("password", pass),
            ];
            if !role.is_empty() {
                form.push(("role", role));
            }
            let r = c.post("/admin/comptes", &form).await;
            assert_eq!(r.status, 422, "{want}");
            assert!(r.body.contains(want), "{want}");
            assert!(r.body.contains("value=\"Camille Essai\""), "the display name is kept");
            assert!(!r.body.contains(pass), "the password is never sent back");
            if !role.is_empty() {
                assert!(r.body.contains(&format!("value=\"{role}\" checked")), "the role stays checked");
            }
        }

        // nothing was created
        assert_eq!(t.app.organisations(&admin).await.unwrap().len(), orgs_before);
        assert_eq!(t.app.users(&admin).await.unwrap().len(), users_before);
        assert_eq!(t.app.grants(&admin).await.unwrap().len(), grants_before);
        t.finish().await;
    }
}

#[tokio::test]
async fn ending_a_grant_takes_effect_at_once_and_is_audited() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let admin = f.actor("admin");
        let siao = f.actor("siao");
        let siao_grant = t
            .app
            .grants(&admin)
            .await
            .unwrap()
            .into_iter()
            .find(|(g, _)| g.org == f.siao && g.role == Role::CoordinateurSiao)
            .expect("the fixture's SIAO grant")
            .0;
        let before = t.app.list_households(&fresh(&t, &siao).await, &ListFilter::default()).await.unwrap();
        assert!(before.rows.iter().any(|r| r.id == f.h_b), "the SIAO sees the whole territory");

        // a SIAO coordinator logged in before the change
        let mut s = t.client();
        s.login("siao@test.parcours.test", password()).await;
        assert!(s.get("/menages").await.body.contains("BERNARD Camille"));

        let mut c = t.client();
        c.login(ADMIN, password()).await;
        let csrf = c.csrf().await;
        let page = c.get("/admin/habilitations").await;
        assert!(grant_row(&page.body, siao_grant.id).contains("en vigueur"));
        let r = c.post(&format!("/admin/habilitations/{}/fin", siao_grant.id), &[("csrf", &csrf)]).await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/admin/habilitations?fin=1")));
        let page = c.get("/admin/habilitations?fin=1").await;
        assert!(
            page.body.contains("L&#39;habilitation a pris fin") || page.body.contains("L&#x27;habilitation a pris fin")
        );
        let row = grant_row(&page.body, siao_grant.id);
        assert!(row.contains("terminée") && !row.contains("/fin\""), "{row}");
        assert!(row.contains("15/06/2026 (exclu)"), "ended today: {row}");
        // ending it again: nothing left to end
        let r = c.post(&format!("/admin/habilitations/{}/fin", siao_grant.id), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 404);
        assert_eq!(c.post("/admin/habilitations/999999/fin", &[("csrf", &csrf)]).await.status, 404);

        // the SIAO no longer lists households it does not follow (it follows none)
        let after = t.app.list_households(&fresh(&t, &siao).await, &ListFilter::default()).await.unwrap();
        assert!(after.rows.is_empty(), "{:?}", after.rows.iter().map(|r| r.id).collect::<Vec<_>>());
        assert!(!s.get("/menages").await.body.contains("BERNARD Camille"), "the open session loses it too");

        // a new grant, with the admin as author in the audit log
        let r = c
            .post(
                "/admin/habilitations",
                &[
                    ("csrf", &csrf),
                    ("org", &f.siao.0.to_string()),
                    ("role", "siao"),
                    ("scope_kind", "departement"),
                    ("scope_value", "69"),
                    ("tier", "sensible"),
                    ("valid_from", ""),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let new_grant = t
            .app
            .grants(&admin)
            .await
            .unwrap()
            .into_iter()
            .map(|(g, _)| g)
            .find(|g| g.org == f.siao && g.in_force(testkit::TODAY))
            .expect("the new grant, in force from today");
        assert_eq!(new_grant.valid_from, testkit::TODAY, "an empty start means today");
        let listed = t.app.list_households(&fresh(&t, &siao).await, &ListFilter::default()).await.unwrap();
        assert!(listed.rows.iter().any(|r| r.id == f.h_b) && !listed.rows.iter().any(|r| r.id == f.h_far));

        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let events = store::audit::recent(&mut conn, 200).await.unwrap();
        let by_admin = |action: &str, id: i64| {
            events.iter().any(|e| {
                e.event.action == action
                    && e.event.actor_user == Some(admin.user.0)
                    && e.event.actor_org == Some(admin.org.0)
                    && e.event.target_kind.as_deref() == Some("grant")
                    && e.event.target_id == Some(id)
            })
        };
        assert!(by_admin("grant.end", siao_grant.id), "grant.end by the admin");
        assert!(by_admin("grant.create", new_grant.id), "grant.create by the admin");
        assert_eq!(events.iter().filter(|e| e.event.action == "grant.end").count(), 1, "a refused end is not an end");
        drop(conn);
        t.finish().await;
    }
}

#[tokio::test]
async fn only_administrators_may_administer() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let admin = f.actor("admin");
        let grant = t.app.grants(&admin).await.unwrap().into_iter().find(|(g, _)| g.valid_to.is_none()).unwrap().0.id;
        let end = format!("/admin/habilitations/{grant}/fin");
        let orgs = t.app.organisations(&admin).await.unwrap().len();
        let users = t.app.users(&admin).await.unwrap().len();

        // not logged in: to the login page
        let mut anonymous = t.client();
        for p in PAGES {
            let r = anonymous.get(p).await;
            assert_eq!((r.status.as_u16(), r.location()), (303, Some("/login")), "{p}");
        }

        let org_a = f.org_a.0.to_string();
        for who in ["referent-a", "dpo", "siao"] {
            let mut c = t.client();
            c.login(&format!("{who}@test.parcours.test"), password()).await;
            let csrf = c.csrf().await;
            assert!(!c.get("/menages").await.body.contains("href=\"/admin\""), "{who} has no administration menu");
            for p in PAGES {
                let r = c.get(p).await;
                assert_eq!(r.status, 403, "{who} GET {p}");
                assert!(!r.body.contains("$argon2"));
            }
            let (csrf, org_a) = (csrf.as_str(), org_a.as_str());
            let posts: [(&str, Vec<(&str, &str)>); 4] = [
                ("/admin/structures", vec![("csrf", csrf), ("name", "Intruse"), ("kind", "association")]),
                (
                    "/admin/comptes",
                    vec![
                        ("csrf", csrf),
                        ("email", "intrus@test.parcours.test"),
                        ("display_name", "Intrus"),
                        ("org", org_a),
                        ("role", "admin"),
                        ("password", "un mot de passe solide"),
                    ],
                ),
                (
                    "/admin/habilitations",
                    vec![
                        ("csrf", csrf),
                        ("org", org_a),
                        ("role", "referent"),
                        ("scope_kind", "tout"),
                        ("tier", "nominatif"),
                        ("valid_from", "2026-06-15"),
                    ],
                ),
                (end.as_str(), vec![("csrf", csrf)]),
            ];
            for (path, form) in &posts {
                assert_eq!(c.post(path, form).await.status, 403, "{who} POST {path}");
            }
            // invalid input from a non-administrator is refused too, not explained
            let r = c.post("/admin/structures", &[("csrf", csrf), ("name", ""), ("kind", "nope")]).await;
            assert_eq!(r.status, 403, "{who}");
            assert_eq!(c.post("/admin/habilitations/abc/fin", &[("csrf", csrf)]).await.status, 403, "{who}");
        }

        // the administrator without the CSRF token: refused
        let mut c = t.client();
        c.login(ADMIN, password()).await;
        let r = c.post("/admin/structures", &[("csrf", "forged"), ("name", "Intruse"), ("kind", "association")]).await;
        assert_eq!(r.status, 403);
        assert_eq!(c.post(&end, &[]).await.status, 403);

        // nothing changed
        assert_eq!(t.app.organisations(&admin).await.unwrap().len(), orgs);
        assert_eq!(t.app.users(&admin).await.unwrap().len(), users);
        assert!(t.app.grants(&admin).await.unwrap().iter().all(|(g, _)| g.id != grant || g.valid_to.is_none()));
        t.finish().await;
    }
}
