//! `segura-operator sync`: apply Credential and Secret manifests from files straight to Segura.

pub mod manifests;
