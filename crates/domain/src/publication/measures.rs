//! What the observatory publishes: four measures of the monthly flows, broken down by each
//! partition dimension, as tables months × segments.

use crate::indicators::{Dimension, FlowRow, FlowTable, Segment};

use super::links::{stock_flow, Link};
use super::table::Table;

/// The dimensions published: every partition (each household in exactly one segment, so that
/// the segments add up to all households). The organisations that follow a household are not a
/// partition (a household can have several, or none) and are not published.
pub const DIMENSIONS: [Dimension; 6] = [
    Dimension::TypeMenage,
    Dimension::Age,
    Dimension::Situation,
    Dimension::Duree,
    Dimension::Sexe,
    Dimension::Commune,
];

/// Whether a household stays in its segment from one month to the next, so that the stock–flow
/// identity stock(m) = stock(m − 1) + inflow(m) − outflow(m) holds in each column and a reader can
/// use it: always for the sex of the reference person and the commune (fixed for a household),
/// nearly always for the household type and the age band (a birthday or a member who comes or
/// goes moves a household; on the demo territory the identity holds in more than 90 % of the
/// cells). Situation and long-term homelessness change all the time (the identity holds in a
/// third of the cells at best): the identity only gives an estimate there, and protecting
/// against it as if it were exact would hide nearly every stock.
pub fn follows_households(dimension: Dimension) -> bool {
    matches!(dimension, Dimension::Sexe | Dimension::Commune | Dimension::TypeMenage | Dimension::Age)
}

/// A published measure of [`FlowRow`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Closing stock.
    Stock,
    Entrees,
    Sorties,
    /// The housed part of the outflow.
    SortiesLogement,
}

impl Measure {
    /// In table order: the first three are tied by the stock–flow identity ([`tables_of`]).
    pub const ALL: [Measure; 4] = [Self::Stock, Self::Entrees, Self::Sorties, Self::SortiesLogement];

    pub fn of(self, row: &FlowRow) -> u32 {
        match self {
            Self::Stock => row.closing,
            Self::Entrees => row.inflow(),
            Self::Sorties => row.outflow(),
            Self::SortiesLogement => row.outflow_housed,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Stock => "stock",
            Self::Entrees => "entrees",
            Self::Sorties => "sorties",
            Self::SortiesLogement => "sorties_logement",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Stock => "Ménages actifs en fin de mois (stock)",
            Self::Entrees => "Entrées dans le stock",
            Self::Sorties => "Sorties du stock",
            Self::SortiesLogement => "Sorties vers le logement",
        }
    }
}

/// The file (and sheet) name of a table, without extension: at most 26 characters, under the
/// 31 that a spreadsheet allows for a sheet name.
pub fn table_name(dimension: Dimension, measure: Measure) -> String {
    format!("{}_{}", dimension.code(), measure.code())
}

/// The tables of one dimension, in [`Measure::ALL`] order, and the identities a reader can use
/// between them ([`follows_households`]).
#[derive(Debug, Clone)]
pub struct DimensionTables {
    pub dimension: Dimension,
    pub segments: Vec<Segment>,
    pub tables: Vec<(Measure, Table)>,
    pub links: Vec<Link>,
}

/// Builds the tables of `dimension` from `flows`: rows are the months, columns the dimension's
/// segments, cells the measure.
///
/// # Panics
/// When a month's segments do not add up to [`Segment::Tous`]: published totals would disagree
/// with the cells. The indicator engine guarantees it for every partition dimension.
pub fn tables_of(flows: &FlowTable, dimension: Dimension) -> DimensionTables {
    assert!(dimension.is_partition() && dimension != Dimension::Tous, "{dimension:?} is not published");
    let segments: Vec<Segment> = flows.segments().iter().filter(|s| s.dimension() == dimension).cloned().collect();
    let months: Vec<String> = flows.months().iter().map(|m| m.to_string()).collect();
    let columns: Vec<String> = segments.iter().map(Segment::label).collect();
    let value = |measure: Measure, month, segment: &Segment| flows.row(month, segment).map_or(0, |r| measure.of(r));
    let tables: Vec<(Measure, Table)> = Measure::ALL
        .into_iter()
        .map(|measure| {
            let cells = flows.months().iter().flat_map(|&m| segments.iter().map(move |s| value(measure, m, s)));
            let table = Table::new(months.clone(), columns.clone(), cells.collect());
            for (r, &month) in flows.months().iter().enumerate() {
                assert_eq!(
                    table.row_total(r),
                    u64::from(value(measure, month, &Segment::Tous)),
                    "{} {month}: the segments of a partition add up to all households",
                    table_name(dimension, measure)
                );
            }
            (measure, table)
        })
        .collect();
    let links =
        if follows_households(dimension) { stock_flow(months.len(), segments.len(), 0, 1, 2) } else { Vec::new() };
    DimensionTables { dimension, segments, tables, links }
}
