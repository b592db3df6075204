//! Tables tied by the stock–flow identity, and the tables built from the indicator engine.

use super::*;

/// Four months, three columns. Column 0 is a quiet small column: five households all along,
/// nobody in or out. Flows of the other columns are large.
fn quiet_column() -> [Table; 3] {
    let stock = Table::from_rows(&[&[5, 20, 30], &[5, 21, 30], &[5, 22, 31], &[5, 20, 30]]);
    let inflow = Table::from_rows(&[&[0, 12, 15], &[0, 13, 15], &[0, 12, 16], &[0, 11, 14]]);
    let outflow = Table::from_rows(&[&[0, 12, 14], &[0, 12, 15], &[0, 11, 15], &[0, 13, 15]]);
    [stock, inflow, outflow]
}

fn identity_holds(t: &[Table; 3]) -> bool {
    let (s, i, o) = (&t[0], &t[1], &t[2]);
    (1..4).all(|r| (0..3).all(|c| s.cell(r, c) + o.cell(r, c) == s.cell(r - 1, c) + i.cell(r, c)))
}

#[test]
fn flows_published_as_zero_give_away_a_quiet_column() {
    let tables = quiet_column();
    assert!(identity_holds(&tables));
    let links = stock_flow(4, 3, 0, 1, 2);
    // Each table protected alone is safe against its own margins…
    let alone: Vec<PublishedTable> = tables.iter().map(|t| suppress(t, 11).unwrap()).collect();
    for t in &alone {
        assert!(recoverable(std::slice::from_ref(t), &[]).is_empty());
    }
    // …but with the identity the column is constant, and its total is four times the constant.
    let recovered = by_differences(&alone, &links);
    assert!(recovered.is_empty(), "no single difference gives it");
    let exact = recoverable(&alone, &links);
    assert!(exact.contains(&CellRef { table: 0, row: 0, column: 0 }), "{exact:?}");

    let together = suppress_linked(&tables, &links, 11).unwrap();
    assert!(recoverable(&together.tables, &links).is_empty());
    assert_eq!(together.primary, 4);
    assert!(together.secondary > alone.iter().map(PublishedTable::suppressed).sum::<usize>() - 4);
    for (t, p) in tables.iter().zip(&together.tables) {
        assert_eq!((p.grand_total(), p.column_total(0)), (t.grand_total(), t.column_total(0)));
    }
}

#[test]
fn tables_of_a_flow_table() {
    use crate::indicators::{compute, Dimension, Month, Segment};
    use crate::pathway::{Event, EventKind, Pathway};
    use crate::situation::{Period, Situation};
    use crate::status::StatusRules;

    let d = |s: &str| crate::parse_date(s).unwrap();
    let household = |start: &str, housed: Option<&str>, commune: &str| {
        let mut periods = vec![Period::new(Situation::Rue, d(start), housed.map(d)).unwrap()];
        if let Some(h) = housed {
            periods.push(Period::new(Situation::LogementOrdinaire, d(h), None).unwrap());
        }
        let contacts =
            (0..12).map(|k| Event { kind: EventKind::Contact, date: d(start) + time::Duration::days(30 * k) });
        let mut h = crate::indicators::HouseholdHistory::new(Pathway { periods, events: contacts.collect() });
        h.commune = Some(commune.into());
        h
    };
    let histories: Vec<_> = (0..30)
        .map(|k| {
            let commune = ["Alpha", "Bravo", "Charlie"][k % 3];
            let housed = (k % 4 == 0).then_some("2025-03-10");
            household(["2024-11-05", "2025-01-20"][k % 2], housed, commune)
        })
        .collect();
    let months = Month::parse("2025-01").unwrap()..=Month::parse("2025-04").unwrap();
    let flows = compute(&histories, months, StatusRules::default());
    let dim = tables_of(&flows, Dimension::Commune);
    assert_eq!(dim.segments.len(), 3);
    assert_eq!(dim.tables.iter().map(|(m, _)| *m).collect::<Vec<_>>(), Measure::ALL);
    let stock = &dim.tables[0].1;
    assert_eq!(stock.rows(), ["2025-01", "2025-02", "2025-03", "2025-04"]);
    assert_eq!(stock.columns()[0], Segment::Commune(Some("Alpha".into())).label());
    assert_eq!(stock.row_total(1), 30);
    let tables: Vec<Table> = dim.tables.iter().map(|(_, t)| t.clone()).collect();
    let s = suppress_linked(&tables, &dim.links, 11).unwrap();
    assert!(s.primary > 0);
    assert!(recoverable(&s.tables, &dim.links).is_empty());
    assert!(table_name(Dimension::Situation, Measure::SortiesLogement).len() <= 31);
    // Tied where households stay in their segment, not where they move every month.
    assert_eq!(dim.links.len(), 3 * 3);
    assert!(tables_of(&flows, Dimension::Situation).links.is_empty());
}
