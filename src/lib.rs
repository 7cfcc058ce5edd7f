//! segura-operator: keeps `Credential` custom resources in sync with the Segura PAM Core API.

pub mod cli;
pub mod controller;
pub mod crd;
pub mod http;
pub mod leader;
pub mod metrics;
pub mod operator;
pub mod resolve;
pub mod segura;
pub mod simulator;
pub mod sync;
pub mod telemetry;
