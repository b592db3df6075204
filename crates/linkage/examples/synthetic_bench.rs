//! The engine's workbench: quality, time and memory on generated or labelled data.
//!
//! - `cargo run --release -p linkage --example synthetic_bench -- 600000`: generates that many
//!   persons (this crate's generator), deduplicates them, prints the figures; with a second
//!   argument, only writes the CSV (schema `parcours`) to that path.
//! - `CSV=file.csv` (and `LINK=second.csv`, `SCHEMA=febrl`): the same on labelled files
//!   (`id,truth,…`), like `parcours link eval`.
//!
//! Diagnostics (environment): `THRESHOLD`, `GUARD`, `MARGIN` (contest margin), `DIAG=1` (false
//! positives and negatives with their explanations), `DIAG_RULES=1` (recall of the candidates
//! rule by rule), `ORACLE=1` (pairwise precision/recall curve), `CALIB=1` (calibration by level
//! pattern), `FN_PATTERNS=p` (patterns of the true pairs below `p`), `SWEEP=p1,p2` (clusterings at
//! other thresholds), `TRAIN_PAIRS=n` (pairs sampled per training rule).

use std::time::Instant;

use linkage::{pairwise, Dataset, Mode, NoProgress, PipelineConfig, Schema};

fn vm_hwm_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let persons: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let threshold: f64 = std::env::var("THRESHOLD").ok().and_then(|t| t.parse().ok()).unwrap_or(0.9);
    let guard: f64 = std::env::var("GUARD").ok().and_then(|t| t.parse().ok()).unwrap_or(0.0);
    if let Ok(path) = std::env::var("CSV") {
        return run_csv(&path, threshold, guard);
    }
    let t = Instant::now();
    let records = synth::linkage_set::generate(persons, 42);
    eprintln!("generated {} records in {:.2}s", records.len(), t.elapsed().as_secs_f64());
    if let Some(path) = args.get(2) {
        let mut out = Vec::new();
        synth::linkage_set::write_csv(&records, &mut out).unwrap();
        std::fs::write(path, out).unwrap();
        eprintln!("written {path}");
        return;
    }
    let t = Instant::now();
    let mut ds = Dataset::new(Schema::parcours_core());
    ds.reserve(records.len());
    for r in &records {
        let bd = r.birth_date.map(|d| d.to_string());
        let (id, sex) = (r.id.to_string(), r.sex.code());
        ds.push(
            0,
            &id,
            &[Some(&r.family_name), Some(&r.given_names), bd.as_deref(), Some(sex), Some(r.commune.as_str())],
        )
        .unwrap();
    }
    let truth: Vec<u64> = records.iter().map(|r| r.truth).collect();
    drop(records);
    let prep = t.elapsed().as_secs_f64();
    if std::env::var("DIAG_RULES").is_ok() {
        rule_recall(&ds, &truth);
    }
    let mut cfg = PipelineConfig::new(&ds, Mode::Dedupe);
    cfg.threshold = threshold;
    cfg.guard_weight = guard;
    if let Some(k) = std::env::var("KEEP").ok().and_then(|m| m.parse().ok()) {
        cfg.keep_above = k;
    }
    if let Some(m) = std::env::var("MARGIN").ok().and_then(|m| m.parse().ok()) {
        cfg.contest_margin = m;
    }
    if let Some(n) = std::env::var("TRAIN_PAIRS").ok().and_then(|m| m.parse().ok()) {
        cfg.train.pairs_per_rule = n;
    }
    let t = Instant::now();
    let out = linkage::run(&ds, &cfg, &NoProgress);
    let link = t.elapsed().as_secs_f64();
    let clusters: Vec<u64> = out.clusters.assignments().iter().map(|c| c.0).collect();
    report(&ds, &out, &clusters, &truth, prep, link);
    if std::env::var("ORACLE").is_ok() {
        oracle(&out, &truth);
    }
    if std::env::var("CALIB").is_ok() {
        calibration(&ds, &out, &truth);
    }
    if let Some(t) = std::env::var("FN_PATTERNS").ok().and_then(|t| t.parse().ok()) {
        fn_patterns(&ds, &out, &truth, t);
    }
    if let Ok(ts) = std::env::var("SWEEP") {
        for t in ts.split(',').filter_map(|t| t.parse::<f64>().ok()) {
            let cmp = &out.comparator;
            let scorer = linkage::Scorer::new(&ds, cmp, out.model(), &out.term_frequencies);
            let mut clusters = linkage::Clusters::new();
            clusters.extend_to(ds.len());
            let mut edges: Vec<linkage::cluster::Edge> = out
                .pairs
                .iter()
                .filter(|p| p.probability >= t)
                .map(|p| linkage::cluster::Edge { a: p.a, b: p.b, weight: p.weight })
                .collect();
            let mut allowed = |a: u32, b: u32| scorer.score(a.min(b), a.max(b)).1 >= guard;
            linkage::cluster::cluster_edges(&mut clusters, &mut edges, &mut allowed, None, &Default::default());
            let c: Vec<u64> = clusters.assignments().iter().map(|c| c.0).collect();
            let m = pairwise(&c, &truth, None);
            println!("threshold {t}: precision {:.5} recall {:.5} f1 {:.5}", m.precision, m.recall, m.f1);
        }
    }
}

