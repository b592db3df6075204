//! The CCA's measure, to-do and statistics screens through the real router: a granted measure
//! started, reviewed, renewed and ended through the forms (with the refusals shown beside them),
//! the référent's to-do list and notifications, the statistics with their downloads and access.

use domain::cca::measure::Plan;
use domain::cca::referral::{DecisionInput, ReferralContent};
use domain::cca::{Need, Outcome};
use testkit::{apps, fixture_password, Client, Fixture, TestApp, TODAY};

fn days(n: i64) -> time::Duration {
    time::Duration::days(n)
}

fn iso(d: domain::Date) -> String {
    domain::format_date(d)
}

/// A referral for `h` by referent-a, checked, on a session held today, granted an AVDL: the
/// measure waits to start. Returns its id.
async fn granted_measure(t: &TestApp, f: &Fixture, h: domain::HouseholdId) -> i64 {
    let (referent, manager) = (f.actor("referent-a"), f.actor("cca"));
    let content = ReferralContent {
        needs: vec![Need::Logement],
        needs_detail: "Recherche de logement".into(),
        wishes: "Un T2".into(),
        measure_asked: Some("avdl".into()),
        motivation: "Accès au logement à préparer".into(),
        previous_measures: String::new(),
        notice_given_on: Some(TODAY),
    };
    let r = t.app.create_referral(&referent, h, &content, None).await.unwrap();
    t.app.submit_referral(&referent, r).await.unwrap();
    t.app.check_referral(&manager, r, true, "").await.unwrap();
    let s = t.app.create_session(&manager, TODAY, "Salle du conseil").await.unwrap();
    t.app.add_to_agenda(&manager, s, r).await.unwrap();
    t.app.publish_agenda(&manager, s).await.unwrap();
    let agree = DecisionInput {
        outcome: Outcome::Accorde,
        measure: Some("avdl".into()),
        reason: String::new(),
        redirected_to: String::new(),
    };
    t.app.decide(&manager, s, r, &agree).await.unwrap();
    let measures = t.app.household_measures(&referent, h).await.unwrap();
    measures.last().unwrap().measure.id
}

async fn logged_in(t: &TestApp, local: &str) -> Client {
    let mut c = t.client();
    let r = c.login(&format!("{local}@test.parcours.test"), fixture_password()).await;
    assert_eq!(r.status, 303, "{local} logs in");
    c
}

/// Nothing the CSP would block.
fn csp_clean(body: &str) {
    assert!(!body.contains("style=") && !body.contains("<style") && !body.contains("<script"), "{body}");
}

/// Starts the measure through the web form, as the CCA manager: operator A, referent-a, a
/// review within the reminders' horizon.
async fn start_through_the_form(c: &mut Client, f: &Fixture, m: i64) {
    let page = c.get(&format!("/cca/mesures/{m}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    csp_clean(&page.body);
    assert!(page.body.contains("Accordée, à démarrer") && page.body.contains("action=\"/cca/mesures/"));
    assert!(
        page.body.contains("name=\"months\" type=\"number\" min=\"0\" max=\"120\" step=\"1\" value=\"6\""),
        "AVDL: 6 months"
    );
    assert!(page.body.contains(&format!("<option value=\"{}\">Association A</option>", f.org_a.0)));
    let csrf = page.csrf().unwrap();
    let (org, referent) = (f.org_a.0.to_string(), f.actor("referent-a").user.0.to_string());
    let (start, review) = (iso(TODAY - days(1)), iso(TODAY + days(7)));
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("operator", org.as_str()),
        ("referent", ""),
        ("start", start.as_str()),
        ("months", "6"),
        ("next_review", review.as_str()),
    ];
    // A referent from another organisation is refused, with the reason, and what was typed kept.
    let other = f.actor("referent-b").user.0.to_string();
    form[2].1 = &other;
    let r = c.post(&format!("/cca/mesures/{m}/demarrage"), &form).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("il doit appartenir à la structure opératrice"), "{}", r.body);
    assert!(r.body.contains(&format!("value=\"{other}\"")));
    csp_clean(&r.body);
    form[2].1 = &referent;
    let r = c.post(&format!("/cca/mesures/{m}/demarrage"), &form).await;
    assert_eq!((r.status.as_u16(), r.location()), (303, Some(format!("/cca/mesures/{m}").as_str())));
}

