//! Two-way tables of counts, before and after suppression.

/// A table of counts with labelled rows and columns. Its margins (row totals, column totals,
/// grand total) are the sums of its cells and are always published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    rows: Vec<String>,
    columns: Vec<String>,
    /// Row-major.
    cells: Vec<u32>,
}

impl Table {
    /// # Panics
    /// When `cells` is not one row of `columns.len()` cells per row label.
    pub fn new(rows: Vec<String>, columns: Vec<String>, cells: Vec<u32>) -> Self {
        assert_eq!(cells.len(), rows.len() * columns.len(), "one cell per row and column");
        Self { rows, columns, cells }
    }

    /// A table from its rows of cells, labelled by position (`r0`, `c0`…): for tests and examples.
    pub fn from_rows(cells: &[&[u32]]) -> Self {
        let width = cells.first().map_or(0, |r| r.len());
        let rows = (0..cells.len()).map(|r| format!("r{r}")).collect();
        let columns = (0..width).map(|c| format!("c{c}")).collect();
        Self::new(rows, columns, cells.iter().flat_map(|r| r.iter().copied()).collect())
    }

    pub fn rows(&self) -> &[String] {
        &self.rows
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub fn cell(&self, row: usize, column: usize) -> u32 {
        self.cells[row * self.columns.len() + column]
    }

    pub fn row_total(&self, row: usize) -> u64 {
        (0..self.columns.len()).map(|c| u64::from(self.cell(row, c))).sum()
    }

    pub fn column_total(&self, column: usize) -> u64 {
        (0..self.rows.len()).map(|r| u64::from(self.cell(r, column))).sum()
    }

    pub fn grand_total(&self) -> u64 {
        self.cells.iter().map(|&c| u64::from(c)).sum()
    }
}

/// A cell as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    Published(u32),
    /// Written `s` (secret statistique). Whether the suppression is primary or secondary is not
    /// said: telling it would tell which cells are small.
    Suppressed,
}

/// A table as published: cells, some suppressed, and all of its margins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedTable {
    rows: Vec<String>,
    columns: Vec<String>,
    cells: Vec<Cell>,
    row_totals: Vec<u64>,
    column_totals: Vec<u64>,
    grand_total: u64,
}

impl PublishedTable {
    /// A published table, as made by suppression or read back from a published file.
    ///
    /// # Panics
    /// When the sizes of `cells` or of the margins do not match the labels.
    pub fn new(
        rows: Vec<String>,
        columns: Vec<String>,
        cells: Vec<Cell>,
        row_totals: Vec<u64>,
        column_totals: Vec<u64>,
        grand_total: u64,
    ) -> Self {
        assert_eq!(cells.len(), rows.len() * columns.len(), "one cell per row and column");
        assert_eq!(row_totals.len(), rows.len(), "one total per row");
        assert_eq!(column_totals.len(), columns.len(), "one total per column");
        Self { rows, columns, cells, row_totals, column_totals, grand_total }
    }

    /// `table` with the cells for which `suppressed(row, column)` holds suppressed.
    pub(super) fn of(table: &Table, suppressed: impl Fn(usize, usize) -> bool) -> Self {
        let (n, m) = (table.rows.len(), table.columns.len());
        let cells = (0..n * m)
            .map(|k| if suppressed(k / m, k % m) { Cell::Suppressed } else { Cell::Published(table.cells[k]) })
            .collect();
        Self::new(
            table.rows.clone(),
            table.columns.clone(),
            cells,
            (0..n).map(|r| table.row_total(r)).collect(),
            (0..m).map(|c| table.column_total(c)).collect(),
            table.grand_total(),
        )
    }

    pub fn rows(&self) -> &[String] {
        &self.rows
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    pub fn cell(&self, row: usize, column: usize) -> Cell {
        self.cells[row * self.columns.len() + column]
    }

    pub fn row_total(&self, row: usize) -> u64 {
        self.row_totals[row]
    }

    pub fn column_total(&self, column: usize) -> u64 {
        self.column_totals[column]
    }

    pub fn grand_total(&self) -> u64 {
        self.grand_total
    }

    /// How many cells are suppressed.
    pub fn suppressed(&self) -> usize {
        self.cells.iter().filter(|c| **c == Cell::Suppressed).count()
    }
}
