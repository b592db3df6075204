//! `parcours bench linkage-data` (issue 6), run as the real binary: the labelled CSV that the
//! linkage benchmark (`bench/linkage.sh`) gives to our engine and to Splink.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

fn generate(out: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_parcours"))
        .args(["bench", "linkage-data", "--persons", "2000", "--seed", "7", "--out"])
        .arg(out)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn linkage_data_writes_a_labelled_deterministic_csv() {
    let dir = std::env::temp_dir().join(format!("parcours-linkage-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.csv"), dir.join("b.csv"));
    generate(&a);
    generate(&b);
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(text, std::fs::read_to_string(&b).unwrap(), "same seed, same file");

    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,truth,family_name,given_names,birth_date,sex,commune,household,birth_name,birth_country,birth_commune"
        )
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() >= 2000, "{} rows", rows.len());
    assert!(rows.iter().all(|r| r.len() == 11));
    // countries are INSEE codes of the list, often given, sometimes not
    let countries: Vec<&str> = rows.iter().map(|r| r[9]).filter(|c| !c.is_empty()).collect();
    assert!(countries.len() > rows.len() / 2 && countries.len() < rows.len());
    assert!(countries.iter().all(|c| domain::identity::Country::parse(c).is_ok()));
    // a household number is one report: different persons, some reports of several
    let mut reports: HashMap<&str, Vec<&str>> = HashMap::new();
    for r in &rows {
        reports.entry(r[7]).or_default().push(r[1]);
    }
    assert!(reports.values().any(|m| m.len() > 1), "reports of several members");
    for m in reports.values() {
        let distinct: std::collections::HashSet<&&str> = m.iter().collect();
        assert_eq!(distinct.len(), m.len(), "one person twice in a report");
    }

    let mut per_truth: HashMap<&str, usize> = HashMap::new();
    for r in &rows {
        *per_truth.entry(r[1]).or_default() += 1;
    }
    assert_eq!(per_truth.len(), 2000, "one truth per person");
    assert!(per_truth.values().any(|&n| n > 1), "some persons are reported several times");
    let undated = rows.iter().filter(|r| r[4].is_empty()).count();
    assert!(undated > 0, "some birth dates are missing");
    assert!(rows.iter().filter(|r| !r[4].is_empty()).all(|r| time::Date::parse(
        r[4],
        time::macros::format_description!("[year]-[month]-[day]")
    )
    .is_ok()));
    std::fs::remove_dir_all(&dir).unwrap();
}
