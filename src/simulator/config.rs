//! The simulator's configuration: who may authenticate, what is registered in the simulated
//! Segura (devices, device domains, JIT plugins and templates), token lifetime and faults.
//! Loadable from YAML ([`SimulatorConfig::from_yaml`]); `examples/simulator.yaml` holds
//! [`SimulatorConfig::demo`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::faults::Faults;

/// Default token lifetime, in seconds (the vendor's sample answer says 3600).
pub const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 3600;

/// Client id of the demo configuration.
pub const DEMO_CLIENT_ID: &str = "demo-client";
/// Client secret of the demo configuration (a demo value, public on purpose).
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";

/// What an A2A authorization may do with PAM Core.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read and write: every call.
    #[default]
    ReadWrite,
    /// Read only: writes answer `1039: Without PAM Configuration Access permission`.
    ReadOnly,
    /// No access to PAM Core: every call answers 500 `You are not authorized to access this
    /// resource.`
    None,
}

/// A client secret; `Debug` never shows it.
#[derive(Serialize, Deserialize, Clone, PartialEq, Eq, Default)]
#[serde(transparent)]
pub struct ClientSecret(String);

impl ClientSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for comparing with what a client sends.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// An OAuth2 client (an A2A authorization).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// OAuth2 client id.
    pub client_id: String,
    /// OAuth2 client secret (redacted in `Debug`).
    pub client_secret: ClientSecret,
    /// What the authorization may do.
    #[serde(default)]
    pub permission: Permission,
}

impl ClientConfig {
    /// A client with the given permission.
    pub fn new(client_id: &str, client_secret: &str, permission: Permission) -> Self {
        Self {
            client_id: client_id.to_string(),
            client_secret: ClientSecret::new(client_secret),
            permission,
        }
    }
}

/// A device registered in PAM Core; credentials attach to it by hostname and ip.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceConfig {
    /// Device hostname (compared exactly).
    pub hostname: String,
    /// Device address (compared exactly).
    pub ip: String,
}

impl DeviceConfig {
    /// A device.
    pub fn new(hostname: &str, ip: &str) -> Self {
        Self {
            hostname: hostname.to_string(),
            ip: ip.to_string(),
        }
    }
}

/// Everything the simulator starts with.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SimulatorConfig {
    /// OAuth2 clients.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    /// Registered devices (error 1011 for any other hostname+ip).
    #[serde(default)]
    pub devices: Vec<DeviceConfig>,
    /// Registered device domains (error 1029 for any other `device_domain`).
    #[serde(default)]
    pub domains: Vec<String>,
    /// Registered JIT plugins (error 1046 for any other).
    #[serde(default)]
    pub plugins: Vec<String>,
    /// Registered JIT templates (error 1047 for any other).
    #[serde(default)]
    pub templates: Vec<String>,
    /// Lifetime of issued tokens, in seconds.
    #[serde(default = "default_token_lifetime")]
    pub token_lifetime_secs: u64,
    /// Whether an upsert that hits a deactivated credential also reactivates it.
    /// *Unconfirmed* what Segura does; the default (`false`) updates it and leaves it inactive.
    #[serde(default)]
    pub reactivate_on_upsert: bool,
    /// Faults active from the start.
    #[serde(default)]
    pub faults: Faults,
}

fn default_token_lifetime() -> u64 {
    DEFAULT_TOKEN_LIFETIME_SECS
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            clients: Vec::new(),
            devices: Vec::new(),
            domains: Vec::new(),
            plugins: Vec::new(),
            templates: Vec::new(),
            token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
            reactivate_on_upsert: false,
            faults: Faults::default(),
        }
    }
}

impl SimulatorConfig {
    /// Reads a configuration from YAML.
    pub fn from_yaml(yaml: &str) -> anyhow::Result<Self> {
        serde_saphyr::from_str(yaml).map_err(|e| anyhow::anyhow!("simulator config: {e}"))
    }

    /// The demo configuration: one read-write client (`demo-client` / `demo-secret`) and the
    /// devices, domains, plugins and templates that every example request of the vendor's
    /// create page (and of the vendor's Ansible collection) needs.
    pub fn demo() -> Self {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        Self {
            clients: vec![ClientConfig::new(
                DEMO_CLIENT_ID,
                DEMO_CLIENT_SECRET,
                Permission::ReadWrite,
            )],
            devices: vec![
                DeviceConfig::new("w2016", "10.66.33.15"),
                DeviceConfig::new("API-Testing", "128.0.0.1"),
                DeviceConfig::new("API_DEVICE_1", "localhost"),
                DeviceConfig::new("example-001", "192.168.10.10"),
                DeviceConfig::new("example-002", "192.168.10.20"),
            ],
            domains: strings(&[
                "testlab.com",
                "demo.lab.com",
                "qakm.lab.mt4.dev",
                "my_device_domain",
            ]),
            plugins: strings(&["SSH", "LDAP"]),
            templates: strings(&[
                "Linux - Create User",
                "Linux - Remove User",
                "AD - Activate User",
                "AD - Deactivate User",
            ]),
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secret() {
        let c = ClientConfig::new("a", "s3cr3t-value", Permission::ReadOnly);
        let dbg = format!(
            "{:?}",
            SimulatorConfig {
                clients: vec![c],
                ..SimulatorConfig::default()
            }
        );
        assert!(!dbg.contains("s3cr3t-value"), "{dbg}");
        assert!(dbg.contains("<redacted>"));
    }

    #[test]
    fn example_file_is_the_demo() {
        let yaml = include_str!("../../examples/simulator.yaml");
        let parsed = SimulatorConfig::from_yaml(yaml).unwrap();
        assert_eq!(parsed, SimulatorConfig::demo());
    }

    #[test]
    fn minimal_yaml_gets_defaults() {
        let cfg = SimulatorConfig::from_yaml(
            "clients:\n  - client_id: x\n    client_secret: y\n    permission: read_only\n",
        )
        .unwrap();
        assert_eq!(cfg.token_lifetime_secs, DEFAULT_TOKEN_LIFETIME_SECS);
        assert_eq!(cfg.clients[0].permission, Permission::ReadOnly);
        assert_eq!(cfg.faults, Faults::default());
    }
}
