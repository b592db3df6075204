//! Safe publication: publish a demo territory's aggregates, then play the attacker on the
//! published CSV files alone — by differences, by cycles, and by exact linear algebra with the
//! stock–flow identity — and fail to recover any suppressed cell.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;

use domain::indicators::Month;
use domain::publication::{recoverable, stock_flow, Cell, Link, PublishedTable};
use testkit::TODAY;

const THRESHOLD: u32 = 11;

/// A table as read back from a published CSV file: `None` for a suppressed cell.
struct ReadBack {
    rows: Vec<String>,
    columns: Vec<String>,
    cells: Vec<Vec<Option<u64>>>,
    row_totals: Vec<u64>,
    column_totals: Vec<u64>,
    grand_total: u64,
}

/// Splits one line of `;`-separated fields, with the usual double-quote escaping.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let (mut quoted, mut chars) = (false, line.chars().peekable());
    while let Some(ch) = chars.next() {
        match ch {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                out.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ';' if !quoted => out.push(String::new()),
            _ => out.last_mut().unwrap().push(ch),
        }
    }
    out
}

fn read_csv(path: &Path) -> ReadBack {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<Vec<String>> = text.lines().map(fields).collect();
    let (header, body) = lines.split_first().unwrap();
    let (totals, months) = body.split_last().unwrap();
    let width = header.len();
    assert!(width >= 4, "{}: month, at least two columns, total", path.display());
    assert_eq!((header[0].as_str(), header[width - 1].as_str(), totals[0].as_str()), ("Mois", "Total", "Total"));
    let count = |s: &str| s.parse::<u64>().unwrap_or_else(|_| panic!("{}: not a count: {s}", path.display()));
    let cell = |s: &str| if s == "s" { None } else { Some(count(s)) };
    assert!(months.iter().all(|l| l.len() == width) && totals.len() == width);
    ReadBack {
        rows: months.iter().map(|l| l[0].clone()).collect(),
        columns: header[1..width - 1].to_vec(),
        cells: months.iter().map(|l| l[1..width - 1].iter().map(|s| cell(s)).collect()).collect(),
        row_totals: months.iter().map(|l| count(&l[width - 1])).collect(),
        column_totals: totals[1..width - 1].iter().map(|s| count(s)).collect(),
        grand_total: count(&totals[width - 1]),
    }
}

impl ReadBack {
    fn suppressed(&self) -> usize {
        self.cells.iter().flatten().filter(|c| c.is_none()).count()
    }

    fn as_published(&self) -> PublishedTable {
        let cells = self.cells.iter().flatten().map(|c| c.map_or(Cell::Suppressed, |v| Cell::Published(v as u32)));
        PublishedTable::new(
            self.rows.clone(),
            self.columns.clone(),
            cells.collect(),
            self.row_totals.clone(),
            self.column_totals.clone(),
            self.grand_total,
        )
    }
}

/// The reader's first attack: any total or identity with a single unknown left gives it away,
/// and the new value may free another. Returns the cells it recovers (table, row, column).
fn by_differences(tables: &[&ReadBack], links: &[Link]) -> Vec<(usize, usize, usize)> {
    let mut known: HashMap<(usize, usize, usize), i64> = HashMap::new();
    let mut equations: Vec<(Vec<((usize, usize, usize), i64)>, i64)> = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let (n, m) = (table.rows.len(), table.columns.len());
        for (r, row) in table.cells.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if let Some(v) = v {
                    known.insert((t, r, c), *v as i64);
                }
            }
        }
        for r in 0..n {
            equations.push(((0..m).map(|c| ((t, r, c), 1)).collect(), table.row_totals[r] as i64));
        }
        for c in 0..m {
            equations.push(((0..n).map(|r| ((t, r, c), 1)).collect(), table.column_totals[c] as i64));
        }
        equations.push(((0..n * m).map(|k| ((t, k / m, k % m), 1)).collect(), table.grand_total as i64));
    }
    for link in links {
        equations.push((link.0.iter().map(|(c, a)| ((c.table, c.row, c.column), *a)).collect(), 0));
    }
    let published: Vec<_> = known.keys().copied().collect();
    loop {
        let before = known.len();
        for (terms, rhs) in &equations {
            let unknown: Vec<_> = terms.iter().filter(|(cell, _)| !known.contains_key(cell)).collect();
            if let [(cell, a)] = unknown[..] {
                let rest: i64 = terms.iter().filter(|(c, _)| c != cell).map(|(c, b)| b * known[c]).sum();
                known.insert(*cell, (rhs - rest) / a);
            }
        }
        if known.len() == before {
            break;
        }
    }
    published.iter().for_each(|c| {
        known.remove(c);
    });
    known.into_keys().collect()
}

