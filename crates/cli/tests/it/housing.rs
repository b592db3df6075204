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

/// A dwelling proposed to a household it fits: its référents hear of it by number, answer on the
/// file after talking with the household, and the agency hears the answer; every step is in the
/// household's access log, and nothing goes to a household out of the agency's reach.
#[tokio::test]
async fn a_dwelling_proposed_is_answered_by_the_households_referent() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (dpo, referent) = (f.actor("dpo"), f.actor("referent-a"));
        for h in [f.h_a, f.h_ab, f.h_far] {
            t.app.record_sharing_choice(&dpo, h, SharingScope::Bailleurs, Choice::Accord, TODAY).await.unwrap();
        }
        t.app.set_tenancy_fields(&referent, f.h_a, None, &[DwellingNeed::AnimalDeCompagnie]).await.unwrap();
        let agency = f.actor("captation");
        let t2 = Dwelling::parse("69001", "2", "450", &[DwellingNeed::RezDeChaussee], "2026-07-01").unwrap();
        let d = t.app.capture_dwelling(&agency, &t2).await.unwrap();

        // out of its reach (another département), or not fitting (a pet): refused
        assert!(matches!(t.app.propose_dwelling(&agency, d, f.h_far).await, Err(AppError::NotFound)));
        assert!(matches!(t.app.propose_dwelling(&agency, d, f.h_a).await, Err(AppError::Invalid(_))));
        assert!(matches!(t.app.propose_dwelling(&referent, d, f.h_ab).await, Err(AppError::NotFound)), "not an agency");
        // h_ab: followed by A and B, both référents told, by its number and the dwelling only
        assert_eq!(t.app.propose_dwelling(&agency, d, f.h_ab).await.unwrap(), 2);
        assert!(matches!(t.app.propose_dwelling(&agency, d, f.h_ab).await, Err(AppError::Invalid(_))), "once");
        let told = t.app.notifications(&referent).await.unwrap();
        let n = told.iter().find(|n| n.kind == "logement").expect("the référent is told");
        assert!(
            n.message.starts_with(&format!("Ménage n° {} : ", f.h_ab.0)) && n.message.contains("T2 à Loue-la-Ville")
        );
        assert!(!n.message.contains("Colin") && !n.message.contains("COLIN"), "no name");
        assert_eq!(n.link, format!("/menages/{}#logement", f.h_ab.0));

        // the file shows it; a landlord may not read the file
        let shown = t.app.household_proposals(&referent, f.h_ab).await.unwrap();
        assert_eq!(shown.len(), 1);
        assert!(shown[0].may_answer && shown[0].proposal.accepted.is_none());
        assert!(matches!(t.app.household_proposals(&f.actor("bailleur"), f.h_ab).await, Err(AppError::NotFound)));

        // the answer, on the file: the agency hears it and sees it
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", password()).await;
        let csrf = c.csrf().await;
        let page = c.get(&format!("/menages/{}", f.h_ab.0)).await.body;
        assert!(page.contains("Logements proposés") && page.contains("Le ménage accepte"), "{page}");
        let id = shown[0].proposal.id;
        let r =
            c.post(&format!("/propositions/{id}/reponse"), &[("csrf", csrf.as_str()), ("reponse", "acceptee")]).await;
        assert_eq!(r.location(), Some(format!("/menages/{}#logement", f.h_ab.0).as_str()));
        assert!(
            matches!(t.app.answer_proposal(&referent, id, false).await, Err(AppError::Invalid(_))),
            "answered once"
        );
        let heard = t.app.notifications(&agency).await.unwrap();
        assert!(heard
            .iter()
            .any(|n| n.message == format!("Ménage n° {} : la proposition du logement n° {d} est acceptée", f.h_ab.0)));
        let m = t.app.dwelling_matches(&agency, d).await.unwrap();
        assert_eq!(m.proposals.iter().map(|p| (p.household, p.accepted)).collect::<Vec<_>>(), [(f.h_ab, Some(true))]);
        let export = t.app.rights_export(None, f.h_ab).await.unwrap();
        let told: Vec<_> =
            export.logements_proposes.iter().map(|e| (e.libelle.as_str(), e.detail.as_deref())).collect();
        assert_eq!(
            told,
            [("Logement T2 proposé (450 € par mois charges comprises, commune 69001)", Some("réponse : acceptée"))],
            "the person's access export tells it"
        );
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let log = store::audit::for_household(&mut conn, f.h_ab.0).await.unwrap();
        let steps: Vec<_> = log.iter().filter(|e| e.1 == "dwelling.proposal").map(|e| e.2.as_str()).collect();
        // newest first: answered; the landlord's refused read; proposed; the referent's refused proposal
        assert_eq!(steps, ["allowed", "denied", "allowed", "denied"]);
        drop(conn);
        t.finish().await;
    }
}
