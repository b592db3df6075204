//! The CCAPEX screens through the real router: opening a procedure, its stages, deadlines and
//! alerts, the CSV export and the all-or-nothing import of opinions, who may see what, and the
//! one-click referral to the CCA.

use domain::HouseholdId;
use testkit::{apps, fixture_password as password, Client, Fixture, TestApp};

/// The page's text with the apostrophes askama escapes put back.
fn text(r: &testkit::Response) -> String {
    r.body.replace("&#x27;", "'").replace("&#39;", "'")
}

async fn logged(t: &TestApp, who: &str) -> Client {
    let mut c = t.client();
    c.login(&format!("{who}@test.parcours.test"), password()).await;
    c
}

/// Opens a procedure through the form; returns its number.
async fn open(c: &mut Client, household: HouseholdId, landlord: &str) -> i64 {
    let csrf = c.csrf().await;
    let menage = household.to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("menage", &menage),
        ("landlord", landlord),
        ("rent", "650"),
        ("charges", "1 234,5"),
        ("debt", "3200,00"),
        ("benefit", "suspendue"),
        ("diagnosis", ""),
    ];
    let r = c.post("/ccapex/procedures", &form).await;
    assert_eq!(r.status, 303, "{}", r.body);
    r.location().unwrap().strip_prefix("/ccapex/procedures/").unwrap().parse().unwrap()
}

async fn stage(c: &mut Client, id: i64, stage: &str, date: &str) -> testkit::Response {
    let csrf = c.csrf().await;
    c.post(&format!("/ccapex/procedures/{id}/etapes"), &[("csrf", &csrf), ("stage", stage), ("date", date)]).await
}

#[tokio::test]
async fn ccapex_follows_a_procedure_through_its_stages() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = logged(&t, "ccapex").await;
        // The form reached from a household's file comes with the household's number.
        let page = c.get(&format!("/ccapex/procedures/nouvelle?menage={}", f.h_a)).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!(
            "name=\"menage\" inputmode=\"numeric\" required autocomplete=\"off\" value=\"{}\"",
            f.h_a
        )));
        // Invalid amounts come back with the reason, next to the form.
        let csrf = c.csrf().await;
        let menage = f.h_a.to_string();
        let bad = [
            ("csrf", csrf.as_str()),
            ("menage", &menage),
            ("landlord", "social"),
            ("rent", "6OO"),
            ("benefit", "versee"),
        ];
        let r = c.post("/ccapex/procedures", &bad).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("loyer : nombre en euros attendu") && r.body.contains("value=\"6OO\""));

        let id = open(&mut c, f.h_a, "social").await;
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Bailleur social") && page.body.contains("Suspendue"));
        assert!(page.body.contains("650,00\u{a0}€") && page.body.contains("1\u{a0}234,50\u{a0}€"));
        assert!(page.body.contains("3\u{a0}200,00\u{a0}€"));
        assert!(!page.body.contains("Alerte prévention"));

        for (s, d) in
            [("impaye-signale", "2026-01-05"), ("commandement-payer", "2026-02-02"), ("assignation", "2026-04-01")]
        {
            assert_eq!(stage(&mut c, id, s, d).await.status, 303, "{s}");
        }
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(page.body.contains("Alerte prévention"));
        // A social landlord summoned without referring to the CCAPEX two months before.
        assert!(page.body.contains("Saisine CCAPEX tardive") && page.body.contains("01/02/2026"));
        let order = |s: &str| page.body.find(s).unwrap();
        assert!(order("05/01/2026") < order("02/02/2026") && order("02/02/2026") < order("01/04/2026"));

        // Backwards, or in the future: refused with the reason next to the stage form.
        let r = stage(&mut c, id, "commandement-payer", "2026-06-01").await;
        assert_eq!(r.status, 422);
        assert!(text(&r).contains("la procédure n'avance que vers une étape ultérieure"));
        let r = stage(&mut c, id, "jugement", "2026-07-01").await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("la date ne peut pas être dans le futur"));
        let r = stage(&mut c, id, "pas-une-etape", "2026-06-01").await;
        assert_eq!(r.status, 422);

        // The list: open procedures by default, the alert filter, the closed ones apart.
        let list = c.get("/ccapex").await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains(&format!("/ccapex/procedures/{id}\"")) && list.body.contains("Alerte prévention"));
        assert!(list.body.contains("aria-current=\"page\">Expulsions"));
        assert!(c.get("/ccapex?alerte=1").await.body.contains(&format!("/ccapex/procedures/{id}\"")));
        assert!(!c.get("/ccapex?etat=closes").await.body.contains(&format!("/ccapex/procedures/{id}\"")));

        // Terms: a bad amount is refused, a good one kept.
        let csrf = c.csrf().await;
        let terms = |rent: &'static str| {
            [("landlord", "social"), ("rent", rent), ("charges", ""), ("debt", "4100"), ("benefit", "maintenue")]
        };
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(terms("-3"));
        let r = c.post(&format!("/ccapex/procedures/{id}/conditions"), &form).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("loyer : nombre en euros attendu"));
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(terms("700"));
        assert_eq!(c.post(&format!("/ccapex/procedures/{id}/conditions"), &form).await.status, 303);
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(page.body.contains("4\u{a0}100,00\u{a0}€") && text(&page).contains("Maintenue malgré l'impayé"));

        // An opinion typed in by the CCAPEX.
        let avis = [
            ("csrf", csrf.as_str()),
            ("date", "2026-06-10"),
            ("opinion", "Maintien dans les lieux"),
            ("recommendation", "Plan d'apurement"),
            ("addressee", "Bailleur"),
        ];
        assert_eq!(c.post(&format!("/ccapex/procedures/{id}/avis"), &avis).await.status, 303);
        let empty = [("csrf", csrf.as_str()), ("date", "2026-06-10"), ("opinion", " ")];
        let r = c.post(&format!("/ccapex/procedures/{id}/avis"), &empty).await;
        assert!(r.status == 422 && r.body.contains("avis : obligatoire"));
        assert!(c.get(&format!("/ccapex/procedures/{id}")).await.body.contains("Maintien dans les lieux"));

        // Closing: only an eviction carried out closes as an eviction; then the procedure is closed.
        let path = format!("/ccapex/procedures/{id}/cloture");
        let r = c.post(&path, &[("csrf", &csrf), ("closure", "expulsion"), ("date", "2026-06-12")]).await;
        assert!(r.status == 422 && r.body.contains("une clôture par expulsion suppose une expulsion réalisée"));
        let r = c.post(&path, &[("csrf", &csrf), ("closure", "dette-soldee"), ("date", "2026-06-12")]).await;
        assert_eq!(r.status, 303);
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(page.body.contains("Dette soldée") && !page.body.contains("Alerte prévention"));
        assert!(!page.body.contains("/etapes\""), "no stage form on a closed procedure");
        let r = stage(&mut c, id, "jugement", "2026-06-13").await;
        assert!(r.status == 422 && r.body.contains("la procédure est close"));
        assert!(!c.get("/ccapex").await.body.contains(&format!("/ccapex/procedures/{id}\"")));
        assert!(c.get("/ccapex?etat=closes").await.body.contains(&format!("/ccapex/procedures/{id}\"")));
        t.finish().await;
    }
}