/// In one table whose margins are published, a suppressed cell can be recomputed iff it is on
/// no cycle of suppressed cells (rows and columns as nodes): a graph argument, independent of
/// the linear algebra of `domain::publication`.
fn on_no_cycle(table: &ReadBack) -> Vec<(usize, usize)> {
    let n = table.rows.len();
    let hidden: Vec<(usize, usize)> = (0..n)
        .flat_map(|r| (0..table.columns.len()).map(move |c| (r, c)))
        .filter(|&(r, c)| table.cells[r][c].is_none())
        .collect();
    hidden
        .iter()
        .copied()
        .filter(|&cut| {
            // Is column `cut.1` reachable from row `cut.0` without the cell itself?
            let mut seen = vec![false; n + table.columns.len()];
            let mut stack = vec![cut.0];
            seen[cut.0] = true;
            while let Some(node) = stack.pop() {
                for &(r, c) in hidden.iter().filter(|&&e| e != cut) {
                    let next = if node == r {
                        n + c
                    } else if node == n + c {
                        r
                    } else {
                        continue;
                    };
                    if !seen[next] {
                        seen[next] = true;
                        stack.push(next);
                    }
                }
            }
            !seen[n + cut.1]
        })
        .collect()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parcours-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Plays every attack on the CSV files of `dir`; returns the suppressed cells per file.
fn attack_published_files(dir: &Path) -> BTreeMap<String, usize> {
    let mut tables: BTreeMap<String, ReadBack> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            tables.insert(path.file_stem().unwrap().to_string_lossy().into_owned(), read_csv(&path));
        }
    }
    assert_eq!(tables.len(), 24, "six dimensions × four measures: {:?}", tables.keys());
    for (name, t) in &tables {
        for (r, row) in t.cells.iter().enumerate() {
            let published: u64 = row.iter().flatten().sum();
            assert!(published <= t.row_totals[r], "{name}");
            for v in row.iter().flatten() {
                assert!(*v == 0 || *v >= u64::from(THRESHOLD), "{name}: {v} published under the threshold");
            }
        }
        assert_eq!(t.row_totals.iter().sum::<u64>(), t.grand_total, "{name}");
        assert_eq!(t.column_totals.iter().sum::<u64>(), t.grand_total, "{name}");
        assert!(by_differences(&[t], &[]).is_empty(), "{name}: recovered by differences");
        assert!(on_no_cycle(t).is_empty(), "{name}: {:?} on no cycle", on_no_cycle(t));
        assert!(recoverable(&[t.as_published()], &[]).is_empty(), "{name}: recovered exactly");
    }
    // Stock, inflow and outflow of one dimension, with the identity that ties them where
    // households keep their segment from month to month (exactly for sex and commune, nearly for
    // type and age; situation and long-term homelessness change too often for it to hold).
    for dim in ["type", "age", "sexe", "commune"] {
        let linked: Vec<&ReadBack> =
            ["stock", "entrees", "sorties"].iter().map(|m| &tables[&format!("{dim}_{m}")]).collect();
        assert_eq!(linked[0].rows, linked[1].rows);
        assert_eq!(linked[0].columns, linked[2].columns);
        let links = stock_flow(linked[0].rows.len(), linked[0].columns.len(), 0, 1, 2);
        assert!(by_differences(&linked, &links).is_empty(), "{dim}: recovered through the identity");
        let published: Vec<PublishedTable> = linked.iter().map(|t| t.as_published()).collect();
        assert!(recoverable(&published, &links).is_empty(), "{dim}: recovered exactly through the identity");
    }
    tables.iter().map(|(k, t)| (k.clone(), t.suppressed())).collect()
}

