//! The `segura-operator` binary.

fn main() -> anyhow::Result<()> {
    print!("{}", segura_operator::crd::crd_yaml()?);
    Ok(())
}
