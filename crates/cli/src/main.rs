//! `parcours`: the server, the demo and the administration commands.

use std::io::BufRead;
use std::net::SocketAddr;

use anyhow::{bail, Context};
use app::{App, Clock, Config};
use clap::{Parser, Subcommand};
use domain::org::OrgKind;
use domain::territory::InseeCode;
use domain::user::Role;
use store::Store;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bench;
mod demo_store;
mod link;
mod observatoire;
mod pprl;
mod pprl_dedupe;
mod pprl_publish;
mod workflows;

#[derive(Parser)]
#[command(name = "parcours", version, about = "Liste nominative partagée, CCA et observatoire — Logement d'abord")]
struct Cli {
    /// Database URL: sqlite://chemin.db or postgres://… (default: sqlite://data/parcours.db).
    #[arg(long, env = "DATABASE_URL", global = true)]
    db: Option<String>,
    /// Days without contact after which a household becomes inactive.
    #[arg(long, env = "PARCOURS_INACTIVITY_DAYS", default_value_t = 90, global = true)]
    inactivity_days: i64,
    /// Internal dashboards show counts below this as "< N" (open data uses its own threshold).
    #[arg(long, env = "PARCOURS_INTERNAL_THRESHOLD", default_value_t = 5, global = true)]
    internal_threshold: u32,
    /// The host's sendmail program (postfix, msmtp…) for e-mail copies of notifications.
    #[arg(long, env = "PARCOURS_SENDMAIL", global = true)]
    sendmail: Option<std::path::PathBuf>,
    /// The application's public address, for the links in e-mails.
    #[arg(long, env = "PARCOURS_BASE_URL", default_value = "http://127.0.0.1:8080", global = true)]
    base_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application.
    Serve {
        #[arg(long, env = "PARCOURS_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Apply the database migrations.
    Migrate,
    /// Create a fresh demo database with a synthetic territory, print the accounts and serve.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed only, do not serve.
        #[arg(long)]
        no_serve: bool,
        #[arg(long, default_value_t = 2000)]
        households: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value = "demo")]
        demo_password: String,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Partner organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Habilitations.
    Grant {
        #[command(subcommand)]
        command: GrantCommand,
    },
    /// Field-encryption keys of the sensitive compartment.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Data subjects' rights.
    Rights {
        #[command(subcommand)]
        command: RightsCommand,
    },
    /// The observatory: month close, safe publication.
    Observatoire {
        #[command(subcommand)]
        command: observatoire::ObservatoireCommand,
    },
    /// Reminders: to-do lists turned into notifications (daily timer).
    Reminders {
        #[command(subcommand)]
        command: workflows::RemindersCommand,
    },
    /// Record linkage: duplicates across partners.
    Link {
        #[command(subcommand)]
        command: link::LinkCommand,
    },
    /// Privacy-preserving linkage between partners (keyed Bloom filters).
    Pprl {
        #[command(subcommand)]
        command: pprl::PprlCommand,
    },
    /// The CCAPEX exchange: export of the cases, import of the opinions.
    Ccapex {
        #[command(subcommand)]
        command: workflows::CcapexCommand,
    },
    /// Retention: archive, anonymise, purge the access log.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Benchmarks (developers).
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum RightsCommand {
    /// Export a household's whole file, with its access log (JSON and printable HTML).
    Export {
        #[arg(long)]
        household: i64,
        /// Directory to write menage-ID.json and menage-ID.html into.
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Apply the retention rules as of today (meant for a daily timer) and write a report.
    Run {
        /// Compute and report only; change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Days without contact before the archive.
        #[arg(long, env = "PARCOURS_RETENTION_ACTIVE_DAYS", default_value_t = 730)]
        active_days: i64,
        /// Days in the archive before anonymisation.
        #[arg(long, env = "PARCOURS_RETENTION_ARCHIVE_DAYS", default_value_t = 1095)]
        archive_days: i64,
        /// Days the access log is kept.
        #[arg(long, env = "PARCOURS_AUDIT_RETENTION_DAYS", default_value_t = 365)]
        audit_days: i64,
        /// Directory for the Markdown report.
        #[arg(long, default_value = "data")]
        report_dir: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum GrantCommand {
    /// Grant a habilitation to the members of an organisation holding a role.
    Add {
        /// The organisation's exact name.
        #[arg(long)]
        org: String,
        #[arg(long)]
        role: String,
        /// tout, departement:69, epci:200046977 or communes:69001,69002
        #[arg(long)]
        scope: String,
        /// agrege, pseudonymise, nominatif or sensible
        #[arg(long)]
        tier: String,
        /// First day (default: today).
        #[arg(long)]
        from: Option<String>,
        /// Day it ends (exclusive).
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Write a new keyring (one active key and a blind-index key) to a file, readable by its owner only.
    Init {
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Add a new active key to the keyring file (PARCOURS_KEYRING_FILE) and re-encrypt every
    /// sensitive value with it, in batches.
    Rotate {
        /// Id of the new key (default: k followed by the date and time).
        #[arg(long)]
        new_id: Option<String>,
    },
    /// Recompute every person's blind indexes (exact search) with the keyring
    /// (PARCOURS_KEYRING_FILE): after it is first configured on existing data, or after an
    /// upgrade that adds an index.
    Reindex,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and name the first broken event.
    Verify,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organisation.
    Add {
        #[arg(long)]
        name: String,
        /// etat, metropole, ccas, siao, association, hebergement, ais, bailleur
        #[arg(long)]
        kind: String,
        /// INSEE code of its commune.
        #[arg(long)]
        commune: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user acting for an organisation; the password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// The organisation's exact name.
        #[arg(long)]
        org: String,
        /// Role(s): referent, siao, gestionnaire-cca, membre-commission, ccapex, captation, bailleur,
        /// observatoire, dpo, admin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
}

const DEMO_URL: &str = "sqlite://data/demo.db";
const DEMO_KEYRING: &str = "data/demo-keyring.txt";

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PARCOURS_LOG").unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli))
}

fn config(cli: &Cli) -> Config {
    let mut c = Config::default();
    c.status_rules.inactivity_days = cli.inactivity_days;
    c.internal_threshold = cli.internal_threshold;
    c.sendmail.clone_from(&cli.sendmail);
    c.base_url.clone_from(&cli.base_url);
    c
}

/// The application over an opened store, with the keyring from the environment when set.
fn application(store: Store, cfg: Config) -> anyhow::Result<App> {
    let app = App::new(store, cfg, Clock::System);
    Ok(match store::crypto::Keyring::from_env().context("trousseau de clés")? {
        Some(k) => app.with_keyring(k),
        None => app,
    })
}

async fn open(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url).await.context("connexion à la base de données")?;
    store.migrate().await.context("migrations")?;
    Ok(store)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let cfg = config(&cli);
    match &cli.command {
        Command::Serve { listen } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            if app.keyring.is_none() {
                tracing::warn!("no keyring (PARCOURS_KEYRING_FILE): the sensitive compartment is unavailable");
            }
            serve(app, *listen).await
        }
        Command::Migrate => {
            open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            println!("Migrations appliquées.");
            Ok(())
        }
        Command::Demo { listen, no_serve, households, seed, demo_password } => {
            let url = cli.db.clone().unwrap_or_else(|| DEMO_URL.to_owned());
            let store = demo_store::fresh(&url).await?;
            let app = match store::crypto::Keyring::from_env().context("trousseau de clés")? {
                Some(k) => App::new(store, cfg, Clock::System).with_keyring(k),
                None => App::new(store, cfg, Clock::System).with_keyring(demo_keyring()?),
            };
            let today = app.today();
            let started = std::time::Instant::now();
            let territory = synth::generate(&synth::Config { households: *households, seed: *seed, today, years: 3 });
            let summary = app.seed_demo(&territory, demo_password).await?;
            println!(
                "Base de démonstration prête ({url}) : {} ménages, {} personnes, {} structures — {:.1} s.",
                summary.households,
                summary.persons,
                summary.organisations,
                started.elapsed().as_secs_f64()
            );
            let cca = app.seed_cca_demo().await?;
            println!(
                "CCA et CCAPEX : {} saisines, {} séances, {} mesures démarrées, {} procédures d'expulsion.",
                cca.referrals, cca.sessions, cca.measures, cca.evictions
            );
            app.run_linkage(app::linkage_run::ReviewBand::default(), &linkage::NoProgress).await?;
            let links = app.seed_linkage_demo().await?;
            println!(
                "Rapprochement : {} personnes, {} groupes, {} paires à examiner dans « Doublons » ; décisions passées : \
                 {} « même personne », {} « personnes différentes », {} contradiction(s) à régler.",
                links.run.persons,
                links.run.clusters,
                links.run.queued,
                links.same,
                links.different,
                links.run.conflicting_decisions
            );
            println!("Comptes de démonstration (mot de passe : « {demo_password} ») :");
            for a in &summary.accounts {
                println!("  {:<36} {:<40} {}", a.email, a.role.label(), a.org_name);
            }
            if *no_serve {
                return Ok(());
            }
            serve(app, *listen).await
        }
        Command::Audit { command: AuditCommand::Verify } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            match app.verify_audit().await? {
                app::audit::Verification::Intact { events } => {
                    println!("Journal d'audit intègre : {events} événement(s) vérifié(s).");
                    Ok(())
                }
                app::audit::Verification::Broken(e) => bail!("journal d'audit corrompu : {e}"),
                app::audit::Verification::Truncated { head_seq, last_seq } => bail!(
                    "journal d'audit tronqué : la tête annonce l'événement n° {head_seq}, le dernier présent est le n° {last_seq}"
                ),
            }
        }
        Command::Org { command: OrgCommand::Add { name, kind, commune } } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            let kind = OrgKind::parse(kind)?;
            let commune = commune.as_deref().map(InseeCode::parse).transpose()?;
            let id = app.create_organisation(None, name, kind, commune).await?;
            println!("Organisation créée (n° {id}).");
            Ok(())
        }
        Command::Grant { command: GrantCommand::Add { org, role, scope, tier, from, to } } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            let org = {
                let mut conn = app.store.pool().acquire().await?;
                store::orgs::by_name(&mut conn, org).await?.context("organisation inconnue")?
            };
            let (kind, value) = scope.split_once(':').unwrap_or((scope.as_str(), ""));
            let grant = app::admin::NewGrant {
                org: org.id,
                role: Role::parse(role)?,
                scope: domain::policy::TerritoryScope::parse(kind, value)?,
                tier: domain::policy::Tier::parse(tier)?,
                valid_from: from.as_deref().map(domain::parse_date).transpose()?.unwrap_or_else(|| app.today()),
                valid_to: to.as_deref().map(domain::parse_date).transpose()?,
            };
            let id = app.add_grant(None, grant).await?;
            println!("Habilitation créée (n° {id}).");
            Ok(())
        }
        Command::Rights { command: RightsCommand::Export { household, out } } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            let export = app.rights_export(None, domain::HouseholdId(*household)).await.map_err(|e| match e {
                app::AppError::NotFound => anyhow::anyhow!("aucun ménage n° {household}"),
                e => e.into(),
            })?;
            std::fs::create_dir_all(out)?;
            let json = out.join(format!("menage-{household}.json"));
            let html = out.join(format!("menage-{household}.html"));
            std::fs::write(&json, serde_json::to_string_pretty(&export)?)?;
            std::fs::write(&html, web::rights_html(&export)?)?;
            println!("Export écrit : {} et {}", json.display(), html.display());
            Ok(())
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run, active_days, archive_days, audit_days, report_dir },
        } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let cfg = Config {
                retention_active_days: *active_days,
                retention_archive_days: *archive_days,
                audit_retention_days: *audit_days,
                ..cfg
            };
            let app = application(store, cfg)?;
            let report = app.run_retention(*dry_run).await?;
            std::fs::create_dir_all(report_dir)?;
            let suffix = if *dry_run { "-simulation" } else { "" };
            let path = report_dir.join(format!("conservation-{}{suffix}.md", report.today));
            std::fs::write(&path, report.markdown())?;
            println!(
                "{} ménage(s) archivé(s), {} anonymisé(s), {} événement(s) du journal purgé(s){} — rapport : {}",
                report.archived.len(),
                report.anonymised.len(),
                report.audit_purged,
                if *dry_run { " (simulation)" } else { "" },
                path.display()
            );
            Ok(())
        }
        Command::Bench { command } => bench::run(command, cfg.status_rules).await,
        Command::Observatoire { command } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            observatoire::run(&app, command).await
        }
        Command::Reminders { command } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            workflows::reminders(&application(store, cfg)?, command).await
        }
        Command::Link { command } => link::run(cli.db.as_deref(), command).await,
        Command::Pprl { command } => pprl::run(command),
        Command::Ccapex { command } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            workflows::ccapex(&application(store, cfg)?, command).await
        }
        Command::Keys { command: KeysCommand::Init { out } } => {
            if out.exists() {
                bail!("{} existe déjà : refus de l'écraser", out.display());
            }
            write_private(out, &store::crypto::Keyring::generate_text(&key_id_now()))?;
            println!("Trousseau créé : {} (à sauvegarder hors de la base ; PARCOURS_KEYRING_FILE={0}).", out.display());
            Ok(())
        }
        Command::Keys { command: KeysCommand::Reindex } => {
            let path =
                std::env::var("PARCOURS_KEYRING_FILE").context("PARCOURS_KEYRING_FILE doit désigner le trousseau")?;
            let keyring = store::crypto::Keyring::parse(&std::fs::read_to_string(&path)?)?;
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = App::new(store, cfg, Clock::System).with_keyring(keyring);
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} personnes ({eta})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let changed = app
                .reindex_names(|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            println!("Index aveugles recalculés : {changed} personne(s) mise(s) à jour.");
            Ok(())
        }
        Command::Keys { command: KeysCommand::Rotate { new_id } } => {
            let path = std::env::var("PARCOURS_KEYRING_FILE")
                .context("PARCOURS_KEYRING_FILE doit désigner le trousseau à faire tourner")?;
            let current = store::crypto::Keyring::parse(&std::fs::read_to_string(&path)?)?;
            let (next, text) = current.with_new_active_key(new_id.as_deref().unwrap_or(&key_id_now()))?;
            // The file first: from now on every key, old and new, is on disk; re-encryption can
            // then be interrupted and resumed without losing access to anything.
            write_private(std::path::Path::new(&path), &text)?;
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = App::new(store, cfg, Clock::System).with_keyring(store::crypto::Keyring::parse(&text)?);
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} valeurs chiffrées ({eta})")
                    .expect("valid progress template"),
            );
            let changed = app
                .rotate_keys(&next, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish();
            println!("Clé active : {} ; {changed} valeur(s) rechiffrée(s).", next.active_key_id());
            Ok(())
        }
        Command::User { command: UserCommand::Add { email, name, org, roles } } => {
            let store = open(cli.db.as_deref().unwrap_or(store::DEFAULT_URL)).await?;
            let app = application(store, cfg)?;
            let roles = roles.iter().map(|r| Role::parse(r)).collect::<Result<Vec<_>, _>>()?;
            let org = {
                let mut conn = app.store.pool().acquire().await?;
                store::orgs::by_name(&mut conn, org).await?.context("organisation inconnue")?
            };
            eprintln!("Mot de passe (12 caractères au moins), sur l'entrée standard :");
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password)?;
            let password = password.trim_end_matches(['\r', '\n']);
            let id = app.create_user(None, email, name, password, org.id, &roles, false).await?;
            println!("Compte créé (n° {id}).");
            Ok(())
        }
    }
}

