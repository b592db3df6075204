//! `parcours link …`: linkage over the store and evaluation on labelled CSV files.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum LinkCommand {
    /// Evaluate the linkage engine on a CSV file with a ground-truth column.
    Eval { file: std::path::PathBuf },
}

pub async fn run(_db: Option<&str>, _command: &LinkCommand) -> anyhow::Result<()> {
    anyhow::bail!("pas encore disponible")
}
