//! The duplicates queue, decisions and the merge/unmerge round trip: after an unmerge the store
//! holds exactly what it held before the merge; a rejected pair is never proposed again; nobody
//! discovers through the queue a person outside their grants.

use app::duplicates::FieldWeight;
use app::AppError;
use domain::PersonId;
use testkit::{apps, fixture_password, Fixture};

/// Every table of the inventory (the audit log excepted: it records the round trip), each
/// column cast to text, rows in order: the store's content.
async fn dump(t: &testkit::TestApp) -> Vec<String> {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    let mut tables: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for e in store::inventory::entries() {
        if !e.table.starts_with("audit") && e.table != "sessions" {
            tables.entry(e.table.as_str()).or_default().push(e.column.as_str());
        }
    }
    let mut out = Vec::new();
    for (table, columns) in tables {
        let cols = columns.iter().map(|c| format!("COALESCE(CAST({c} AS TEXT), '∅')")).collect::<Vec<_>>();
        let sql = format!("SELECT {} AS row FROM {table} ORDER BY 1", cols.join(" || '|' || "));
        let rows: Vec<(String,)> = sqlx::query_as(&sql).fetch_all(&mut *conn).await.unwrap();
        out.extend(rows.into_iter().map(|r| format!("{table}: {}", r.0)));
    }
    out.sort();
    out
}

async fn person_of(t: &testkit::TestApp, h: domain::HouseholdId) -> PersonId {
    let mut conn = t.app.store.pool().acquire().await.unwrap();
    store::households::get(&mut conn, h).await.unwrap().unwrap().members[0].person.id
}

#[tokio::test]
async fn merge_then_unmerge_leaves_the_store_as_it_was() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        let why = serde_json::to_string(&vec![
            FieldWeight { field: "Nom".into(), level: "proche".into(), weight: 6.5 },
            FieldWeight { field: "Date de naissance".into(), level: "identique".into(), weight: 9.1 },
        ])
        .unwrap();
        {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let pairs = [(pa, pab, 0.72, why.clone()), (pab, pb, 0.61, why.clone())];
            assert_eq!(store::linkage::replace_candidates(&mut conn, &pairs).await.unwrap(), 2);
        }
        let referent = f.actor("referent-a");
        // referent-a reads h_a and h_ab, not h_b: one pair for them.
        let queue = t.app.duplicate_queue(&referent).await.unwrap();
        assert_eq!(queue.len(), 1);
        let id = queue[0].0.id;
        let other_pair = t.app.duplicate_queue(&f.actor("siao")).await.unwrap().into_iter().find(|q| q.0.id != id);
        let other_pair = other_pair.expect("the SIAO coordinator sees both pairs").0.id;
        assert!(matches!(t.app.duplicate_pair(&referent, other_pair).await, Err(AppError::NotFound)));
        assert!(matches!(t.app.decide_pair(&referent, other_pair, true).await, Err(AppError::NotFound)));
        let view = t.app.duplicate_pair(&referent, id).await.unwrap();
        assert_eq!(view.explanation.len(), 2);

        let before = dump(&t).await;
        t.app.decide_pair(&referent, id, true).await.unwrap();
        assert!(matches!(t.app.decide_pair(&referent, id, false).await, Err(AppError::Invalid(_))), "decided once");
        assert_ne!(dump(&t).await, before);
        let merges = t.app.household_merges(&referent, f.h_a).await.unwrap();
        assert_eq!(merges.len(), 1);
        assert_eq!(merges[0].other.as_ref().unwrap().0, f.h_ab);
        assert!(t.app.duplicate_queue(&referent).await.unwrap().is_empty(), "a merged pair leaves the queue");
        // Someone who cannot read both files cannot undo it.
        assert!(matches!(t.app.unmerge(&f.actor("referent-b"), merges[0].id).await, Err(AppError::NotFound)));
        t.app.unmerge(&referent, merges[0].id).await.unwrap();
        assert_eq!(dump(&t).await, before, "the store after unmerge equals the store before merge");

        // "Different people": never proposed again, even when the engine finds the pair again.
        t.app.decide_pair(&referent, id, false).await.unwrap();
        {
            let mut conn = t.app.store.pool().acquire().await.unwrap();
            let again = [(pab, pa, 0.9, why.clone())];
            assert_eq!(store::linkage::replace_candidates(&mut conn, &again).await.unwrap(), 0);
        }
        assert!(t.app.duplicate_queue(&referent).await.unwrap().is_empty());
        t.finish().await;
    }
}

