//! `parcours link …`: linkage over the store and evaluation on labelled CSV files.
//!
//! `parcours link eval --schema parcours|febrl FILE [--link-with FILE2] [--threshold P]
//! [--clusters-out OUT.csv] [--json]` runs the whole engine (blocking, comparison, EM, scoring,
//! clustering) on a CSV file whose `truth` column gives the true entity of each row, and prints
//! pairwise precision, recall and F1, the pairs compared, the EM iterations, the time and the peak
//! memory. Input contract (header line, UTF-8, columns in any order, others ignored):
//!
//! - `parcours` (alias `synth`): `id,truth,family_name,given_names,birth_date,sex,commune`, and
//!   optionally the identity traits `birth_name,birth_country,birth_commune` and `household`
//!   (the report a row belongs to: rows of one report are different persons, and co-members
//!   vouch for each other); `--ignore` leaves optional columns out (`--no-household` is
//!   `--ignore household`);
//! - `febrl`: `id,truth,given_name,surname,street_number,address_1,address_2,suburb,postcode,
//!   state,date_of_birth` (the FEBRL sets without `soc_sec_id`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use linkage::dataset::DatasetBuilder;
use linkage::{Dataset, Mode, PipelineConfig, Progress, Schema};

#[derive(Subcommand)]
pub enum LinkCommand {
    /// Link every person of the store: stable clusters, and the uncertain pairs queued for
    /// review (`/doublons`); reviewers' decisions are honoured.
    Run {
        /// Pairs from this match probability go to the review queue…
        #[arg(long, default_value_t = 0.5)]
        low: f64,
        /// …up to this one (excluded).
        #[arg(long, default_value_t = 0.99)]
        high: f64,
    },
    /// Evaluate the linkage engine on a CSV file with a ground-truth column.
    Eval {
        /// The columns of the file: parcours (or synth) or febrl.
        #[arg(long, value_enum, default_value = "parcours")]
        schema: SchemaArg,
        /// The CSV file (header line; columns id, truth and the schema's fields).
        file: PathBuf,
        /// Link FILE with this second file (each pair across the two) instead of deduplicating.
        #[arg(long)]
        link_with: Option<PathBuf>,
        /// Match probability from which two records are linked.
        #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
        threshold: f64,
        /// Write the clusters found as `id,cluster`.
        #[arg(long)]
        clusters_out: Option<PathBuf>,
        /// Print one JSON object on standard output instead of the French summary.
        #[arg(long)]
        json: bool,
        /// Ignore the optional `household` column (the same as `--ignore household`).
        #[arg(long)]
        no_household: bool,
        /// Optional columns to leave out, comma-separated: household, birth_name,
        /// birth_country, birth_commune.
        #[arg(long, value_delimiter = ',')]
        ignore: Vec<String>,
    },
}

const DEFAULT_THRESHOLD: f64 = 0.99;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    /// id, truth, family_name, given_names, birth_date, sex, commune.
    #[value(alias = "synth")]
    Parcours,
    /// id, truth, given_name, surname, street_number, address_1, address_2, suburb, postcode,
    /// state, date_of_birth.
    Febrl,
}

