//! `parcours pprl`: the real binary encodes two partners' invented records with a shared secret,
//! the encodings carry no name, and linking them counts the unique persons.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use linkage::pprl::synthetic::{two_partners, SynthRow};

fn parcours(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parcours")).args(args).env_remove("DATABASE_URL").output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parcours-pprl-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The partner's file, columns in another order than documented and with the truth column the
/// encoder must ignore.
fn write_partner(path: &Path, rows: &[SynthRow]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(["truth", "given_names", "family_name", "id", "sex", "birth_date", "commune"]).unwrap();
    for r in rows {
        w.write_record([
            &r.truth.to_string(),
            &r.given_names,
            &r.family_name,
            &r.id,
            &r.sex,
            &r.birth_date,
            &r.commune,
        ])
        .unwrap();
    }
    w.flush().unwrap();
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn encode_then_link_two_partners_without_any_name_leaving() {
    let dir = temp_dir("link");
    let (a, b) = two_partners(1000, 0.5, 21);
    let (a_csv, b_csv) = (dir.join("a.csv"), dir.join("b.csv"));
    write_partner(&a_csv, &a);
    write_partner(&b_csv, &b);

    let key = dir.join("campagne.key");
    let out = parcours(&["pprl", "keygen", p(&key)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let secret = std::fs::read_to_string(&key).unwrap();
    assert!(!text(&out.stderr).contains(secret.trim()) && text(&out.stdout).is_empty(), "the secret is never echoed");
    assert!(!parcours(&["pprl", "keygen", p(&key)]).status.success(), "never overwrites a secret");

    // Partner A to standard output, partner B to a file.
    let out = parcours(&["pprl", "encode", "--secret-file", p(&key), "--partner", "maraude", p(&a_csv)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains(secret.trim()));
    let (a_enc, b_enc) = (dir.join("a.enc.csv"), dir.join("b.enc.csv"));
    std::fs::write(&a_enc, &out.stdout).unwrap();
    let out = parcours(&["pprl", "encode", "--secret-file", p(&key), "--partner", "115", "-o", p(&b_enc), p(&b_csv)]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // No name in what leaves: outside the filter columns (checked to be nothing but filters of
    // the right length), not one family or given name, as written or upper-cased.
    let mut names: HashSet<String> = HashSet::new();
    for r in a.iter().chain(&b) {
        for n in r.family_name.split([' ', '-', '\'']).chain(r.given_names.split([' ', '-'])) {
            if n.chars().count() >= 3 {
                names.insert(n.to_string());
                names.insert(n.to_uppercase());
            }
        }
        names.insert(r.birth_date.clone());
    }
    names.remove("");
    for (file, rows) in [(&a_enc, a.len()), (&b_enc, b.len())] {
        let mut reader = csv::Reader::from_path(file).unwrap();
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers.iter().take(4).collect::<Vec<_>>(), &["partner", "id", "scheme", "block_key"]);
        assert!(headers.iter().skip(4).all(|h| h.ends_with("_bf") || h == "person"), "{headers:?}");
        assert_eq!(headers.iter().next_back(), Some("person"), "the partner's own person numbers, last");
        let mut clear = String::new();
        let mut n = 0;
        for row in reader.records() {
            let row = row.unwrap();
            n += 1;
            for (h, v) in headers.iter().zip(row.iter()) {
                if h == "person" {
                    assert!(v.is_empty(), "no person number without --dedupe");
                } else if h == "block_key" {
                    assert!(v.is_empty() || (v.len() == 16 && v.bytes().all(|c| c.is_ascii_hexdigit())), "{v}");
                } else if h.ends_with("_bf") {
                    let bytes = base64_len(v);
                    assert!(bytes == 0 || [125, 63, 13].contains(&bytes), "{h}: {bytes} bytes");
                } else {
                    clear.push_str(v);
                    clear.push('\n');
                }
            }
        }
        assert_eq!(n, rows);
        let leaked: Vec<&String> = names.iter().filter(|name| clear.contains(name.as_str())).collect();
        assert!(leaked.is_empty(), "{} leaks {leaked:?}", file.display());
    }

    // Link: the unique persons are the truth's, within 5 % (recall is about 0.9 on these
    // invented lists, where many persons share a common name; precision above 0.99).
    let pairs = dir.join("pairs.csv");
    let clusters = dir.join("clusters.csv");
    let out = parcours(&[
        "pprl",
        "link",
        "--exact",
        p(&a_enc),
        p(&b_enc),
        "--pairs-out",
        p(&pairs),
        "--clusters-out",
        p(&clusters),
    ]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}{}", stdout, text(&out.stderr));
    let truth: HashSet<u64> = a.iter().chain(&b).map(|r| r.truth).collect();
    let found: usize = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Personnes uniques : "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("{stdout}"));
    let err = (found as f64 - truth.len() as f64).abs() / truth.len() as f64;
    assert!(err <= 0.05, "{found} persons found, {} true\n{stdout}", truth.len());
    assert!(stdout.contains("Paires candidates : ") && stdout.contains("maraude : 1000 personnes"), "{stdout}");

    // The links are right: almost all retained pairs are the same invented person.
    let truth_of: std::collections::HashMap<(String, String), u64> = a
        .iter()
        .map(|r| (("maraude".to_string(), r.id.clone()), r.truth))
        .chain(b.iter().map(|r| (("115".to_string(), r.id.clone()), r.truth)))
        .collect();
    let mut reader = csv::Reader::from_path(&pairs).unwrap();
    let (mut right, mut total) = (0, 0);
    for row in reader.records() {
        let row = row.unwrap();
        if &row[6] == "true" {
            total += 1;
            let x = truth_of[&(row[0].to_string(), row[1].to_string())];
            let y = truth_of[&(row[2].to_string(), row[3].to_string())];
            right += usize::from(x == y);
        }
    }
    assert!(total >= 400 && right as f64 >= 0.98 * total as f64, "{right} right of {total}");
    assert_eq!(std::fs::read_to_string(&clusters).unwrap().lines().count(), 2001);

    // Encodings made with another secret cannot be mixed in.
    let other = dir.join("autre.key");
    assert!(parcours(&["pprl", "keygen", p(&other)]).status.success());
    let c_enc = dir.join("c.enc.csv");
    let out =
        parcours(&["pprl", "encode", "--secret-file", p(&other), "--partner", "ccas", "-o", p(&c_enc), p(&b_csv)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = parcours(&["pprl", "link", p(&a_enc), p(&c_enc)]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("autre secret"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Byte length of a base64 field (0 if empty), panicking if it is not base64.
fn base64_len(v: &str) -> usize {
    if v.is_empty() {
        return 0;
    }
    assert!(v.len().is_multiple_of(4) && v.bytes().all(|c| c.is_ascii_alphanumeric() || b"+/=".contains(&c)), "{v}");
    v.len() / 4 * 3 - v.bytes().rev().take_while(|&c| c == b'=').count()
}

#[test]
fn a_short_or_missing_secret_is_refused_and_never_echoed() {
    let dir = temp_dir("secret");
    let input = dir.join("in.csv");
    std::fs::write(&input, "id,family_name,given_names,birth_date,sex,commune\n1,Dubois,Léa,1990-01-02,F,75056\n")
        .unwrap();
    let key = dir.join("court.key");
    let secret = "9f86d081884c7d659a2feaa0c55ad015";
    std::fs::write(&key, format!("{secret}\n")).unwrap();
    let out = parcours(&["pprl", "encode", "--secret-file", p(&key), p(&input)]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("secret trop court") && stderr.contains("au moins 32"), "{stderr}");
    assert!(!stderr.contains(secret) && !stderr.contains("9f86"), "{stderr}");
    assert!(out.stdout.is_empty());

    let out = parcours(&["pprl", "encode", "--secret-file", p(&dir.join("absent.key")), p(&input)]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("introuvable"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_malformed_row_gives_its_line_and_nothing_is_written() {
    let dir = temp_dir("malformed");
    let key = dir.join("k.key");
    assert!(parcours(&["pprl", "keygen", p(&key)]).status.success());
    let input = dir.join("in.csv");
    std::fs::write(
        &input,
        "id,family_name,given_names,birth_date,sex,commune\n\
         1,Dubois,Léa,1990-01-02,F,75056\n\
         2,Ndiaye,Moussa,,M,93066\n\
         3,Martin,Jean,1985-02-30,M,69123\n\
         4,Petit,Zoé,02/03/2001,F,13055\n",
    )
    .unwrap();
    let out_file = dir.join("out.csv");
    let out = parcours(&["pprl", "encode", "--secret-file", p(&key), "-o", p(&out_file), p(&input)]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("ligne 4") && stderr.contains("jour 30 impossible"), "{stderr}");
    assert!(stderr.contains("rien n'a été écrit"), "{stderr}");
    assert!(!out_file.exists() && out.stdout.is_empty());

    // To standard output: nothing either. A row with a missing column: its line too.
    std::fs::write(
        &input,
        "id,family_name,given_names,birth_date,sex,commune\n1,Dubois,Léa,1990-01-02,F,75056\n2,Ndiaye\n",
    )
    .unwrap();
    let out = parcours(&["pprl", "encode", "--secret-file", p(&key), p(&input)]);
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(text(&out.stderr).contains("ligne 3"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_birth_name_column_is_encoded_apart_and_an_old_encoding_is_refused() {
    let dir = temp_dir("birth");
    let key = dir.join("k.key");
    assert!(parcours(&["pprl", "keygen", p(&key)]).status.success());
    // A knows the used and the birth name; B only the birth name ("née" in the family name
    // works too)
    let a_csv = dir.join("a.csv");
    std::fs::write(
        &a_csv,
        "id,family_name,birth_name,given_names,birth_date,sex,commune\n\
         a1,Varennoulat,Quercyard,Nadia,1971-03-04,F,69123\n\
         a2,Dubreuil née Falconnet,,Sophie,1980-05-06,F,69123\n\
         a3,Martin,,Paul,1975-01-02,M,69123\n",
    )
    .unwrap();
    let out = parcours(&["pprl", "encode", "--secret-file", p(&key), "--partner", "a", p(&a_csv)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let encoded = text(&out.stdout);
    assert!(!encoded.contains("Quercyard") && !encoded.to_uppercase().contains("FALCONNET"), "no name leaves");
    let mut r = csv::Reader::from_reader(encoded.as_bytes());
    let col = r.headers().unwrap().iter().position(|h| h == "birth_name_bf").expect("a birth_name_bf column");
    let scheme = r.headers().unwrap().iter().position(|h| h == "scheme").unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(rows[0][scheme].starts_with("pprl-v2;"));
    assert!(!rows[0][col].is_empty() && !rows[1][col].is_empty(), "a birth name for a1 and a2");
    assert!(rows[2][col].is_empty(), "none for a3");
    // an encoding of the previous version is refused with what to do
    let old = dir.join("old.csv");
    std::fs::write(&old, encoded.replace("pprl-v2;", "pprl-v1;")).unwrap();
    let out = parcours(&["pprl", "link", p(&old)]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("réencoder"), "{}", text(&out.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

/// A partner whose file holds several records of some persons deduplicates it on the spot
/// (`encode --dedupe`, in clear, at the partner's): those records share a person number in the
/// encodings, and the linkage unit counts each person once.
#[test]
fn a_partner_deduplicates_its_own_file_before_encoding() {
    let dir = temp_dir("dedupe");
    let (a, b) = two_partners(1000, 0.5, 21);
    // B reports 60 of its persons twice, written differently the second time
    let mut b_dup = b.clone();
    for r in b.iter().filter(|r| !r.birth_date.is_empty()).take(60) {
        let mut again = r.clone();
        again.id = format!("{}-bis", r.id);
        again.family_name = r.family_name.to_uppercase();
        b_dup.push(again);
    }
    let (a_csv, b_csv) = (dir.join("a.csv"), dir.join("b.csv"));
    write_partner(&a_csv, &a);
    write_partner(&b_csv, &b_dup);
    let key = dir.join("k.key");
    assert!(parcours(&["pprl", "keygen", p(&key)]).status.success());
    let a_enc = dir.join("a.enc.csv");
    assert!(parcours(&["pprl", "encode", "--secret-file", p(&key), "--partner", "a", "-o", p(&a_enc), p(&a_csv)])
        .status
        .success());
    let persons = |enc: &Path| -> usize {
        let out = parcours(&["pprl", "link", "--exact", p(&a_enc), p(enc)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let line = stdout.lines().find_map(|l| l.strip_prefix("Personnes uniques : ")).expect("a count");
        line.trim().parse().unwrap()
    };
    let (plain, deduped) = (dir.join("b.enc.csv"), dir.join("b-dedupe.enc.csv"));
    let args = ["pprl", "encode", "--secret-file", p(&key), "--partner", "b", "-o"];
    assert!(parcours(&[&args[..], &[p(&plain), p(&b_csv)]].concat()).status.success());
    let out = parcours(&[&args[..], &[p(&deduped), "--dedupe", p(&b_csv)]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(&format!("{} enregistrement(s), ", b_dup.len())), "{}", text(&out.stderr));
    // the second reports share their first's number
    let mut r = csv::Reader::from_path(&deduped).unwrap();
    let (id_c, person_c) = {
        let h = r.headers().unwrap();
        (h.iter().position(|c| c == "id").unwrap(), h.iter().position(|c| c == "person").unwrap())
    };
    let number: std::collections::HashMap<String, String> =
        r.records().map(Result::unwrap).map(|row| (row[id_c].to_owned(), row[person_c].to_owned())).collect();
    let shared = b_dup.iter().filter(|r| r.id.ends_with("-bis")).filter(|r| {
        let first = r.id.trim_end_matches("-bis");
        number[&r.id] == number[first]
    });
    assert_eq!(shared.count(), 60);
    let truth: HashSet<u64> = a.iter().chain(&b).map(|r| r.truth).collect();
    let (without, with) = (persons(&plain), persons(&deduped));
    assert!(without >= with + 55, "{without} persons counted without, {with} with");
    let off = (with as f64 / truth.len() as f64 - 1.0).abs();
    assert!(off < 0.05, "{with} persons found for {} true", truth.len());
    // one partner's two files, each deduplicated apart (each numbers its persons from 1): their
    // numbers are not one another's
    let half = a.len() / 2;
    let (a1_csv, a2_csv) = (dir.join("a1.csv"), dir.join("a2.csv"));
    write_partner(&a1_csv, &a[..half]);
    write_partner(&a2_csv, &a[half..]);
    let (a1, a2) = (dir.join("a1.enc.csv"), dir.join("a2.enc.csv"));
    for (input, output) in [(&a1_csv, &a1), (&a2_csv, &a2)] {
        let out = parcours(&[
            "pprl",
            "encode",
            "--dedupe",
            "--secret-file",
            p(&key),
            "--partner",
            "a",
            "-o",
            p(output),
            p(input),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let out = parcours(&["pprl", "link", "--exact", p(&a1), p(&a2), p(&deduped)]);
    let stdout = text(&out.stdout);
    let split: usize =
        stdout.lines().find_map(|l| l.strip_prefix("Personnes uniques : ")).unwrap().trim().parse().unwrap();
    assert!(split.abs_diff(with) <= with / 100, "{split} persons from A's two files, {with} from one");
    let _ = std::fs::remove_dir_all(dir);
}

/// What may leave the linkage unit, printed by default: a small overlap is masked, and so is
/// what would give it back (with two partners: a partner's total or the unique persons); the
/// exact report, for the unit's operator, is asked for with `--exact`.
#[test]
fn the_publishable_figures_mask_a_small_overlap_and_what_would_give_it_back() {
    let dir = temp_dir("publish");
    let (a, b) = two_partners(300, 0.02, 5);
    let common = a.iter().filter(|r| b.iter().any(|s| s.truth == r.truth)).count();
    assert!(common > 0 && common < 11, "{common} persons in both");
    let key = dir.join("k.key");
    assert!(parcours(&["pprl", "keygen", p(&key)]).status.success());
    let mut encoded = Vec::new();
    for (name, rows) in [("a", &a), ("b", &b)] {
        let (csv_path, enc) = (dir.join(format!("{name}.csv")), dir.join(format!("{name}.enc.csv")));
        write_partner(&csv_path, rows);
        let out =
            parcours(&["pprl", "encode", "--secret-file", p(&key), "--partner", name, "-o", p(&enc), p(&csv_path)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        encoded.push(enc);
    }
    let exact = text(&parcours(&["pprl", "link", "--exact", p(&encoded[0]), p(&encoded[1])]).stdout);
    assert!(exact.contains("personnes, dont ") && exact.contains("Personnes uniques : "), "{exact}");
    // by default: what may be published, nothing else
    let out = parcours(&["pprl", "link", p(&encoded[0]), p(&encoded[1])]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let published = text(&out.stdout);
    assert!(published.starts_with("Chiffres à publier (seuil de secret statistique : 11)"), "{published}");
    assert!(published.contains("dont < 11 avec b"), "{published}");
    assert!(published.contains("Personnes connues de plusieurs partenaires : < 11"), "{published}");
    // a, b and the unique persons would give the overlap back: one of them is withheld
    assert!(published.matches("secret (masqué pour protéger un petit nombre)").count() >= 1, "{published}");
    assert!(!published.contains("Enregistrements"), "nothing but the publishable figures");
    let _ = std::fs::remove_dir_all(dir);
}
