//! What the simulated PAM Core has registered (devices, device domains, JIT plugins and
//! templates) and the checks of an upsert's parameters against the create page's errors.
//! Pure functions.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::config::{DeviceConfig, SimulatorConfig};
use super::params::{text, truthy};
use crate::segura::api::{ErrorCode, JIT_VARIANTS, UPSERT_PARAMS, identifier_is_valid};

/// What exists in the simulated Segura besides credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Registry {
    /// Registered devices.
    pub devices: BTreeSet<DeviceConfig>,
    /// Registered device domains.
    pub domains: BTreeSet<String>,
    /// Registered JIT plugins.
    pub plugins: BTreeSet<String>,
    /// Registered JIT templates.
    pub templates: BTreeSet<String>,
}

impl Registry {
    /// The registry a configuration describes.
    pub fn from_config(cfg: &SimulatorConfig) -> Self {
        Self {
            devices: cfg.devices.iter().cloned().collect(),
            domains: cfg.domains.iter().cloned().collect(),
            plugins: cfg.plugins.iter().cloned().collect(),
            templates: cfg.templates.iter().cloned().collect(),
        }
    }

    fn has_device(&self, hostname: &str, ip: &str) -> bool {
        self.devices.contains(&DeviceConfig::new(hostname, ip))
    }
}

/// The upsert's parameters as the server keeps them: only the page's parameters (others,
/// such as the additional-settings example's top-level `notes`, are ignored), `null` counted
/// as absent, and object parameters sent as JSON text (possible in a form body) decoded
/// (*unconfirmed* leniency).
pub fn normalize(params: &Map<String, Value>) -> Map<String, Value> {
    const OBJECTS: [&str; 4] = [
        "execution_settings",
        "session_settings",
        "additional_settings",
        "jit_settings",
    ];
    let mut out = Map::new();
    for key in UPSERT_PARAMS {
        let Some(v) = params.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        let v = match v {
            Value::String(s) if OBJECTS.contains(&key) => match serde_json::from_str::<Value>(s) {
                Ok(parsed @ (Value::Object(_) | Value::Array(_))) => parsed,
                _ => v.clone(),
            },
            _ => v.clone(),
        };
        out.insert(key.to_string(), v);
    }
    out
}

/// Checks normalized upsert parameters, in this order (the page gives none; *unconfirmed*):
/// 1042 `username` absent, 1053 identifier characters, 1004 hostname, 1005 ip, 1011 device,
/// 1029 device domains, then 1046/1047 for each enabled JIT variant.
pub fn check_upsert(params: &Map<String, Value>, reg: &Registry) -> Result<(), ErrorCode> {
    if text(params.get("username")).is_none() {
        return Err(ErrorCode::InvalidUsername);
    }
    if let Some(id) = text(params.get("identifier"))
        && !identifier_is_valid(&id)
    {
        return Err(ErrorCode::InvalidIdentifier);
    }
    let hostname = non_empty(params.get("hostname")).ok_or(ErrorCode::HostnameMissing)?;
    let ip = non_empty(params.get("ip")).ok_or(ErrorCode::IpMissing)?;
    if !reg.has_device(&hostname, &ip) {
        return Err(ErrorCode::DeviceNotFound);
    }
    if !domains_registered(params.get("device_domain"), reg) {
        return Err(ErrorCode::DomainNotRegistered);
    }
    check_jit(params.get("jit_settings"), reg)
}

/// Text that is not blank.
fn non_empty(v: Option<&Value>) -> Option<String> {
    text(v).filter(|s| !s.trim().is_empty())
}

/// `device_domain`: absent, empty or the default `-` is fine; otherwise a comma-separated list
/// of registered domains with no space anywhere (the page's rule) and no empty item.
fn domains_registered(v: Option<&Value>, reg: &Registry) -> bool {
    let Some(list) = v else { return true };
    let Some(list) = text(Some(list)) else {
        return false;
    };
    if list.is_empty() || list == "-" {
        return true;
    }
    if list.chars().any(char::is_whitespace) {
        return false;
    }
    list.split(',').all(|d| reg.domains.contains(d))
}

/// Each enabled JIT variant needs its plugins (1046), then its templates (1047), registered.
/// A variant is enabled by its own flag, whatever the `jit` master switch says.
fn check_jit(v: Option<&Value>, reg: &Registry) -> Result<(), ErrorCode> {
    let Some(Value::Object(jit)) = v else {
        return Ok(());
    };
    for variant in JIT_VARIANTS {
        if !truthy(jit.get(variant.flag)) {
            continue;
        }
        let known = |key: &str, set: &BTreeSet<String>| {
            non_empty(jit.get(key)).is_some_and(|name| set.contains(&name))
        };
        if !variant.plugins.iter().all(|k| known(k, &reg.plugins)) {
            return Err(ErrorCode::PluginNotInformed);
        }
        if !variant.templates.iter().all(|k| known(k, &reg.templates)) {
            return Err(ErrorCode::TemplateNotInformed);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(body: Value) -> Result<(), ErrorCode> {
        let Value::Object(m) = body else {
            panic!("object expected")
        };
        check_upsert(
            &normalize(&m),
            &Registry::from_config(&SimulatorConfig::demo()),
        )
    }

    #[test]
    fn codes() {
        let ok = json!({"username": "", "hostname": "w2016", "ip": "10.66.33.15"});
        assert_eq!(check(ok), Ok(()));
        let cases = [
            (json!({"hostname": "w2016", "ip": "10.66.33.15"}), 1042),
            (
                json!({"username": null, "hostname": "w2016", "ip": "10.66.33.15"}),
                1042,
            ),
            (
                json!({"username": "u", "identifier": "a b", "hostname": "w2016", "ip": "x"}),
                1053,
            ),
            (
                json!({"username": "u", "hostname": " ", "ip": "10.66.33.15"}),
                1004,
            ),
            (json!({"username": "u", "hostname": "w2016"}), 1005),
            (
                json!({"username": "u", "hostname": "w2016", "ip": "1.1.1.1"}),
                1011,
            ),
            (
                json!({"username": "u", "hostname": "w2016", "ip": "10.66.33.15",
                       "device_domain": "testlab.com, demo.lab.com"}),
                1029,
            ),
        ];
        for (body, code) in cases {
            assert_eq!(
                check(body.clone()).map_err(|c| c.number()),
                Err(code),
                "{body}"
            );
        }
    }

    #[test]
    fn dotted_identifier_and_domains_pass() {
        let body = json!({"username": "u", "identifier": "a.b_c-1", "hostname": "w2016",
                          "ip": "10.66.33.15", "device_domain": "testlab.com,demo.lab.com"});
        assert_eq!(check(body), Ok(()));
    }

    #[test]
    fn unknown_keys_dropped_and_json_text_decoded() {
        let m = json!({"notes": "x", "username": "u", "jit_settings": "{\"jit\":true}"});
        let Value::Object(m) = m else { panic!() };
        assert_eq!(
            Value::Object(normalize(&m)),
            json!({"username": "u", "jit_settings": {"jit": true}})
        );
    }
}
