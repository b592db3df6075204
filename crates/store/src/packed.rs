//! Rows packed per household. sqlx hands SQLite rows over one at a time between threads, so the
//! cost of a wide read is per row: a household's events read as one string of `kind date` items
//! cost one row instead of twenty. Only codes, dates and ids are packed (never names, which may
//! hold the separators); `string_agg` is the same on both backends (SQLite ≥ 3.44).

use crate::{date_col, Result, StoreError};

/// The aggregate packing `fields` (text or integer columns; NULL becomes an empty field): items
/// joined by `,`, fields by a space, ordered by `order` when given.
pub(crate) fn agg(fields: &[&str], order: Option<&str>) -> String {
    let item =
        fields.iter().map(|f| format!("COALESCE(CAST({f} AS TEXT), '')")).collect::<Vec<_>>().join(" || ' ' || ");
    let order = order.map(|o| format!(" ORDER BY {o}")).unwrap_or_default();
    format!("string_agg({item}, ','{order})")
}

/// The items of a packed column, each with exactly `N` fields (an empty field was NULL).
pub(crate) fn items<const N: usize>(packed: &str) -> impl Iterator<Item = Result<[&str; N]>> {
    packed.split(',').map(|item| {
        let corrupt = || StoreError::Corrupt("liste agrégée".into());
        let mut fields = item.split(' ');
        let mut out = [""; N];
        for slot in &mut out {
            *slot = fields.next().ok_or_else(corrupt)?;
        }
        match fields.next() {
            Some(_) => Err(corrupt()),
            None => Ok(out),
        }
    })
}

/// A date field that may be empty (NULL).
pub(crate) fn opt_date(field: &str) -> Result<Option<domain::Date>> {
    (!field.is_empty()).then(|| date_col(field)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_split_into_fields_and_a_wrong_count_is_an_error() {
        let got: Vec<[&str; 3]> =
            items::<3>("rue 2026-01-02 ,chu 2026-01-03 2026-02-01").collect::<Result<_>>().unwrap();
        assert_eq!(got, vec![["rue", "2026-01-02", ""], ["chu", "2026-01-03", "2026-02-01"]]);
        assert!(items::<3>("rue 2026-01-02").collect::<Result<Vec<_>>>().is_err());
        assert!(items::<2>("rue 2026-01-02 x").collect::<Result<Vec<_>>>().is_err());
        assert_eq!(opt_date("").unwrap(), None);
        assert_eq!(opt_date("2026-02-01").unwrap(), Some(domain::parse_date("2026-02-01").unwrap()));
        assert!(opt_date("2026-02-30").is_err());
    }
}
