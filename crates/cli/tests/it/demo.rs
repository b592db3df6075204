//! `parcours demo` and `parcours audit verify`, run as the real binary, and demo seeding on
//! every backend.

use std::process::Command;

use app::households::ListFilter;
use domain::user::Email;

fn parcours(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parcours")).args(args).env_remove("DATABASE_URL").output().unwrap()
}

#[tokio::test]
async fn demo_then_audit_verify_detects_an_altered_row() {
    let dir = std::env::temp_dir().join(format!("parcours-demo-{}", std::process::id()));
    let url = format!("sqlite://{}/demo.db", dir.display());
    let out = parcours(&["demo", "--no-serve", "--households", "80", "--seed", "7", "--db", &url]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("80 ménages"), "{stdout}");
    assert!(stdout.contains("referent@demo.parcours.test"), "{stdout}");
    assert!(stdout.contains("siao@demo.parcours.test"), "{stdout}");

    let out = parcours(&["audit", "verify", "--db", &url]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Alter the audit row in the database file itself.
    // The log is its own file beside the data, append-only; remove the guard, then edit the row.
    assert!(dir.join("demo-audit.db").exists(), "the audit log is kept apart from the data");
    let store = store::Store::connect(&url).await.unwrap();
    testkit::drop_audit_guards(&store).await;
    sqlx::query("UPDATE audit.audit_events SET action = 'household.list' WHERE seq = 1")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let out = parcours(&["audit", "verify", "--db", &url]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("n° 1"), "names the event: {stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn demo_replaces_only_a_demo_and_never_an_orphan_audit_log() {
    let dir = std::env::temp_dir().join(format!("parcours-demo-again-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let url = format!("sqlite://{}/demo.db", dir.display());
    let demo = |url: &str| parcours(&["demo", "--no-serve", "--households", "20", "--seed", "3", "--db", url]);
    let out = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };

    // a second demo on the same file: the data and its audit log start afresh
    assert!(demo(&url).status.success());
    let again = demo(&url);
    assert!(again.status.success(), "{}", out(&again));
    let verify = parcours(&["audit", "verify", "--db", &url]);
    assert!(verify.status.success(), "{}", out(&verify));

    // the data gone, its audit log left: refused, the log kept
    std::fs::remove_file(dir.join("demo.db")).unwrap();
    let orphan = demo(&url);
    assert!(!orphan.status.success());
    assert!(out(&orphan).contains("journal d'audit"), "{}", out(&orphan));
    assert!(dir.join("demo-audit.db").exists());

    // a database that is not a demo's is never erased
    let prod = format!("sqlite://{}/prod.db", dir.display());
    let org = parcours(&["org", "add", "--name", "CCAS de Test", "--kind", "ccas", "--db", &prod]);
    assert!(org.status.success(), "{}", out(&org));
    let mut add = Command::new(env!("CARGO_BIN_EXE_parcours"))
        .args(["user", "add", "--email", "a@test.fr", "--name", "A", "--org", "CCAS de Test", "--role", "referent"])
        .args(["--db", &prod])
        .env_remove("DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    add.stdin.take().unwrap().write_all(b"un mot de passe assez long\n").unwrap();
    assert!(add.wait().unwrap().success());
    let before = std::fs::read(dir.join("prod.db")).unwrap();
    let refused = demo(&prod);
    assert!(!refused.status.success());
    assert!(out(&refused).contains("pas une base de démonstration"), "{}", out(&refused));
    assert_eq!(std::fs::read(dir.join("prod.db")).unwrap(), before, "untouched");

    // nor a file that is not a database at all
    std::fs::write(dir.join("notes.db"), b"not a database").unwrap();
    let unreadable = demo(&format!("sqlite://{}/notes.db", dir.display()));
    assert!(!unreadable.status.success());
    assert_eq!(std::fs::read(dir.join("notes.db")).unwrap(), b"not a database");
    assert!(!dir.join("notes-audit.db").exists(), "nothing created beside it");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn demo_seed_on_every_backend() {
    for t in testkit::apps().await {
        let territory = synth::generate(&synth::Config { households: 120, seed: 3, today: testkit::TODAY, years: 3 });
        let summary = t.app.seed_demo(&territory, "demo").await.unwrap();
        assert_eq!(summary.households, 120);
        assert_eq!(summary.accounts.len(), 11, "one account per role, two référents");
        let mut client = t.client();
        assert_eq!(client.login("referent@demo.parcours.test", "demo").await.status, 303);
        let siao = t.app.login("siao@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let referent = t.app.login("referent@demo.parcours.test", "demo", "test").await.unwrap().session.actor;
        let all = t.app.list_households(&siao, &ListFilter::default()).await.unwrap();
        let mine = t.app.list_households(&referent, &ListFilter::default()).await.unwrap();
        // The SIAO sees the whole territory except households that objected to territory-wide
        // sharing and that it does not follow itself.
        let (objecting,): (i64,) = sqlx::query_as(
            "SELECT COUNT(DISTINCT household_id) FROM sharing_choices WHERE scope = 'partenaires' AND choice = 'opposition'
             AND household_id NOT IN (SELECT household_id FROM follows WHERE org_id = $1)",
        )
        .bind(siao.org.0)
        .fetch_one(t.app.store.pool())
        .await
        .unwrap();
        assert_eq!(all.visible as i64, 120 - objecting);
        assert!(mine.visible > 0 && mine.visible < all.visible, "{} of {}", mine.visible, all.visible);
        // Each row of the list says what the household's file says: the list reads its own way
        // (one scope decision, packed periods and latest events), the file reads everything.
        let mut seen = 0;
        for page in 1..=all.pages {
            let rows = t.app.list_households(&siao, &ListFilter { page, ..ListFilter::default() }).await.unwrap().rows;
            for row in rows {
                let file = t.app.open_household(&siao, row.id).await.unwrap();
                let on = t.backend();
                assert_eq!(row.name, file.name, "{} on {on:?}", row.id);
                assert_eq!(row.members, file.current_members.len(), "{} on {on:?}", row.id);
                assert_eq!(row.household_type, file.household_type, "{} on {on:?}", row.id);
                assert_eq!(row.situation, file.current.as_ref().map(|p| p.situation), "{} on {on:?}", row.id);
                assert_eq!(row.status, file.status, "{} on {on:?}", row.id);
                assert_eq!(row.last_contact, file.last_contact, "{} on {on:?}", row.id);
                let referent = file.follows_now.iter().find(|f| f.referent).map(|f| f.org_name.clone());
                let first = file.follows_now.iter().map(|f| f.org_name.clone()).min();
                assert_eq!(row.referent, referent.or(first), "{} on {on:?}", row.id);
                assert_eq!(row.commune, file.commune.map(|c| c.1), "{} on {on:?}", row.id);
                seen += 1;
            }
        }
        assert_eq!(seen, all.visible);
        // The demo carries data-protection facts: notices, agreements, encrypted needs.
        let (notices,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM information_notices").fetch_one(t.app.store.pool()).await.unwrap();
        let (needs,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM household_needs").fetch_one(t.app.store.pool()).await.unwrap();
        assert!(notices > 80 && needs > 10, "{notices} notices, {needs} needs");
        t.finish().await;
    }
}

#[tokio::test]
async fn demo_accounts_only_work_on_demo_databases() {
    for t in testkit::apps().await {
        let f = testkit::Fixture::new(&t).await;
        let mut conn = t.app.store.pool().acquire().await.unwrap();
        let email = Email::parse("demo-like@test.parcours.test").unwrap();
        let hash = app::auth::hash_password("demo");
        let uid = store::users::insert(&mut conn, &email, "Démo", &hash, true).await.unwrap();
        store::users::add_membership(&mut conn, uid, f.org_a, domain::user::Role::Referent).await.unwrap();
        drop(conn);
        assert!(matches!(t.app.login(email.as_str(), "demo", "x").await, Err(app::AppError::BadCredentials)));
        t.finish().await;
    }
}