/// Runs on CSV files (`SCHEMA=febrl` for FEBRL; `LINK=second.csv` to link two files).
fn run_csv(path: &str, threshold: f64, guard: f64) {
    let t = Instant::now();
    let headers = csv::Reader::from_path(path).unwrap().byte_headers().unwrap().clone();
    let present = |n: &str| headers.iter().any(|h| h == n.as_bytes());
    // IGNORE=birth_name,household leaves optional columns out
    let ignored = std::env::var("IGNORE").unwrap_or_default();
    let ignored: Vec<&str> = ignored.split(',').collect();
    let schema = if std::env::var("SCHEMA").as_deref() == Ok("febrl") {
        Schema::febrl()
    } else {
        Schema::parcours().retain(|f| {
            !Schema::PARCOURS_OPTIONAL.contains(&f.name.as_str())
                || (present(&f.name) && !ignored.contains(&f.name.as_str()))
        })
    };
    let mut ds = linkage::dataset::DatasetBuilder::new(schema.clone());
    let mut truth = Vec::new();
    let mut groups = Vec::new();
    let mut files = vec![path.to_string()];
    files.extend(std::env::var("LINK").ok());
    for (source, file) in files.iter().enumerate() {
        let mut rdr = csv::Reader::from_path(file).unwrap();
        let headers = rdr.byte_headers().unwrap().clone();
        let col = |n: &str| headers.iter().position(|h| h == n.as_bytes()).unwrap();
        let cols: Vec<usize> = schema.fields.iter().map(|f| col(&f.name)).collect();
        let (idc, tc) = (col("id"), col("truth"));
        let hc = headers.iter().position(|h| h == b"household").filter(|_| !ignored.contains(&"household"));
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let f = |i: usize| std::str::from_utf8(&rec[i]).unwrap();
            let vals: Vec<Option<&str>> = cols.iter().map(|&i| Some(f(i))).collect();
            ds.push(source as u8, f(idc), &vals).unwrap();
            truth.push(f(tc).parse::<u64>().unwrap());
            // household numbers apart per file
            groups.push(hc.and_then(|c| f(c).parse::<u32>().ok()).map_or(0, |g| g * 2 + source as u32));
        }
    }
    let read = t.elapsed().as_secs_f64();
    let mut ds = ds.build(2);
    for (i, g) in groups.iter().enumerate() {
        ds.set_group(i as u32, *g);
    }
    let prep = t.elapsed().as_secs_f64();
    println!("read+push {read:.2}s build {:.2}s", prep - read);
    let mode = if files.len() > 1 { Mode::Link } else { Mode::Dedupe };
    if std::env::var("DIAG_RULES").is_ok() {
        rule_recall(&ds, &truth);
    }
    let mut cfg = PipelineConfig::new(&ds, mode);
    cfg.threshold = threshold;
    cfg.guard_weight = guard;
    if let Some(k) = std::env::var("KEEP").ok().and_then(|m| m.parse().ok()) {
        cfg.keep_above = k;
    }
    if let Some(m) = std::env::var("MARGIN").ok().and_then(|m| m.parse().ok()) {
        cfg.contest_margin = m;
    }
    if let Some(n) = std::env::var("TRAIN_PAIRS").ok().and_then(|m| m.parse().ok()) {
        cfg.train.pairs_per_rule = n;
    }
    let t = Instant::now();
    let out = linkage::run(&ds, &cfg, &NoProgress);
    let link = t.elapsed().as_secs_f64();
    let clusters: Vec<u64> = out.clusters.assignments().iter().map(|c| c.0).collect();
    report(&ds, &out, &clusters, &truth, prep, link);
    if std::env::var("ORACLE").is_ok() {
        oracle(&out, &truth);
    }
    if std::env::var("CALIB").is_ok() {
        calibration(&ds, &out, &truth);
    }
    if let Some(t) = std::env::var("FN_PATTERNS").ok().and_then(|t| t.parse().ok()) {
        fn_patterns(&ds, &out, &truth, t);
    }
    if let Ok(path) = std::env::var("EXPORT") {
        export(&ds, &out, &truth, &path);
    }
}