#[tokio::test]
async fn deadlines_follow_the_winter_truce() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = logged(&t, "ccapex").await;
        let id = open(&mut c, f.h_a, "particulier").await;
        assert_eq!(stage(&mut c, id, "jugement", "2025-11-20").await.status, 303);
        assert_eq!(stage(&mut c, id, "commandement-quitter", "2026-01-10").await.status, 303);
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        // The 2-month delay ends on 10 March, in the truce: eviction possible from 1 April.
        assert!(page.body.contains("10/03/2026") && page.body.contains("01/04/2026"));
        assert!(text(&page).contains("Sans la trêve hivernale, l'expulsion aurait été possible le 10/03/2026"));
        assert!(!page.body.contains("Saisine CCAPEX tardive"), "a private landlord need not refer");
        let list = c.get("/ccapex").await;
        assert!(list.body.contains("Expulsion possible depuis le 01/04/2026"));
        // The request for police assistance: the préfet answers within 2 months; risk of the street.
        assert_eq!(stage(&mut c, id, "demande-concours", "2026-04-20").await.status, 303);
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(page.body.contains("20/06/2026") && page.body.contains("Risque de retour à la rue"));
        assert!(c.get("/ccapex").await.body.contains("Décision du préfet au plus tard le 20/06/2026"));
        t.finish().await;
    }
}

