//! `/observatoire` through the real router: charts and tables hold the app's figures, the
//! downloads hold exactly the rows shown, filters, access, revisions after a month close, and
//! small-cell masking.

use domain::indicators::{FlowRow, Month, Segment};
use domain::pathway::EventKind;
use testkit::{apps, fixture_password, Client, Fixture, TestApp, TODAY};

const THRESHOLD: u32 = 5;

/// A count as the dashboard shows it.
fn cell(v: u32) -> String {
    if v > 0 && v < THRESHOLD {
        "< 5".to_string()
    } else {
        v.to_string()
    }
}

/// A page's text with the escaped `<` of the masked cells ("< 5") back.
fn unescaped(body: &str) -> String {
    body.replace("&#60;", "<").replace("&lt;", "<")
}

fn signed(v: i64) -> String {
    if v > 0 {
        format!("+{v}")
    } else {
        v.to_string()
    }
}

fn counts(r: &FlowRow) -> Vec<String> {
    let mut v: Vec<String> = [
        r.opening,
        r.inflow_new,
        r.inflow_returned_housing,
        r.inflow_returned_inactive,
        r.inflow_other,
        r.outflow_housed,
        r.outflow_inactive,
        r.outflow_other,
        r.closing,
    ]
    .into_iter()
    .map(cell)
    .collect();
    v.push(signed(r.net_change()));
    v
}

/// The flow table's row of `r` in the page.
fn html_row(r: &FlowRow) -> String {
    let cells: String = counts(r).iter().map(|c| format!("<td class=\"num\">{c}</td>")).collect();
    format!("<time datetime=\"{}\">", r.month) + &format!("{}</time></th>{cells}</tr>", month_fr(r.month))
}

fn month_fr(m: Month) -> String {
    const NAMES: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    format!("{} {}", NAMES[usize::from(m.number() - 1)], m.year())
}

/// The flow table of the page (the section between its id and the end of its table).
fn flow_table(body: &str) -> &str {
    let start = body.find("id=\"tableau-flux\"").expect("the flow table");
    let end = start + body[start..].find("</table>").unwrap();
    &body[start..end]
}

async fn demo(t: &TestApp) {
    let territory = synth::generate(&synth::Config { households: 300, seed: 5, today: TODAY, years: 3 });
    t.app.seed_demo(&territory, "demo").await.unwrap();
}

async fn logged_in(t: &TestApp, email: &str, password: &str) -> Client {
    let mut c = t.client();
    assert_eq!(c.login(email, password).await.status, 303, "{email} logs in");
    c
}

fn rows_of<'a>(table: &'a domain::indicators::FlowTable, s: &Segment) -> Vec<&'a FlowRow> {
    table.series(s).collect()
}

