//! The store: SQLite by default, PostgreSQL in production, through sqlx's `Any` driver so that
//! one set of queries (written in SQL both accept) serves both. One module per aggregate.

pub mod access;
pub mod audit;
pub mod cca;
pub mod crypto;
pub mod dwellings;
pub mod evictions;
pub mod households;
pub mod inventory;
pub mod linkage;
pub mod measures;
pub mod observatory;
pub mod orgs;
mod packed;
pub mod protection;
pub mod sensitive;
pub mod sessions;
pub mod settings;
mod sql;
pub mod users;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};

pub use sqlx::Any;
pub use sqlx::Error as SqlxError;

/// A transaction whose first statement took the audit head's lock (see [`audit`]).
pub type Tx = sqlx::Transaction<'static, Any>;
pub type Conn = AnyConnection;
/// A connection taken from the pool (given back when dropped).
pub type PooledConn = sqlx::pool::PoolConnection<Any>;

/// Default database: a SQLite file in `./data`.
pub const DEFAULT_URL: &str = "sqlite://data/parcours.db";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("base de données : {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration : {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("adresse de base de données non prise en charge (sqlite:// ou postgres://)")]
    UnsupportedUrl,
    #[error("donnée stockée invalide : {0}")]
    Corrupt(String),
    #[error("cet enregistrement existe déjà")]
    Conflict,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Maps a unique-constraint violation to [`StoreError::Conflict`], without the database's
/// detail message (which may quote the personal value).
pub(crate) fn conflict_on_unique(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict,
        _ => StoreError::Db(e),
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a SQLite file and its
    /// directory when missing.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let mut url = url.to_owned();
        let mut audit_file = None;
        if backend == Backend::Sqlite {
            let path = sqlite_path(&url).ok_or(StoreError::UnsupportedUrl)?.to_owned();
            if let Some(parent) = std::path::Path::new(&path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Db(sqlx::Error::Io(e)))?;
                }
            }
            audit_file = Some(audit_path(&path));
            if !url.contains("mode=") {
                url.push_str(if url.contains('?') { "&mode=rwc" } else { "?mode=rwc" });
            }
        }
        let opts = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .after_connect(move |conn, _| {
                let audit_file = audit_file.clone();
                Box::pin(async move {
                    if let Some(audit_file) = audit_file {
                        // The audit log lives in its own file, attached to every connection so that
                        // an event commits in the same transaction as what it records. A rollback
                        // journal (not WAL) makes commits spanning both files atomic.
                        // A page cache of 32 MiB per connection (SQLite's default is 2 MiB): the
                        // by-name list and the observatory read whole tables on every request.
                        conn.execute(
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; PRAGMA journal_mode = DELETE;
                             PRAGMA cache_size = -32768;",
                        )
                        .await?;
                        let attach = format!("ATTACH DATABASE '{}' AS audit", audit_file.replace('\'', "''"));
                        conn.execute(attach.as_str()).await?;
                        conn.execute("PRAGMA audit.journal_mode = DELETE;").await?;
                    } else {
                        // No JIT: the access-scope predicates look costly to the planner, which
                        // then spent ~0.6 s compiling each by-name list query that ran in 0.1 s.
                        conn.execute("SET jit = off").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the backend's migrations (same names on both backends).
    pub async fn migrate(&self) -> Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Starts a transaction that will append to the audit chain. Its first statement takes the
    /// chain head's lock, so audited transactions never conflict half-way (SQLite) and the
    /// chain never forks (PostgreSQL).
    pub async fn begin_audited(&self) -> Result<Tx> {
        let mut tx = self.pool.begin().await?;
        audit::lock_head(&mut tx).await?;
        Ok(tx)
    }

    /// A plain transaction, for bulk work that appends its own audit event (demo seeding).
    pub async fn begin(&self) -> Result<Tx> {
        Ok(self.pool.begin().await?)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The audit log's SQLite file beside the data file: `x.db` → `x-audit.db`.
pub fn audit_path(data_path: &str) -> String {
    match data_path.strip_suffix(".db") {
        Some(stem) => format!("{stem}-audit.db"),
        None => format!("{data_path}-audit"),
    }
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then_some(path)
}

/// The current time as stored: RFC 3339, UTC.
pub fn now_timestamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .expect("UTC timestamps always format")
}

pub(crate) fn date_col(s: &str) -> Result<domain::Date> {
    domain::parse_date(s).map_err(|_| StoreError::Corrupt("date".into()))
}

pub(crate) fn opt_date_col(s: Option<String>) -> Result<Option<domain::Date>> {
    s.as_deref().map(date_col).transpose()
}

pub(crate) fn corrupt<E>(what: &'static str) -> impl FnOnce(E) -> StoreError {
    move |_| StoreError::Corrupt(what.into())
}

/// Drops and recreates the `public` schema of a PostgreSQL database (demo databases only; the
/// caller checks). No-op on SQLite.
pub async fn reset_postgres_schema(store: &Store) -> Result<()> {
    if store.backend == Backend::Postgres {
        let mut conn = store.pool.acquire().await?;
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn sqlite_paths() {
        assert_eq!(sqlite_path("sqlite://data/parcours.db"), Some("data/parcours.db"));
        assert_eq!(sqlite_path("sqlite:///tmp/x.db?mode=rwc"), Some("/tmp/x.db"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
