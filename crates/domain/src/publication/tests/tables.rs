//! Hand-made tables: each case of the method.

use super::*;

fn check_safe(original: &Table, published: &PublishedTable, threshold: u32) {
    assert!(recoverable(std::slice::from_ref(published), &[]).is_empty(), "{published:?}");
    assert!(by_differences(std::slice::from_ref(published), &[]).is_empty());
    for r in 0..original.rows().len() {
        assert_eq!(published.row_total(r), original.row_total(r));
        for c in 0..original.columns().len() {
            match published.cell(r, c) {
                Cell::Published(v) => assert!(v == 0 || v >= threshold, "small cell {v} published"),
                Cell::Suppressed => {}
            }
        }
    }
    for c in 0..original.columns().len() {
        assert_eq!(published.column_total(c), original.column_total(c));
    }
    assert_eq!(published.grand_total(), original.grand_total());
}

#[test]
fn a_row_with_a_single_small_cell() {
    let t = Table::from_rows(&[&[40, 25, 31], &[12, 5, 60], &[33, 14, 50]]);
    // Primary only: the 5 is its row total minus the two others.
    let naive = primary_only(&t, 11);
    assert_eq!(
        by_differences(std::slice::from_ref(&naive), &[]).get(&CellRef { table: 0, row: 1, column: 1 }),
        Some(&5)
    );

    let p = suppress(&t, 11).unwrap();
    check_safe(&t, &p, 11);
    // The smallest complements: 12 in its row, 14 in its column, then 33 in the 12's column,
    // which closes the rectangle.
    let hidden: Vec<_> = hidden(std::slice::from_ref(&p)).into_iter().map(|c| (c.row, c.column)).collect();
    assert_eq!(hidden, [(1, 0), (1, 1), (2, 0), (2, 1)]);
}

#[test]
fn two_per_line_is_not_always_enough() {
    // Two blocks of small cells joined by one more small cell: every row and every column with a
    // small cell has at least two, yet the joining cell is on no cycle.
    let t = Table::from_rows(&[
        &[3, 4, 20, 20, 30],
        &[5, 6, 7, 20, 30],
        &[20, 20, 8, 9, 30],
        &[20, 20, 2, 1, 30],
        &[30, 30, 30, 30, 30],
    ]);
    let naive = primary_only(&t, 11);
    let lines_ok = |p: &PublishedTable| {
        let n = |cells: &mut dyn Iterator<Item = Cell>| cells.filter(|c| *c == Cell::Suppressed).count();
        (0..5).all(|i| n(&mut (0..5).map(|j| p.cell(i, j))) != 1 && n(&mut (0..5).map(|j| p.cell(j, i))) != 1)
    };
    assert!(lines_ok(&naive), "the classic rule holds already");
    assert!(by_differences(std::slice::from_ref(&naive), &[]).is_empty(), "no line has a single unknown");
    // Yet rows 0 and 1 minus columns 0 and 1 leave the joining cell alone.
    let joining = CellRef { table: 0, row: 1, column: 2 };
    assert_eq!(recoverable(std::slice::from_ref(&naive), &[]), [joining]);
    let published = |r, c| match naive.cell(r, c) {
        Cell::Published(v) => i64::from(v),
        Cell::Suppressed => 0,
    };
    let rows: i64 = (0..2).map(|r| naive.row_total(r) as i64 - (0..5).map(|c| published(r, c)).sum::<i64>()).sum();
    let columns: i64 =
        (0..2).map(|c| naive.column_total(c) as i64 - (0..5).map(|r| published(r, c)).sum::<i64>()).sum();
    assert_eq!(rows - columns, 7, "the attacker recomputes it");

    let p = suppress(&t, 11).unwrap();
    check_safe(&t, &p, 11);
    assert_eq!(p.suppressed(), naive.suppressed() + 1, "one cell closes the cycle");
}

#[test]
fn an_all_large_table_is_untouched() {
    let t = Table::from_rows(&[&[11, 25, 31], &[12, 15, 60]]);
    let p = suppress(&t, 11).unwrap();
    assert_eq!(p.suppressed(), 0);
    assert_eq!(p, with_hidden(&t, &[]));
}

#[test]
fn zeros_are_published_and_used_last() {
    // Zeros stay published; a small cell among zeros needs a zero as its complement, since the
    // row offers nothing else.
    let t = Table::from_rows(&[&[0, 0, 4], &[0, 30, 40], &[20, 25, 50]]);
    let p = suppress(&t, 11).unwrap();
    check_safe(&t, &p, 11);
    assert_eq!(p.cell(1, 0), Cell::Published(0), "a zero not needed is published");
    assert_eq!(p.cell(0, 2), Cell::Suppressed);
    assert_eq!(p.cell(0, 0), Cell::Suppressed, "the row offers only zeros as complements");
    assert_eq!(p.cell(0, 1), Cell::Published(0), "and one is enough");
    // A table of zeros and large cells needs nothing.
    let t = Table::from_rows(&[&[0, 12], &[0, 0]]);
    assert_eq!(suppress(&t, 11).unwrap().suppressed(), 0);
}

#[test]
fn a_different_threshold() {
    let t = Table::from_rows(&[&[4, 25, 31], &[12, 15, 60], &[33, 14, 50]]);
    assert_eq!(suppress(&t, 3).unwrap().suppressed(), 0);
    let p = suppress(&t, 20).unwrap();
    check_safe(&t, &p, 20);
    assert!(hidden(std::slice::from_ref(&p)).len() >= 4);
}

#[test]
fn a_single_row_or_column_cannot_be_protected() {
    assert_eq!(suppress(&Table::from_rows(&[&[3, 40, 50]]), 11), Err(Unprotectable));
    assert_eq!(suppress(&Table::from_rows(&[&[3], &[40]]), 11), Err(Unprotectable));
    assert_eq!(suppress(&Table::from_rows(&[&[30], &[40]]), 11).unwrap().suppressed(), 0);
}