#[tokio::test]
async fn the_dashboard_shows_the_apps_figures_and_the_downloads_the_same_rows() {
    for t in apps().await {
        demo(&t).await;
        let mut c = logged_in(&t, "observatoire@demo.parcours.test", "demo").await;
        let last = t.app.last_complete_month();
        let first = last.plus(-23);
        let table = t.app.flows(None, first..=last).await.unwrap();

        let page = c.get("/observatoire").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let body = &unescaped(&page.body);
        assert!(body.contains("aria-current=\"page\">Observatoire</a>"), "the menu entry");
        // Charts: inline SVG, labelled for assistive technology, and nothing CSP would block.
        assert!(body.matches("<svg ").count() >= 5, "stock, flows, net change, delay, functional zero (none closed)");
        assert_eq!(body.matches("<svg ").count(), body.matches("role=\"img\" aria-labelledby=\"graphique-").count());
        assert!(
            body.contains("<title id=\"graphique-stock-titre\">") && body.contains("<desc id=\"graphique-flux-desc\">")
        );
        assert!(!body.contains("style=") && !body.contains("<style") && !body.contains("<script"));
        // Returns to homelessness at 6, 12 and 24 months, and the share with a support measure.
        assert!(body.contains("Retours à la rue après un accès au logement") && body.contains("24 mois"));
        assert!(body.contains("Ménages accompagnés par une mesure") && body.contains("graphique-accompagnement"));
        assert!(body.contains("Personnes distinctes sur la liste"));
        // Tables beside them, with captions and header scopes.
        assert!(
            body.matches("<caption").count() >= 6 && body.contains("scope=\"row\"") && body.contains("scope=\"col\"")
        );
        // The default: the last 24 complete months of every household, as the app computes them.
        let tous = rows_of(&table, &Segment::Tous);
        assert_eq!(tous.len(), 24);
        let flows = flow_table(body);
        for r in &tous {
            assert!(flows.contains(&html_row(r)), "row of {} in\n{flows}", r.month);
        }
        assert_eq!(flows.matches("<tr>").count(), 2 + 24, "two header rows and one row per month");
        // No nominative data: no household file, no name.
        assert!(!body.contains("/menages/"));
        let names: Vec<(String,)> =
            sqlx::query_as("SELECT family_name FROM persons LIMIT 30").fetch_all(t.app.store.pool()).await.unwrap();
        assert!(!names.is_empty());
        for (name,) in names.iter().filter(|(n,)| n.len() > 3) {
            assert!(!body.contains(&name.to_uppercase()), "a family name in the dashboard");
        }

        // CSV: exactly the rows shown.
        let csv = c.get("/observatoire.csv").await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert!(csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"observatoire-tous-"));
        let lines: Vec<&str> = csv.body.lines().collect();
        assert_eq!(lines.len(), 25);
        assert!(lines[0].starts_with("mois,population,libelle_population,stock_debut,entrees_nouveaux,"));
        for (line, r) in lines[1..].iter().zip(&tous) {
            let expected = format!("{},tous,Tous les ménages,{}", r.month, counts(r).join(","));
            assert_eq!(*line, expected);
        }
        // XLSX: a workbook (a zip archive).
        let xlsx = c.get("/observatoire.xlsx").await;
        assert_eq!(xlsx.status, 200);
        assert!(xlsx.body.starts_with("PK"));
        assert_eq!(xlsx.headers["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");

        // Small cells: counts of 1 to 4 are masked in the page and the downloads.
        let small = tous.iter().flat_map(|r| counts(r)).filter(|c| c == "< 5").count();
        assert!(small > 0, "the demo has small cells (other exits, other returns)");
        assert_eq!(flows.matches("< 5").count(), small);
        assert_eq!(csv.body.matches("< 5").count(), small);
        assert!(body.contains("les effectifs de 1 à 4 sont affichés « < 5 »"));
        t.finish().await;
    }
}

#[tokio::test]
async fn filters_choose_the_period_and_the_population() {
    for t in apps().await {
        demo(&t).await;
        let mut c = logged_in(&t, "observatoire@demo.parcours.test", "demo").await;
        let last = t.app.last_complete_month();
        let (from, to) = (last.plus(-11), last.plus(-6));
        let table = t.app.flows(None, from..=to).await.unwrap();
        let commune = table
            .segments()
            .iter()
            .find(|s| matches!(s, Segment::Commune(Some(_))))
            .cloned()
            .expect("the demo has communes");
        let famille = Segment::parse("type:famille").unwrap();
        for segment in [famille, commune] {
            let q = format!("du={from}&au={to}&population={}", segment.code().replace(':', "%3A").replace('=', "%3D"));
            let page = c.get(&format!("/observatoire?{q}")).await;
            assert_eq!(page.status, 200);
            assert!(page.body.contains(&format!("<option value=\"{}\" selected>", segment.code())));
            assert!(
                page.body.contains("<optgroup label=\"Commune\">")
                    && page.body.contains("<optgroup label=\"Type de ménage\">")
            );
            let rows = rows_of(&table, &segment);
            assert_eq!(rows.len(), 6);
            let body = unescaped(&page.body);
            let flows = flow_table(&body);
            for r in &rows {
                assert!(flows.contains(&html_row(r)), "{} {}", segment.code(), r.month);
            }
            let csv = c.get(&format!("/observatoire.csv?{q}")).await;
            let lines: Vec<&str> = csv.body.lines().collect();
            assert_eq!(lines.len(), 7);
            for (line, r) in lines[1..].iter().zip(&rows) {
                assert!(line.starts_with(&format!("{},{},", r.month, segment.code())), "{line}");
                assert!(line.ends_with(&counts(r).join(",")), "{line}");
            }
        }
        // A query the dashboard cannot answer says why, and the downloads refuse it.
        let bad = c.get(&format!("/observatoire?du={to}&au={from}")).await;
        assert_eq!(bad.status, 422);
        assert!(bad.body.contains("role=\"alert\""));
        assert_eq!(c.get("/observatoire.csv?population=nimporte").await.status, 422);
        assert_eq!(c.get(&format!("/observatoire.csv?au={}", Month::of(TODAY))).await.status, 422, "month not over");
        t.finish().await;
    }
}

