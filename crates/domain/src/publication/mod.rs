//! Safe publication of the observatory's aggregates as open data (DOMAIN.md §5): tables of counts
//! with their margins, primary suppression of the cells under a threshold, secondary suppression
//! so that no suppressed cell can be recomputed from the published figures, and the exact
//! attacker that checks it. Pure: the files are written by `app::publication`.
//!
//! See `docs/formats/publication.md` for the published format and the method.

mod attacker;
mod linear;
mod links;
mod measures;
mod overlaps;
mod readme;
mod suppress;
mod table;

#[cfg(test)]
mod tests;

pub use attacker::recoverable;
pub use linear::{determined, Equation};
pub use links::{stock_flow, CellRef, Link};
pub use measures::{follows_households, table_name, tables_of, DimensionTables, Measure, DIMENSIONS};
pub use overlaps::{protect as protect_overlaps, Figure as OverlapFigure, Shown as OverlapShown, MAX_EXACT_PARTNERS};
pub use readme::{readme, FileFacts, ReadmeFacts};
pub use suppress::{suppress, suppress_linked, Suppression, Unprotectable, DEFAULT_THRESHOLD};
pub use table::{Cell, PublishedTable, Table};