#[tokio::test]
async fn export_holds_the_territory_only() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = logged(&t, "ccapex").await;
        let id = open(&mut c, f.h_a, "social").await;
        assert_eq!(stage(&mut c, id, "assignation", "2026-05-04").await.status, 303);
        // B follows h_far, in another département, and opens a procedure there.
        let mut b = logged(&t, "referent-b").await;
        let far = open(&mut b, f.h_far, "particulier").await;
        // The CCAPEX may not open one there.
        let csrf = c.csrf().await;
        let menage = f.h_far.to_string();
        let form = [("csrf", csrf.as_str()), ("menage", &menage), ("landlord", "social"), ("benefit", "inconnue")];
        let r = c.post("/ccapex/procedures", &form).await;
        assert_eq!(r.status, 404);
        assert!(r.body.contains("introuvable, ou vous ne pouvez pas ouvrir de procédure"));

        let r = c.get("/ccapex/export.csv").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["content-type"], "text/csv; charset=utf-8");
        let disposition = r.headers["content-disposition"].to_str().unwrap();
        assert_eq!(disposition, "attachment; filename=\"ccapex-procedures-2026-06-15.csv\"");
        let lines: Vec<&str> = r.body.lines().collect();
        assert_eq!(lines[0], app::evictions::EXPORT_HEADER.join(","));
        let row = lines.iter().find(|l| l.starts_with(&format!("{id},{},", f.h_a))).expect("the household's row");
        assert!(
            row.contains(",Loue-la-Ville,social,650.00,1234.50,3200.00,suspendue,,assignation,2026-05-04,"),
            "{row}"
        );
        assert!(row.ends_with(",oui,oui,non,"), "late referral, alert, no CCA referral, open: {row}");
        assert!(!lines.iter().any(|l| l.starts_with(&format!("{far},"))), "nothing outside the territory");
        assert_eq!(lines.len(), 2);
        // B's export has B's procedure only.
        let rb = b.get("/ccapex/export.csv").await;
        assert!(rb.body.lines().any(|l| l.starts_with(&format!("{far},"))));
        assert!(!rb.body.lines().any(|l| l.starts_with(&format!("{id},"))));
        t.finish().await;
    }
}

#[tokio::test]
async fn opinions_import_is_all_or_nothing() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = logged(&t, "ccapex").await;
        let id = open(&mut c, f.h_a, "social").await;
        let mut b = logged(&t, "referent-b").await;
        let far = open(&mut b, f.h_far, "particulier").await;
        let csrf = c.csrf().await;
        let import = "/ccapex/avis/import";
        let bad = format!(
            "dossier,date_avis,avis,recommandation,destinataire\n\
             {id},2026-06-01,Maintien dans les lieux,\"Plan d'apurement, puis FSL\",Bailleur\n\
             {id},01/06/2026,Avis mal daté,,\n\
             {far},2026-06-01,Hors périmètre,,\n"
        );
        let r =
            c.post_multipart(import, &[("csrf", &csrf)], &[("fichier", "avis.csv", "text/csv", bad.as_bytes())]).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("Ligne 3 : date_avis : AAAA-MM-JJ attendu"), "{}", r.body);
        assert!(r.body.contains("Ligne 4 : dossier : inconnu ou hors de votre périmètre"));
        assert!(!r.body.contains("Ligne 2 "));
        assert!(text(&r).contains("aucun avis n'a été importé"));
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(page.body.contains("Aucun avis enregistré") && !page.body.contains("Maintien dans les lieux"));

        // Corrected (with a BOM and CRLF, as a spreadsheet writes it): imported once.
        let good = format!(
            "\u{feff}dossier,date_avis,avis,recommandation,destinataire\r\n\
             {id},2026-06-01,Maintien dans les lieux,\"Plan d'apurement, puis FSL\",Bailleur\r\n"
        );
        let file = [("fichier", "avis.csv", "text/csv", good.as_bytes())];
        let r = c.post_multipart(import, &[("csrf", &csrf)], &file).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("1 avis importé, 0 déjà présent."), "{}", r.body);
        let r = c.post_multipart(import, &[("csrf", &csrf)], &file).await;
        assert_eq!(r.status, 200);
        assert!(r.body.contains("0 avis importé, 1 déjà présent."));
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(text(&page).contains("Plan d'apurement, puis FSL"));
        assert_eq!(page.body.matches("Maintien dans les lieux").count(), 1);
        assert!(page.body.contains("Import CSV"));

        // A missing column, no file, no CSRF token, not the CCAPEX.
        let r =
            c.post_multipart(import, &[("csrf", &csrf)], &[("fichier", "a.csv", "text/csv", b"dossier,avis\n")]).await;
        assert!(r.status == 422 && r.body.contains("Ligne 1 : colonne « date_avis » absente"));
        let r = c.post_multipart(import, &[("csrf", &csrf)], &[("fichier", "", "application/octet-stream", b"")]).await;
        assert!(r.status == 422 && r.body.contains("Choisissez un fichier CSV"));
        let r = c.post_multipart(import, &[("csrf", "faux")], &file).await;
        assert_eq!(r.status, 403);
        let r = c.post_multipart(import, &[], &file).await;
        assert_eq!(r.status, 403);
        let mut a = logged(&t, "referent-a").await;
        let csrf_a = a.csrf().await;
        assert!(!a.get("/ccapex").await.body.contains("/ccapex/avis/import"), "the import is the CCAPEX's");
        assert_eq!(a.post_multipart(import, &[("csrf", &csrf_a)], &file).await.status, 403);
        t.finish().await;
    }
}

