//! Open-data publication of the observatory (`parcours observatoire publish`): the monthly flows
//! by every partition dimension, protected by the secret statistique of `domain::publication`,
//! written as CSV files, one workbook and a README. The operator's command line only: the
//! observatory role's dashboard has its own, lower, internal threshold.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use domain::indicators::{Dimension, FlowTable, Month};
use domain::publication::{
    readme, suppress_linked, table_name, tables_of, Cell, FileFacts, PublishedTable, ReadmeFacts, Table, Unprotectable,
    DIMENSIONS,
};
use domain::InvalidInput;

use crate::{App, AppError};

/// The workbook's file name.
pub const WORKBOOK: &str = "observatoire.xlsx";

/// What a publication wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationReport {
    /// Every file written: the CSV files, the workbook, the README.
    pub files: Vec<PathBuf>,
    pub tables: usize,
    /// Cells of the tables, margins not counted.
    pub cells: usize,
    pub primary_suppressed: usize,
    pub secondary_suppressed: usize,
    /// Distinct published totals from 1 to `threshold − 1`: totals are published whatever their
    /// value, and on a small territory some are small counts themselves.
    pub small_totals: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("{table} : {source}")]
    Unprotectable { table: String, source: Unprotectable },
    #[error("écriture de {path} : {message}")]
    Write { path: PathBuf, message: String },
}

impl App {
    /// Publishes the months `from..=to` (complete months, at least two) into `out`, with cells
    /// from 1 to `threshold − 1` suppressed. Reads aggregates only; `out` is created if needed
    /// and files of the same names are replaced.
    pub async fn publish(
        &self,
        from: Month,
        to: Month,
        threshold: u32,
        out: &Path,
    ) -> Result<PublicationReport, PublishError> {
        let months = self.publication_months(from, to, threshold)?;
        let flows = self.flows(None, months).await?;
        let (tables, skipped) = protect(&flows, threshold)?;

        std::fs::create_dir_all(out).map_err(|e| write_error(out, e))?;
        let mut files = Vec::new();
        let mut facts = Vec::new();
        let mut workbook = rust_xlsxwriter::Workbook::new();
        for t in &tables {
            let path = out.join(format!("{}.csv", t.name));
            write_csv(&path, &t.published)?;
            files.push(path);
            add_sheet(&mut workbook, &t.name, &t.published).map_err(|e| write_error(&out.join(WORKBOOK), e))?;
            let cells = t.published.rows().len() * t.published.columns().len();
            facts.push(FileFacts {
                name: t.name.clone(),
                dimension: t.dimension,
                measure: t.measure,
                cells,
                suppressed: t.published.suppressed(),
            });
        }
        let book = out.join(WORKBOOK);
        workbook.save(&book).map_err(|e| write_error(&book, e))?;
        files.push(book);

        let mut report = PublicationReport {
            tables: tables.len(),
            cells: facts.iter().map(|f| f.cells).sum(),
            primary_suppressed: tables.iter().map(|t| t.primary).sum(),
            secondary_suppressed: tables.iter().map(|t| t.published.suppressed() - t.primary).sum(),
            small_totals: small_totals(&tables, threshold),
            files,
        };
        let text = readme(&ReadmeFacts {
            from,
            to,
            threshold,
            generated_on: self.today(),
            inactivity_days: self.config.status_rules.inactivity_days,
            workbook: WORKBOOK.into(),
            files: facts,
            skipped,
            primary: report.primary_suppressed,
            secondary: report.secondary_suppressed,
            small_totals: report.small_totals,
        });
        let path = out.join("README.md");
        std::fs::write(&path, text).map_err(|e| write_error(&path, e))?;
        report.files.push(path);
        Ok(report)
    }

    fn publication_months(&self, from: Month, to: Month, threshold: u32) -> Result<RangeInclusive<Month>, AppError> {
        let bad = |field, reason: &str| Err(AppError::Invalid(InvalidInput::new(field, reason)));
        if threshold < 2 {
            return bad("seuil", "le seuil doit être d'au moins 2");
        }
        if to > self.last_complete_month() {
            return bad("mois", "seuls des mois terminés peuvent être publiés");
        }
        // One month alone: each column total would be its only cell, and nothing could be hidden.
        if from.months_until(to) < 1 {
            return bad("mois", "la période doit compter au moins deux mois");
        }
        Ok(from..=to)
    }
}

/// One published table and what it took.
struct Protected {
    name: String,
    dimension: Dimension,
    measure: domain::publication::Measure,
    published: PublishedTable,
    primary: usize,
}

