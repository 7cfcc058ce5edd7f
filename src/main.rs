//! The `segura-operator` binary: `run`, `crd`, `simulator` and `sync`.

use clap::Parser;
use segura_operator::cli::args::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Crd => {
            print!("{}", segura_operator::crd::crd_yaml()?);
            Ok(())
        }
        Command::Run(args) => segura_operator::cli::run::run_operator(*args).await,
        Command::Simulator(_) | Command::Sync(_) => anyhow::bail!("not built yet"),
    }
}
