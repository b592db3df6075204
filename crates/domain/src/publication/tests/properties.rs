//! Properties on random small tables: whatever the counts, nothing suppressed can be recomputed
//! and nothing small is published.

use proptest::prelude::*;

use super::*;

/// Counts mostly small, some zeros, some large: the tables where suppression has work to do.
fn count() -> impl Strategy<Value = u32> {
    prop_oneof![3 => Just(0u32), 5 => 1u32..11, 4 => 11u32..60]
}

fn table() -> impl Strategy<Value = Table> {
    (2usize..6, 2usize..7).prop_flat_map(|(n, m)| {
        proptest::collection::vec(count(), n * m).prop_map(move |cells| {
            let rows = (0..n).map(|r| format!("r{r}")).collect();
            let columns = (0..m).map(|c| format!("c{c}")).collect();
            Table::new(rows, columns, cells)
        })
    })
}

/// A stock table and its flows, consistent with the identity.
fn stock_and_flows() -> impl Strategy<Value = [Table; 3]> {
    (2usize..6, 2usize..5).prop_flat_map(|(n, m)| {
        (proptest::collection::vec(0u32..30, m), proptest::collection::vec((count(), count()), n * m)).prop_map(
            move |(first, flows)| {
                let (mut s, mut i, mut o) = (vec![0; n * m], vec![0; n * m], vec![0; n * m]);
                for (c, &opening) in first.iter().enumerate() {
                    for r in 0..n {
                        let k = r * m + c;
                        let before = if r == 0 { opening } else { s[k - m] };
                        let (inflow, outflow) = flows[k];
                        i[k] = inflow;
                        o[k] = outflow.min(before + inflow);
                        s[k] = before + i[k] - o[k];
                    }
                }
                let labels = |p: &str, k: usize| (0..k).map(|x| format!("{p}{x}")).collect::<Vec<_>>();
                [s, i, o].map(|cells| Table::new(labels("r", n), labels("c", m), cells))
            },
        )
    })
}

fn check(original: &Table, p: &PublishedTable, threshold: u32) -> Result<(), TestCaseError> {
    for r in 0..original.rows().len() {
        prop_assert_eq!(p.row_total(r), original.row_total(r));
        for c in 0..original.columns().len() {
            let v = original.cell(r, c);
            match p.cell(r, c) {
                Cell::Published(x) => prop_assert!(x == v && (x == 0 || x >= threshold)),
                Cell::Suppressed => {}
            }
        }
    }
    for c in 0..original.columns().len() {
        prop_assert_eq!(p.column_total(c), original.column_total(c));
    }
    prop_assert_eq!(p.grand_total(), original.grand_total());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn nothing_suppressed_can_be_recomputed(t in table(), threshold in 2u32..15) {
        let p = suppress(&t, threshold).unwrap();
        check(&t, &p, threshold)?;
        let tables = std::slice::from_ref(&p);
        prop_assert!(recoverable(tables, &[]).is_empty());
        prop_assert!(by_differences(tables, &[]).is_empty());
    }

    /// On one table, the linear algebra and the graph say the same: a suppressed cell can be
    /// recomputed iff it is on no cycle.
    #[test]
    fn the_exact_attacker_finds_the_bridges(t in table(), threshold in 2u32..30) {
        let p = primary_only(&t, threshold);
        let exact: Vec<(usize, usize)> =
            recoverable(std::slice::from_ref(&p), &[]).into_iter().map(|c| (c.row, c.column)).collect();
        let mask = super::super::attacker::Mask {
            rows: t.rows().len(),
            columns: t.columns().len(),
            suppressed: (0..t.rows().len() * t.columns().len())
                .map(|k| p.cell(k / t.columns().len(), k % t.columns().len()) == Cell::Suppressed)
                .collect(),
        };
        prop_assert_eq!(exact, super::super::suppress::bridges_of(&mask));
        // And whatever the differences attacker recovers, it recovers right.
        for (cell, value) in by_differences(std::slice::from_ref(&p), &[]) {
            prop_assert_eq!(value, i64::from(t.cell(cell.row, cell.column)));
        }
    }

    #[test]
    fn linked_tables_resist_the_identity(tables in stock_and_flows()) {
        let (n, m) = (tables[0].rows().len(), tables[0].columns().len());
        let links = stock_flow(n, m, 0, 1, 2);
        let s = suppress_linked(&tables, &links, 11).unwrap();
        for (t, p) in tables.iter().zip(&s.tables) {
            check(t, p, 11)?;
        }
        prop_assert!(recoverable(&s.tables, &links).is_empty());
        prop_assert!(by_differences(&s.tables, &links).is_empty());
    }
}
