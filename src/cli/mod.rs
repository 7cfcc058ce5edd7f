//! The `segura-operator` command line.

pub mod args;
