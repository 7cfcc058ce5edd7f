//! Everything about talking to Segura PAM Core: the API's facts, the request body and the client.

pub mod api;
pub mod body;
pub mod secrets;
