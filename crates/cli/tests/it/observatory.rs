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
    let last = domain::local_time::local_day(time::OffsetDateTime::now_utc());
    let month = Month::of(last).previous().to_string();
    let out = run(&["observatoire", "close", "--month", &month, "--db", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Mois {month} clôturé")));
    let twice = run(&["observatoire", "close", "--month", &month, "--db", &url]);
    assert!(!twice.status.success() && String::from_utf8_lossy(&twice.stderr).contains("déjà clôturé"));
    let _ = std::fs::remove_dir_all(dir);
}

/// A demo territory of 300 households with its commission's files and its linkage.
async fn demo_territory(t: &testkit::TestApp) {
    let territory = synth::generate(&synth::Config { households: 300, seed: 5, today: TODAY, years: 2 });
    t.app.seed_demo(&territory, "demo").await.unwrap();
    t.app.seed_cca_demo().await.unwrap();
    t.app.seed_linkage_demo().await.unwrap();
}

/// The indicators' reads are kept between requests and read again after any change to what
/// they read, whoever makes it: the app, or another process writing to the database (here
/// plain SQL on each table, which only the database's triggers can notice).
#[tokio::test]
async fn the_observatory_reads_again_after_any_change_and_only_then() {
    use std::sync::Arc;
    for t in apps().await {
        demo_territory(&t).await;
        let on = t.backend();
        let first = t.app.histories().await.unwrap();
        assert!(Arc::ptr_eq(&first, &t.app.histories().await.unwrap()), "no change, no new read ({on:?})");
        let members = t.app.linked_members().await.unwrap();
        assert!(Arc::ptr_eq(&members, &t.app.linked_members().await.unwrap()), "{on:?}");

        // A contact recorded through the app.
        let siao = t.app.login("siao@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let household = t.app.list_households(&siao, &Default::default()).await.unwrap().rows[0].id;
        t.app.record_event(&siao, household, EventKind::Contact, TODAY, "").await.unwrap();
        let after = t.app.histories().await.unwrap();
        assert!(!Arc::ptr_eq(&first, &after), "{on:?}");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(*after, store::observatory::histories(&mut conn).await.unwrap(), "{on:?}");

        // Every table the indicators read, changed behind the app's back.
        for (table, column) in [
            ("households", "commune_insee"),
            ("persons", "sex"),
            ("household_members", "role"),
            ("situation_periods", "end_on"),
            ("household_events", "occurred_on"),
            ("follows", "to_on"),
            ("measures", "end_on"),
            ("person_clusters", "cluster_id"),
        ] {
            let (rows,): (i64,) =
                sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut *conn).await.unwrap();
            assert!(rows > 0, "the demo fills {table} ({on:?})");
            let (h, m) = (t.app.histories().await.unwrap(), t.app.linked_members().await.unwrap());
            sqlx::query(&format!("UPDATE {table} SET {column} = {column}")).execute(&mut *conn).await.unwrap();
            assert!(!Arc::ptr_eq(&h, &t.app.histories().await.unwrap()), "{table} changed ({on:?})");
            assert!(!Arc::ptr_eq(&m, &t.app.linked_members().await.unwrap()), "{table} changed ({on:?})");
        }
        // Writes elsewhere (the audit log, sessions) keep the reads.
        let h = t.app.histories().await.unwrap();
        t.app.login("siao@demo.parcours.test", "demo", "test").await.unwrap();
        t.app.open_household(&siao, household).await.unwrap();
        assert!(Arc::ptr_eq(&h, &t.app.histories().await.unwrap()), "{on:?}");
        drop(conn);
        t.finish().await;
    }
}

/// After a change, only the households it touched are read again, whatever the table and
/// whoever writes (the app, or plain SQL that only the database's triggers notice), and what is
/// kept is exactly what a full read gives.
#[tokio::test]
async fn the_observatory_reads_again_only_the_households_a_change_touched() {
    use std::sync::Arc;
    for t in apps().await {
        demo_territory(&t).await;
        let on = t.backend();
        let same_as_a_full_read = |what: &'static str| {
            let t = &t;
            async move {
                let (h, m) = t.app.observatory_reads().await.unwrap();
                let mut conn = t.app.store.pool().acquire().await.unwrap();
                // (not assert_eq: the whole store would be printed)
                let full = store::observatory::histories(&mut conn).await.unwrap();
                assert!(*h == full, "{what}: the kept histories differ from a full read ({on:?})");
                let full = store::observatory::linked_members(&mut conn).await.unwrap();
                assert!(*m == full, "{what}: the kept linkage groups differ from a full read ({on:?})");
                h
            }
        };
        same_as_a_full_read("first read").await;
        assert!(t.app.observatory_households_read() >= 300, "the first read reads every household");

        // a contact recorded through the app: its household alone
        let siao = t.app.login("siao@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let household = t.app.list_households(&siao, &Default::default()).await.unwrap().rows[0].id;
        t.app.record_event(&siao, household, EventKind::Contact, TODAY, "").await.unwrap();
        same_as_a_full_read("a contact").await;
        assert_eq!(t.app.observatory_households_read(), 1, "{on:?}");

        // one row of each table, behind the app's back: the households it belongs to alone
        for (what, sql) in [
            (
                "a household's commune",
                "UPDATE households SET commune_insee = (SELECT MAX(insee) FROM communes) \
                 WHERE id = (SELECT MIN(id) FROM households)",
            ),
            (
                "a person's birth date",
                "UPDATE persons SET birth_date = '1950-01-01' WHERE id = (SELECT MIN(person_id) FROM household_members)",
            ),
            (
                "a membership's end",
                "UPDATE household_members SET to_on = '2025-01-01' WHERE id = (SELECT MAX(id) FROM household_members)",
            ),
            ("a period", "DELETE FROM situation_periods WHERE id = (SELECT MAX(id) FROM situation_periods)"),
            ("an event", "DELETE FROM household_events WHERE id = (SELECT MIN(id) FROM household_events)"),
            (
                "a follow-up's end",
                "UPDATE follows SET to_on = '2026-06-01' WHERE id = (SELECT MIN(id) FROM follows WHERE to_on IS NULL)",
            ),
            (
                "a measure's end",
                "UPDATE measures SET end_on = start_on WHERE id = (SELECT MIN(id) FROM measures WHERE start_on IS NOT NULL)",
            ),
            (
                "a linkage group",
                "UPDATE person_clusters SET cluster_id = cluster_id + 100000 \
                 WHERE person_id = (SELECT MIN(person_id) FROM person_clusters)",
            ),
        ] {
            let before = t.app.histories().await.unwrap();
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let changed = sqlx::query(sql).execute(&mut *conn).await.unwrap().rows_affected();
            drop(conn);
            assert_eq!(changed, 1, "{what}: one row ({on:?})");
            let after = same_as_a_full_read(what).await;
            assert!(!Arc::ptr_eq(&before, &after), "{what} ({on:?})");
            let read = t.app.observatory_households_read();
            assert!((1..=3).contains(&read), "{what}: {read} households read again ({on:?})");
        }

        // a household entered through the app: read, and in its place
        let entered = app::households::NewHousehold {
            reference: domain::household::NewPerson::parse("Zabulon", "Ophélie", "1951-09-30", "F", TODAY).unwrap(),
            commune: None,
            situation: domain::situation::Situation::Rue,
            situation_since: TODAY - time::Duration::days(3),
            identified_on: TODAY,
            siao_number: None,
            housing_demand_number: None,
        };
        t.app.create_household(&siao, entered).await.unwrap();
        same_as_a_full_read("a new household").await;
        assert_eq!(t.app.observatory_households_read(), 1, "{on:?}");
        t.finish().await;
    }
}

/// The by-name list takes each household's status, situation and last contact from the
/// pathways the observatory keeps, and reads its own pathway for a household they do not hold
/// yet (entered in between): both give the same figures for every household.
#[tokio::test]
async fn the_by_name_list_reads_the_same_pathways_from_the_kept_reads_as_from_the_store() {
    use domain::situation::period_at;
    use domain::status::status_on;
    for t in apps().await {
        demo_territory(&t).await;
        let on = t.backend();
        let siao = t.app.login("siao@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let today = t.app.today();
        let scope = domain::policy::list_scope(&siao, domain::policy::Action::ReadFile, today);
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let now = t.app.now_ts();
        let own = store::households::list_visible(&mut conn, &scope, today, &now, None, |_| true).await.unwrap();
        drop(conn);
        let (histories, _) = t.app.observatory_reads().await.unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let (ids, _) = store::observatory::histories_of(&mut conn, None).await.unwrap();
        drop(conn);
        assert!(own.len() > 200, "{} ({on:?})", own.len());
        let rules = domain::status::StatusRules { inactivity_days: 90 };
        for h in &own {
            let kept = &histories[ids.binary_search(&h.id.0).unwrap()].pathway;
            assert_eq!(status_on(kept, today, rules), status_on(&h.pathway, today, rules), "{:?} ({on:?})", h.id);
            assert_eq!(
                period_at(&kept.periods, today).map(|p| p.situation),
                period_at(&h.pathway.periods, today).map(|p| p.situation),
                "{:?} ({on:?})",
                h.id
            );
            assert_eq!(kept.last_contact_on_or_before(today), h.pathway.last_contact_on_or_before(today));
        }
        // and the list shows them
        let page = t.app.list_households(&siao, &Default::default()).await.unwrap();
        for r in &page.rows {
            let h = own.iter().find(|h| h.id == r.id).unwrap();
            assert_eq!(r.status, status_on(&h.pathway, today, rules), "{:?} ({on:?})", r.id);
        }
        t.finish().await;
    }
}