#[tokio::test]
async fn the_manager_starts_and_ends_a_measure_through_the_forms() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let m = granted_measure(&t, &f, f.h_a).await;
        let mut cca = logged_in(&t, "cca").await;

        // The list: the measure waiting, with its household's link; the state filter.
        let list = cca.get("/cca/mesures").await;
        assert_eq!(list.status, 200);
        assert!(list.body.contains(&format!("href=\"/cca/mesures/{m}\"")));
        assert!(list.body.contains(&format!("href=\"/menages/{}\"", f.h_a)));
        assert!(list.body.contains("aria-current=\"page\">CCA</a>"));
        csp_clean(&list.body);
        let running = cca.get("/cca/mesures?etat=en-cours").await;
        assert!(!running.body.contains(&format!("href=\"/cca/mesures/{m}\"")), "not started yet");

        start_through_the_form(&mut cca, &f, m).await;
        let page = cca.get(&format!("/cca/mesures/{m}")).await;
        assert!(page.body.contains("En cours") && page.body.contains("Démarrage de la mesure"));
        assert!(page.body.contains("referent-a") && page.body.contains("Association A"));
        assert!(page.body.contains("id=\"f-bilan\"") && page.body.contains("id=\"f-renouvellement\""));
        let running = cca.get("/cca/mesures?etat=en-cours").await;
        assert!(running.body.contains(&format!("href=\"/cca/mesures/{m}\"")));
        let csrf = page.csrf().unwrap();

        // A review and a renewal.
        let today = iso(TODAY);
        let next = iso(TODAY + days(60));
        let r = cca
            .post(
                &format!("/cca/mesures/{m}/bilan"),
                &[
                    ("csrf", &csrf),
                    ("date", &today),
                    ("outcome", "poursuite"),
                    ("note", "Dossier HLM déposé"),
                    ("next_review", &next),
                ],
            )
            .await;
        assert_eq!(r.status, 303);
        let r = cca
            .post(
                &format!("/cca/mesures/{m}/bilan"),
                &[("csrf", &csrf), ("date", &iso(TODAY + days(1))), ("outcome", "poursuite")],
            )
            .await;
        assert_eq!(r.status, 422, "no review in the future");
        assert!(r.body.contains("la date ne peut pas être dans le futur"));
        let r = cca
            .post(
                &format!("/cca/mesures/{m}/renouvellement"),
                &[("csrf", &csrf), ("months", "3"), ("next_review", ""), ("note", "")],
            )
            .await;
        assert_eq!(r.status, 303);
        let page = cca.get(&format!("/cca/mesures/{m}")).await;
        assert!(page.body.contains("Bilan — Poursuite de la mesure") && page.body.contains("Dossier HLM déposé"));
        assert!(page.body.contains("Renouvellement") && page.body.contains("9 mois"), "6 + 3 months");

        // Housed, but where? Refused with the reason; then housed in social housing.
        let end = |housing: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("date", today.clone()),
                ("reason", "loge".into()),
                ("housing", housing.into()),
                ("note", "".into()),
            ]
        };
        let form = end("");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = cca.post(&format!("/cca/mesures/{m}/fin"), &pairs).await;
        assert_eq!(r.status, 422);
        assert!(r.body.contains("type de logement : préciser le logement obtenu"), "{}", r.body);
        assert!(r.body.contains("<option value=\"loge\" selected>"), "the reason typed is kept");
        csp_clean(&r.body);
        let form = end("social");
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = cca.post(&format!("/cca/mesures/{m}/fin"), &pairs).await;
        assert_eq!(r.status, 303);
        let page = cca.get(&format!("/cca/mesures/{m}")).await;
        assert!(
            page.body.contains("Terminée")
                && page.body.contains("Ménage logé")
                && page.body.contains("Logement social")
        );
        assert!(!page.body.contains("action=\"/cca/mesures/"), "an ended measure has no form");

        // The by-name list sees the household housed.
        let mut referent = logged_in(&t, "referent-a").await;
        let file = referent.get(&format!("/menages/{}", f.h_a)).await;
        assert_eq!(file.status, 200);
        assert!(file.body.contains("Logement ordinaire"), "{}", file.body);

        // Another organisation's référent does not manage it; the CSRF token is checked.
        let mut other = logged_in(&t, "referent-b").await;
        assert_eq!(other.get(&format!("/cca/mesures/{m}")).await.status, 404);
        let r = cca
            .post(&format!("/cca/mesures/{m}/bilan"), &[("csrf", "faux"), ("date", &today), ("outcome", "poursuite")])
            .await;
        assert_eq!(r.status, 403);
        t.finish().await;
    }
}

