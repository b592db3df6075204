//! Retention: archive, then anonymise as the inventory says — and the observatory's monthly
//! indicators are identical before and after.

use app::{App, Clock, Config};
use domain::indicators::{compute, time_to_housing, Month};
use domain::status::StatusRules;
use testkit::{apps, TODAY};

async fn indicators(app: &App) -> (domain::indicators::FlowTable, Option<domain::indicators::Quartiles>) {
    let mut conn = app.store.pool().acquire().await.unwrap();
    let histories = store::observatory::histories(&mut conn).await.unwrap();
    let months = Month::of(TODAY).plus(-36)..=Month::of(TODAY).previous();
    (
        compute(&histories, months.clone(), StatusRules::default()),
        time_to_housing(&histories, months, StatusRules::default()),
    )
}

/// The record linkage's rows about a household's persons.
async fn linkage_rows(app: &App, h: domain::HouseholdId) -> i64 {
    let members = "(SELECT person_id FROM household_members WHERE household_id = $1)";
    let mut n = 0;
    for (table, columns) in [
        ("person_clusters", &["person_id"][..]),
        ("link_candidates", &["person_a", "person_b"][..]),
        ("link_decisions", &["person_a", "person_b"][..]),
        ("link_edges", &["person_a", "person_b"][..]),
    ] {
        for c in columns {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {c} IN {members}");
            let (k,): (i64,) = sqlx::query_as(&sql).bind(h.0).fetch_one(app.store.pool()).await.unwrap();
            n += k;
        }
    }
    n
}

#[tokio::test]
async fn anonymisation_keeps_the_indicators_identical() {
    for t in apps().await {
        let territory = synth::generate(&synth::Config { households: 150, seed: 11, today: TODAY, years: 3 });
        t.app.seed_demo(&territory, "demo").await.unwrap();
        // Short periods so that a good share of the territory is archived and anonymised today.
        let config = Config { retention_active_days: 120, retention_archive_days: 0, ..Config::default() };
        let keyring = store::crypto::Keyring::parse(&t.app.keyring.as_ref().unwrap().to_text()).unwrap();
        let app = App::new(t.app.store.clone(), config, Clock::Fixed(TODAY)).with_keyring(keyring);
        app.run_linkage(app::linkage_run::ReviewBand::default(), &linkage::NoProgress).await.unwrap();
        let before = indicators(&app).await;
        assert!(before.0.rows().iter().any(|r| r.inflow() > 0), "the territory has flows to preserve");

        let planned = app.run_retention(true).await.unwrap();
        let mut linked_before = 0;
        for h in &planned.anonymised {
            linked_before += linkage_rows(&app, *h).await;
        }
        assert!(linked_before > 0, "the run left rows about households to anonymise");
        assert!(planned.archived.len() > 10, "{} archived", planned.archived.len());
        let (sample,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM households WHERE archived_on IS NOT NULL")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(sample, 0, "a dry run changes nothing");

        let siao = app.login("siao@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let visible_before = app.list_households(&siao, &Default::default()).await.unwrap().visible;
        let mut archived_and_visible = 0;
        for h in &planned.archived {
            archived_and_visible += usize::from(app.open_household(&siao, *h).await.is_ok());
        }
        let target = planned.anonymised[0];
        sqlx::query("INSERT INTO household_needs (household_id, payload, updated_at) VALUES ($1, 'v1:x:y', 'now')")
            .bind(target.0)
            .execute(app.store.pool())
            .await
            .unwrap();
        let done = app.run_retention(false).await.unwrap();
        assert_eq!(
            (done.archived.clone(), done.anonymised.clone()),
            (planned.archived.clone(), planned.anonymised.clone())
        );
        assert!(done.markdown().contains(&format!("{} ", done.archived.len())));

        assert_eq!(indicators(&app).await, before, "monthly indicators unchanged by anonymisation");

        // What the inventory says to destroy is gone; what it coarsens is coarsened.
        let persons: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT p.family_name, p.given_names, p.birth_date, p.name_index FROM persons p
             JOIN household_members m ON m.person_id = p.id WHERE m.household_id = $1",
        )
        .bind(target.0)
        .fetch_all(app.store.pool())
        .await
        .unwrap();
        assert!(!persons.is_empty());
        for (family, given, birth, index) in persons {
            assert_eq!((family.as_str(), given.as_str(), index), ("", "", None));
            assert!(birth.is_none_or(|b| b.ends_with("-01")), "birth date kept to its month");
        }
        for table in ["household_needs", "external_refs"] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE household_id = $1"))
                .bind(target.0)
                .fetch_one(app.store.pool())
                .await
                .unwrap();
            assert_eq!(n, 0, "{table}");
        }
        // none stays about the anonymised ones
        for h in &done.anonymised {
            assert_eq!(linkage_rows(&app, *h).await, 0, "household {}", h.0);
        }
        // Archived households leave every list, even the SIAO's whole-territory one.
        let visible = app.list_households(&siao, &Default::default()).await.unwrap();
        assert!(archived_and_visible > 0);
        assert_eq!(visible.visible, visible_before - archived_and_visible);
        assert!(app.open_household(&siao, target).await.is_err());
        // A second run finds nothing more to do, and the chain still verifies.
        let again = app.run_retention(false).await.unwrap();
        assert!(again.archived.is_empty() && again.anonymised.is_empty());
        assert!(matches!(app.verify_audit().await.unwrap(), app::audit::Verification::Intact { .. }));
        t.finish().await;
    }
}

#[tokio::test]
async fn the_access_log_is_purged_past_its_retention_and_still_verifies() {
    for t in apps().await {
        let _f = testkit::Fixture::new(&t).await;
        let written = {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            store::audit::head(&mut conn).await.unwrap().seq
        };
        // Two years on, with the append-only guards in place: the purge is the one sanctioned
        // deletion, and it moves the anchor so the rest of the chain still verifies.
        let later = time::OffsetDateTime::now_utc().date() + time::Duration::days(730);
        let app = App::new(t.app.store.clone(), Config::default(), Clock::Fixed(later));
        assert_eq!(app.run_retention(true).await.unwrap().audit_purged, written as u64, "dry run counts");
        let report = app.run_retention(false).await.unwrap();
        assert!(report.audit_purged >= written as u64);
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let head = store::audit::head(&mut conn).await.unwrap();
        assert!(head.anchor_seq >= written);
        assert!(
            sqlx::query("DELETE FROM audit.audit_events").execute(&mut *conn).await.is_err(),
            "guard back in place"
        );
        drop(conn);
        assert!(matches!(app.verify_audit().await.unwrap(), app::audit::Verification::Intact { .. }));
        t.finish().await;
    }
}