#[tokio::test]
async fn published_tables_resist_the_attacker() {
    for t in testkit::apps().await {
        let territory = synth::generate(&synth::Config { households: 300, seed: 5, today: TODAY, years: 3 });
        t.app.seed_demo(&territory, "demo").await.unwrap();
        let dir = temp_dir("publication");
        let (from, to) = (Month::parse("2024-01").unwrap(), t.app.last_complete_month());
        let report = t.app.publish(from, to, THRESHOLD, &dir).await.unwrap();
        assert_eq!(report.tables, 24);
        assert_eq!(report.files.len(), 24 + 2, "CSV files, the workbook, the README");
        assert!(report.primary_suppressed > 0 && report.secondary_suppressed > 0, "{report:?}");
        eprintln!(
            "publication {from}..{to}: {} cells, {} primary, {} secondary, {} small totals",
            report.cells, report.primary_suppressed, report.secondary_suppressed, report.small_totals
        );

        let suppressed = attack_published_files(&dir);
        assert_eq!(
            suppressed.values().sum::<usize>(),
            report.primary_suppressed + report.secondary_suppressed,
            "{suppressed:?}"
        );

        let book = std::fs::read(dir.join(app::publication::WORKBOOK)).unwrap();
        assert!(book.starts_with(b"PK"), "the workbook is a zip");
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(readme.contains("Secret statistique") && readme.contains("moins de 11"), "{readme}");
        assert!(readme.contains(&format!("{from} à {to}")));
        // Totals are published whatever their value; a small territory has small ones, and the
        // README says how many.
        assert_eq!(readme.contains("**Attention**"), report.small_totals > 0);

        // Only complete months, at least two, and a real threshold.
        for (f, l, s) in [(from, to.next(), 11), (to, to, 11), (from, to, 1)] {
            assert!(t.app.publish(f, l, s, &dir).await.is_err(), "{f}..{l} threshold {s}");
        }
        let _ = std::fs::remove_dir_all(&dir);
        t.finish().await;
    }
}

#[test]
fn parcours_observatoire_publish_on_a_demo_database() {
    let dir = temp_dir("publish-cli");
    let url = format!("sqlite://{}/demo.db", dir.display());
    let parcours = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_parcours")).args(args).env_remove("DATABASE_URL").output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(out.status.success(), "{args:?}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
        stdout
    };
    parcours(&["demo", "--no-serve", "--households", "150", "--seed", "4", "--db", &url]);
    // The binary's clock is the system's: its last complete month.
    let to = Month::of(domain::local_time::local_day(time::OffsetDateTime::now_utc())).previous();
    let (from, to) = (to.plus(-11).to_string(), to.to_string());
    let out = dir.join("open-data");
    let stdout = parcours(&[
        "observatoire",
        "publish",
        "--from",
        &from,
        "--to",
        &to,
        "--out",
        out.to_str().unwrap(),
        "--db",
        &url,
    ]);
    assert!(stdout.contains("24 tableau(x)"), "{stdout}");
    let suppressed = attack_published_files(&out);
    assert!(suppressed.values().sum::<usize>() > 0);
    assert!(std::fs::read(out.join("observatoire.xlsx")).unwrap().starts_with(b"PK"));
    let _ = std::fs::remove_dir_all(&dir);
}