impl SchemaArg {
    fn schema(self) -> Schema {
        match self {
            SchemaArg::Parcours => Schema::parcours(),
            SchemaArg::Febrl => Schema::febrl(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            SchemaArg::Parcours => "parcours",
            SchemaArg::Febrl => "febrl",
        }
    }
}

pub async fn run(db: Option<&str>, command: &LinkCommand) -> anyhow::Result<()> {
    match command {
        LinkCommand::Run { low, high } => {
            if !(0.0 < *low && low < high && *high <= 1.0) {
                bail!("bande de revue invalide : il faut 0 < low < high ≤ 1");
            }
            let store = crate::open(db.unwrap_or(store::DEFAULT_URL)).await?;
            let app = app::App::new(store, app::Config::default(), app::Clock::System);
            let bars = Bars::new();
            let r = app.run_linkage(app::linkage_run::ReviewBand { low: *low, high: *high }, &bars).await?;
            bars.bar.finish_and_clear();
            println!(
                "Rapprochement : {} personnes, {} paires comparées, {} groupes ({} personnes dans un groupe partagé), \
                 {} paires à examiner, {} personne(s) dont le groupe a changé — {:.1} s.",
                r.persons, r.candidate_pairs, r.clusters, r.in_shared_clusters, r.queued, r.changed, r.seconds
            );
            if r.conflicting_decisions > 0 {
                println!(
                    "Attention : {} paire(s) dites « personnes différentes » réunies par des fusions (« même personne ») \
                     passant par une autre fiche : décisions contradictoires à régler dans /doublons/decisions.",
                    r.conflicting_decisions
                );
            }
            Ok(())
        }
        LinkCommand::Eval { schema, file, link_with, threshold, clusters_out, json, no_household, ignore } => {
            if !(0.0..1.0).contains(threshold) {
                bail!("le seuil doit être une probabilité dans [0, 1[ : {threshold}");
            }
            let mut ignored: Vec<&str> = ignore.iter().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
            if *no_household {
                ignored.push(HOUSEHOLD);
            }
            let optional: Vec<&str> = std::iter::once(HOUSEHOLD).chain(Schema::PARCOURS_OPTIONAL).collect();
            if let Some(bad) = ignored.iter().find(|c| !optional.contains(c)) {
                bail!("--ignore : « {bad} » n'est pas une colonne facultative ({})", optional.join(", "));
            }
            let options = EvalOptions { threshold: *threshold, clusters_out: clusters_out.as_deref(), json: *json };
            eval(*schema, file, link_with.as_deref(), &ignored, &options)
        }
    }
}

/// Progress bars on standard error (hidden when it is not a terminal).
struct Bars {
    bar: indicatif::ProgressBar,
}

impl Bars {
    fn new() -> Self {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} {pos}/{len} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Self { bar }
    }

    fn start(&self, name: &str, total: Option<u64>) {
        self.bar.reset();
        self.bar.set_message(name.to_string());
        match total {
            Some(t) => {
                self.bar.set_length(t);
                self.bar.set_style(
                    indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} ({eta})")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
            }
            None => {
                self.bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {msg} {pos} ({elapsed})")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                self.bar.enable_steady_tick(std::time::Duration::from_millis(200));
            }
        }
    }
}

impl Progress for Bars {
    fn phase(&self, name: &str, total: Option<u64>) {
        self.start(name, total);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }
}

/// The rows of the files: the dataset and the truth of each record.
struct Loaded {
    ds: Dataset,
    truth: Vec<u64>,
}

/// The optional column of a row's household (report) number.
const HOUSEHOLD: &str = "household";

/// The schema of the files: the schema's fields, without the optional ones the first file lacks
/// or `ignored` names.
fn schema_of(schema_arg: SchemaArg, file: &Path, ignored: &[&str]) -> anyhow::Result<Schema> {
    let schema = schema_arg.schema();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(file)
        .with_context(|| format!("lecture de {}", file.display()))?;
    let headers = rdr.byte_headers().with_context(|| format!("{} : en-tête illisible", file.display()))?.clone();
    let present = |name: &str| headers.iter().any(|h| h == name.as_bytes());
    Ok(schema.retain(|f| {
        let optional = Schema::PARCOURS_OPTIONAL.contains(&f.name.as_str());
        !(optional && (ignored.contains(&f.name.as_str()) || !present(&f.name)))
    }))
}

