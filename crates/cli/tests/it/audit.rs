//! The audit chain verifies, and names the event that was altered.

use app::audit::Verification;
use domain::audit::ChainError;
use testkit::{apps, Fixture};

#[tokio::test]
async fn chain_verifies_and_names_the_altered_event() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let a = f.actor("referent-a");
        t.app.open_household(&a, f.h_a).await.unwrap();
        let _ = t.app.open_household(&a, f.h_b).await;
        let Verification::Intact { events } = t.app.verify_audit().await.unwrap() else { panic!("intact chain") };
        assert!(events >= 20, "users, orgs, households, reads: {events}");

        // The log is append-only: an update or a deletion is refused by the database itself.
        let pool = t.app.store.pool();
        let update = "UPDATE audit.audit_events SET target_id = 424242 WHERE seq = 7";
        assert!(sqlx::query(update).execute(pool).await.is_err(), "append-only on {:?}", t.backend());
        assert!(sqlx::query("DELETE FROM audit.audit_events WHERE seq = 7").execute(pool).await.is_err());
        // Someone with direct access removes the guard and alters one event: the chain names it.
        t.drop_audit_guards().await;
        sqlx::query(update).execute(pool).await.unwrap();
        assert_eq!(t.app.verify_audit().await.unwrap(), Verification::Broken(ChainError::Tampered { seq: 7 }));
        t.finish().await;
    }
}

#[tokio::test]
async fn removing_the_last_events_is_detected() {
    for t in apps().await {
        let _f = Fixture::new(&t).await;
        let head = {
            let mut c = t.app.store.pool().acquire().await.unwrap();
            store::audit::head(&mut c).await.unwrap().seq
        };
        t.drop_audit_guards().await;
        sqlx::query("DELETE FROM audit.audit_events WHERE seq = $1")
            .bind(head)
            .execute(t.app.store.pool())
            .await
            .unwrap();
        assert_eq!(t.app.verify_audit().await.unwrap(), Verification::Truncated { head_seq: head, last_seq: head - 1 });
        t.finish().await;
    }
}

#[tokio::test]
async fn concurrent_audited_reads_keep_one_chain() {
    for t in apps().await {
        let f = Fixture::new(&t).await;
        let siao = f.actor("siao");
        let mut tasks = Vec::new();
        for i in 0..24 {
            let app = t.app.clone();
            let actor = siao.clone();
            let h = f.all_households()[i % 4];
            tasks.push(tokio::spawn(async move { app.open_household(&actor, h).await.map(|_| ()) }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert!(matches!(t.app.verify_audit().await.unwrap(), Verification::Intact { .. }));
        t.finish().await;
    }
}
