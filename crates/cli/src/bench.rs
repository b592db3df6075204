//! `parcours bench …`: benchmarks at scale, for developers (docs/benchmarks.md).
//!
//! `bench observatoire` (issue 4): a synthetic territory of a million households, the 36 monthly
//! snapshots of every segment computed in memory, then end to end as the dashboard does it
//! (`store::observatory::histories` then `compute_in_parallel` on 2 threads) from a SQLite file
//! and from a fresh PostgreSQL database, both bulk-loaded here with multi-row inserts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use domain::household::{Membership, Person};
use domain::indicators::{compute, compute_in_parallel, FlowTable, Following, HouseholdHistory, Month};
use domain::pathway::{Event, Pathway};
use domain::status::StatusRules;
use domain::{format_date, Date, OrgId, PersonId};
use store::{Backend, Store};

#[derive(Subcommand)]
pub enum BenchCommand {
    /// The observatory at scale: generation, 36 monthly snapshots of all segments in memory, and
    /// end to end from SQLite and PostgreSQL.
    Observatoire(ObservatoireArgs),
    /// One end-to-end measure in a fresh process (spawned by `observatoire`, so that its peak
    /// memory is the dashboard path's own): reads PARCOURS_BENCH_URL, prints JSON.
    #[command(hide = true)]
    EndToEnd {
        #[arg(long, default_value_t = 1)]
        runs: usize,
    },
    /// A labelled CSV for record linkage (issue 6): persons reported 1 to 4 times with French
    /// spelling noise, and their ground truth (`bench/linkage.sh`).
    LinkageData {
        /// Distinct persons (rows: about 1.6 times as many).
        #[arg(long, default_value_t = 100_000)]
        persons: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The CSV file to write (replaced if it exists).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args)]
pub struct ObservatoireArgs {
    #[arg(long, default_value_t = 1_000_000)]
    households: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Contacts this many times as frequent as in the demo territory (about 20 events per
    /// household at 2.8 instead of 9).
    #[arg(long, default_value_t = 2.8)]
    contact_scale: f64,
    /// Runs of each in-memory measure.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Runs of each end-to-end measure (default: --runs).
    #[arg(long)]
    db_runs: Option<usize>,
    /// A SQLite file to create (replaced if it exists), load and read back.
    #[arg(long)]
    sqlite: Option<PathBuf>,
    /// A PostgreSQL URL whose role may create databases: a fresh database is created beside it,
    /// loaded, measured and dropped.
    #[arg(long)]
    postgres: Option<String>,
    /// Households for PostgreSQL (default: --households), from a territory of that size with
    /// the same seed.
    #[arg(long)]
    postgres_households: Option<usize>,
    /// Write the figures into this Markdown file's "Observatory (issue 4)" section.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The command recorded with the figures (default: this command's arguments).
    #[arg(long)]
    command_label: Option<String>,
}

pub async fn run(command: &BenchCommand, rules: StatusRules) -> anyhow::Result<()> {
    match command {
        BenchCommand::Observatoire(args) => observatoire(args, rules).await,
        BenchCommand::EndToEnd { runs } => end_to_end_child(*runs, rules).await,
        BenchCommand::LinkageData { persons, seed, out } => linkage_data(*persons, *seed, out),
    }
}

/// `bench linkage-data`: generates, writes, and says how long each took.
fn linkage_data(persons: usize, seed: u64, out: &Path) -> anyhow::Result<()> {
    let stage = Stage::start();
    let rows = synth::linkage_set::generate(persons, seed);
    let generated = stage.seconds();
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    synth::linkage_set::write_csv(&rows, file).with_context(|| format!("writing {}", out.display()))?;
    let duplicated = {
        let mut per_truth = std::collections::HashMap::<u64, u32>::new();
        for r in &rows {
            *per_truth.entry(r.truth).or_default() += 1;
        }
        per_truth.values().filter(|&&n| n > 1).count()
    };
    eprintln!(
        "bench: {} persons ({} with duplicates), {} rows, {} without birth date, seed {seed}: generated in {}, \
         written in {} to {}; peak memory {}",
        thousands(persons),
        thousands(duplicated),
        thousands(rows.len()),
        thousands(rows.iter().filter(|r| r.birth_date.is_none()).count()),
        secs(generated),
        secs(stage.seconds() - generated),
        out.display(),
        stage.memory()
    );
    Ok(())
}

/// The history ends on the synthetic territory's fixed day, so that every run sees the same data.
fn today() -> Date {
    synth::Config::default().today
}

/// The 36 months ending with the last complete month.
fn months() -> std::ops::RangeInclusive<Month> {
    let last = Month::of(today()).previous();
    last.plus(-35)..=last
}

// ---- measures ---------------------------------------------------------------------------------

/// Resident memory (`VmRSS`) and its high-water mark (`VmHWM`), in bytes.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let read = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (read("VmRSS:"), read("VmHWM:"))
}