/// The scored pairs with their features and truth, for a labelled classifier's upper estimate
/// (EXPORT=file.csv, with KEEP low): `bench/linkage/ceiling.py`.
pub fn export(ds: &Dataset, out: &linkage::Outcome, truth: &[u64], path: &str) {
    use std::io::Write;
    let cmp = &out.comparator;
    let scorer = linkage::Scorer::new(ds, cmp, out.model(), &out.term_frequencies);
    let fields: Vec<usize> = (0..ds.schema().len()).collect();
    let counts: Vec<std::collections::HashMap<String, u32>> = fields
        .iter()
        .map(|&f| {
            let mut m: std::collections::HashMap<String, u32> = Default::default();
            for i in 0..ds.len() as u32 {
                if let Some(v) = ds.normalised(i, f) {
                    *m.entry(v).or_default() += 1;
                }
            }
            m
        })
        .collect();
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let names: Vec<String> = ds.schema().fields.iter().map(|f| f.name.clone()).collect();
    let mut header: Vec<String> =
        ["a", "b", "truth_a", "truth_b", "same", "probability", "direct", "context"].map(String::from).to_vec();
    header.extend(cmp.columns.iter().map(|c| format!("level_{}", c.name)));
    for n in &names {
        header.push(format!("count_a_{n}"));
        header.push(format!("count_b_{n}"));
    }
    writeln!(w, "{}", header.join(",")).unwrap();
    for p in &out.pairs {
        let (pat, dw) = scorer.score(p.a, p.b);
        let direct = scorer.probability(dw);
        let ctx = u8::from((p.weight - (dw + scorer.prior_weight())).abs() > 1e-6);
        let mut row = vec![
            p.a.to_string(),
            p.b.to_string(),
            truth[p.a as usize].to_string(),
            truth[p.b as usize].to_string(),
            u8::from(truth[p.a as usize] == truth[p.b as usize]).to_string(),
            format!("{:.6}", p.probability),
            format!("{direct:.6}"),
            ctx.to_string(),
        ];
        row.extend((0..cmp.columns.len()).map(|c| pat.get(c).to_string()));
        for &f in &fields {
            for r in [p.a, p.b] {
                row.push(ds.normalised(r, f).map_or(0, |v| counts[f][&v]).to_string());
            }
        }
        writeln!(w, "{}", row.join(",")).unwrap();
    }
}

