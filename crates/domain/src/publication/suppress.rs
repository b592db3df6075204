//! Primary and secondary suppression (secret statistique).
//!
//! 1. **Primary**: every cell counting 1 to `threshold − 1` is suppressed. Zero is published: an
//!    empty cell says that nobody is there, which identifies nobody.
//! 2. **Secondary**, table by table, until nothing changes:
//!    - the classic rule: no row or column holds exactly one suppressed cell (it would be its
//!      total minus the published cells); the complement is the smallest cell of the line;
//!    - cycles: in a table whose margins are all published, a suppressed cell can be recomputed
//!      iff it lies on no cycle of suppressed cells (rows and columns as the nodes of a
//!      bipartite graph, suppressed cells as its edges: a cell on no cycle is a bridge). Two
//!      per line is not enough — two blocks of suppressed cells joined by a single cell fall to
//!      sums of rows minus sums of columns — so each bridge gets the smallest complement that
//!      closes a cycle through it.
//! 3. **Verification** by the exact attacker ([`super::attacker`]) over all the tables at once,
//!    with their public identities ([`Link`]). A cell it still recomputes gets the smallest
//!    single complement that the attack itself shows to free it ([`Work::repair`]), and
//!    everything runs again until the attacker recomputes nothing.
//!
//! Complements are the smallest non-zero cells; a zero is taken only when no other cell will do,
//! because a suppressed zero can be pinned by non-negativity.

use std::collections::HashMap;

use super::attacker::{Attack, Mask, System};
use super::linear::dot;
use super::links::{CellRef, Link};
use super::table::{PublishedTable, Table};

/// The threshold of DOMAIN.md §5: cells under 11 are not published.
pub const DEFAULT_THRESHOLD: u32 = 11;

/// No suppression pattern can hide the small cells: a table with a small cell and a single row or
/// a single column (its cells are its margins), or identities that pin a cell whatever is hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("tableau impossible à protéger par le secret statistique (une seule ligne ou une seule colonne)")]
pub struct Unprotectable;

/// Tables published together, after suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub tables: Vec<PublishedTable>,
    /// Cells suppressed because they are under the threshold.
    pub primary: usize,
    /// Cells suppressed so that the primary ones cannot be recomputed.
    pub secondary: usize,
}

/// Suppresses the cells of `table` under `threshold`, and enough others that none of them can be
/// recomputed from the published cells and margins.
pub fn suppress(table: &Table, threshold: u32) -> Result<PublishedTable, Unprotectable> {
    Ok(suppress_linked(std::slice::from_ref(table), &[], threshold)?.tables.remove(0))
}

/// [`suppress`] for tables published together whose cells are tied by public `links`.
pub fn suppress_linked(tables: &[Table], links: &[Link], threshold: u32) -> Result<Suppression, Unprotectable> {
    let mut work = Work::new(tables, links);
    for (t, table) in tables.iter().enumerate() {
        for (r, c) in work.positions(t) {
            let v = table.cell(r, c);
            if (1..threshold).contains(&v) {
                work.masks[t].suppressed[r * table.columns().len() + c] = true;
            }
        }
    }
    let primary = work.count();
    let system = System::new(&work.masks, links);
    loop {
        for t in 0..tables.len() {
            work.protect_table(t)?;
        }
        let attack = system.attack(&work.masks);
        if !attack.analysis.determined.contains(&true) {
            break;
        }
        work.repair(&system, &attack)?;
    }
    let secondary = work.count() - primary;
    let published = work
        .masks
        .iter()
        .zip(tables)
        .map(|(mask, table)| PublishedTable::of(table, |r, c| mask.is_suppressed(r, c)))
        .collect();
    Ok(Suppression { tables: published, primary, secondary })
}

struct Work<'a> {
    tables: &'a [Table],
    masks: Vec<Mask>,
    /// For each cell, the cells it shares an identity with.
    partners: HashMap<CellRef, Vec<CellRef>>,
}

impl<'a> Work<'a> {
    fn new(tables: &'a [Table], links: &[Link]) -> Self {
        let masks = tables
            .iter()
            .map(|t| Mask {
                rows: t.rows().len(),
                columns: t.columns().len(),
                suppressed: vec![false; t.rows().len() * t.columns().len()],
            })
            .collect();
        let mut partners: HashMap<CellRef, Vec<CellRef>> = HashMap::new();
        for link in links {
            for &(a, _) in &link.0 {
                partners.entry(a).or_default().extend(link.0.iter().map(|&(b, _)| b).filter(|b| *b != a));
            }
        }
        Self { tables, masks, partners }
    }