/// A stage: its resident memory when it starts and its peak. The high-water mark is reset at the
/// start (`/proc/self/clear_refs`, Linux 4.0+) so that the peak is the stage's own; if the reset
/// is refused, the peak is the process's since it started, and says so.
struct Stage {
    started: Instant,
    rss_before: u64,
    reset: bool,
}

impl Stage {
    fn start() -> Self {
        let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        Self { started: Instant::now(), rss_before: memory().0, reset }
    }

    fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    fn memory(&self) -> String {
        let (_, peak) = memory();
        let since = if self.reset { "" } else { " (since the start)" };
        format!("{}{since} (held before: {})", gib(peak), gib(self.rss_before))
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.2} GiB", bytes as f64 / f64::from(1u32 << 30))
}

/// min, median and max of some durations in seconds.
struct Spread {
    min: f64,
    median: f64,
    max: f64,
    runs: usize,
}

impl Spread {
    fn of(mut xs: Vec<f64>) -> Self {
        xs.sort_by(f64::total_cmp);
        let n = xs.len();
        let median = if n % 2 == 1 { xs[n / 2] } else { (xs[n / 2 - 1] + xs[n / 2]) / 2.0 };
        Self { min: xs[0], median, max: xs[n - 1], runs: n }
    }

    fn show(&self) -> String {
        format!("median **{}** (min {}, max {}, {} runs)", secs(self.median), secs(self.min), secs(self.max), self.runs)
    }
}

fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{:.3} s", s)
    } else {
        format!("{:.1} s", s)
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Rows of the report: (what, time, peak memory, notes).
#[derive(Default)]
struct Report {
    rows: Vec<[String; 4]>,
    notes: Vec<String>,
}

impl Report {
    fn row(
        &mut self,
        what: impl Into<String>,
        time: impl Into<String>,
        memory: impl Into<String>,
        notes: impl Into<String>,
    ) {
        let row = [what.into(), time.into(), memory.into(), notes.into()];
        eprintln!("bench: {} — {} — {} — {}", row[0], row[1], row[2], row[3]);
        self.rows.push(row);
    }

    fn markdown(&self, title: &str, command: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{title}\n");
        let _ = writeln!(s, "```sh\n{command}\n```\n");
        let _ = writeln!(s, "| stage | time | peak resident memory during the stage | notes |");
        let _ = writeln!(s, "|---|---|---|---|");
        for r in &self.rows {
            let _ = writeln!(s, "| {} | {} | {} | {} |", r[0], r[1], r[2], r[3]);
        }
        for n in &self.notes {
            let _ = writeln!(s, "\n{n}");
        }
        s
    }
}

// ---- the benchmark --------------------------------------------------------------------------

async fn observatoire(args: &ObservatoireArgs, rules: StatusRules) -> anyhow::Result<()> {
    if args.runs == 0 || args.db_runs == Some(0) {
        bail!("--runs and --db-runs must be at least 1");
    }
    let months = months();
    let mut report = Report::default();

    // 1. the territory
    let stage = Stage::start();
    let territory = generate(args.households, args.seed, args.contact_scale);
    let counts = Counts::of(&territory);
    report.row(
        format!("generation (`synth`, seed {}, contact scale {})", args.seed, args.contact_scale),
        secs(stage.seconds()),
        stage.memory(),
        counts.describe(),
    );

    // 2. in memory
    let stage = Stage::start();
    let histories: Vec<HouseholdHistory> = territory.households.iter().map(history).collect();
    report.row("conversion to `HouseholdHistory`", secs(stage.seconds()), stage.memory(), "");

    let stage = Stage::start();
    let (one, table) = repeat(args.runs, || compute(&histories, months.clone(), rules));
    report.row(
        format!("`compute`, 1 thread: 36 month ends × all segments, {}–{}", months.start(), months.end()),
        one.show(),
        stage.memory(),
        format!("{} rows, {} segments", thousands(table.rows().len()), table.segments().len()),
    );
    let stage = Stage::start();
    let (two, parallel) = repeat(args.runs, || compute_in_parallel(&histories, months.clone(), rules, 2));
    if parallel != table {
        bail!("compute_in_parallel differs from compute");
    }
    report.row("`compute_in_parallel`, 2 threads (what the dashboard runs)", two.show(), stage.memory(), "same table");
    let target = if two.median <= 1.0 { "met" } else { "missed" };
    report.notes.push(format!(
        "In memory, 2 threads: median {} for the 36 snapshots of all segments — the ≤ 1 s target is **{target}**.",
        secs(two.median)
    ));
    drop(histories);

    // 3. and 4. loading, then end to end; a PostgreSQL database is dropped whatever happens
    let pg = match &args.postgres {
        Some(admin) => Some(PgDatabase::create(admin).await?),
        None => None,
    };
    let result = databases(args, &mut report, territory, pg.as_ref(), &table, rules).await;
    if let Some(db) = pg {
        db.drop_database().await?;
    }
    result?;

    let command = args.command_label.clone().unwrap_or_else(command_line);
    let title = format!(
        "### {} households, {} events, 36 monthly snapshots",
        thousands(counts.households),
        thousands(counts.events)
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    report.notes.push(format!(
        "Measured on {} with {cpus} CPUs (load average {load} at the end), release build. Peak resident memory: \
         for the in-memory stages, this process's `VmHWM` reset at the start of each stage (with what it held \
         before); end to end, the peak of a fresh process doing only that, as a server just started would; \
         the database server's memory is not counted. The SQLite file was just written, so it is read from \
         the page cache.",
        store::now_timestamp().get(..10).unwrap_or_default()
    ));
    let md = report.markdown(&title, &command);
    println!("{md}");
    if let Some(out) = &args.out {
        write_section(out, &md)?;
        eprintln!("bench: figures written to {}", out.display());
    }
    Ok(())
}

/// Loads the territory into SQLite and PostgreSQL, frees it, then measures the dashboard's path
/// on each.
async fn databases(
    args: &ObservatoireArgs,
    report: &mut Report,
    territory: synth::Territory,
    pg: Option<&PgDatabase>,
    table: &FlowTable,
    rules: StatusRules,
) -> anyhow::Result<()> {
    let months = months();
    let db_runs = args.db_runs.unwrap_or(args.runs);
    let pg_households = args.postgres_households.unwrap_or(args.households);
    let mut sqlite = None;
    if let Some(path) = &args.sqlite {
        let stage = Stage::start();
        let store = fresh_sqlite(path).await?;
        let rows = load(&store, &territory).await?;
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let t = stage.seconds();
        report.row(
            "SQLite bulk load (multi-row inserts, one transaction per 10,000 households)",
            secs(t),
            stage.memory(),
            format!("{} rows, {} rows/s, file {}", thousands(rows), thousands((rows as f64 / t) as usize), gib(size)),
        );
        sqlite = Some(store);
    }
    if let Some(store) = pg.filter(|_| pg_households == args.households).map(|db| &db.store) {
        let stage = Stage::start();
        let rows = load(store, &territory).await?;
        analyze(store).await?;
        let t = stage.seconds();
        report.row(
            "PostgreSQL bulk load (multi-row inserts, one transaction per 10,000 households; ANALYZE)",
            secs(t),
            stage.memory(),
            format!("{} rows, {} rows/s", thousands(rows), thousands((rows as f64 / t) as usize)),
        );
    }
    drop(territory);

    if let Some(store) = &sqlite {
        store.close().await;
        let url = format!("sqlite://{}", args.sqlite.as_deref().and_then(Path::to_str).unwrap_or_default());
        end_to_end(report, "SQLite", &url, db_runs, rules, table).await?;
    }
    if let Some(db) = pg {
        let store = &db.store;
        let mut expected = table.clone();
        if pg_households != args.households {
            let t = generate(pg_households, args.seed, args.contact_scale);
            let c = Counts::of(&t);
            let stage = Stage::start();
            let rows = load(store, &t).await?;
            analyze(store).await?;
            let secs_ = stage.seconds();
            report.row(
                format!("PostgreSQL bulk load of {} households (ANALYZE)", thousands(pg_households)),
                secs(secs_),
                stage.memory(),
                format!(
                    "{}; {} rows, {} rows/s",
                    c.describe(),
                    thousands(rows),
                    thousands((rows as f64 / secs_) as usize)
                ),
            );
            let h: Vec<HouseholdHistory> = t.households.iter().map(history).collect();
            expected = compute(&h, months.clone(), rules);
        }
        end_to_end(report, "PostgreSQL", &db.url, db_runs, rules, &expected).await?;
    }
    Ok(())
}

fn generate(households: usize, seed: u64, contact_scale: f64) -> synth::Territory {
    let cfg = synth::Config { households, seed, ..synth::Config::default() };
    synth::generate_with_contact_scale(&cfg, contact_scale)
}

/// Runs `f` `runs` times; the spread of its times and its last result.
fn repeat<T>(runs: usize, mut f: impl FnMut() -> T) -> (Spread, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let out = std::hint::black_box(f());
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    (Spread::of(times), last.expect("at least one run"))
}

/// The dashboard's path measured in a child process: `bench end-to-end` on `url`.
async fn end_to_end(
    report: &mut Report,
    backend: &str,
    url: &str,
    runs: usize,
    rules: StatusRules,
    expected: &FlowTable,
) -> anyhow::Result<()> {
    let exe = std::env::current_exe()?;
    let out = std::process::Command::new(exe)
        .args(["bench", "end-to-end", "--runs", &runs.to_string()])
        .env("PARCOURS_BENCH_URL", url)
        .env("PARCOURS_INACTIVITY_DAYS", rules.inactivity_days.to_string())
        .stderr(std::process::Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("{backend}: the end-to-end measure failed ({})", out.status);
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).context("end-to-end output")?;
    if v["table"] != serde_json::to_value(expected)? {
        bail!("{backend}: the table read back differs from the one computed in memory");
    }
    let spread = |key: &str| -> anyhow::Result<Spread> {
        let xs: Vec<f64> = serde_json::from_value(v[key].clone())?;
        Ok(Spread::of(xs))
    };
    let (reads, computes, totals) = (spread("reads")?, spread("computes")?, spread("totals")?);
    let peak = v["peak"].as_u64().unwrap_or(0);
    report.row(
        format!("{backend} end to end: `store::observatory::histories` + `compute_in_parallel` (2 threads)"),
        totals.show(),
        format!("{} (whole process, fresh)", gib(peak)),
        format!(
            "read median {}, compute median {}; same table as in memory",
            secs(reads.median),
            secs(computes.median)
        ),
    );
    Ok(())
}

/// The child of [`end_to_end`]: every history from the store, then the flows on 2 threads, as
/// `App::flows` does; prints the times, the process's peak memory and the table as JSON.
async fn end_to_end_child(runs: usize, rules: StatusRules) -> anyhow::Result<()> {
    let url = std::env::var("PARCOURS_BENCH_URL").context("PARCOURS_BENCH_URL")?;
    let store = Store::connect(&url).await?;
    let backend = format!("{:?}", store.backend());
    let (mut reads, mut computes, mut totals, mut last) = (Vec::new(), Vec::new(), Vec::new(), None);
    for run in 0..runs.max(1) {
        let t = Instant::now();
        let mut conn = store.pool().acquire().await?;
        let histories = store::observatory::histories(&mut conn).await?;
        drop(conn);
        let read = t.elapsed().as_secs_f64();
        let table = compute_in_parallel(&histories, months(), rules, 2);
        let total = t.elapsed().as_secs_f64();
        eprintln!("bench: {backend} run {}: read {read:.1} s, total {total:.1} s", run + 1);
        drop(histories);
        reads.push(read);
        computes.push(total - read);
        totals.push(total);
        last = Some(table);
    }
    store.close().await;
    let out = serde_json::json!({
        "reads": reads,
        "computes": computes,
        "totals": totals,
        "peak": memory().1,
        "table": last,
    });
    println!("{out}");
    Ok(())
}

// ---- the territory in memory ------------------------------------------------------------------

struct Counts {
    households: usize,
    persons: usize,
    events: usize,
    periods: usize,
    follows: usize,
}

impl Counts {
    fn of(t: &synth::Territory) -> Self {
        let h = &t.households;
        Self {
            households: h.len(),
            persons: h.iter().map(|h| h.members.len()).sum(),
            events: h.iter().map(|h| h.events.len()).sum(),
            periods: h.iter().map(|h| h.periods.len()).sum(),
            follows: h.iter().map(|h| h.follows.len()).sum(),
        }
    }

    fn describe(&self) -> String {
        format!(
            "{} households, {} persons, {} events ({:.1} per household), {} periods, {} follows",
            thousands(self.households),
            thousands(self.persons),
            thousands(self.events),
            self.events as f64 / self.households.max(1) as f64,
            thousands(self.periods),
            thousands(self.follows)
        )
    }
}

/// A household as `store::observatory::histories` reads it back from the bulk load below:
/// organisation `i` of the territory has id `i + 1`, no names.
fn history(h: &synth::SynthHousehold) -> HouseholdHistory {
    let pathway = Pathway {
        periods: h.periods.clone(),
        events: h.events.iter().map(|e| Event { kind: e.kind, date: e.date }).collect(),
    };
    let memberships: Vec<Membership> = h
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| Membership {
            person: Person {
                id: PersonId(i as i64),
                family_name: String::new(),
                given_names: String::new(),
                birth_date: m.person.birth_date,
                sex: m.person.sex,
            },
            role: m.role,
            from: m.from,
            to: m.to,
        })
        .collect();
    HouseholdHistory {
        commune: Some(h.commune.as_str().to_owned()),
        followers: h.follows.iter().map(|f| Following { org: org_id(f.org), from: f.from, to: f.to }).collect(),
        ..HouseholdHistory::new(pathway).with_memberships(&memberships)
    }
}

fn org_id(index: usize) -> OrgId {
    OrgId(index as i64 + 1)
}

// ---- bulk loading -----------------------------------------------------------------------------

/// A fresh, migrated SQLite database at `path` (and its audit file beside it).
async fn fresh_sqlite(path: &Path) -> anyhow::Result<Store> {
    let path = path.to_str().context("SQLite path must be UTF-8")?;
    let audit = store::audit_path(path);
    for f in [path, audit.as_str()] {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let f = format!("{f}{suffix}");
            if Path::new(&f).exists() {
                std::fs::remove_file(&f).with_context(|| format!("suppression de {f}"))?;
            }
        }
    }
    let store = Store::connect(&format!("sqlite://{path}")).await?;
    store.migrate().await?;
    Ok(store)
}