#[tokio::test]
async fn procedures_and_files_stay_need_to_know() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = logged(&t, "ccapex").await;
        let id = open(&mut c, f.h_a, "social").await;
        // The CCAPEX follows the procedure, never the social file.
        assert_eq!(c.get(&format!("/menages/{}", f.h_a)).await.status, 404);
        assert!(!c.get(&format!("/ccapex/procedures/{id}")).await.body.contains(&format!("/menages/{}\"", f.h_a)));
        // B does not follow h_a: neither the procedure nor opening one.
        let mut b = logged(&t, "referent-b").await;
        assert_eq!(b.get(&format!("/ccapex/procedures/{id}")).await.status, 404);
        assert_eq!(stage(&mut b, id, "assignation", "2026-06-01").await.status, 404);
        let csrf = b.csrf().await;
        let menage = f.h_a.to_string();
        let form = [("csrf", csrf.as_str()), ("menage", &menage), ("landlord", "social"), ("benefit", "inconnue")];
        assert_eq!(b.post("/ccapex/procedures", &form).await.status, 404);
        assert!(!b.get("/ccapex").await.body.contains(&format!("/ccapex/procedures/{id}\"")));
        assert!(b.get("/ccapex/export.csv").await.body.lines().count() == 1, "the header only");
        assert_eq!(t.app.evictions(&f.actor("ccapex"), Some(f.h_a)).await.unwrap().len(), 1);
        // A, who follows h_a, works on it too, with a link to the file but no opinion form.
        let mut a = logged(&t, "referent-a").await;
        let page = a.get(&format!("/ccapex/procedures/{id}")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains(&format!("/menages/{}\"", f.h_a)) && !page.body.contains("Ajouter un avis"));
        assert!(c.get(&format!("/ccapex/procedures/{id}")).await.body.contains("Ajouter un avis"));
        let csrf = a.csrf().await;
        let avis = [("csrf", csrf.as_str()), ("date", "2026-06-10"), ("opinion", "Avis")];
        assert_eq!(a.post(&format!("/ccapex/procedures/{id}/avis"), &avis).await.status, 403);
        // Unknown numbers look like refused ones.
        assert_eq!(c.get("/ccapex/procedures/999999").await.status, 404);
        assert_eq!(c.get("/ccapex/procedures/abc").await.status, 404);
        // No CSRF token, no write.
        let r = c
            .post(
                &format!("/ccapex/procedures/{id}/etapes"),
                &[("csrf", "x"), ("stage", "assignation"), ("date", "2026-06-01")],
            )
            .await;
        assert_eq!(r.status, 403);
        t.finish().await;
    }
}

#[tokio::test]
async fn refer_to_the_cca_in_one_click() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut c = logged(&t, "ccapex").await;
        let id = open(&mut c, f.h_a, "particulier").await;
        assert_eq!(stage(&mut c, id, "assignation", "2026-05-04").await.status, 303);
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(page.body.contains("Saisir la CCA") && page.body.contains("Alerte prévention"));
        let ccapex = f.actor("ccapex");
        assert!(!t.app.eviction(&ccapex, id).await.unwrap().has_referral);
        let csrf = page.csrf().unwrap();
        let r = c.post(&format!("/ccapex/procedures/{id}/saisine"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303);
        assert!(r.location().unwrap().starts_with("/cca/saisines/"), "{:?}", r.location());
        let v = t.app.eviction(&ccapex, id).await.unwrap();
        assert!(v.has_referral && !v.alert);
        let page = c.get(&format!("/ccapex/procedures/{id}")).await;
        assert!(!page.body.contains("/saisine\"") && page.body.contains("Une saisine de la CCA existe"));
        assert!(!page.body.contains("Alerte prévention"));
        t.finish().await;
    }
}
