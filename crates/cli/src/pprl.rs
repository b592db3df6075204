//! `parcours pprl …`: privacy-preserving linkage between partners.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum PprlCommand {
    /// Encode a partner's records as keyed Bloom filters.
    Encode { input: std::path::PathBuf },
}

pub fn run(_command: &PprlCommand) -> anyhow::Result<()> {
    anyhow::bail!("pas encore disponible")
}