/// A database created for the benchmark on a PostgreSQL server, as the test kit does.
struct PgDatabase {
    store: Store,
    url: String,
    admin: String,
    name: String,
}

impl PgDatabase {
    async fn create(admin: &str) -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.subsec_nanos();
        let name = format!("parcours_bench_{}_{nanos}", std::process::id());
        let admin_store = Store::connect(admin).await.context("connexion à PostgreSQL")?;
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(admin_store.pool()).await?;
        admin_store.close().await;
        let (base, _) = admin.rsplit_once('/').context("URL PostgreSQL sans nom de base")?;
        let url = format!("{base}/{name}");
        let store = Store::connect(&url).await?;
        store.migrate().await?;
        Ok(Self { store, url, admin: admin.to_owned(), name })
    }

    async fn drop_database(self) -> anyhow::Result<()> {
        self.store.close().await;
        let admin_store = Store::connect(&self.admin).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {}", self.name)).execute(admin_store.pool()).await?;
        admin_store.close().await;
        Ok(())
    }
}

/// Statistics for the tables just loaded (a bare `ANALYZE` also visits the shared catalogs and
/// warns about each one a non-superuser may not analyze).
async fn analyze(store: &Store) -> anyhow::Result<()> {
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()")
            .fetch_all(store.pool())
            .await?;
    if !tables.is_empty() {
        let list = tables.iter().map(|t| format!("\"{}\"", t.0)).collect::<Vec<_>>().join(", ");
        sqlx::query(&format!("ANALYZE {list}")).execute(store.pool()).await?;
    }
    Ok(())
}

