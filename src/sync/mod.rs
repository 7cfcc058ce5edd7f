//! `segura-operator sync`: apply Credential and Secret manifests from files straight to Segura.

pub mod manifests;
pub mod run;
pub mod table;