/// Reads one or two labelled CSV files into a dataset (source 0 and 1). A large file without
/// quotes is parsed on two threads, each half into its own builder, merged afterwards.
fn load(schema: &Schema, files: &[&Path], households: bool, bars: &Bars) -> anyhow::Result<Loaded> {
    let mut builder: Option<DatasetBuilder> = None;
    let mut truth: Vec<u64> = Vec::new();
    // (source, household label) of each row, 0 for none
    let mut groups: Vec<(u8, u64)> = Vec::new();
    for (source, path) in files.iter().enumerate() {
        let bytes = std::fs::read(path).with_context(|| format!("lecture de {}", path.display()))?;
        bars.start(&format!("lecture de {}", path.display()), None);
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes.as_slice());
        let headers = rdr.byte_headers().with_context(|| format!("{} : en-tête illisible", path.display()))?.clone();
        let header_end = rdr.position().byte() as usize;
        let column = |name: &str| -> anyhow::Result<usize> {
            headers.iter().position(|h| h == name.as_bytes()).with_context(|| {
                format!(
                    "{} : colonne « {name} » manquante (en-tête attendu : id, truth, {})",
                    path.display(),
                    field_list(schema)
                )
            })
        };
        let layout = Layout {
            id: column("id")?,
            truth: column("truth")?,
            fields: schema.fields.iter().map(|f| column(&f.name)).collect::<anyhow::Result<_>>()?,
            household: if households { headers.iter().position(|h| h == HOUSEHOLD.as_bytes()) } else { None },
            width: headers.len(),
        };
        let body = &bytes[header_end.min(bytes.len())..];
        // chunks at line boundaries; quotes could hide a line break, so quoted files stay whole
        let parts = if body.len() > 1 << 22 && !body.contains(&b'"') { threads() } else { 1 };
        let mut bounds = vec![0usize];
        for t in 1..parts {
            let from = (body.len() * t / parts).max(*bounds.last().unwrap_or(&0));
            let cut = body[from..].iter().position(|&b| b == b'\n').map_or(body.len(), |p| from + p + 1);
            bounds.push(cut);
        }
        bounds.push(body.len());
        let mut first_line = 2u64;
        let mut chunks = Vec::new();
        for w in bounds.windows(2) {
            let chunk = &body[w[0]..w[1]];
            chunks.push((chunk, first_line));
            first_line += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let results: Vec<anyhow::Result<Parsed>> = std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|&(chunk, line)| {
                    let layout = &layout;
                    s.spawn(move || parse_chunk(schema, path, source as u8, chunk, line, layout))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("lecture interrompue"))))
                .collect()
        });
        for r in results {
            let Parsed { builder: part, truth: labels, households } = r?;
            truth.extend(labels);
            groups.extend(households.into_iter().map(|h| (source as u8, h)));
            match builder.as_mut() {
                None => builder = Some(part),
                Some(b) => b.append(part),
            }
        }
    }
    bars.start("normalisation des noms", None);
    let builder = builder.unwrap_or_else(|| DatasetBuilder::new(schema.clone()));
    let mut ds = builder.build(threads());
    // household labels to group numbers, apart per file: sorted rather than hashed (a million
    // rows hash in a third of a second), numbered in order of the labels
    let mut order: Vec<u32> = (0..groups.len() as u32).filter(|&i| groups[i as usize].1 != 0).collect();
    order.sort_unstable_by_key(|&i| groups[i as usize]);
    let mut number = 0u32;
    for (k, &i) in order.iter().enumerate() {
        if k == 0 || groups[order[k - 1] as usize] != groups[i as usize] {
            number = number.checked_add(1).context("trop de ménages")?;
        }
        ds.set_group(i, number);
    }
    Ok(Loaded { ds, truth })
}

/// A chunk of a file, parsed.
struct Parsed {
    builder: DatasetBuilder,
    truth: Vec<u64>,
    /// The household label of each row (0: none).
    households: Vec<u64>,
}

/// A label as a number: numbers as they are; other labels by a 64-bit hash (top bit set).
fn label_of(t: &str) -> u64 {
    t.parse::<u64>().unwrap_or_else(|_| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        t.hash(&mut h);
        h.finish() | 1 << 63
    })
}

/// Where the columns are in a file.
struct Layout {
    id: usize,
    truth: usize,
    fields: Vec<usize>,
    household: Option<usize>,
    width: usize,
}

