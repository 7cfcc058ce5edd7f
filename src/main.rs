//! The `segura-operator` binary: `run`, `crd`, `simulator` and `sync`.

use clap::Parser;
use segura_operator::cli::args::{Cli, Command};
use segura_operator::simulator::SimulatorConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Crd => {
            print!("{}", segura_operator::crd::crd_yaml()?);
            Ok(())
        }
        Command::Run(args) => segura_operator::cli::run::run_operator(*args).await,
        Command::Simulator(args) => {
            segura_operator::telemetry::init(None);
            let config = match &args.config {
                Some(path) => SimulatorConfig::from_yaml(&std::fs::read_to_string(path)?)?,
                None => SimulatorConfig::demo(),
            };
            segura_operator::simulator::serve(args.listen, config).await
        }
        Command::Sync(args) => {
            if segura_operator::sync::run::run(args).await? {
                Ok(())
            } else {
                std::process::exit(1)
            }
        }
    }
}