/// A value to bind.
enum V<'a> {
    Int(i64),
    Str(&'a str),
    Owned(String),
    Null,
}

fn date(d: Date) -> V<'static> {
    V::Owned(format_date(d))
}

fn opt_date(d: Option<Date>) -> V<'static> {
    d.map_or(V::Null, date)
}

/// Parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 30_000;
/// Households per transaction.
const CHUNK: usize = 10_000;

/// `INSERT INTO table (columns) VALUES (…), (…)` for `values`, row after row, in as few
/// statements as the parameter limit allows.
///
/// On SQLite the placeholders are anonymous (`?`): SQLite looks numbered or named ones (`$n`) up in a
/// list, which makes preparing a statement with thousands of them quadratic.
async fn insert(
    tx: &mut store::Tx,
    backend: Backend,
    table: &str,
    columns: &[&str],
    values: Vec<V<'_>>,
) -> anyhow::Result<usize> {
    let per_row = columns.len();
    let rows = values.len() / per_row;
    let max_rows = MAX_PARAMS / per_row;
    let mut values = values.into_iter();
    let mut done = 0;
    while done < rows {
        let n = max_rows.min(rows - done);
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for r in 0..n {
            sql.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..per_row {
                sql.push_str(if c == 0 { "" } else { ", " });
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => {
                        let _ = write!(sql, "${}", r * per_row + c + 1);
                    }
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for v in values.by_ref().take(n * per_row) {
            q = match v {
                V::Int(i) => q.bind(i),
                V::Str(s) => q.bind(s),
                V::Owned(s) => q.bind(s),
                V::Null => q.bind(Option::<String>::None),
            };
        }
        q.execute(&mut **tx).await?;
        done += n;
    }
    Ok(rows)
}

/// Loads `t` into an empty migrated database: communes, organisations (ids 1…), households (ids
/// 1…, territory order), persons, members, periods, events and follows — the tables the
/// observatory reads. Returns the number of rows written.
async fn load(store: &Store, t: &synth::Territory) -> anyhow::Result<usize> {
    let backend = store.backend();
    let now = store::now_timestamp();
    let now = now.as_str();
    let started = Instant::now();
    let mut written = 0;
    let mut tx = store.begin().await?;
    let communes = t.communes.iter().flat_map(|c| [V::Str(c.insee.as_str()), V::Str(&c.name)]).collect();
    written += insert(&mut tx, backend, "communes", &["insee", "name"], communes).await?;
    let orgs = t
        .organisations
        .iter()
        .enumerate()
        .flat_map(|(i, o)| {
            [V::Int(org_id(i).0), V::Str(&o.name), V::Str(o.kind.code()), V::Str(o.commune.as_str()), V::Str(now)]
        })
        .collect();
    written +=
        insert(&mut tx, backend, "organisations", &["id", "name", "kind", "commune_insee", "created_at"], orgs).await?;
    tx.commit().await?;

    let mut person = 0i64;
    for (c, chunk) in t.households.chunks(CHUNK).enumerate() {
        let first = (c * CHUNK) as i64 + 1;
        let (mut hh, mut persons, mut members, mut periods, mut events, mut follows) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, h) in chunk.iter().enumerate() {
            let id = first + i as i64;
            let by = org_id(h.created_by).0;
            hh.extend([V::Int(id), V::Str(h.commune.as_str()), date(h.created_on), V::Int(by), V::Str(now)]);
            for m in &h.members {
                person += 1;
                let p = &m.person;
                persons.extend([
                    V::Int(person),
                    V::Str(&p.family_name),
                    V::Str(&p.given_names),
                    opt_date(p.birth_date),
                    V::Str(p.sex.code()),
                    V::Str(now),
                ]);
                members.extend([V::Int(id), V::Int(person), V::Str(m.role.code()), date(m.from), opt_date(m.to)]);
            }
            for p in &h.periods {
                periods.extend([
                    V::Int(id),
                    V::Str(p.situation.code()),
                    date(p.start),
                    opt_date(p.end),
                    V::Int(by),
                    V::Str(now),
                ]);
            }
            for e in &h.events {
                events.extend([V::Int(id), V::Str(e.kind.code()), date(e.date), V::Int(org_id(e.org).0), V::Str(now)]);
            }
            for f in &h.follows {
                follows.extend([
                    V::Int(id),
                    V::Int(org_id(f.org).0),
                    date(f.from),
                    opt_date(f.to),
                    V::Int(i64::from(f.referent)),
                ]);
            }
        }
        let mut tx = store.begin().await?;
        let cols = ["id", "commune_insee", "created_on", "created_by_org", "created_at"];
        written += insert(&mut tx, backend, "households", &cols, hh).await?;
        let cols = ["id", "family_name", "given_names", "birth_date", "sex", "created_at"];
        written += insert(&mut tx, backend, "persons", &cols, persons).await?;
        let cols = ["household_id", "person_id", "role", "from_on", "to_on"];
        written += insert(&mut tx, backend, "household_members", &cols, members).await?;
        let cols = ["household_id", "situation", "start_on", "end_on", "org_id", "recorded_at"];
        written += insert(&mut tx, backend, "situation_periods", &cols, periods).await?;
        let cols = ["household_id", "kind", "occurred_on", "org_id", "recorded_at"];
        written += insert(&mut tx, backend, "household_events", &cols, events).await?;
        let cols = ["household_id", "org_id", "from_on", "to_on", "is_referent"];
        written += insert(&mut tx, backend, "follows", &cols, follows).await?;
        tx.commit().await?;
        let loaded = (c * CHUNK + chunk.len()) as u64;
        if loaded.is_multiple_of(100_000) || loaded == t.households.len() as u64 {
            eprintln!("bench: {loaded} households loaded, {written} rows, {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    Ok(written)
}

// ---- the report in docs/benchmarks.md ---------------------------------------------------------

const SECTION: &str = "## Observatory (issue 4)";
const BEGIN: &str = "<!-- parcours bench observatoire: begin (generated, replaced on each run) -->";
const END: &str = "<!-- parcours bench observatoire: end -->";

/// Replaces the generated part of the section (between the markers), creating the section at the
/// end of the file when missing; what is written around the markers is kept.
fn write_section(path: &Path, md: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let block = format!("{BEGIN}\n\n{}\n{END}", md.trim_end());
    let out = match (text.find(BEGIN), text.find(END)) {
        (Some(b), Some(e)) if b < e => format!("{}{block}{}", &text[..b], &text[e + END.len()..]),
        _ if text.contains(SECTION) => {
            // the section without markers: put the figures right under its heading line
            let at = text.find(SECTION).unwrap_or(0);
            let eol = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
            format!("{}\n{block}\n{}", &text[..eol], &text[eol..])
        }
        _ => format!("{}\n\n{SECTION}\n\n{block}\n", text.trim_end()),
    };
    std::fs::write(path, out)?;
    Ok(())
}

/// This command as typed, with the PostgreSQL URL's password hidden.
fn command_line() -> String {
    let mut out = vec!["parcours".to_owned()];
    let mut args = std::env::args().skip(1).peekable();
    while let Some(a) = args.next() {
        if a == "--postgres" {
            out.push(a);
            args.next();
            out.push("\"$PG_URL\"".into());
        } else if a.starts_with("--postgres=") {
            out.push("--postgres \"$PG_URL\"".into());
        } else {
            out.push(a);
        }
    }
    out.join(" ")
}