fn report(ds: &Dataset, out: &linkage::Outcome, clusters: &[u64], truth: &[u64], prep: f64, link: f64) {
    let m = pairwise(clusters, truth, None);
    println!("records {} prepare {:.2}s link {:.2}s VmHWM {:.0} MiB", ds.len(), prep, link, vm_hwm_mib());
    for t in &out.timings {
        println!("  {:<12} {:.3}s", t.phase, t.seconds);
    }
    for r in &out.blocking.rules {
        println!(
            "  rule {:<50} pairs {:>10} raw {:>10} oversized {} skipped {}",
            r.rule, r.pairs, r.raw_pairs, r.oversized_blocks, r.skipped
        );
    }
    println!(
        "candidates {} em iterations {} converged {} prior {:.3e} expected matches {:.0}",
        out.blocking.total,
        out.training.iterations(),
        out.training.converged(),
        out.training.model.prior,
        out.training.expected_matches
    );
    for f in &out.training.rules {
        println!("  em {:<50} pairs {:>9} λ {:.4} it {} {:?}", f.rule, f.pairs, f.lambda, f.iterations, f.columns);
    }
    for c in &out.training.model.columns {
        let w: Vec<String> = c
            .levels
            .iter()
            .zip(c.m.iter().zip(&c.u))
            .map(|(l, (m, u))| format!("{:?} m={:.4} u={:.2e}", l, m, u))
            .collect();
        println!("  {}: {}", c.name, w.join(" | "));
    }
    if let Ok(list) = std::env::var("PAIRS") {
        // PAIRS=id:id,id:id — the explanation of these pairs, and whether blocking proposed them
        let cmp = &out.comparator;
        let scorer = linkage::Scorer::new(ds, cmp, out.model(), &out.term_frequencies);
        let index: std::collections::HashMap<&str, u32> = (0..ds.len() as u32).map(|i| (ds.id(i), i)).collect();
        for pair in list.split(',') {
            let Some((x, y)) = pair.split_once(':') else { continue };
            let (Some(&a), Some(&b)) = (index.get(x), index.get(y)) else { continue };
            let (a, b) = (a.min(b), a.max(b));
            let e = scorer.explain(a, b);
            let candidate = out.pairs.iter().any(|p| p.a == a && p.b == b);
            let vals = |i: u32| {
                (0..ds.schema().len()).map(|f| ds.normalised(i, f).unwrap_or_default()).collect::<Vec<_>>().join(" | ")
            };
            println!("  {x}:{y} candidate {candidate} same cluster {}", clusters[a as usize] == clusters[b as usize]);
            println!("    {}  <>  {}", vals(a), vals(b));
            let lv: Vec<String> =
                e.fields.iter().map(|f| format!("{}:{:?}:{:.1}", f.field, f.level, f.weight)).collect();
            println!("      p={:.4} w={:.1} {}", e.probability, e.match_weight, lv.join(" "));
        }
    }
    if std::env::var("DIAG").is_ok() {
        let cmp = &out.comparator;
        let scorer = linkage::Scorer::new(ds, cmp, out.model(), &out.term_frequencies);
        let show = |a: u32, b: u32| {
            let e = scorer.explain(a, b);
            let vals = |i: u32| {
                (0..ds.schema().len()).map(|f| ds.normalised(i, f).unwrap_or_default()).collect::<Vec<_>>().join(" | ")
            };
            println!("    {}  <>  {}", vals(a), vals(b));
            let lv: Vec<String> =
                e.fields.iter().map(|f| format!("{}:{:?}:{:.1}", f.field, f.level, f.weight)).collect();
            println!("      p={:.4} w={:.1} {}", e.probability, e.match_weight, lv.join(" "));
        };
        let mut by: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (i, c) in clusters.iter().enumerate() {
            by.entry(*c).or_default().push(i as u32);
        }
        let mut fp = 0;
        println!("false positives:");
        for members in by.values() {
            for x in 0..members.len() {
                for y in x + 1..members.len() {
                    let (a, b) = (members[x], members[y]);
                    if truth[a as usize] != truth[b as usize] && fp < 25 {
                        fp += 1;
                        show(a.min(b), a.max(b));
                    }
                }
            }
        }
        let mut tby: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for (i, t) in truth.iter().enumerate() {
            tby.entry(*t).or_default().push(i as u32);
        }
        let mut fneg = 0;
        println!("false negatives:");
        let mut keys: Vec<_> = tby.keys().copied().collect();
        keys.sort();
        for k in keys {
            let members = &tby[&k];
            for x in 0..members.len() {
                for y in x + 1..members.len() {
                    let (a, b) = (members[x], members[y]);
                    if clusters[a as usize] != clusters[b as usize] && fneg < 25 {
                        fneg += 1;
                        show(a.min(b), a.max(b));
                    }
                }
            }
        }
    }
    println!("clustering: {:?}", out.clustering);
    println!(
        "precision {:.5} recall {:.5} f1 {:.5} (tp {} predicted {} true {})",
        m.precision, m.recall, m.f1, m.true_positives, m.predicted_pairs, m.true_pairs
    );
}

/// Recall of the candidate pairs as the rules are added one by one (DIAG_RULES=1).
pub fn rule_recall(ds: &Dataset, truth: &[u64]) {
    let cmp = linkage::Comparator::new(ds.schema(), linkage::Thresholds::default());
    let all = linkage::BlockingConfig::defaults(ds.schema());
    let mut groups: std::collections::HashMap<u64, u64> = Default::default();
    for t in truth {
        *groups.entry(*t).or_default() += 1;
    }
    let true_pairs: u64 = groups.values().map(|n| n * (n - 1) / 2).sum();
    let mut prev = 0u64;
    for k in 1..=all.rules.len() {
        let mut cfg = all.clone();
        cfg.rules.truncate(k);
        let c = linkage::blocking::candidates(ds, &cmp, &cfg, Mode::Dedupe, &|_| {});
        let found = c.pairs.iter().filter(|p| truth[p.a as usize] == truth[p.b as usize]).count() as u64;
        let skipped = c.report.as_ref().unwrap().rules[k - 1].skipped;
        println!(
            "  +{:<50} candidates {:>9} true found {:>7} (+{:>5}) recall {:.4}{}",
            cfg.rules[k - 1].name,
            c.pairs.len(),
            found,
            found - prev,
            found as f64 / true_pairs as f64,
            if skipped { " (skipped)" } else { "" }
        );
        prev = found;
    }
}

