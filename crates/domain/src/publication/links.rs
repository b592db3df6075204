//! Public identities between cells of tables published together. An attacker uses them as well
//! as the margins, so suppression must hold against them too.

/// A cell of one of several tables published together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    pub table: usize,
    pub row: usize,
    pub column: usize,
}

/// Σ coefficient × cell = 0 holds for the true counts and anyone can know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link(pub Vec<(CellRef, i64)>);

/// The stock–flow identity between three tables with the same rows (consecutive months) and the
/// same columns: stock(m) = stock(m − 1) + inflow(m) − outflow(m), in every column, for every month
/// but the first (the stock before the first month is not published).
///
/// It holds exactly where a household never changes column (sex of the reference person,
/// commune), and but for the households that changed column that month elsewhere: where they
/// are few, a reader's guess from it is mostly right, so it is protected against as if exact
/// (see [`super::follows_households`]).
pub fn stock_flow(rows: usize, columns: usize, stock: usize, inflow: usize, outflow: usize) -> Vec<Link> {
    let at = |table, row, column| CellRef { table, row, column };
    (1..rows)
        .flat_map(|r| {
            (0..columns).map(move |c| {
                Link(vec![
                    (at(stock, r, c), 1),
                    (at(stock, r - 1, c), -1),
                    (at(inflow, r, c), -1),
                    (at(outflow, r, c), 1),
                ])
            })
        })
        .collect()
}
