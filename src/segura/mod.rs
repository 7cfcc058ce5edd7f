//! Everything about talking to Segura PAM Core: the API's facts, the request body and the client.

pub mod api;
pub mod body;
pub mod client;
pub mod client_config;
pub mod error;
pub mod secrets;
pub mod token;

pub use client::{
    CredentialSummary, Deactivated, Endpoint, RequestObserver, SeguraClient, SeguraConfig, Upserted,
};
pub use error::SeguraError;