/// The level patterns of the true pairs left apart at `threshold` (FN_PATTERNS=threshold).
pub fn fn_patterns(ds: &Dataset, out: &linkage::Outcome, truth: &[u64], threshold: f64) {
    let cmp = &out.comparator;
    let scorer = linkage::Scorer::new(ds, cmp, out.model(), &out.term_frequencies);
    let mut by: std::collections::HashMap<u64, Vec<u32>> = Default::default();
    for (i, t) in truth.iter().enumerate() {
        by.entry(*t).or_default().push(i as u32);
    }
    let mut hist: std::collections::HashMap<String, (u64, f64)> = Default::default();
    let mut total = 0;
    for members in by.values() {
        for x in 0..members.len() {
            for y in x + 1..members.len() {
                let (a, b) = (members[x].min(members[y]), members[x].max(members[y]));
                let (p, w) = scorer.score(a, b);
                let prob = scorer.probability(w);
                if prob < threshold {
                    total += 1;
                    let key: Vec<String> =
                        (0..cmp.columns.len()).map(|c| format!("{:?}", cmp.level_of(p, c))).collect();
                    let e = hist.entry(key.join(",")).or_default();
                    e.0 += 1;
                    e.1 += prob;
                }
            }
        }
    }
    let mut v: Vec<_> = hist.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1 .0));
    println!("true pairs below {threshold} (direct score): {total}");
    for (k, (n, p)) in v.iter().take(40) {
        println!("  {n:>6}  mean p {:.3}  {k}", p / *n as f64);
    }
}

/// Calibration by level pattern over the scored pairs (CALIB=1).
pub fn calibration(ds: &Dataset, out: &linkage::Outcome, truth: &[u64]) {
    let cmp = &out.comparator;
    let scorer = linkage::Scorer::new(ds, cmp, out.model(), &out.term_frequencies);
    let mut hist: std::collections::HashMap<String, (u64, u64, f64)> = Default::default();
    let min_p: f64 = std::env::var("CALIB_MIN").ok().and_then(|x| x.parse().ok()).unwrap_or(0.0);
    let max_p: f64 = std::env::var("CALIB_MAX").ok().and_then(|x| x.parse().ok()).unwrap_or(1.0);
    for p in out.pairs.iter().filter(|p| p.probability >= min_p && p.probability <= max_p) {
        let (pat, w) = scorer.score(p.a, p.b);
        let key: Vec<String> = (0..cmp.columns.len()).map(|c| format!("{:?}", cmp.level_of(pat, c))).collect();
        let e = hist.entry(key.join(",")).or_default();
        e.0 += 1;
        e.1 += u64::from(truth[p.a as usize] == truth[p.b as usize]);
        e.2 += scorer.probability(w);
    }
    let mut v: Vec<_> = hist.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1 .0));
    println!("calibration of the kept pairs (p >= keep_above):");
    for (k, (n, t, p)) in v.iter().take(60) {
        println!("  {n:>7}  mean p {:.4}  true {:.4}  {k}", p / *n as f64, *t as f64 / *n as f64);
    }
}

/// Pairwise precision/recall of the kept pairs by descending weight (ORACLE=1).
pub fn oracle(out: &linkage::Outcome, truth: &[u64]) {
    let mut groups: std::collections::HashMap<u64, u64> = Default::default();
    for t in truth {
        *groups.entry(*t).or_default() += 1;
    }
    let true_pairs: u64 = groups.values().map(|n| n * (n - 1) / 2).sum();
    let mut tp = 0u64;
    let mut n = 0u64;
    let mut marks = vec![0.99, 0.995, 0.999, 0.9995];
    for p in &out.pairs {
        n += 1;
        tp += u64::from(truth[p.a as usize] == truth[p.b as usize]);
        let prec = tp as f64 / n as f64;
        while let Some(&m) = marks.last() {
            if prec < m {
                println!(
                    "pairwise (no clustering): precision falls below {m} at p={:.4}, recall {:.4}",
                    p.probability,
                    tp as f64 / true_pairs as f64
                );
                marks.pop();
            } else {
                break;
            }
        }
    }
}
