//! The exact attacker: which suppressed cells the published figures pin down.
//!
//! Suppressed cells are the unknowns; every published margin gives one linear equation (row
//! total, column total, grand total, each minus its published cells) and every public identity
//! ([`Link`]) another. A cell can be recomputed iff the system determines it, whatever the
//! values ([`super::linear`]). Non-negativity only narrows the range of a cell, it does not pin
//! it, as long as the suppressed cells it moves with are not zero (see the publication's
//! README).

use super::linear::{analyse, Analysis, Equation};
use super::links::{CellRef, Link};
use super::table::{Cell, PublishedTable};

/// The suppressed cells of `tables` that their margins and `links` determine.
pub fn recoverable(tables: &[PublishedTable], links: &[Link]) -> Vec<CellRef> {
    let masks: Vec<Mask> = tables
        .iter()
        .map(|t| Mask {
            rows: t.rows().len(),
            columns: t.columns().len(),
            suppressed: (0..t.rows().len() * t.columns().len())
                .map(|k| t.cell(k / t.columns().len(), k % t.columns().len()) == Cell::Suppressed)
                .collect(),
        })
        .collect();
    System::new(&masks, links).attack(&masks).found()
}

/// Which cells of a table are suppressed (row-major).
#[derive(Debug, Clone)]
pub(super) struct Mask {
    pub rows: usize,
    pub columns: usize,
    pub suppressed: Vec<bool>,
}

impl Mask {
    pub fn is_suppressed(&self, row: usize, column: usize) -> bool {
        self.suppressed[row * self.columns + column]
    }
}

/// The public equations of tables of given shapes, over all their cells, whatever is hidden.
pub(super) struct System {
    equations: Vec<Vec<(CellRef, i64)>>,
    /// For each table and cell (row-major), the equations it appears in: its column of A.
    appears: Vec<Vec<Vec<(usize, i64)>>>,
    columns: Vec<usize>,
}

/// What the attacker gets from one suppression pattern.
pub(super) struct Attack {
    pub unknowns: Vec<CellRef>,
    pub analysis: Analysis,
}

impl Attack {
    pub fn found(&self) -> Vec<CellRef> {
        self.unknowns.iter().zip(&self.analysis.determined).filter(|(_, d)| **d).map(|(c, _)| *c).collect()
    }
}

impl System {
    pub fn new(masks: &[Mask], links: &[Link]) -> Self {
        // Order matters for speed, not for the answer: equations within one column first
        // (column totals, then identities, which tie cells of one column here), so that rows
        // stay short while most unknowns are eliminated; the row and grand totals, which span
        // every column, come last.
        let mut equations: Vec<Vec<(CellRef, i64)>> = Vec::new();
        let at = |table, row, column| (CellRef { table, row, column }, 1);
        for (t, mask) in masks.iter().enumerate() {
            for c in 0..mask.columns {
                equations.push((0..mask.rows).map(|r| at(t, r, c)).collect());
            }
        }
        equations.extend(links.iter().map(|l| l.0.clone()));
        for (t, mask) in masks.iter().enumerate() {
            for r in 0..mask.rows {
                equations.push((0..mask.columns).map(|c| at(t, r, c)).collect());
            }
            equations.push((0..mask.rows * mask.columns).map(|k| at(t, k / mask.columns, k % mask.columns)).collect());
        }
        let mut appears: Vec<Vec<Vec<(usize, i64)>>> =
            masks.iter().map(|m| vec![Vec::new(); m.rows * m.columns]).collect();
        let columns: Vec<usize> = masks.iter().map(|m| m.columns).collect();
        for (e, equation) in equations.iter().enumerate() {
            for &(c, a) in equation {
                appears[c.table][c.row * columns[c.table] + c.column].push((e, a));
            }
        }
        Self { equations, appears, columns }
    }

    /// The column of A of a cell: the equations it appears in, with its coefficients.
    pub fn column_of(&self, c: CellRef) -> &[(usize, i64)] {
        &self.appears[c.table][c.row * self.columns[c.table] + c.column]
    }

    pub fn attack(&self, masks: &[Mask]) -> Attack {
        let mut unknowns = Vec::new();
        let mut index: Vec<Vec<Option<usize>>> = Vec::with_capacity(masks.len());
        for (t, mask) in masks.iter().enumerate() {
            let mut numbers = vec![None; mask.suppressed.len()];
            for (k, _) in mask.suppressed.iter().enumerate().filter(|(_, s)| **s) {
                numbers[k] = Some(unknowns.len());
                unknowns.push(CellRef { table: t, row: k / mask.columns, column: k % mask.columns });
            }
            index.push(numbers);
        }
        let unknown = |c: CellRef| index[c.table][c.row * self.columns[c.table] + c.column];
        // Every equation is kept, even without unknowns: it then says that hiding one of its
        // cells alone would give that cell away.
        let equations: Vec<Equation> = self
            .equations
            .iter()
            .map(|eq| eq.iter().filter_map(|&(c, a)| unknown(c).map(|i| (i, a))).collect())
            .collect();
        let analysis = analyse(unknowns.len(), &equations);
        Attack { unknowns, analysis }
    }
}