#[tokio::test]
async fn aggregates_only_for_grants_in_force() {
    for t in apps().await {
        let _f = Fixture::new(&t).await;
        for (who, status) in [
            ("observatoire", 200),
            ("siao", 200),
            ("cca", 200),
            ("referent-a", 403),
            ("referent-b", 403),
            ("admin", 403),
        ] {
            let mut c = logged_in(&t, &format!("{who}@test.parcours.test"), fixture_password()).await;
            for path in ["/observatoire", "/observatoire.csv", "/observatoire.xlsx"] {
                assert_eq!(c.get(path).await.status, status, "{who} {path}");
            }
            let nav = c.get("/menages").await.body;
            assert_eq!(nav.contains("href=\"/observatoire\""), status == 200, "{who}: menu entry");
        }
        // Not logged in: to the login page.
        assert_eq!(t.client().get("/observatoire").await.location(), Some("/login"));
        t.finish().await;
    }
}

#[tokio::test]
async fn a_closed_month_shows_its_revision_after_a_late_entry() {
    for t in apps().await {
        demo(&t).await;
        let mut c = logged_in(&t, "observatoire@demo.parcours.test", "demo").await;
        let m = t.app.last_complete_month();
        let page = c.get("/observatoire").await;
        assert!(page.body.contains("Aucun mois de la période n'est clôturé."));

        t.app.close_month(m).await.unwrap();
        let published = t.app.flows(None, m..=m).await.unwrap().row(m, &Segment::Tous).unwrap().closing;
        let row = |p: u32, today: u32, rev: &str| {
            format!(
                "<time datetime=\"{m}\">{}</time></th><td>{}</td><td class=\"num\">{p}</td><td class=\"num\">{today}</td><td class=\"num\">{rev}</td></tr>",
                month_fr(m),
                domain::format_date_fr(domain::local_time::local_day(time::OffsetDateTime::now_utc()))
            )
        };
        let page = c.get("/observatoire").await;
        assert!(page.body.contains(&row(published, published, "0")), "{}", page.body);

        // A partner enters late a household seen in the street during the closed month.
        let referent = t.app.login("referent@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let late = app::households::NewHousehold {
            reference: domain::household::NewPerson::parse("Tardif", "Léon", "", "M", TODAY).unwrap(),
            commune: None,
            situation: domain::situation::Situation::Rue,
            situation_since: m.first_day(),
            identified_on: m.first_day() + time::Duration::days(3),
            siao_number: None,
            housing_demand_number: None,
        };
        let h = t.app.create_household(&referent, late).await.unwrap();
        t.app.record_event(&referent, h, EventKind::Contact, m.last_day(), "").await.unwrap();

        let page = c.get("/observatoire").await;
        assert!(page.body.contains(&row(published, published + 1, "+1")), "the revision column shows the late entry");
        assert!(!page.body.contains("TARDIF") && !page.body.contains("Tardif"));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_internal_threshold_is_configurable() {
    for t in apps().await {
        demo(&t).await;
        let mut app = t.app.clone();
        app.config.internal_threshold = 11;
        let mut c = Client::new(web::router(app, web::WebOptions { secure_cookies: true }));
        assert_eq!(c.login("observatoire@demo.parcours.test", "demo").await.status, 303);
        let body = unescaped(&c.get("/observatoire").await.body);
        assert!(body.contains("< 11") && !body.contains("< 5"));
        assert!(body.contains("les effectifs de 1 à 10 sont affichés « < 11 »"));
        let csv = c.get("/observatoire.csv").await.body;
        assert!(csv.contains("< 11") && !csv.contains("< 5"));
        t.finish().await;
    }
}
