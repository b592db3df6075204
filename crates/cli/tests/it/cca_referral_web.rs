//! The CCA through the browser's forms: a référent drafts, attaches and submits a referral; the
//! manager checks it, schedules a session, invites a member, publishes, decides, closes; the
//! minutes print and download as PDF.

use testkit::{apps, fixture_password, Fixture};

fn location(r: &testkit::Response) -> String {
    r.location().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_referral_goes_through_the_screens_to_the_minutes() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let h = f.h_a.0;
        let mut referent = t.client();
        referent.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = referent.csrf().await;

        // The household's file offers the referral; the form opens.
        let file = referent.get(&format!("/menages/{h}")).await;
        assert!(file.body.contains(&format!("/menages/{h}/saisine")), "Saisir la CCA is offered");
        assert_eq!(referent.get(&format!("/menages/{h}/saisine")).await.status, 200);
        let draft = referent
            .post(
                "/cca/saisines",
                &[("csrf", &csrf), ("household", &h.to_string()), ("needs", "logement"), ("wishes", "Un T2")],
            )
            .await;
        assert_eq!(draft.status, 303);
        let page_url = location(&draft);
        let rid: i64 = page_url.rsplit('/').next().unwrap().parse().unwrap();
        // Submitting an incomplete draft: 422 and what is missing.
        let refused = referent.post(&format!("{page_url}/soumettre"), &[("csrf", &csrf)]).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("mesure demandée"), "the reason is shown");
        // Without the CSRF token nothing happens.
        assert_eq!(referent.post(&format!("{page_url}/soumettre"), &[]).await.status.as_u16() / 100, 4);
        let attached = referent
            .post_multipart(
                &format!("{page_url}/pieces"),
                &[("csrf", &csrf)],
                &[("piece", "avis.pdf", "application/pdf", b"%PDF-1.4 avis")],
            )
            .await;
        assert_eq!(attached.status, 303);
        let bad = referent
            .post_multipart(
                &format!("{page_url}/pieces"),
                &[("csrf", &csrf)],
                &[("piece", "virus.exe", "application/x-msdownload", b"MZ")],
            )
            .await;
        assert_eq!(bad.status, 422, "only documents are accepted");
        // A 4 MB scan goes through (above axum's default 2 MB body limit), 6 MB does not.
        let scan = vec![b'%'; 4 * 1024 * 1024];
        let big = referent
            .post_multipart(
                &format!("{page_url}/pieces"),
                &[("csrf", &csrf)],
                &[("piece", "scan.pdf", "application/pdf", &scan)],
            )
            .await;
        assert_eq!(big.status, 303);
        let too_big = vec![b'%'; 6 * 1024 * 1024];
        let refused = referent
            .post_multipart(
                &format!("{page_url}/pieces"),
                &[("csrf", &csrf)],
                &[("piece", "gros.pdf", "application/pdf", &too_big)],
            )
            .await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("plus de 5 Mo"), "the reason is shown");
        let full = [
            ("csrf", csrf.as_str()),
            ("needs", "logement"),
            ("needs", "budget"),
            ("measure_asked", "avdl"),
            ("motivation", "Préparer l'accès au logement"),
            ("notice_given_on", "2026-06-10"),
        ];
        assert_eq!(referent.post(&page_url, &full).await.status, 303);
        assert_eq!(referent.post(&format!("{page_url}/soumettre"), &[("csrf", &csrf)]).await.status, 303);
        let shown = referent.get(&page_url).await;
        assert!(shown.body.contains("Soumise") && shown.body.contains("avis.pdf"));
        // Another organisation's référent gets the same 404 as for a missing page.
        let mut other = t.client();
        other.login("referent-b@test.parcours.test", fixture_password()).await;
        assert_eq!(other.get(&page_url).await.status, 404);

        // The manager: inbox, completeness, session, agenda, member, publication.
        let mut cca = t.client();
        cca.login("cca@test.parcours.test", fixture_password()).await;
        let mcsrf = cca.csrf().await;
        let inbox = cca.get("/cca").await;
        assert!(inbox.body.contains(&format!("Saisine n° {rid}")));
        let piece = cca.get(&format!("{page_url}/pieces/1")).await;
        assert_eq!(piece.status, 200);
        assert_eq!(piece.body, "%PDF-1.4 avis");
        let checked =
            cca.post(&format!("{page_url}/verification"), &[("csrf", &mcsrf), ("decision", "complete")]).await;
        assert_eq!(checked.status, 303);
        let session = cca.post("/cca/seances", &[("csrf", &mcsrf), ("date", "2026-06-18"), ("place", "Salle B")]).await;
        assert_eq!(session.status, 303);
        let s_url = location(&session);
        let sid = s_url.rsplit('/').next().unwrap().to_owned();
        let put = cca.post(&format!("{page_url}/inscription"), &[("csrf", &mcsrf), ("session", &sid)]).await;
        assert_eq!(put.status, 303);
        let member = f.actor("commission").user.0.to_string();
        assert_eq!(cca.post(&format!("{s_url}/membres"), &[("csrf", &mcsrf), ("user", &member)]).await.status, 303);
        let mut m = t.client();
        m.login("commission@test.parcours.test", fixture_password()).await;
        assert_eq!(m.get(&format!("/menages/{h}")).await.status, 404, "no access before publication");
        assert_eq!(cca.post(&format!("{s_url}/publication"), &[("csrf", &mcsrf)]).await.status, 303);
        let seen = m.get(&s_url).await;
        assert_eq!(seen.status, 200);
        assert!(seen.body.contains("AUBERT"), "the member sees the name during the window");
        assert_eq!(m.get(&format!("/menages/{h}")).await.status, 200);
        assert!(!seen.body.contains("/decisions"), "a member does not enter decisions");

        // In session: presence and decision; then the minutes.
        let p = cca.post(&format!("{s_url}/presences"), &[("csrf", &mcsrf), ("present", &member)]).await;
        assert_eq!(p.status, 303);
        let rid_s = rid.to_string();
        let no_measure = [("csrf", mcsrf.as_str()), ("referral", rid_s.as_str()), ("outcome", "accorde")];
        let refused = cca.post(&format!("{s_url}/decisions"), &no_measure).await;
        assert_eq!(refused.status, 422, "an agreement names its measure");
        let agree =
            [("csrf", mcsrf.as_str()), ("referral", rid_s.as_str()), ("outcome", "accorde"), ("measure", "avdl")];
        assert_eq!(cca.post(&format!("{s_url}/decisions"), &agree).await.status, 303);
        let minutes = cca.get(&format!("{s_url}/compte-rendu")).await;
        assert_eq!(minutes.status, 200);
        assert!(minutes.body.contains("Membres présents (1)") && minutes.body.contains("Accordé"));
        assert!(!minutes.body.contains("style="), "no inline style under our CSP");
        let pdf = cca.get(&format!("{s_url}/compte-rendu.pdf")).await;
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.headers.get("content-type").unwrap(), "application/pdf");
        assert!(pdf.body.starts_with("%PDF-") && pdf.body.trim_end().ends_with("%%EOF"));
        assert_eq!(cca.post(&format!("{s_url}/cloture"), &[("csrf", &mcsrf)]).await.status, 303);
        // The référent was notified, and the household's file lists the measure.
        let file = referent.get(&format!("/menages/{h}")).await;
        assert!(file.body.contains("AVDL"), "the granted measure shows on the file");
        t.finish().await;
    }
}

