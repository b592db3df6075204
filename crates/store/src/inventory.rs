//! The personal-data inventory (`migrations/inventory.csv`): every column of every table with
//! its category, retention and what anonymisation does to it. A test fails when a column is
//! missing from it; anonymisation and the rights export read it.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use domain::HouseholdId;

use crate::{Backend, Conn, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Entry {
    pub table: String,
    pub column: String,
    /// identifiant, quasi-identifiant, sensible or aucune.
    pub category: String,
    pub retention: String,
    /// conserver, effacer (NULL), vider (empty text), mois (date kept to its month), supprimer (row deleted).
    pub anonymisation: String,
    pub description: String,
}

const CSV: &str = include_str!("../migrations/inventory.csv");

pub fn entries() -> &'static [Entry] {
    static ENTRIES: OnceLock<Vec<Entry>> = OnceLock::new();
    ENTRIES.get_or_init(|| {
        csv::Reader::from_reader(CSV.as_bytes())
            .deserialize()
            .collect::<std::result::Result<Vec<Entry>, _>>()
            .expect("migrations/inventory.csv is well-formed (checked by its tests)")
    })
}

pub fn category(table: &str, column: &str) -> Option<&'static str> {
    entries().iter().find(|e| e.table == table && e.column == column).map(|e| e.category.as_str())
}

/// The columns of the live schema, audit log included: (table, column).
pub async fn schema_columns(store: &Store) -> Result<BTreeSet<(String, String)>> {
    let rows: Vec<(String, String)> = match store.backend() {
        Backend::Sqlite => {
            let mut all = Vec::new();
            for schema in ["main", "audit"] {
                let q = format!(
                    "SELECT m.name, p.name FROM {schema}.sqlite_master m, pragma_table_info(m.name, '{schema}') p
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'"
                );
                all.extend(sqlx::query_as::<_, (String, String)>(&q).fetch_all(store.pool()).await?);
            }
            all
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) FROM information_schema.columns
                 WHERE table_schema IN ('public', 'audit') AND table_name NOT LIKE '_sqlx_%'",
            )
            .fetch_all(store.pool())
            .await?
        }
    };
    Ok(rows.into_iter().collect())
}

/// How a table's rows belong to one household (`$1`), for anonymisation. The audit log is
/// not household data: it names record ids only, and has its own retention.
fn household_filter(table: &str) -> Option<&'static str> {
    match table {
        "households" => Some("id = $1"),
        "persons" => Some("id IN (SELECT person_id FROM household_members WHERE household_id = $1)"),
        "synthetic_truth" => Some("person_id IN (SELECT person_id FROM household_members WHERE household_id = $1)"),
        "referral_steps" | "referral_attachments" | "cca_agenda" | "cca_decisions" => {
            Some("referral_id IN (SELECT id FROM referrals WHERE household_id = $1)")
        }
        "measure_steps" => Some("measure_id IN (SELECT id FROM measures WHERE household_id = $1)"),
        "person_clusters" => Some("person_id IN (SELECT person_id FROM household_members WHERE household_id = $1)"),
        "link_candidates" | "link_decisions" | "link_edges" => Some(
            "(person_a IN (SELECT person_id FROM household_members WHERE household_id = $1)
              OR person_b IN (SELECT person_id FROM household_members WHERE household_id = $1))",
        ),
        "eviction_stages" | "ccapex_opinions" => {
            Some("eviction_id IN (SELECT id FROM evictions WHERE household_id = $1)")
        }
        t if !t.starts_with("audit") && entries().iter().any(|e| e.table == t && e.column == "household_id") => {
            Some("household_id = $1")
        }
        _ => None,
    }
}

/// Deletion order for anonymisation: children first.
fn delete_rank(table: &str) -> u8 {
    match table {
        "referral_steps"
        | "referral_attachments"
        | "cca_agenda"
        | "measure_steps"
        | "eviction_stages"
        | "ccapex_opinions" => 0,
        "measures" => 1,
        "cca_decisions" => 2,
        "referrals" => 3,
        "evictions" => 4,
        _ => 5,
    }
}

