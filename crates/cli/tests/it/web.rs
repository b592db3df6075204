//! The web application through its real router: login, CSRF, throttling, headers, pages, forms.

use testkit::fixture_password as password;
use testkit::{apps, Fixture};

#[tokio::test]
async fn login_list_open_and_logout() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = t.client();
        let r = c.get("/menages").await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/login")));
        let r = c.login("referent-a@test.parcours.test", password()).await;
        assert_eq!((r.status.as_u16(), r.location()), (303, Some("/menages")));
        let list = c.get("/menages").await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains("AUBERT Camille") && list.body.contains("COLIN Camille"));
        assert!(!list.body.contains("BERNARD"), "B's household is not listed to A");
        let file = c.get(&format!("/menages/{}", f.h_a)).await;
        assert_eq!(file.status, 200);
        assert!(file.body.contains("Parcours") && file.body.contains("Rue"));
        let other = c.get(&format!("/menages/{}", f.h_b)).await;
        assert_eq!(other.status, 404);
        assert!(!other.body.contains("BERNARD"));
        assert_eq!(c.get("/menages/abc").await.status, 404);
        // search is accent- and case-insensitive
        let found = c.get("/menages?q=aubért").await;
        assert!(found.body.contains("AUBERT Camille") && !found.body.contains("COLIN"));
        let csrf = c.csrf().await;
        let r = c.post("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(r.location(), Some("/login"));
        assert_eq!(c.get("/menages").await.status, 303, "session ended");
        t.finish().await;
    }
}

#[tokio::test]
async fn every_post_needs_the_csrf_token() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = t.client();
        // login form: no token, no login
        let r = c.post("/login", &[("email", "referent-a@test.parcours.test"), ("password", password())]).await;
        assert_eq!(r.status, 403);
        c.login("referent-a@test.parcours.test", password()).await;
        let path = format!("/menages/{}/evenements", f.h_a);
        let r = c.post(&path, &[("kind", "contact"), ("date", "2026-06-15"), ("csrf", "forged")]).await;
        assert_eq!(r.status, 403);
        let r = c.post("/logout", &[]).await;
        assert_eq!(r.status, 403, "logout without token refused");
        let csrf = c.csrf().await;
        let r = c.post(&path, &[("kind", "contact"), ("date", "2026-06-15"), ("csrf", &csrf), ("note", "RDV")]).await;
        assert_eq!(r.status, 303);
        t.finish().await;
    }
}

#[tokio::test]
async fn bad_passwords_are_throttled() {
    for t in apps().await {
        let _f = Fixture::new(&t).await;
        let mut c = t.client();
        for _ in 0..5 {
            assert_eq!(c.login("referent-a@test.parcours.test", "wrong").await.status, 401);
        }
        let r = c.login("referent-a@test.parcours.test", password()).await;
        assert_eq!(r.status, 429, "locked even with the right password");
        assert!(r.body.contains("Trop de tentatives"));
        // an unknown account answers like a wrong password
        let mut other = t.client();
        let r = other.login("nobody@test.parcours.test", "whatever").await;
        assert_eq!(r.status, 401);
        t.finish().await;
    }
}

#[tokio::test]
async fn security_headers_and_health() {
    for t in apps().await {
        let mut c = t.client();
        let r = c.get("/login").await;
        let csp = r.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
        );
        assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
        assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
        let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"));
        assert!(!r.body.contains("<script"), "no script: every page works without JavaScript");
        assert_eq!(c.get("/healthz").await.body, "ok");
        assert_eq!(c.get("/static/app.css").await.status, 200);
        t.finish().await;
    }
}

