//! Tests of safe publication: hand-made tables, properties on random ones, and an attacker by
//! differences that shows what the exact one guards against.

mod linked;
mod properties;
mod tables;

use std::collections::HashMap;

use super::*;

/// A published table with the cells at `hidden` suppressed (a pattern to attack).
fn with_hidden(table: &Table, hidden: &[(usize, usize)]) -> PublishedTable {
    PublishedTable::of(table, |r, c| hidden.contains(&(r, c)))
}

/// Only the primary suppression, as a naive publisher would do.
fn primary_only(table: &Table, threshold: u32) -> PublishedTable {
    PublishedTable::of(table, |r, c| (1..threshold).contains(&table.cell(r, c)))
}

/// The suppressed cells of `tables`.
fn hidden(tables: &[PublishedTable]) -> Vec<CellRef> {
    let mut out = Vec::new();
    for (table, t) in tables.iter().enumerate() {
        for row in 0..t.rows().len() {
            for column in 0..t.columns().len() {
                if t.cell(row, column) == Cell::Suppressed {
                    out.push(CellRef { table, row, column });
                }
            }
        }
    }
    out
}

/// The attacker a reader would be first: any total or identity with a single unknown left gives
/// it, and so on until nothing moves. Returns what it recovered, with the values.
fn by_differences(tables: &[PublishedTable], links: &[Link]) -> HashMap<CellRef, i64> {
    let mut known: HashMap<CellRef, i64> = HashMap::new();
    for (table, t) in tables.iter().enumerate() {
        for row in 0..t.rows().len() {
            for column in 0..t.columns().len() {
                if let Cell::Published(v) = t.cell(row, column) {
                    known.insert(CellRef { table, row, column }, i64::from(v));
                }
            }
        }
    }
    // Each equation: Σ coefficient × cell = right-hand side.
    let mut equations: Vec<(Vec<(CellRef, i64)>, i64)> = links.iter().map(|l| (l.0.clone(), 0)).collect();
    for (table, t) in tables.iter().enumerate() {
        let (n, m) = (t.rows().len(), t.columns().len());
        let at = |row, column| (CellRef { table, row, column }, 1);
        for r in 0..n {
            equations.push(((0..m).map(|c| at(r, c)).collect(), t.row_total(r) as i64));
        }
        for c in 0..m {
            equations.push(((0..n).map(|r| at(r, c)).collect(), t.column_total(c) as i64));
        }
        equations.push(((0..n * m).map(|k| at(k / m, k % m)).collect(), t.grand_total() as i64));
    }
    loop {
        let before = known.len();
        for (terms, rhs) in &equations {
            let unknown: Vec<&(CellRef, i64)> = terms.iter().filter(|(c, _)| !known.contains_key(c)).collect();
            if let [(cell, a)] = unknown[..] {
                let rest: i64 = terms.iter().filter(|(c, _)| c != cell).map(|(c, b)| b * known[c]).sum();
                known.insert(*cell, (rhs - rest) / a);
            }
        }
        if known.len() == before {
            break;
        }
    }
    let mut recovered = known;
    for (table, t) in tables.iter().enumerate() {
        for row in 0..t.rows().len() {
            for column in 0..t.columns().len() {
                if t.cell(row, column) != Cell::Suppressed {
                    recovered.remove(&CellRef { table, row, column });
                }
            }
        }
    }
    recovered
}
