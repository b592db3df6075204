//! `parcours reminders run` (for a daily timer) and `parcours ccapex export|import` (the CSV
//! exchange with the CCAPEX, format in `docs/formats/ccapex.md`).

use anyhow::{bail, Context};
use app::App;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum RemindersCommand {
    /// Compute every user's to-do list and notify what is new (run once a day).
    Run,
}

#[derive(Subcommand)]
pub enum CcapexCommand {
    /// Write the eviction procedures the account may follow, as CSV.
    Export {
        /// The CCAPEX correspondent's account (e-mail) the export is made for.
        #[arg(long = "as")]
        as_user: String,
        /// Output file (`-` for standard output).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Import the CCAPEX's opinions from CSV: all lines or none.
    Import {
        #[arg(long = "as")]
        as_user: String,
        file: std::path::PathBuf,
    },
}

pub async fn reminders(app: &App, command: &RemindersCommand) -> anyhow::Result<()> {
    match command {
        RemindersCommand::Run => {
            let r = app.run_reminders().await?;
            println!(
                "Rappels : {} compte(s), {} élément(s) à faire, {} notification(s) envoyée(s).",
                r.users, r.items, r.sent
            );
            Ok(())
        }
    }
}

async fn actor(app: &App, email: &str) -> anyhow::Result<app::Actor> {
    let email = domain::user::Email::parse(email).context("adresse de compte invalide")?;
    let mut conn = app.store.pool().acquire().await?;
    let Some(user) = store::users::by_email(&mut conn, &email).await? else { bail!("compte inconnu") };
    drop(conn);
    app.actor_of(user.id).await?.context("compte inactif ou sans structure")
}

pub async fn ccapex(app: &App, command: &CcapexCommand) -> anyhow::Result<()> {
    match command {
        CcapexCommand::Export { as_user, out } => {
            let actor = actor(app, as_user).await?;
            let csv = app.export_evictions_csv(&actor).await?;
            let lines = csv.lines().count().saturating_sub(1);
            if out.as_os_str() == "-" {
                print!("{csv}");
            } else {
                std::fs::write(out, csv).with_context(|| format!("écriture de {}", out.display()))?;
                eprintln!("{lines} procédure(s) exportée(s) dans {}.", out.display());
            }
            Ok(())
        }
        CcapexCommand::Import { as_user, file } => {
            let actor = actor(app, as_user).await?;
            let data = std::fs::read(file).with_context(|| format!("lecture de {}", file.display()))?;
            match app.import_opinions_csv(&actor, &data).await? {
                Ok(r) => {
                    println!("{} avis importé(s), {} déjà présent(s).", r.imported, r.duplicates);
                    Ok(())
                }
                Err(errors) => {
                    for e in &errors {
                        eprintln!("ligne {} : {}", e.line, e.reason);
                    }
                    bail!("{} ligne(s) en erreur : rien n'a été importé", errors.len())
                }
            }
        }
    }
}
