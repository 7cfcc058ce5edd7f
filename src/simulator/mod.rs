//! An in-process Segura PAM Core server that follows the vendor's create page to the letter:
//! OAuth2 client-credentials tokens that expire, the upsert rules of both tables, every error
//! code, the answer envelope, registered devices, domains, JIT plugins and templates,
//! permissions, deactivation, list, custody checkouts; plus fault switches (latency, 500s,
//! 429 bursts, timeouts) and an inspection API for tests.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use segura_operator::simulator::{Simulator, SimulatorConfig};
//! let sim = Simulator::start(SimulatorConfig::demo(), "127.0.0.1:0".parse().unwrap())?;
//! println!("{}", sim.url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Served under both prefixes, `/api` and `/iso` (see [`crate::segura::api`] for every
//! Segura fact used here). Points the vendor leaves open are marked *unconfirmed* where they
//! are decided.

mod checks;
mod config;
mod faults;
mod handlers;
mod inspect;
mod params;
mod redact;
mod routes;
mod state;
mod store;
mod tokens;

mod server;

pub use checks::Registry;
pub use config::{
    ClientConfig, ClientSecret, DEFAULT_TOKEN_LIFETIME_SECS, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET,
    DeviceConfig, Permission, SimulatorConfig,
};
pub use faults::{Faults, TimeoutMode};
pub use inspect::INSPECT_PREFIX;
pub use routes::Endpoint;
pub use server::{Simulator, serve};
pub use state::RequestRecord;
pub use store::StoredCredential;