#[tokio::test]
async fn forms_create_and_record_with_clear_errors() {
    for t in apps().await {
        let _f = Fixture::new(&t).await;
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", password()).await;
        let csrf = c.csrf().await;
        let form = c.get("/menages/nouveau").await;
        assert_eq!(form.status, 200);
        // the birth name and place have fields of their own, the countries by their INSEE code
        assert!(form.body.contains("aria-describedby=\"family_name-aide\""));
        assert!(form.body.contains("<label for=\"birth_name\">Nom de naissance"));
        assert!(form.body.contains("<option value=\"99330\">Guinée</option>"));
        assert!(form.body.contains("<label for=\"birth_commune\">"));
        let bad = c
            .post(
                "/menages",
                &[
                    ("csrf", &csrf),
                    ("family_name", "Camara"),
                    ("given_names", "Awa"),
                    ("situation", "rue"),
                    ("birth_country", "99999"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("pays de naissance : pays inconnu"), "{}", bad.body);
        assert!(bad.body.contains("value=\"Camara\""), "what was typed is kept");
        // invalid: missing family name, future date
        let bad = c
            .post("/menages", &[("csrf", &csrf), ("family_name", ""), ("given_names", "Ana"), ("situation", "rue")])
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("nom : obligatoire"), "{}", bad.body);
        let r = c
            .post(
                "/menages",
                &[
                    ("csrf", &csrf),
                    ("family_name", "Élise-Nouvelle"),
                    ("given_names", "Ana"),
                    ("birth_date", "1999-12-31"),
                    ("sex", "F"),
                    ("birth_name", "Dupont"),
                    ("birth_country", "99330"),
                    ("birth_commune", "Conakry"),
                    ("commune", "69001"),
                    ("situation", "rue"),
                    ("since", "2026-05-01"),
                    ("siao_number", "SIAO-TEST-1"),
                    ("housing_demand_number", "069012345678901"),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let page = r.location().unwrap().to_owned();
        let file = c.get(&page).await;
        assert!(file.body.contains("ÉLISE-NOUVELLE Ana") && file.body.contains("SIAO-TEST-1"));
        assert!(file.body.contains("(née DUPONT)"), "{}", file.body);
        assert!(file.body.contains("lieu de naissance : Conakry (Guinée)"));
        assert!(file.body.contains("069012345678901"));
        let sit = format!("{page}/situation");
        let r = c.post(&sit, &[("csrf", &csrf), ("situation", "chu"), ("date", "2026-07-01")]).await;
        assert_eq!(r.status, 422, "future date refused");
        assert!(r.body.contains("futur"));
        let r = c.post(&sit, &[("csrf", &csrf), ("situation", "logement-ordinaire"), ("date", "2026-06-10")]).await;
        assert_eq!(r.status, 303);
        let file = c.get(&page).await;
        assert!(file.body.contains("badge-loge"), "housed after the change");
        let r = c
            .post(
                &format!("{page}/membres"),
                &[
                    ("csrf", &csrf),
                    ("family_name", "Élise"),
                    ("given_names", "Tom"),
                    ("role", "enfant"),
                    ("from", "2026-06-01"),
                    ("sex", "M"),
                    ("birth_country", "99100"),
                    ("birth_commune", "Loue-la-Ville"),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let file = c.get(&page).await.body;
        assert!(file.contains("ÉLISE Tom") && file.contains("lieu de naissance : Loue-la-Ville (France)"));
        // what the store holds: codes, the text as typed
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let stored: Vec<(Option<String>, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT birth_name, birth_country, birth_commune FROM persons WHERE given_names IN ('Ana', 'Tom') ORDER BY given_names",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert_eq!(
            stored,
            [
                (Some("Dupont".into()), Some("99330".into()), Some("Conakry".into())),
                (None, Some("99100".into()), Some("Loue-la-Ville".into()))
            ]
        );
        drop(conn);
        // an observer has no creation form and no access to the file
        let mut obs = t.client();
        obs.login("observatoire@test.parcours.test", password()).await;
        assert_eq!(obs.get("/menages/nouveau").await.status, 403);
        assert_eq!(obs.get(&page).await.status, 404);
        assert!(obs.get("/menages").await.body.contains("aucun dossier nominatif"));
        t.finish().await;
    }
}