fn identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// Applies the inventory's anonymisation to one household: identifying and sensitive values are
/// destroyed, quasi-identifiers coarsened, what the indicators need kept. Rows are deleted last,
/// and persons' values before the membership rows they are found through could go.
pub async fn anonymise(conn: &mut Conn, id: HouseholdId) -> Result<()> {
    let mut deleted_tables = BTreeSet::new();
    for e in entries() {
        let Some(filter) = household_filter(&e.table) else { continue };
        assert!(identifier(&e.table) && identifier(&e.column), "inventory names are plain identifiers");
        let set = match e.anonymisation.as_str() {
            "effacer" => format!("{} = NULL", e.column),
            "vider" => format!("{} = ''", e.column),
            "mois" => format!("{c} = SUBSTR({c}, 1, 7) || '-01'", c = e.column),
            "supprimer" => {
                deleted_tables.insert(e.table.as_str());
                continue;
            }
            _ => continue,
        };
        sqlx::query(&format!("UPDATE {} SET {set} WHERE {filter}", e.table)).bind(id.0).execute(&mut *conn).await?;
    }
    // Rows that others reference go after them (foreign keys).
    let mut deleted_tables: Vec<&str> = deleted_tables.into_iter().collect();
    deleted_tables.sort_by_key(|t| delete_rank(t));
    for table in deleted_tables {
        let filter = household_filter(table).expect("deleted tables belong to households");
        sqlx::query(&format!("DELETE FROM {table} WHERE {filter}")).bind(id.0).execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inventory_is_well_formed() {
        let categories = ["identifiant", "quasi-identifiant", "sensible", "aucune"];
        let actions = ["conserver", "effacer", "vider", "mois", "supprimer"];
        let mut seen = BTreeSet::new();
        for e in entries() {
            assert!(categories.contains(&e.category.as_str()), "{}.{}: {}", e.table, e.column, e.category);
            assert!(actions.contains(&e.anonymisation.as_str()), "{}.{}: {}", e.table, e.column, e.anonymisation);
            assert!(!e.retention.is_empty() && !e.description.is_empty(), "{}.{}", e.table, e.column);
            assert!(seen.insert((e.table.clone(), e.column.clone())), "{}.{} listed twice", e.table, e.column);
            // Whatever identifies or is sensitive must not survive anonymisation of a household.
            if household_filter(&e.table).is_some() && matches!(e.category.as_str(), "identifiant" | "sensible") {
                assert_ne!(e.anonymisation, "conserver", "{}.{} would survive anonymisation", e.table, e.column);
            }
        }
    }
}

/// The inventory as a Markdown table, for `docs/data-protection.md`.
pub fn markdown() -> String {
    let mut out = String::from(
        "| table | colonne | catégorie | conservation | à l'anonymisation | description |\n|---|---|---|---|---|---|\n",
    );
    for e in entries() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            e.table, e.column, e.category, e.retention, e.anonymisation, e.description
        ));
    }
    out
}

#[cfg(test)]
mod doc_tests {
    #[test]
    fn the_document_embeds_the_current_inventory() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/data-protection.md");
        let doc = std::fs::read_to_string(path).expect("docs/data-protection.md exists");
        let (start, end) = ("<!-- inventory:start -->\n", "<!-- inventory:end -->");
        let (a, b) = (doc.find(start).expect("start marker") + start.len(), doc.find(end).expect("end marker"));
        let table = super::markdown();
        if doc[a..b] != table {
            if std::env::var("PARCOURS_BLESS").is_ok() {
                std::fs::write(path, format!("{}{}{}", &doc[..a], table, &doc[b..])).unwrap();
            } else {
                panic!(
                    "docs/data-protection.md is out of date: run `PARCOURS_BLESS=1 cargo test -p store` and commit it"
                );
            }
        }
    }
}