#[tokio::test]
async fn the_queue_through_the_screens() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await);
        let why =
            serde_json::to_string(&vec![FieldWeight { field: "Nom".into(), level: "proche".into(), weight: 4.0 }])
                .unwrap();
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_candidates(&mut conn, &[(pa, pab, 0.7, why)]).await.unwrap();
        drop(conn);
        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let q = c.get("/doublons").await;
        assert_eq!(q.status, 200);
        let id = t.app.duplicate_queue(&f.actor("referent-a")).await.unwrap()[0].0.id;
        assert!(q.body.contains(&format!("/doublons/{id}")));
        let p = c.get(&format!("/doublons/{id}")).await;
        assert!(p.body.contains("AUBERT") && p.body.contains("COLIN") && p.body.contains("+4,0"));
        assert_eq!(c.post(&format!("/doublons/{id}"), &[("csrf", &csrf), ("decision", "meme")]).await.status, 303);
        let file = c.get(&format!("/menages/{}", f.h_a.0)).await;
        assert!(file.body.contains("Fiches rapprochées") && file.body.contains("/annulation"));
        let mid = t.app.household_merges(&f.actor("referent-a"), f.h_a).await.unwrap()[0].id;
        let undo = c
            .post(&format!("/fusions/{mid}/annulation"), &[("csrf", &csrf), ("household", &f.h_a.0.to_string())])
            .await;
        assert_eq!(undo.status, 303);
        assert!(!c.get(&format!("/menages/{}", f.h_a.0)).await.body.contains("Fiches rapprochées"));
        // A user without both files gets the same 404 as for a missing pair.
        let mut other = t.client();
        other.login("referent-b@test.parcours.test", fixture_password()).await;
        assert_eq!(other.get(&format!("/doublons/{id}")).await.status, 404);
        t.finish().await;
    }
}

#[tokio::test]
async fn an_automatic_link_is_contested_from_the_file() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let (pa, pab, pb) = (person_of(&t, f.h_a).await, person_of(&t, f.h_ab).await, person_of(&t, f.h_b).await);
        // the engine put the reference persons of h_a, h_ab and h_b in one cluster
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        store::linkage::replace_clusters(&mut conn, &[(pa, 7), (pab, 7), (pb, 7)]).await.unwrap();
        drop(conn);
        let (a, b) = (f.actor("referent-a"), f.actor("referent-b"));
        let links = t.app.household_links(&a, f.h_a).await.unwrap();
        assert_eq!(links.len(), 1, "A reads h_ab, not h_b: {links:?}");
        assert_eq!((links[0].other, links[0].other_household, links[0].may_separate), (pab, f.h_ab, true));
        // B does not read h_a: the link is not even mentioned, and B cannot contest it
        let seen_by_b = t.app.household_links(&b, f.h_ab).await.unwrap();
        assert!(seen_by_b.iter().all(|l| l.other != pa), "{seen_by_b:?}");
        assert!(matches!(t.app.separate(&b, f.h_ab, pab, pa).await, Err(AppError::NotFound)));
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let last = &store::audit::recent(&mut conn, 1).await.unwrap()[0].event;
        assert_eq!((last.action.as_str(), last.outcome.as_str()), ("linkage.decision", "denied"));
        drop(conn);
        // only a pair that is linked, from the file it is shown on
        assert!(matches!(t.app.separate(&a, f.h_ab, pa, pab).await, Err(AppError::NotFound)));

        let mut c = t.client();
        c.login("referent-a@test.parcours.test", fixture_password()).await;
        let csrf = c.csrf().await;
        let file = c.get(&format!("/menages/{}", f.h_a.0)).await;
        assert!(file.body.contains("Par le rapprochement automatique") && file.body.contains("/liens/separation"));
        let form = [
            ("csrf", csrf.as_str()),
            ("household", &f.h_a.0.to_string()),
            ("here", &pa.0.to_string()),
            ("other", &pab.0.to_string()),
        ];
        assert_eq!(c.post("/liens/separation", &form).await.status, 303);
        assert!(!c.get(&format!("/menages/{}", f.h_a.0)).await.body.contains("/liens/separation"), "decided");
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        assert_eq!(store::linkage::rejected_pairs(&mut conn).await.unwrap(), vec![(pa.min(pab), pa.max(pab))]);
        drop(conn);
        assert!(matches!(t.app.separate(&a, f.h_a, pa, pab).await, Err(AppError::Invalid(_))), "once");
        t.finish().await;
    }
}