#[tokio::test]
async fn the_referents_to_do_list_shows_the_review_due_and_the_notifications() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let mut referent = logged_in(&t, "referent-a").await;
        let empty = referent.get("/a-faire").await;
        assert_eq!(empty.status, 200);
        assert!(empty.body.contains("Rien à faire pour le moment.") && empty.body.contains("Aucune notification."));
        assert!(empty.body.contains("aria-current=\"page\">À faire</a>"));

        let m = granted_measure(&t, &f, f.h_a).await;
        let mut cca = logged_in(&t, "cca").await;
        start_through_the_form(&mut cca, &f, m).await;

        let page = referent.get("/a-faire").await;
        assert_eq!(page.status, 200);
        csp_clean(&page.body);
        let due = domain::format_date_fr(TODAY + days(7));
        assert!(page.body.contains(&format!("Mesure n° {m} (AVDL")), "{}", page.body);
        assert!(page.body.contains(&format!("bilan prévu le {due}")));
        assert!(page.body.contains(&format!("<a href=\"/cca/mesures/{m}\">")));
        assert!(page.body.contains(&format!("<time datetime=\"{}\">{due}</time>", iso(TODAY + days(7)))));
        assert!(!page.body.contains("En retard"), "due in a week");
        // The decision was notified; unread.
        assert!(page.body.contains("décision de la commission — Accordé"), "{}", page.body);
        assert!(page.body.contains("Non lue") && page.body.contains("Tout marquer comme lu"));
        let csrf = page.csrf().unwrap();
        assert_eq!(referent.post("/a-faire/lu", &[("csrf", "faux")]).await.status, 403);
        let r = referent.post("/a-faire/lu", &[("csrf", &csrf)]).await;
        assert_eq!(r.status, 303);
        assert!(r.location().unwrap().starts_with("/a-faire"));
        let page = referent.get("/a-faire").await;
        assert!(page.body.contains("décision de la commission — Accordé"));
        assert!(!page.body.contains("Non lue") && !page.body.contains("Tout marquer comme lu"));

        // A review date passed: the item is marked late, in words.
        let late = granted_measure(&t, &f, f.h_ab).await;
        let plan = Plan { start: TODAY - days(30), months: 6, next_review: Some(TODAY - days(2)) };
        t.app.start_measure(&f.actor("cca"), late, f.org_a, Some(f.actor("referent-a").user), plan).await.unwrap();
        let page = referent.get("/a-faire").await;
        let row = page.body.split("<tr>").find(|r| r.contains(&format!("Mesure n° {late} "))).unwrap();
        assert!(row.contains("En retard") && row.contains("badge"), "{row}");
        assert!(page.body.contains("dont 1 en retard"));
        t.finish().await;
    }
}

