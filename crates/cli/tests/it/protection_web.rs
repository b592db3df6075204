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
