//! Test support: the real application on a fresh database (SQLite always, PostgreSQL too when
//! `TEST_DATABASE_URL` is set), a small hand-made territory, and an HTTP client that drives the
//! real router in-process with cookies and CSRF tokens.

mod client;
mod fixture;

pub use client::{Client, Response};
pub use fixture::Fixture;

/// A new household of one person in the street since today, without commune (`sex`: `F`, `M`
/// or `X`; `birth`: ISO date or empty).
pub fn one_person_household(family: &str, given: &str, birth: &str, sex: &str) -> app::households::NewHousehold {
    app::households::NewHousehold {
        reference: domain::household::NewPerson::parse(family, given, birth, sex, TODAY).expect("a valid person"),
        commune: None,
        situation: domain::situation::Situation::Rue,
        situation_since: TODAY,
        identified_on: TODAY,
        siao_number: None,
        housing_demand_number: None,
    }
}

/// The password of every fixture account.
pub fn fixture_password() -> &'static str {
    fixture::PASSWORD
}

use app::{App, Clock, Config};
use domain::Date;
use store::{Backend, Store};

/// The fixed "today" of every test.
pub const TODAY: Date = time::macros::date!(2026 - 06 - 15);

/// A running application on its own fresh database.
pub struct TestApp {
    pub app: App,
    pub router: axum::Router,
    pub url: String,
    pg_admin: Option<(String, String)>,
    _dir: Option<TempDir>,
}

/// A temporary directory removed on drop.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> String {
    use rand::Rng;
    format!("{:016x}", rand::thread_rng().gen::<u64>())
}

/// The backends every integration test runs on. In CI, PostgreSQL is mandatory: a missing
/// `TEST_DATABASE_URL` fails the test instead of silently skipping it.
pub fn backend_urls() -> Vec<Option<String>> {
    let pg = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty());
    if pg.is_none() && std::env::var("CI").is_ok() {
        panic!("CI is set but TEST_DATABASE_URL is not: the PostgreSQL half of the tests would be skipped");
    }
    let mut v = vec![None];
    if pg.is_some() {
        v.push(pg);
    }
    v
}

/// One fresh application per backend.
pub async fn apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for pg in backend_urls() {
        out.push(TestApp::new(pg.as_deref()).await);
    }
    out
}

impl TestApp {
    /// A fresh database: a SQLite file in a temporary directory, or a new PostgreSQL database
    /// created through the admin URL.
    pub async fn new(pg_admin_url: Option<&str>) -> Self {
        let (url, pg_admin, dir) = match pg_admin_url {
            None => {
                let dir = std::env::temp_dir().join(format!("parcours-test-{}", unique()));
                std::fs::create_dir_all(&dir).unwrap();
                (format!("sqlite://{}/test.db", dir.display()), None, Some(TempDir(dir)))
            }
            Some(admin) => {
                let name = format!("parcours_test_{}", unique());
                let admin_store = Store::connect(admin).await.expect("PostgreSQL at TEST_DATABASE_URL must answer");
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin_store.pool()).await.unwrap();
                admin_store.close().await;
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
                (format!("{base}/{name}"), Some((admin.to_owned(), name)), None)
            }
        };
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let keyring = store::crypto::Keyring::parse(&store::crypto::Keyring::generate_text("test1")).unwrap();
        let app = App::new(store, Config::default(), Clock::Fixed(TODAY)).with_keyring(keyring);
        let router = web::router(app.clone(), web::WebOptions { secure_cookies: true });
        Self { app, router, url, pg_admin, _dir: dir }
    }

    pub fn backend(&self) -> Backend {
        self.app.store.backend()
    }

    pub fn client(&self) -> Client {
        Client::new(self.router.clone())
    }

    /// Removes the audit log's append-only triggers, as someone with direct access to the
    /// database could, so that tests can show the hash chain still catches the tampering.
    pub async fn drop_audit_guards(&self) {
        drop_audit_guards(&self.app.store).await;
    }

    /// Closes the pool and drops a PostgreSQL test database.
    pub async fn finish(self) {
        self.app.store.close().await;
        if let Some((admin, name)) = &self.pg_admin {
            let admin_store = Store::connect(admin).await.unwrap();
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}")).execute(admin_store.pool()).await;
            admin_store.close().await;
        }
    }
}

/// See [`TestApp::drop_audit_guards`].
pub async fn drop_audit_guards(store: &Store) {
    let statements: &[&str] = match store.backend() {
        Backend::Sqlite => &["DROP TRIGGER audit.audit_events_no_update", "DROP TRIGGER audit.audit_events_no_delete"],
        Backend::Postgres => &[
            "DROP TRIGGER audit_events_no_update ON audit.audit_events",
            "DROP TRIGGER audit_events_no_delete ON audit.audit_events",
        ],
    };
    for s in statements {
        sqlx::query(s).execute(store.pool()).await.unwrap();
    }
}