#[tokio::test]
async fn the_administrator_edits_the_catalogue_of_measures() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut admin = t.client();
        admin.login("admin@test.parcours.test", fixture_password()).await;
        let csrf = admin.csrf().await;
        let page = admin.get("/admin/mesures").await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Pension de famille"));
        let bad = admin
            .post("/admin/mesures", &[("csrf", &csrf), ("code", "Pas Bon"), ("label", "x"), ("months", "6")])
            .await;
        assert_eq!(bad.status, 422);
        let add = [("csrf", csrf.as_str()), ("code", "appui-renforce"), ("label", "Appui renforcé"), ("months", "9")];
        assert_eq!(admin.post("/admin/mesures", &add).await.status, 303);
        assert_eq!(admin.post("/admin/mesures", &add).await.status, 422, "codes are unique");
        assert_eq!(admin.post("/admin/mesures/avdl/etat", &[("csrf", &csrf), ("active", "0")]).await.status, 303);

        // The référent may ask for the new measure, not for the retired one.
        let mut referent = t.client();
        referent.login("referent-a@test.parcours.test", fixture_password()).await;
        let rcsrf = referent.csrf().await;
        let h = f.h_a.0.to_string();
        let ok = [("csrf", rcsrf.as_str()), ("household", h.as_str()), ("measure_asked", "appui-renforce")];
        assert_eq!(referent.post("/cca/saisines", &ok).await.status, 303);
        let retired = [("csrf", rcsrf.as_str()), ("household", h.as_str()), ("measure_asked", "avdl")];
        let refused = referent.post("/cca/saisines", &retired).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("absente du catalogue"));
        // Administration only.
        assert_eq!(referent.get("/admin/mesures").await.status, 403);
        t.finish().await;
    }
}
