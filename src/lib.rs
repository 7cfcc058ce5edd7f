//! segura-operator: keeps `Credential` custom resources in sync with the Segura PAM Core API.

pub mod crd;
pub mod segura;
pub mod simulator;
