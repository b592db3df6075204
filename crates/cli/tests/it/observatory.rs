//! Month close and revisions: a closed month keeps its published figures; facts entered later
//! change the figures "as known today", and the revision shows the difference.

use app::AppError;
use domain::indicators::Month;
use domain::pathway::EventKind;
use testkit::{apps, Fixture, TODAY};

#[tokio::test]
async fn a_closed_month_keeps_its_figures_and_late_entries_show_as_revisions() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let may = Month::of(TODAY).previous();
        assert_eq!(may, t.app.last_complete_month());
        let before = t.app.flows(None, may..=may).await.unwrap();
        let rows = t.app.close_month(may).await.unwrap();
        assert_eq!(rows, before.rows().len());
        // Closing twice, or a month not over yet, is refused.
        assert!(matches!(t.app.close_month(may).await, Err(AppError::Invalid(_))));
        assert!(matches!(t.app.close_month(Month::of(TODAY)).await, Err(AppError::Invalid(_))));

        // A partner enters late: a household identified in May (created now with dates in May).
        let a = f.actor("referent-a");
        let late = app::households::NewHousehold {
            reference: domain::household::NewPerson::parse("Tardif", "Léon", "", "M", TODAY).unwrap(),
            commune: None,
            situation: domain::situation::Situation::Rue,
            situation_since: may.first_day(),
            identified_on: may.first_day() + time::Duration::days(3),
            siao_number: None,
            housing_demand_number: None,
        };
        let h = t.app.create_household(&a, late).await.unwrap();
        t.app.record_event(&a, h, EventKind::Contact, may.last_day(), "").await.unwrap();

        let observer = f.actor("observatoire");
        let today = t.app.flows(Some(&observer), may..=may).await.unwrap();
        let published = t.app.published(Some(&observer), may..=may).await.unwrap();
        assert_eq!(published.len(), 1);
        let revisions = app::App::revisions(&today, &published, "tous");
        assert_eq!(revisions.len(), 1);
        assert_eq!(revisions[0].stock_revision(), 1, "one more household actif at the end of May, known today");
        assert_eq!(
            revisions[0].published.closing,
            before.rows().iter().find(|r| r.segment.code() == "tous").unwrap().closing
        );
        // The published figures are frozen whatever happens later.
        let again = t.app.published(None, may..=may).await.unwrap();
        assert_eq!(again[0].2, published[0].2);
        // Aggregates are for those holding a grant in force; a référent without one gets nothing.
        assert!(matches!(t.app.flows(Some(&a), may..=may).await, Err(AppError::Forbidden)));
        t.finish().await;
    }
}

#[tokio::test]
async fn cli_closes_a_month() {
    let dir = std::env::temp_dir().join(format!("parcours-close-{}", std::process::id()));
    let url = format!("sqlite://{}/demo.db", dir.display());
    let bin = env!("CARGO_BIN_EXE_parcours");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).env_remove("DATABASE_URL").output().unwrap();
    assert!(run(&["demo", "--no-serve", "--households", "40", "--db", &url]).status.success());
    let last = time::OffsetDateTime::now_utc().date();
    let month = Month::of(last).previous().to_string();
    let out = run(&["observatoire", "close", "--month", &month, "--db", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Mois {month} clôturé")));
    let twice = run(&["observatoire", "close", "--month", &month, "--db", &url]);
    assert!(!twice.status.success() && String::from_utf8_lossy(&twice.stderr).contains("déjà clôturé"));
    let _ = std::fs::remove_dir_all(dir);
}