    fn positions(&self, t: usize) -> impl Iterator<Item = (usize, usize)> {
        let (n, m) = (self.masks[t].rows, self.masks[t].columns);
        (0..n * m).map(move |k| (k / m, k % m))
    }

    fn count(&self) -> usize {
        self.masks.iter().map(|m| m.suppressed.iter().filter(|s| **s).count()).sum()
    }

    fn is_open(&self, c: CellRef) -> bool {
        !self.masks[c.table].is_suppressed(c.row, c.column)
    }

    fn hide(&mut self, c: CellRef) {
        let columns = self.masks[c.table].columns;
        self.masks[c.table].suppressed[c.row * columns + c.column] = true;
    }

    /// The cheapest of `candidates` still published: smallest non-zero count, zeros last.
    fn cheapest(&self, candidates: impl Iterator<Item = CellRef>) -> Option<CellRef> {
        candidates.filter(|&c| self.is_open(c)).min_by_key(|&c| self.cost(c))
    }

    fn cost(&self, c: CellRef) -> (bool, u32, CellRef) {
        let v = self.tables[c.table].cell(c.row, c.column);
        (v == 0, v, c)
    }

    /// Lines, then cycles, in table `t` alone, until both hold.
    fn protect_table(&mut self, t: usize) -> Result<(), Unprotectable> {
        let (n, m) = (self.masks[t].rows, self.masks[t].columns);
        if (n < 2 || m < 2) && self.masks[t].suppressed.iter().any(|s| *s) {
            return Err(Unprotectable);
        }
        loop {
            self.protect_lines(t)?;
            let Some(bridge) = bridges(&self.masks[t]).into_iter().next() else { return Ok(()) };
            self.close_cycle(t, bridge)?;
        }
    }

    /// The classic rule: no line with exactly one suppressed cell.
    fn protect_lines(&mut self, t: usize) -> Result<(), Unprotectable> {
        let (n, m) = (self.masks[t].rows, self.masks[t].columns);
        let at = |row, column| CellRef { table: t, row, column };
        loop {
            let mask = &self.masks[t];
            let lone_row = (0..n).find(|&r| (0..m).filter(|&c| mask.is_suppressed(r, c)).count() == 1);
            let line: Vec<CellRef> = match lone_row {
                Some(r) => (0..m).map(|c| at(r, c)).collect(),
                None => match (0..m).find(|&c| (0..n).filter(|&r| mask.is_suppressed(r, c)).count() == 1) {
                    Some(c) => (0..n).map(|r| at(r, c)).collect(),
                    None => return Ok(()),
                },
            };
            let complement = self.cheapest(line.into_iter()).ok_or(Unprotectable)?;
            self.hide(complement);
        }
    }

    /// Suppresses the cheapest cell that joins the two sides of `bridge` once it is removed, so
    /// that it lies on a cycle.
    fn close_cycle(&mut self, t: usize, bridge: (usize, usize)) -> Result<(), Unprotectable> {
        let mask = &self.masks[t];
        let (n, m) = (mask.rows, mask.columns);
        let mut sets = UnionFind::new(n + m);
        for (r, c) in self.positions(t) {
            if mask.is_suppressed(r, c) && (r, c) != bridge {
                sets.union(r, n + c);
            }
        }
        let (a, b) = (sets.find(bridge.0), sets.find(n + bridge.1));
        let joins = |r: usize, c: usize| {
            let (x, y) = (sets.find(r), sets.find(n + c));
            (x == a && y == b) || (x == b && y == a)
        };
        let candidates: Vec<CellRef> = self
            .positions(t)
            .filter(|&(r, c)| joins(r, c))
            .map(|(row, column)| CellRef { table: t, row, column })
            .collect();
        let complement = self.cheapest(candidates.into_iter()).ok_or(Unprotectable)?;
        self.hide(complement);
        Ok(())
    }