/// The demo's keyring: the environment's if set, else a file generated beside the demo database
/// on first use (a demo only: production keys come from PARCOURS_KEYRING_FILE).
fn demo_keyring() -> anyhow::Result<store::crypto::Keyring> {
    let path = std::path::Path::new(DEMO_KEYRING);
    if !path.exists() {
        std::fs::create_dir_all(path.parent().unwrap_or(std::path::Path::new(".")))?;
        write_private(path, &store::crypto::Keyring::generate_text("demo1"))?;
    }
    Ok(store::crypto::Keyring::parse(&std::fs::read_to_string(path)?)?)
}

/// Writes a secret file readable by its owner only, replacing it atomically.
fn write_private(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&tmp).with_context(|| format!("écriture de {}", tmp.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn key_id_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("k{:04}{:02}{:02}{:02}{:02}", now.year(), now.month() as u8, now.day(), now.hour(), now.minute())
}

async fn serve(app: App, listen: SocketAddr) -> anyhow::Result<()> {
    let secure_cookies = !listen.ip().is_loopback() || std::env::var("PARCOURS_SECURE_COOKIES").is_ok_and(|v| v == "1");
    // the kept pathways (aggregates, no name: ADR 0010) are read once in the background at
    // start, so that the first list or dashboard does not wait for the full read
    let warm = app.clone();
    tokio::spawn(async move {
        if let Err(e) = warm.observatory_reads().await {
            tracing::warn!("lecture des parcours au démarrage : {e}");
        }
    });
    let router = web::router(app, web::WebOptions { secure_cookies });
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("écoute sur {listen}"))?;
    println!("parcours écoute sur http://{listen}/");
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
