//! The demo's database: recreated on each `parcours demo`, and only if it is a demo's.

use anyhow::{bail, Context};
use sqlx::Connection;
use store::Store;

const REFUSED: &str =
    "cette base contient des données et n'est pas une base de démonstration : refus de la réinitialiser";

/// A demo database starts empty. A SQLite file and its audit log are deleted, a PostgreSQL
/// database reset, only when it is itself a demo database; one that holds nothing is used as it
/// is; any other is refused, never erased. An audit log is never deleted without the demo data
/// it belongs to.
pub async fn fresh(url: &str) -> anyhow::Result<Store> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or_default();
        let audit = store::audit_path(path);
        if exists(path) {
            // read only, nothing attached: an old demo is recognised, nothing else is touched
            sqlx::any::install_default_drivers();
            let state = match sqlx::AnyConnection::connect(&format!("sqlite://{path}?mode=ro")).await {
                Ok(mut conn) => {
                    let state = state_of(&mut conn, true).await;
                    let _ = conn.close().await;
                    state
                }
                Err(e) => Err(e.into()),
            };
            match state {
                Ok(State::Demo) => {
                    remove(path)?;
                    remove(&audit)?;
                }
                Ok(State::NoTable) => remove(path)?,
                Ok(State::Empty) => {}
                Ok(State::Data) => bail!(REFUSED),
                Err(e) => bail!(
                    "{path} n'a pas pu être lue comme une base parcours ({e:#}) : refus de la réinitialiser ; \
                     supprimez-la vous-même si c'est une ancienne démonstration"
                ),
            }
        }
        if !exists(path) && exists(&audit) {
            bail!(
                "le journal d'audit {audit} existe sans la base {path} : refus de l'effacer ; \
                 déplacez-le ou supprimez-le vous-même s'il n'est que celui d'une démonstration"
            );
        }
        return crate::open(url).await;
    }
    let store = crate::open(url).await?;
    let mut conn = store.pool().acquire().await?;
    let state = state_of(&mut conn, false).await?;
    drop(conn);
    match state {
        State::Demo => {
            store::reset_postgres_schema(&store).await?;
            store.migrate().await?;
        }
        State::Empty | State::NoTable => {}
        State::Data => bail!(REFUSED),
    }
    Ok(store)
}

/// What a database holds, as far as a demo may replace it.
#[derive(Debug, PartialEq, Eq)]
enum State {
    /// Seeded by `parcours demo`.
    Demo,
    /// Migrated, without any household or account.
    Empty,
    /// A SQLite file without any table.
    NoTable,
    /// Anything else.
    Data,
}

async fn state_of(conn: &mut store::Conn, sqlite: bool) -> anyhow::Result<State> {
    if sqlite {
        let (tables,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetch_one(&mut *conn).await?;
        if tables == 0 {
            return Ok(State::NoTable);
        }
    }
    if store::settings::get(conn, store::settings::DEMO).await?.as_deref() == Some("true") {
        return Ok(State::Demo);
    }
    let households = store::households::count(conn).await?;
    let users = store::users::count(conn).await?;
    Ok(if households == 0 && users == 0 { State::Empty } else { State::Data })
}

fn exists(f: &str) -> bool {
    std::path::Path::new(f).exists()
}

/// Deletes a SQLite file and its journals.
fn remove(f: &str) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let f = format!("{f}{suffix}");
        if exists(&f) {
            std::fs::remove_file(&f).with_context(|| format!("suppression de {f}"))?;
        }
    }
    Ok(())
}
