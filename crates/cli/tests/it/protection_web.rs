//! The household file's information and sharing section, the sensitive compartment's page and
//! the landlord's tenancy summary, through the real router.

use testkit::{apps, fixture_password as password, Fixture};

#[tokio::test]
async fn notice_sharing_and_tenancy_summary() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut a = t.client();
        a.login("referent-a@test.parcours.test", password()).await;
        let page = a.get(&format!("/menages/{}", f.h_a)).await;
        assert!(page.body.contains("non remise"));
        let csrf = page.csrf().unwrap();
        let r = a.post(&format!("/menages/{}/notice", f.h_a), &[("csrf", &csrf), ("date", "2026-06-14")]).await;
        assert_eq!(r.status, 303);
        assert!(a.get(&format!("/menages/{}", f.h_a)).await.body.contains("remise le 14/06/2026"));
        let body = [("csrf", csrf.as_str()), ("band", "500-1000"), ("needs", "rdc"), ("needs", "animal")];
        assert_eq!(a.post(&format!("/menages/{}/fiche-logement", f.h_a), &body).await.status, 303);

        // The landlord sees the summary of h_a (agreement, in its commune) and nothing else.
        let mut landlord = t.client();
        landlord.login("bailleur@test.parcours.test", password()).await;
        let s = landlord.get(&format!("/menages/{}/fiche-logement", f.h_a)).await;
        assert_eq!(s.status, 200);
        assert!(s.body.contains("De 500 à 1 000") && s.body.contains("Rez-de-chaussée") && s.body.contains("Animal"));
        assert!(!s.body.contains("AUBERT") && !s.body.contains("Rue"), "never the social file");
        assert_eq!(landlord.get(&format!("/menages/{}", f.h_a)).await.status, 404);
        assert_eq!(landlord.get(&format!("/menages/{}/fiche-logement", f.h_b)).await.status, 404, "no agreement");
        // The household withdraws its agreement: the summary closes.
        let r = a
            .post(
                &format!("/menages/{}/partage", f.h_a),
                &[("csrf", &csrf), ("scope", "bailleurs"), ("choice", "opposition"), ("date", "2026-06-15")],
            )
            .await;
        assert_eq!(r.status, 303);
        assert_eq!(landlord.get(&format!("/menages/{}/fiche-logement", f.h_a)).await.status, 404);
        t.finish().await;
    }
}