    /// Cells the attacker still recomputes (through identities between tables): each gets the
    /// cheapest single complement that frees it, found exactly from the attack. With `y` the
    /// attacker's recipe for a cell (a combination of equations giving it alone) and `a` the
    /// equations a published cell appears in, hiding that cell frees the first iff `y·a ≠ 0`,
    /// provided that no dependency `z` between the equations sees it (`z·a = 0`; otherwise the
    /// attacker would recompute the new cell itself). Several such complements add up without
    /// interfering, so one attack serves many. When no single cell will do, the cheapest cell
    /// tied to it is hidden and the next round says what is left.
    fn repair(&mut self, system: &System, attack: &Attack) -> Result<(), Unprotectable> {
        let analysis = &attack.analysis;
        let mut candidates: Vec<CellRef> = (0..self.tables.len())
            .flat_map(|t| self.positions(t).map(move |(row, column)| CellRef { table: t, row, column }))
            .filter(|&c| self.is_open(c))
            .filter(|&c| analysis.dependencies.iter().all(|z| dot(z, system.column_of(c)) == 0))
            .collect();
        candidates.sort_by_key(|&c| self.cost(c));
        let mut freed: Vec<bool> = analysis.determined.iter().map(|d| !d).collect();
        let mut added = false;
        for k in 0..attack.unknowns.len() {
            if freed[k] {
                continue;
            }
            let recipe = analysis.certificates[k].as_ref().expect("a determined cell has a recipe");
            let single = candidates.iter().copied().find(|&c| self.is_open(c) && dot(recipe, system.column_of(c)) != 0);
            let Some(complement) = single.or_else(|| self.tied_to(attack.unknowns[k])) else { continue };
            self.hide(complement);
            added = true;
            if single.is_some() {
                for (f, y) in freed.iter_mut().zip(&analysis.certificates) {
                    *f = *f || y.as_ref().is_some_and(|y| dot(y, system.column_of(complement)) != 0);
                }
            }
        }
        if added {
            Ok(())
        } else {
            Err(Unprotectable)
        }
    }

    /// The cheapest published cell sharing an identity with `d`, else its line, else anywhere.
    fn tied_to(&self, d: CellRef) -> Option<CellRef> {
        let partners = self.partners.get(&d).cloned().unwrap_or_default();
        let (n, m) = (self.masks[d.table].rows, self.masks[d.table].columns);
        let lines: Vec<CellRef> =
            (0..m).map(|column| CellRef { column, ..d }).chain((0..n).map(|row| CellRef { row, ..d })).collect();
        let everywhere: Vec<CellRef> = (0..self.tables.len())
            .flat_map(|t| self.positions(t).map(move |(row, column)| CellRef { table: t, row, column }))
            .collect();
        self.cheapest(partners.into_iter())
            .or_else(|| self.cheapest(lines.into_iter()))
            .or_else(|| self.cheapest(everywhere.into_iter()))
    }
}

/// The suppressed cells of a table that lie on no cycle (bridges of the bipartite graph rows –
/// columns), by Tarjan's low-link depth-first search.
fn bridges(mask: &Mask) -> Vec<(usize, usize)> {
    let (n, m) = (mask.rows, mask.columns);
    let mut adjacent: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n + m];
    let mut edges = Vec::new();
    for r in 0..n {
        for c in 0..m {
            if mask.is_suppressed(r, c) {
                adjacent[r].push((n + c, edges.len()));
                adjacent[n + c].push((r, edges.len()));
                edges.push((r, c));
            }
        }
    }
    let mut order = vec![usize::MAX; n + m];
    let mut low = vec![0; n + m];
    let mut found = Vec::new();
    let mut clock = 0;
    for root in 0..n + m {
        if order[root] != usize::MAX {
            continue;
        }
        // (node, edge it was reached by, next neighbour to look at)
        let mut stack = vec![(root, usize::MAX, 0)];
        order[root] = clock;
        low[root] = clock;
        clock += 1;
        while let Some(&mut (node, via, ref mut next)) = stack.last_mut() {
            if let Some(&(to, edge)) = adjacent[node].get(*next) {
                *next += 1;
                if edge == via {
                    continue;
                }
                if order[to] == usize::MAX {
                    order[to] = clock;
                    low[to] = clock;
                    clock += 1;
                    stack.push((to, edge, 0));
                } else {
                    low[node] = low[node].min(order[to]);
                }
            } else {
                stack.pop();
                if let Some(&(parent, _, _)) = stack.last() {
                    low[parent] = low[parent].min(low[node]);
                    if low[node] > order[parent] {
                        found.push(edges[via]);
                    }
                }
            }
        }
    }
    found.sort_unstable();
    found
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        Self((0..n).collect())
    }

    fn find(&self, mut x: usize) -> usize {
        while self.0[x] != x {
            x = self.0[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        self.0[a] = b;
    }
}

#[cfg(test)]
pub(super) fn bridges_of(mask: &Mask) -> Vec<(usize, usize)> {
    bridges(mask)
}
