//! The `segura-operator` command line.

pub mod args;
pub mod connect;
pub mod run;
