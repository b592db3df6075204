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