/// Every dimension's tables after suppression, and the dimensions left out. A dimension's tables
/// are protected together: stock, inflow and outflow are tied by the stock–flow identity where
/// households keep their segment.
fn protect(flows: &FlowTable, threshold: u32) -> Result<(Vec<Protected>, Vec<Dimension>), PublishError> {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for dimension in DIMENSIONS.into_iter().filter(|d| d.is_partition()) {
        let dim = tables_of(flows, dimension);
        // A single segment: its cells are the totals of every other table; nothing to add.
        if dim.segments.len() < 2 {
            skipped.push(dimension);
            continue;
        }
        let tables: Vec<Table> = dim.tables.iter().map(|(_, t)| t.clone()).collect();
        let suppression = suppress_linked(&tables, &dim.links, threshold)
            .map_err(|source| PublishError::Unprotectable { table: dimension.label().into(), source })?;
        for ((measure, table), published) in dim.tables.iter().zip(suppression.tables) {
            let primary = (0..table.rows().len())
                .flat_map(|r| (0..table.columns().len()).map(move |c| table.cell(r, c)))
                .filter(|v| (1..threshold).contains(v))
                .count();
            out.push(Protected {
                name: table_name(dimension, *measure),
                dimension,
                measure: *measure,
                published,
                primary,
            });
        }
    }
    Ok((out, skipped))
}

/// The distinct totals from 1 to `threshold − 1`. The month totals and the grand total of a
/// measure are the same in every dimension's table: counted once.
fn small_totals(tables: &[Protected], threshold: u32) -> usize {
    let small = |v: u64| (1..u64::from(threshold)).contains(&v);
    let mut seen = std::collections::HashSet::new();
    let mut count = 0;
    for t in tables {
        let p = &t.published;
        count += (0..p.columns().len()).filter(|&c| small(p.column_total(c))).count();
        if seen.insert(t.measure) {
            count += (0..p.rows().len()).filter(|&r| small(p.row_total(r))).count();
            count += usize::from(small(p.grand_total()));
        }
    }
    count
}

/// A value of a published line.
enum Field {
    Text(String),
    Count(u64),
    Secret,
}

impl Field {
    fn text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Count(n) => n.to_string(),
            Self::Secret => "s".into(),
        }
    }
}

/// The lines of a table as published: header, one line per month with its total, the totals.
fn lines(t: &PublishedTable) -> Vec<Vec<Field>> {
    let mut out = Vec::with_capacity(t.rows().len() + 2);
    let mut header = vec![Field::Text("Mois".into())];
    header.extend(t.columns().iter().map(|c| Field::Text(c.clone())));
    header.push(Field::Text("Total".into()));
    out.push(header);
    for (r, month) in t.rows().iter().enumerate() {
        let mut line = vec![Field::Text(month.clone())];
        line.extend((0..t.columns().len()).map(|c| match t.cell(r, c) {
            Cell::Published(v) => Field::Count(u64::from(v)),
            Cell::Suppressed => Field::Secret,
        }));
        line.push(Field::Count(t.row_total(r)));
        out.push(line);
    }
    let mut totals = vec![Field::Text("Total".into())];
    totals.extend((0..t.columns().len()).map(|c| Field::Count(t.column_total(c))));
    totals.push(Field::Count(t.grand_total()));
    out.push(totals);
    out
}

fn write_csv(path: &Path, t: &PublishedTable) -> Result<(), PublishError> {
    let mut w = csv::WriterBuilder::new().delimiter(b';').from_path(path).map_err(|e| write_error(path, e))?;
    for line in lines(t) {
        w.write_record(line.iter().map(Field::text)).map_err(|e| write_error(path, e))?;
    }
    w.flush().map_err(|e| write_error(path, e))
}

fn add_sheet(
    book: &mut rust_xlsxwriter::Workbook,
    name: &str,
    t: &PublishedTable,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    for (r, line) in lines(t).iter().enumerate() {
        for (c, field) in line.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match field {
                // Counts are far below 2^53: exact as spreadsheet numbers.
                Field::Count(n) => sheet.write_number(r, c, *n as f64)?,
                other => sheet.write_string(r, c, other.text())?,
            };
        }
    }
    sheet.set_freeze_panes(1, 1)?;
    sheet.autofit();
    Ok(())
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> PublishError {
    PublishError::Write { path: path.to_path_buf(), message: e.to_string() }
}
