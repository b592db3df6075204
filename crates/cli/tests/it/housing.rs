//! Housing captation: the agency records a dwelling and sees the shared requests it fits, best
//! first; nobody else records one or sees another agency's; each summary shown is logged.

use app::protection::Choice;
use app::AppError;
use domain::dwelling::Dwelling;
use domain::policy::SharingScope;
use domain::tenancy::{DwellingNeed, ResourcesBand};
use testkit::{apps, fixture_password as password, Fixture, TODAY};

#[tokio::test]
async fn a_captured_dwelling_lists_the_requests_it_fits_best_first() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (dpo, referent) = (f.actor("dpo"), f.actor("referent-a"));
        for h in [f.h_a, f.h_ab, f.h_b] {
            t.app.record_sharing_choice(&dpo, h, SharingScope::Bailleurs, Choice::Accord, TODAY).await.unwrap();
        }
        // h_a keeps a pet (the dwelling takes none); h_ab states its resources; h_b states nothing
        t.app.set_tenancy_fields(&referent, f.h_a, None, &[DwellingNeed::AnimalDeCompagnie]).await.unwrap();
        t.app
            .set_tenancy_fields(&referent, f.h_ab, Some(ResourcesBand::De500a1000), &[DwellingNeed::Ascenseur])
            .await
            .unwrap();

        let agency = f.actor("captation");
        let t2 = Dwelling::parse("69001", "2", "450", &[DwellingNeed::RezDeChaussee], "2026-07-01").unwrap();
        assert!(matches!(t.app.capture_dwelling(&referent, &t2).await, Err(AppError::Forbidden)));
        let id = t.app.capture_dwelling(&agency, &t2).await.unwrap();
        let m = t.app.dwelling_matches(&agency, id).await.unwrap();
        let order: Vec<_> = m.matches.iter().map(|(s, f)| (s.id, f.effort)).collect();
        // both in the same commune: a heavy rent (60 %) after unknown resources; the pet owner left out
        assert_eq!(order, [(f.h_b, None), (f.h_ab, Some(60))]);
        assert_eq!(m.total, 2);
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let log = store::audit::for_household(&mut conn, f.h_ab.0).await.unwrap();
        assert_eq!(log.first().map(|e| e.1.as_str()), Some("household.tenancy.read"), "each shown is logged");
        let unshown = store::audit::for_household(&mut conn, f.h_a.0).await.unwrap();
        assert_ne!(unshown.first().map(|e| e.1.as_str()), Some("household.tenancy.read"), "the left-out is not");
        drop(conn);

        // a landlord of the same structure, the referent: not theirs to see
        for who in ["bailleur", "referent-a"] {
            assert!(matches!(t.app.dwelling_matches(&f.actor(who), id).await, Err(AppError::NotFound)), "{who}");
        }
        // let: no request is looked for any more
        t.app.set_dwelling_state(&agency, id, app::dwellings::DwellingState::Attribue).await.unwrap();
        assert!(t.app.dwelling_matches(&agency, id).await.unwrap().matches.is_empty());

        // through the screens
        let mut c = t.client();
        c.login("captation@test.parcours.test", password()).await;
        let csrf = c.csrf().await;
        let bad = [
            ("csrf", csrf.as_str()),
            ("commune", "69001"),
            ("rooms", "2"),
            ("rent", "quatre cents"),
            ("available_on", "2026-07-01"),
        ];
        let r = c.post("/logement/offres", &bad).await;
        assert_eq!(r.status, 422);
        assert!(
            r.body.contains("loyer") && r.body.contains(r#"<option value="69001" selected>"#),
            "the form comes back as typed"
        );
        let good = [
            ("csrf", csrf.as_str()),
            ("commune", "69001"),
            ("rooms", "2"),
            ("rent", "450"),
            ("available_on", "2026-07-01"),
            ("features", "rdc"),
            ("features", "animal"),
        ];
        let r = c.post("/logement/offres", &good).await;
        assert_eq!(r.status, 303);
        let page = c.get(r.location().unwrap()).await.body;
        assert!(page.contains("T2 n°") && page.contains("3 demande(s) lui conviennent"), "{page}");
        for h in [f.h_a, f.h_ab, f.h_b] {
            assert!(page.contains(&format!("/menages/{}/fiche-logement", h.0)));
        }
        assert!(!page.contains("AUBERT") && !page.contains("Aubert"), "no name");
        assert!(c.get("/logement/offres").await.body.contains("Attribué"), "the first one, let");
        let mut r = t.client();
        r.login("referent-a@test.parcours.test", password()).await;
        assert_eq!(r.get("/logement/offres").await.status, 403);
        t.finish().await;
    }
}
