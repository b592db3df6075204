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
}

pub async fn run(app: &App, command: &ObservatoireCommand) -> anyhow::Result<()> {
    match command {
        ObservatoireCommand::Close { month } => {
            let month = Month::parse(month).context("mois attendu au format AAAA-MM")?;
            let rows = app.close_month(month).await?;
            println!("Mois {month} clôturé : {rows} ligne(s) d'indicateurs figées comme publiées.");
            Ok(())
        }
    }
}