#[tokio::test]
async fn sensitive_page_is_for_the_referent_and_the_siao_only() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut a = t.client();
        a.login("referent-a@test.parcours.test", password()).await;
        let page = a.get(&format!("/menages/{}/sensible", f.h_a)).await;
        assert_eq!(page.status, 200);
        let csrf = page.csrf().unwrap();
        let r = a
            .post(
                &format!("/menages/{}/sensible/besoins", f.h_a),
                &[("csrf", &csrf), ("need", "addiction"), ("need", "handicap")],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = a
            .post(
                &format!("/menages/{}/sensible/notes", f.h_a),
                &[("csrf", &csrf), ("date", "2026-06-15"), ("text", "")],
            )
            .await;
        assert_eq!(r.status, 422);
        let r = a
            .post(
                &format!("/menages/{}/sensible/notes", f.h_a),
                &[("csrf", &csrf), ("date", "2026-06-15"), ("text", "Orientation CSAPA")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = a.get(&format!("/menages/{}/sensible", f.h_a)).await;
        assert!(page.body.contains("Orientation CSAPA") && page.body.contains("value=\"addiction\" checked"));
        // SIAO reads (sensitive tier), without the forms; others never.
        let mut siao = t.client();
        siao.login("siao@test.parcours.test", password()).await;
        let page = siao.get(&format!("/menages/{}/sensible", f.h_a)).await;
        assert!(page.status == 200 && page.body.contains("Orientation CSAPA") && !page.body.contains("<textarea"));
        for who in ["referent-b", "cca", "observatoire", "dpo"] {
            let mut c = t.client();
            c.login(&format!("{who}@test.parcours.test"), password()).await;
            assert_eq!(c.get(&format!("/menages/{}/sensible", f.h_a)).await.status, 404, "{who}");
        }
        // The file page offers the link only to those who may follow it.
        assert!(a.get(&format!("/menages/{}", f.h_a)).await.body.contains("/sensible"));
        let mut cca = t.client();
        cca.login("cca@test.parcours.test", password()).await;
        assert!(!cca.get(&format!("/menages/{}", f.h_a)).await.body.contains("/sensible"));
        t.finish().await;
    }
}

#[tokio::test]
async fn exact_search_from_the_list_page() {
    for t in apps().await {
        let _f = Fixture::new(&t).await;
        let mut a = t.client();
        a.login("referent-a@test.parcours.test", password()).await;
        let r = a.get("/menages/recherche?nom=aubert&prenom=CAMILLE&naissance=1980-04-02").await;
        assert_eq!(r.status, 200);
        assert!(
            r.body.contains("1 ménage(s) trouvé(s)") && r.body.contains("AUBERT Camille") && !r.body.contains("COLIN")
        );
        let r = a.get("/menages/recherche?nom=aubert&prenom=camille&naissance=02%2F04%2F1980").await;
        assert!(r.body.contains("date attendue au format AAAA-MM-JJ"));
        let mut b = t.client();
        b.login("referent-b@test.parcours.test", password()).await;
        let r = b.get("/menages/recherche?nom=aubert&prenom=camille&naissance=1980-04-02").await;
        assert!(r.body.contains("0 ménage(s) trouvé(s)") && !r.body.contains("AUBERT"), "nothing outside B's grants");
        t.finish().await;
    }
}

/// The housing requests the social rental agency sees are exactly the summaries it may open,
/// household by household; every other account, a landlord included, is listed none; each one
/// shown is in its household's access log; the agency lands on them.
#[tokio::test]
async fn the_housing_requests_are_the_summaries_each_account_may_open() {
    use app::protection::Choice;
    use domain::policy::SharingScope;
    for t in apps().await {
        let f = Fixture::new(&t).await;
        // every household agrees, but one: then territory, restriction and choice decide
        let dpo = f.actor("dpo");
        for h in f.all_households() {
            t.app
                .record_sharing_choice(&dpo, h, SharingScope::Bailleurs, Choice::Accord, testkit::TODAY)
                .await
                .unwrap();
        }
        let refusing = f.h_b;
        t.app
            .record_sharing_choice(&dpo, refusing, SharingScope::Bailleurs, Choice::Opposition, testkit::TODAY)
            .await
            .unwrap();
        let mut seen_by_some = std::collections::HashSet::new();
        for (email, actor) in &f.users {
            let r = t.app.tenancy_requests(actor, &Default::default(), 1, 100).await.unwrap();
            assert_eq!(r.total, r.summaries.len(), "{email}");
            let listed: std::collections::HashSet<_> = r.summaries.iter().map(|s| s.id).collect();
            let agency = actor.has(domain::user::Role::ChargeCaptation);
            for h in f.all_households() {
                let opens = t.app.tenancy_summary(actor, h).await.is_ok();
                assert_eq!(listed.contains(&h), agency && opens, "{email}, household {}", h.0);
            }
            seen_by_some.extend(listed);
        }
        assert!(seen_by_some.contains(&f.h_a), "the agency sees the agreed households of its territory");
        // a landlord still opens a summary it is given (its territory, the household's agreement)
        assert!(t.app.tenancy_summary(&f.actor("bailleur"), f.h_a).await.is_ok());
        for h in [refusing, f.h_far, f.h_restricted] {
            assert!(!seen_by_some.contains(&h), "household {} is listed", h.0);
        }
        // one page at a time, each summary shown logged in its household's access log
        let agency = f.actor("captation");
        let all = t.app.tenancy_requests(&agency, &Default::default(), 1, 100).await.unwrap().summaries;
        assert!(all.len() >= 2, "{all:?}");
        let first = t.app.tenancy_requests(&agency, &Default::default(), 1, 1).await.unwrap().summaries;
        let second = t.app.tenancy_requests(&agency, &Default::default(), 2, 1).await.unwrap().summaries;
        assert_eq!([first[0].id, second[0].id], [all[0].id, all[1].id]);
        // the filters: commune, size, resources
        let everything = t.app.tenancy_requests(&agency, &Default::default(), 1, 100).await.unwrap();
        assert_eq!(everything.communes.iter().map(|c| c.2).sum::<i64>() as usize, everything.total);
        let (code, _, n) = everything.communes[0].clone();
        let filter = app::tenancy::TenancyFilter { commune: Some(code), ..Default::default() };
        assert_eq!(t.app.tenancy_requests(&agency, &filter, 1, 100).await.unwrap().total, n as usize);
        let alone = app::tenancy::TenancyFilter { min_persons: Some(1), max_persons: Some(1), ..Default::default() };
        let alone = t.app.tenancy_requests(&agency, &alone, 1, 100).await.unwrap();
        assert!(alone.total >= 1 && alone.summaries.iter().all(|s| s.adults + s.children == 1), "{alone:?}");
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", password()).await;
        let csrf = c.csrf().await;
        let body = [("csrf", csrf.as_str()), ("band", "moins-500")];
        assert_eq!(c.post(&format!("/menages/{}/fiche-logement", f.h_a), &body).await.status, 303);
        let poor = app::tenancy::TenancyFilter { band: Some("moins-500".into()), ..Default::default() };
        let poor = t.app.tenancy_requests(&agency, &poor, 1, 100).await.unwrap();
        assert_eq!(poor.summaries.iter().map(|s| s.id).collect::<Vec<_>>(), [f.h_a]);
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let log = store::audit::for_household(&mut conn, second[0].id.0).await.unwrap();
        assert_eq!(log.first().map(|e| e.1.as_str()), Some("household.tenancy.read"), "newest first");
        drop(conn);

        let mut c = t.client();
        let landed = c.login("captation@test.parcours.test", password()).await;
        assert_eq!(landed.location(), Some("/logement/demandes"), "the agency lands on its requests");
        assert_eq!(c.get("/").await.location(), Some("/logement/demandes"));
        let page = c.get("/logement/demandes").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!("/menages/{}/fiche-logement", f.h_a.0)), "{}", page.body);
        assert!(!page.body.contains("AUBERT") && !page.body.contains("Aubert"), "no name");
        assert!(!page.body.contains(r#"href="/menages""#), "no by-name list in its menu: it has none");
        assert!(!page.body.contains(&format!("/menages/{}/fiche-logement", refusing.0)));
        let filtered = c.get("/logement/demandes?ressources=moins-500&personnes=9&commune=x").await;
        assert_eq!(filtered.status, 200, "an odd value filters nothing rather than failing");
        assert!(filtered.body.contains(r#"<option value="moins-500" selected>"#));
        assert!(filtered.body.contains(&format!("/menages/{}/fiche-logement", f.h_a.0)));
        // nobody else has requests, nor is sent there; a landlord keeps the by-name list's notice
        let mut b = t.client();
        assert_eq!(b.login("bailleur@test.parcours.test", password()).await.location(), Some("/menages"));
        assert!(b.get("/logement/demandes").await.body.contains("Aucune demande partagée"));
        let mut r = t.client();
        r.login("referent-a@test.parcours.test", password()).await;
        assert_eq!(r.get("/").await.location(), Some("/menages"));
        assert!(r.get("/logement/demandes").await.body.contains("Aucune demande partagée"));
        t.finish().await;
    }
}