/// Parses a chunk of a file (no header) whose first line is line `first_line` of the file.
fn parse_chunk(
    schema: &Schema,
    path: &Path,
    source: u8,
    chunk: &[u8],
    first_line: u64,
    layout: &Layout,
) -> anyhow::Result<Parsed> {
    let mut builder = DatasetBuilder::new(schema.clone());
    builder.reserve(chunk.len() / 48);
    let mut truth = Vec::with_capacity(chunk.len() / 48);
    let mut households = Vec::with_capacity(chunk.len() / 48);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(chunk);
    let mut record = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = first_line + e.position().map_or(0, |p| p.line().saturating_sub(1));
                bail!("{}, ligne {line} : {e}", path.display());
            }
        }
        let line = first_line + record.position().map_or(0, |p| p.line().saturating_sub(1));
        if record.len() != layout.width {
            bail!("{}, ligne {line} : {} champs au lieu de {}", path.display(), record.len(), layout.width);
        }
        let text = |i: usize| -> anyhow::Result<&str> {
            std::str::from_utf8(&record[i])
                .map_err(|_| anyhow::anyhow!("{}, ligne {line} : texte qui n'est pas de l'UTF-8", path.display()))
        };
        let id = text(layout.id)?.trim();
        if id.is_empty() {
            bail!("{}, ligne {line} : identifiant vide", path.display());
        }
        let t = text(layout.truth)?.trim();
        if t.is_empty() {
            bail!("{}, ligne {line} : vérité (colonne truth) vide", path.display());
        }
        let label = label_of(t);
        let household = match layout.household {
            Some(c) => match text(c)?.trim() {
                "" => 0,
                h => label_of(h).max(1),
            },
            None => 0,
        };
        let mut values: [Option<&str>; 16] = [None; 16];
        for (slot, &c) in values.iter_mut().zip(&layout.fields) {
            *slot = Some(text(c)?);
        }
        builder.push(source, id, &values[..layout.fields.len()])?;
        truth.push(label);
        households.push(household);
    }
    Ok(Parsed { builder, truth, households })
}

fn field_list(schema: &Schema) -> String {
    schema.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(2)
}

/// Peak resident memory of this process (`VmHWM`), in bytes.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// What `link eval` does with the outcome.
struct EvalOptions<'a> {
    threshold: f64,
    clusters_out: Option<&'a Path>,
    json: bool,
}

