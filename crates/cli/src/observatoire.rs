//! `parcours observatoire …`: month close (and, next to it, safe publication).

use anyhow::Context;
use app::App;
use clap::Subcommand;
use domain::indicators::Month;

#[derive(Subcommand)]
pub enum ObservatoireCommand {
    /// Freeze a complete month's figures as published (all populations).
    Close {
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
    },
    /// Write the aggregates as open data (CSV, XLSX, README), under the secret statistique.
    Publish {
        /// First month, YYYY-MM.
        #[arg(long)]
        from: String,
        /// Last month, YYYY-MM (a complete month).
        #[arg(long)]
        to: String,
        /// Directory to write into (created if needed).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Cells from 1 to threshold − 1 are suppressed.
        #[arg(long, default_value_t = domain::publication::DEFAULT_THRESHOLD)]
        threshold: u32,
    },
}

pub async fn run(app: &App, command: &ObservatoireCommand) -> anyhow::Result<()> {
    match command {
        ObservatoireCommand::Close { month } => {
            let month = Month::parse(month).context("mois attendu au format AAAA-MM")?;
            let rows = app.close_month(month).await?;
            println!("Mois {month} clôturé : {rows} ligne(s) d'indicateurs figées comme publiées.");
            Ok(())
        }
        ObservatoireCommand::Publish { from, to, out, threshold } => {
            let from = Month::parse(from).context("--from : mois attendu au format AAAA-MM")?;
            let to = Month::parse(to).context("--to : mois attendu au format AAAA-MM")?;
            let report = app.publish(from, to, *threshold, out).await?;
            println!(
                "{} tableau(x) publiés dans {} ({} fichiers) : {} case(s), {} masquée(s) sous le seuil de {threshold}, \
                 {} masquée(s) en secret secondaire.",
                report.tables,
                out.display(),
                report.files.len(),
                report.cells,
                report.primary_suppressed,
                report.secondary_suppressed
            );
            if report.small_totals > 0 {
                eprintln!(
                    "Attention : {} total(aux) publié(s) sous le seuil de {threshold} (les totaux sont publiés quelle \
                     que soit leur valeur ; voir le README).",
                    report.small_totals
                );
            }
            Ok(())
        }
    }
}