#[tokio::test]
async fn statistics_count_the_decision_and_download_as_csv_and_xlsx() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let _m = granted_measure(&t, &f, f.h_a).await;
        let mut cca = logged_in(&t, "cca").await;
        let page = cca.get("/cca/statistiques").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let body = &page.body;
        csp_clean(body);
        assert!(body.contains("<svg ") && body.contains("<table"));
        assert_eq!(body.matches("<svg ").count(), body.matches("role=\"img\" aria-labelledby=\"graphique-").count());
        assert!(body.contains("scope=\"col\"") && body.contains("scope=\"row\"") && body.contains("<caption id="));
        // each table scrolls sideways on a tablet: a region reachable from the keyboard, named by its caption
        assert_eq!(
            body.matches("<table").count(),
            body.matches("tabindex=\"0\" role=\"region\" aria-labelledby=").count()
        );
        let default = format!("du {} au {}", domain::format_date_fr(TODAY - days(365)), domain::format_date_fr(TODAY));
        assert!(body.contains(&default), "the last 12 months by default");
        for title in ["Saisines déposées", "Décisions, par issue", "Délais en jours", "Sorties vers le logement"] {
            assert!(body.contains(title), "{title}");
        }
        // The decision counted, one referral from an association; no measure started yet: "—".
        assert!(body.contains("<tr><th scope=\"row\">Accordé</th><td class=\"num\">1</td></tr>"), "{body}");
        assert!(body.contains("<tr><th scope=\"row\">Association</th><td class=\"num\">1</td></tr>"), "{body}");
        assert!(body.contains("<span aria-hidden=\"true\">—</span>"));
        assert!(body.contains("href=\"/cca/statistiques.csv?du=2025-06-15&#38;au=2026-06-15\""), "{body}");

        // A period with nothing: zero; an inverted one: the reason, and the default period.
        let before = cca.get("/cca/statistiques?du=2024-01-01&au=2024-12-31").await;
        assert_eq!(before.status, 200);
        assert!(before.body.contains("<tr><th scope=\"row\">Accordé</th><td class=\"num\">0</td></tr>"));
        let wrong = cca.get("/cca/statistiques?du=2026-06-01&au=2026-01-01").await;
        assert_eq!(wrong.status, 422);
        assert!(wrong.body.contains("le début de la période doit précéder sa fin"));

        // Downloads.
        let csv = cca.get("/cca/statistiques.csv?du=2026-01-01&au=2026-06-15").await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert!(csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("cca-statistiques-2026-01-01-2026-06-15.csv"));
        assert!(csv.body.starts_with("table,libelle,colonne,valeur\r\n"));
        assert!(csv.body.contains("decisions,Accordé,Décisions,1\r\n"), "{}", csv.body);
        assert!(csv.body.contains("delais,Décision → début de la mesure,Médiane,\r\n"), "no data: empty");
        let xlsx = cca.get("/cca/statistiques.xlsx").await;
        assert_eq!(xlsx.status, 200);
        assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(cca.get("/cca/statistiques.csv?du=hier").await.status, 422);

        // Aggregate readers too; not a référent.
        let mut observer = logged_in(&t, "observatoire").await;
        let seen = observer.get("/cca/statistiques").await;
        assert_eq!(seen.status, 200);
        // The single decision is a small count: masked for them, exact for the manager.
        assert!(
            seen.body.contains("&#60; 5") && seen.body.contains("sont masqués"),
            "small counts are masked: {}",
            seen.body
        );
        let csv = observer.get("/cca/statistiques.csv").await.body;
        assert!(csv.contains("decisions,Accordé,Décisions,masqué"), "{csv}");
        assert_eq!(observer.get("/cca/statistiques.xlsx").await.status, 200);
        let mut referent = logged_in(&t, "referent-a").await;
        assert_eq!(referent.get("/cca/statistiques").await.status, 403);
        assert_eq!(referent.get("/cca/statistiques.csv").await.status, 403);
        assert_eq!(referent.get("/cca/statistiques.xlsx").await.status, 403);
        t.finish().await;
    }
}