fn eval(
    schema_arg: SchemaArg,
    file: &Path,
    link_with: Option<&Path>,
    ignored: &[&str],
    options: &EvalOptions<'_>,
) -> anyhow::Result<()> {
    let EvalOptions { threshold, clusters_out, json } = *options;
    let households = !ignored.contains(&HOUSEHOLD);
    let started = Instant::now();
    let bars = Bars::new();
    let schema = schema_of(schema_arg, file, ignored)?;
    let mut files = vec![file];
    files.extend(link_with);
    let Loaded { ds, truth } = load(&schema, &files, households, &bars)?;
    let read_seconds = started.elapsed().as_secs_f64();
    let mode = if link_with.is_some() { Mode::Link } else { Mode::Dedupe };
    let linking = Instant::now();
    let mut cfg = PipelineConfig::new(&ds, mode);
    cfg.threshold = threshold;
    cfg.threads = threads();
    let outcome = linkage::run(&ds, &cfg, &bars);
    let link_seconds = linking.elapsed().as_secs_f64();
    bars.bar.finish_and_clear();
    let clusters: Vec<u64> = outcome.clusters.assignments().iter().map(|c| c.0).collect();
    if let Some(out) = clusters_out {
        write_clusters(out, &ds, &clusters)?;
    }
    let sources: Vec<u8> = (0..ds.len() as u32).map(|i| ds.source(i)).collect();
    let metrics = linkage::pairwise(&clusters, &truth, (mode == Mode::Link).then_some(sources.as_slice()));
    let elapsed = started.elapsed().as_secs_f64();
    let peak = peak_memory();
    let distinct_clusters = {
        let mut c = clusters.clone();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    let training = &outcome.training;
    // values given but unreadable (an impossible date…), taken as missing: said, never hidden
    let unreadable: Vec<(&str, &[u32])> = ds.unreadable().into_iter().filter(|(_, r)| !r.is_empty()).collect();
    if json {
        let value = serde_json::json!({
            "schema": schema_arg.name(),
            "fields": schema.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            "mode": mode,
            "records": ds.len(),
            "threshold": threshold,
            "pairs_compared": outcome.blocking.total,
            "em_iterations": training.iterations(),
            "em_converged": training.converged(),
            "precision": metrics.precision,
            "recall": metrics.recall,
            "f1": metrics.f1,
            "true_positives": metrics.true_positives,
            "predicted_pairs": metrics.predicted_pairs,
            "true_pairs": metrics.true_pairs,
            "clusters": distinct_clusters,
            "elapsed_seconds": elapsed,
            "read_seconds": read_seconds,
            "link_seconds": link_seconds,
            "peak_memory_bytes": peak,
            "blocking": outcome.blocking.rules,
            "em": training.rules,
            "prior": training.model.prior,
            "clustering": outcome.clustering,
            "households": ds.has_groups(),
            "context": outcome.context,
            "timings": outcome.timings,
            "unreadable": unreadable.iter().map(|(f, r)| (f.to_string(), r.len())).collect::<std::collections::BTreeMap<_, _>>(),
        });
        println!("{value}");
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Rapprochement ({}, schéma {}) : {} fiches", mode_fr(mode), schema_arg.name(), ds.len())?;
        writeln!(out, "  champs : {}", field_list(&schema))?;
        for (field, records) in &unreadable {
            let ids: Vec<&str> = records.iter().take(5).map(|&i| ds.id(i)).collect();
            let more = if records.len() > 5 { ", …" } else { "" };
            writeln!(
                out,
                "  {field} : {} valeur(s) illisible(s), prise(s) pour manquante(s) (fiches {}{more})",
                records.len(),
                ids.join(", ")
            )?;
        }
        writeln!(out, "  paires candidates comparées : {}", outcome.blocking.total)?;
        for r in outcome.blocking.rules.iter() {
            let what = if r.skipped { "écartée (trop large)".to_string() } else { format!("{} paires", r.pairs) };
            writeln!(out, "    règle « {} » : {what}", r.rule)?;
        }
        writeln!(
            out,
            "  itérations EM : {} ({})",
            training.iterations(),
            if training.converged() { "convergé" } else { "plafond d'itérations atteint" }
        )?;
        writeln!(out, "  seuil de probabilité : {threshold}")?;
        if let Some(c) = &outcome.context {
            writeln!(
                out,
                "  contexte des ménages : {} paires de ménages reliées par un membre, {} paires repesées ({} hors blocage), λ = {:.3} ({} itérations EM)",
                c.linked_households, c.pairs, c.added, c.lambda, c.iterations
            )?;
        }
        writeln!(out, "  groupes (personnes) : {distinct_clusters}")?;
        writeln!(out, "  précision : {:.5}", metrics.precision)?;
        writeln!(out, "  rappel : {:.5}", metrics.recall)?;
        writeln!(out, "  F1 : {:.5}", metrics.f1)?;
        writeln!(out, "  durée : {elapsed:.2} s (lecture {read_seconds:.2} s, rapprochement {link_seconds:.2} s)")?;
        if let Some(p) = peak {
            writeln!(out, "  mémoire maximale : {:.2} Gio", p as f64 / (1u64 << 30) as f64)?;
        }
    }
    Ok(())
}

fn mode_fr(mode: Mode) -> &'static str {
    match mode {
        Mode::Dedupe => "dédoublonnage",
        Mode::Link => "liaison de deux fichiers",
    }
}

fn write_clusters(path: &Path, ds: &Dataset, clusters: &[u64]) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("création de {}", path.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    w.write_all(b"id,cluster\n")?;
    for (i, c) in clusters.iter().enumerate() {
        let id = ds.id(i as u32);
        if id.contains([',', '"', '\n', '\r']) {
            writeln!(w, "\"{}\",{c}", id.replace('"', "\"\""))?;
        } else {
            writeln!(w, "{id},{c}")?;
        }
    }
    w.flush().with_context(|| format!("écriture de {}", path.display()))?;
    Ok(())
}
