//! Functional zero: fewer people actively homeless than the system routinely houses in a month,
//! sustained over time (Built for Zero, DOMAIN.md §2).

use super::flows::FlowRow;
use super::month::Month;

/// One month of one population: its stock and its housing placements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct MonthlyPoint {
    pub month: Month,
    /// Households actif at the end of the month (the closing stock).
    pub stock: u32,
    /// Housing placements in the month (the `housed` outflow).
    pub placements: u32,
}

impl From<&FlowRow> for MonthlyPoint {
    fn from(r: &FlowRow) -> Self {
        Self { month: r.month, stock: r.closing, placements: r.outflow_housed }
    }
}

/// The two settings of the functional-zero test [to confirm with the territory, hence settings].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionalZeroRule {
    /// Placements are averaged over this many months, the month itself included.
    pub average_over_months: usize,
    /// The condition must hold this many months in a row.
    pub sustained_months: usize,
}

impl Default for FunctionalZeroRule {
    fn default() -> Self {
        Self { average_over_months: 6, sustained_months: 3 }
    }
}

/// The first month from which the population is at functional zero, if any.
///
/// A month meets the condition when its stock is strictly below the average monthly placements
/// of the `average_over_months` months ending with it (so the first months of the series, without
/// enough history, cannot meet it). Functional zero is reached in the first month that starts a run
/// of `sustained_months` consecutive months meeting it. An empty population with no placements
/// does not meet it (0 is not below 0). `series` must be consecutive months in order; settings
/// of zero never reach functional zero.
pub fn functional_zero(series: &[MonthlyPoint], rule: FunctionalZeroRule) -> Option<Month> {
    let (n, k) = (rule.average_over_months, rule.sustained_months);
    if n == 0 || k == 0 {
        return None;
    }
    debug_assert!(series.windows(2).all(|w| w[0].month.next() == w[1].month), "consecutive months");
    let mut run = 0;
    for i in 0..series.len() {
        let meets = i + 1 >= n && {
            let placed: u64 = series[i + 1 - n..=i].iter().map(|p| u64::from(p.placements)).sum();
            // stock < placed / n, in integers
            u64::from(series[i].stock) * (n as u64) < placed
        };
        run = if meets { run + 1 } else { 0 };
        if run == k {
            return Some(series[i + 1 - k].month);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(first: &str, stock_and_placements: &[(u32, u32)]) -> Vec<MonthlyPoint> {
        let first = Month::parse(first).unwrap();
        stock_and_placements
            .iter()
            .enumerate()
            .map(|(i, &(stock, placements))| MonthlyPoint { month: first.plus(i as i32), stock, placements })
            .collect()
    }

    fn rule(n: usize, k: usize) -> FunctionalZeroRule {
        FunctionalZeroRule { average_over_months: n, sustained_months: k }
    }

    #[test]
    fn first_month_of_a_sustained_run() {
        // averages over 2 months: -, 4, 4, 4, 4, 4
        let s = series("2025-01", &[(9, 4), (9, 4), (3, 4), (5, 4), (3, 4), (2, 4)]);
        assert_eq!(functional_zero(&s, rule(2, 1)), Some(Month::parse("2025-03").unwrap()));
        // the run of March is broken in April: two months in a row only from May
        assert_eq!(functional_zero(&s, rule(2, 2)), Some(Month::parse("2025-05").unwrap()));
        assert_eq!(functional_zero(&s, rule(2, 3)), None);
    }

    #[test]
    fn strictly_below_the_average_and_enough_history() {
        // average of 3 then 4 is 3.5: a stock of 3 is below it, 4 is not
        assert!(functional_zero(&series("2025-01", &[(0, 3), (3, 4)]), rule(2, 1)).is_some());
        assert_eq!(functional_zero(&series("2025-01", &[(0, 3), (4, 4)]), rule(2, 1)), None);
        // the first month has no two-month history
        assert_eq!(functional_zero(&series("2025-01", &[(0, 9)]), rule(2, 1)), None);
        assert_eq!(functional_zero(&series("2025-01", &[(0, 0), (0, 0)]), rule(1, 1)), None);
        assert_eq!(functional_zero(&series("2025-01", &[(0, 9)]), rule(0, 1)), None);
    }
}
