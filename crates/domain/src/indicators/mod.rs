//! By-name-list indicators: one definition each, used by the dashboard, the exports, the API and
//! the anonymisation retention test (DOMAIN.md §2, §5).
//!
//! # Published definitions
//!
//! - **Status at month end**: `status_on(pathway, last day of the month, rules)`
//!   ([`crate::status::status_on`]); computed for all months in one pass per household by
//!   [`monthly_statuses`], which gives the same values.
//! - **Stock** of month m: households `actif` at the end of m.
//! - **Inflow** of m: `actif` at the end of m and not at the end of m − 1, split by the status at
//!   the end of m − 1: unknown (newly identified), `logé` (returned from housing), `inactif`
//!   (returned from inactive), `sorti du territoire` (other return).
//! - **Outflow** of m: `actif` at the end of m − 1 and not at the end of m, split by the status
//!   at the end of m: `logé` (housed), `inactif` (moved to inactive), `décédé` or `sorti du
//!   territoire` (other exits).
//! - **Net change** = inflow − outflow; **first-time homeless**: the inflows with no `actif`
//!   month end and no homeless day in the 24 previous months. See [`FlowRow`].
//! - **Segments** ([`Segment`]): household type, age band of the reference person, situation at
//!   month end, long-term homelessness, sex of the reference person, commune, following
//!   organisation. A household's segment for month m is taken at the end of m if it is actif
//!   then, otherwise at the end of m − 1, so that `closing = opening + inflow − outflow` holds in
//!   every row.
//! - **Ages** are whole years at the end of the month counted from the birth *month*, as if born
//!   on its first day; household types use the same ages. No definition reads the day of birth,
//!   so coarsening birth dates to the first of their month (anonymisation) changes no indicator.
//! - **Time to housing** ([`time_to_housing`]), **returns after housing**
//!   ([`returns_after_housing`]) and **functional zero** ([`functional_zero`]): see each function.
//! - **Distinct persons** ([`distinct_persons`]): the members of the households `actif` at the
//!   end of m, counted once per group of records the linkage found to be one person.
//! - **Share with a support measure** ([`support_share`]): among households `actif` at the end
//!   of m, those with a started CCA measure not ended by that day.

mod flows;
mod functional_zero;
mod history;
mod measures;
mod month;
mod persons;
mod prepared;
mod segments;
mod support;

#[cfg(test)]
mod tests;

pub use flows::{compute, compute_in_parallel, FlowAccumulator, FlowRow, FlowTable, FIRST_TIME_LOOKBACK_MONTHS};
pub use functional_zero::{functional_zero, FunctionalZeroRule, MonthlyPoint};
pub use history::{household_type_at_end_of, Following, HouseholdHistory, Member};
pub use measures::{
    returns_after_housing, returns_after_housing_in, time_to_housing, time_to_housing_in, Quartiles, Returns,
    RETURN_HORIZONS_DAYS,
};
pub use month::Month;
pub use persons::{distinct_persons, LinkedMember, PersonCount};
pub use prepared::monthly_statuses;
pub use segments::{AgeBand, Dimension, Segment, SituationGroup, LONG_TERM_DAYS, LONG_TERM_WINDOW_MONTHS};
pub use support::{support_share, support_share_in, SupportShare};
