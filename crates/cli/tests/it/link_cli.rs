//! `parcours link eval`, run as the real binary on generated files (invented names only).

use std::process::Command;

fn parcours(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_parcours")).args(args).env_remove("DATABASE_URL").output().unwrap()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("parcours-link-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn link_eval_on_a_generated_file_prints_the_metrics_and_writes_the_clusters() {
    let dir = temp_dir("eval");
    let records = synth::linkage_set::generate(1500, 17);
    let input = dir.join("persons.csv");
    std::fs::write(&input, csv(&records)).unwrap();
    let clusters = dir.join("clusters.csv");
    let out = parcours(&[
        "link",
        "eval",
        "--schema",
        "parcours",
        input.to_str().unwrap(),
        "--clusters-out",
        clusters.to_str().unwrap(),
        "--json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(json["records"].as_u64(), Some(records.len() as u64));
    let f1 = json["f1"].as_f64().unwrap();
    assert!(f1 > 0.85, "F1 {f1}: {json}");
    assert!(json["precision"].as_f64().unwrap() > 0.97, "{json}");
    assert!(json["pairs_compared"].as_u64().unwrap() > 1000, "{json}");
    assert!(json["em_iterations"].as_u64().unwrap() > 0);
    assert!(json["elapsed_seconds"].as_f64().unwrap() > 0.0);
    assert!(json["peak_memory_bytes"].as_u64().unwrap() > 0);
    // the household column is read: its context applied
    assert_eq!(json["households"], serde_json::json!(true));
    assert!(json["context"]["anchors"].as_u64().unwrap() > 0, "{json}");
    let written = std::fs::read_to_string(&clusters).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("id,cluster"));
    assert_eq!(lines.count(), records.len());

    // the French summary without --json, the same figures
    let out = parcours(&["link", "eval", input.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("précision") && text.contains("rappel") && text.contains("paires candidates"), "{text}");
    assert!(text.contains("contexte des ménages"), "{text}");

    // --no-household: names, date, sex and commune only, and fewer true pairs found
    let out = parcours(&["link", "eval", input.to_str().unwrap(), "--no-household", "--json"]);
    assert!(out.status.success());
    let plain: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().last().unwrap()).unwrap();
    assert_eq!(plain["households"], serde_json::json!(false));
    assert!(plain["context"].is_null());
    assert!(plain["true_positives"].as_u64() < json["true_positives"].as_u64(), "{plain} {json}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn link_eval_links_two_files() {
    let dir = temp_dir("two");
    // A holds each person's first report, B the second one of those reported twice or more.
    let mut seen = std::collections::HashMap::new();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in synth::linkage_set::generate(800, 5) {
        match seen.entry(r.truth).or_insert(0) {
            n @ 0 => {
                *n += 1;
                a.push(r);
            }
            n @ 1 => {
                *n += 1;
                b.push(r);
            }
            _ => {}
        }
    }
    let (fa, fb) = (dir.join("a.csv"), dir.join("b.csv"));
    std::fs::write(&fa, csv(&a)).unwrap();
    std::fs::write(&fb, csv(&b)).unwrap();
    let out = parcours(&["link", "eval", fa.to_str().unwrap(), "--link-with", fb.to_str().unwrap(), "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(json["true_pairs"].as_u64(), Some(b.len() as u64), "one true pair per record of B");
    assert!(json["f1"].as_f64().unwrap() > 0.9, "{json}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_malformed_row_is_reported_with_its_line_number() {
    let (dir, input) = persons_file("bad", "1,1,Bakori,Zeta,1950-01-02,F,69123\n2,1,Bakori,Zeta,1950-01-02\n");
    let out = parcours(&["link", "eval", input.to_str().unwrap(), "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("ligne 3"), "{stderr}");
    assert!(stderr.contains("5 champs au lieu de 7"), "{stderr}");

    // a missing column is named
    std::fs::write(&input, "id,truth,family_name,given_names\n1,1,Bakori,Zeta\n").unwrap();
    let out = parcours(&["link", "eval", input.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("birth_date"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A value given but unreadable (an impossible date) is taken as missing, and the run says which
/// records hold one — by their ids, never their values.
#[test]
fn unreadable_values_are_taken_as_missing_and_said() {
    let rows = "r1,1,Bakori,Zeta,1950-01-02,F,69123\nr2,1,Bakori,Zeta,1950-13-45,F,69123\nr3,2,Quintal,Amos,,M,69123\n";
    let (dir, input) = persons_file("unreadable", rows);
    let out = parcours(&["link", "eval", input.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("birth_date : 1 valeur(s) illisible(s), prise(s) pour manquante(s) (fiches r2)"),
        "{stdout}"
    );
    assert!(!stdout.contains("1950-13-45"), "no value in the report");
    let out = parcours(&["link", "eval", input.to_str().unwrap(), "--json"]);
    let json: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap();
    assert_eq!(json["unreadable"], serde_json::json!({ "birth_date": 1 }));
    let _ = std::fs::remove_dir_all(dir);
}

/// A CSV of the `parcours` schema's core columns with these rows, in a new directory.
fn persons_file(name: &str, rows: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = temp_dir(name);
    let input = dir.join("persons.csv");
    std::fs::write(&input, format!("id,truth,family_name,given_names,birth_date,sex,commune\n{rows}")).unwrap();
    (dir, input)
}

fn csv(rows: &[synth::linkage_set::Row]) -> Vec<u8> {
    let mut out = Vec::new();
    synth::linkage_set::write_csv(rows, &mut out).unwrap();
    out
}
