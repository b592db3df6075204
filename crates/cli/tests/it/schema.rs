//! The two backends' migrations describe the same tables and columns.

use std::collections::BTreeSet;

#[tokio::test]
async fn sqlite_and_postgres_schemas_match() {
    let apps = testkit::apps().await;
    let mut schemas = Vec::new();
    for t in &apps {
        let rows: Vec<(String, String)> = match t.backend() {
            store::Backend::Sqlite => sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'",
            )
            .fetch_all(t.app.store.pool())
            .await
            .unwrap(),
            store::Backend::Postgres => sqlx::query_as(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx_%'",
            )
            .fetch_all(t.app.store.pool())
            .await
            .unwrap(),
        };
        let set: BTreeSet<(String, String)> = rows.into_iter().collect();
        assert!(set.contains(&("households".into(), "created_on".into())));
        schemas.push(set);
    }
    if let [sqlite, postgres] = &schemas[..] {
        assert_eq!(sqlite, postgres);
    }
    for t in apps {
        t.finish().await;
    }
}

/// Every column of every table, audit log included, is classified in the personal-data
/// inventory, and the inventory lists no column that does not exist.
#[tokio::test]
async fn the_inventory_classifies_every_column() {
    for t in testkit::apps().await {
        let live = store::inventory::schema_columns(&t.app.store).await.unwrap();
        let listed: BTreeSet<(String, String)> =
            store::inventory::entries().iter().map(|e| (e.table.clone(), e.column.clone())).collect();
        let missing: Vec<_> = live.difference(&listed).collect();
        let stale: Vec<_> = listed.difference(&live).collect();
        assert!(missing.is_empty(), "not in crates/store/migrations/inventory.csv on {:?}: {missing:?}", t.backend());
        assert!(stale.is_empty(), "in the inventory but not in the schema on {:?}: {stale:?}", t.backend());
        t.finish().await;
    }
}

/// Upgrading a SQLite store that holds a review queue keeps each pair's number (migration 0016
/// rebuilds the table with `AUTOINCREMENT`), and from then on a number is never given again,
/// not even the largest one once its pair is gone.
#[tokio::test]
async fn pair_numbers_survive_the_upgrade_and_are_never_given_again() {
    let dir = std::env::temp_dir().join(format!("parcours-upgrade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/store.db", dir.display());
    let store = store::Store::connect(&url).await.unwrap();
    let path = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations/sqlite"));
    let mut before = sqlx::migrate::Migrator::new(path).await.unwrap();
    let older: Vec<_> = before.migrations.iter().filter(|m| m.version < 16).cloned().collect();
    assert_eq!(older.len(), 15);
    before.migrations = std::borrow::Cow::Owned(older);
    before.run(store.pool()).await.unwrap();

    let mut conn = store.pool().acquire().await.unwrap();
    let mut persons = Vec::new();
    for given in ["Anne", "Marc", "Léa", "Noé"] {
        let p = domain::household::NewPerson::parse("Aubert", given, "", "F", testkit::TODAY).unwrap();
        persons.push(store::households::insert_person(&mut conn, &p, &Default::default()).await.unwrap());
    }
    let (p, q, r, s) = (persons[0].0, persons[1].0, persons[2].0, persons[3].0);
    for (a, b) in [(p, q), (q, r), (r, s)] {
        sqlx::query(
            "INSERT INTO link_candidates (person_a, person_b, probability, explanation, computed_at)
             VALUES ($1, $2, 0.7, '[]', '2026-12-01T02:00:00Z')",
        )
        .bind(a)
        .bind(b)
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    drop(conn);
    store.migrate().await.unwrap();

    let mut conn = store.pool().acquire().await.unwrap();
    let numbers =
        |rows: Vec<store::linkage::Candidate>| rows.into_iter().map(|c| (c.id, c.a.0, c.b.0)).collect::<Vec<_>>();
    let kept = numbers(store::linkage::pending(&mut conn).await.unwrap());
    let mut sorted = kept.clone();
    sorted.sort();
    assert_eq!(sorted, [(1, p, q), (2, q, r), (3, r, s)], "the upgrade keeps the numbers");
    // the run after: the last pair (the largest number) is gone, a new one comes
    let pair = |a: i64, b: i64| (domain::PersonId(a), domain::PersonId(b), 0.7, "[]".to_owned());
    store::linkage::replace_candidates(&mut conn, &[pair(p, q), pair(q, r), pair(p, s)]).await.unwrap();
    let mut now = numbers(store::linkage::pending(&mut conn).await.unwrap());
    now.sort();
    assert_eq!(now, [(1, p, q), (2, q, r), (4, p, s)], "number 3 is not given again");
    drop(conn);
    store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
