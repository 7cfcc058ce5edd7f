//! The simulated credential store and the create page's upsert rules, as pure functions on it.
//! Segura never hard-deletes: a deactivated credential stays, marked inactive.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::params::text;
use super::redact::redact;
use crate::segura::api::{
    CredentialRef, CredentialSummary, DEFAULT_USERNAME, ErrorCode, UPSERT_PARAMS,
    new_credential_default,
};

/// Parameters kept as their own fields of [`StoredCredential`] rather than in `fields`.
const CORE: [&str; 4] = ["identifier", "username", "hostname", "ip"];

/// One stored credential, with everything Segura keeps of it, password included.
/// `Debug` redacts secret values; the HTTP inspection view does too.
#[derive(Clone, PartialEq, Serialize)]
pub struct StoredCredential {
    /// Segura's id: a string of increasing integers (`"1"`, `"2"`, …).
    pub id: String,
    /// The identifier (sent, or a generated UUID v7).
    pub identifier: String,
    /// Username (`usr` when sent empty).
    pub username: String,
    /// Device hostname.
    pub hostname: String,
    /// Device ip.
    pub ip: String,
    /// False once deactivated by `DELETE`.
    pub active: bool,
    /// Every other parameter of the page, as last sent, the page's defaults filling the ones
    /// never sent: `content` is the password.
    pub fields: Map<String, Value>,
}

impl fmt::Debug for StoredCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredCredential")
            .field("id", &self.id)
            .field("identifier", &self.identifier)
            .field("username", &self.username)
            .field("hostname", &self.hostname)
            .field("ip", &self.ip)
            .field("active", &self.active)
            .field("fields", &redact(&Value::Object(self.fields.clone())))
            .finish()
    }
}

impl StoredCredential {
    /// The `{id, identifier}` reference of an answer.
    pub fn reference(&self) -> CredentialRef {
        CredentialRef {
            id: self.id.clone(),
            identifier: self.identifier.clone(),
        }
    }

    /// The list entry (no password). `type` is the credential type.
    pub fn summary(&self) -> CredentialSummary {
        CredentialSummary {
            id: self.id.clone(),
            identifier: self.identifier.clone(),
            username: self.username.clone(),
            hostname: self.hostname.clone(),
            ip: self.ip.clone(),
            type_: text(self.fields.get("credential_type")).unwrap_or_default(),
            active: self.active,
        }
    }

    /// The single-credential view of `GET /pam/credential/{id}`, WITH the password under
    /// `password` (*unconfirmed* field name) and every other stored field.
    pub fn full_view(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("identifier".into(), json!(self.identifier));
        m.insert("username".into(), json!(self.username));
        m.insert("hostname".into(), json!(self.hostname));
        m.insert("ip".into(), json!(self.ip));
        m.insert("active".into(), json!(self.active));
        for (k, v) in &self.fields {
            let key = if k == "content" { "password" } else { k };
            m.insert(key.into(), v.clone());
        }
        Value::Object(m)
    }
}

/// What an upsert will do (the two tables of the page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Update the credential at this index; rename it when `rename` holds a new identifier.
    Update {
        /// Index in the store.
        index: usize,
        /// The new identifier, when the credential was found by hostname+ip+username.
        rename: Option<String>,
    },
    /// Create a credential with this identifier; `None` means generate a UUID v7.
    Create {
        /// The identifier sent, if any.
        identifier: Option<String>,
    },
}

/// What an upsert did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// True when a credential was created (201), false when one was updated (200).
    pub created: bool,
    /// Whether any stored value changed.
    pub changed: bool,
    /// The credential's `{id, identifier}`.
    pub reference: CredentialRef,
}

/// The credentials, in creation order.
#[derive(Clone, Debug, Default)]
pub struct Store {
    creds: Vec<StoredCredential>,
    last_id: u64,
}

/// The username an upsert stores: the one sent, `usr` when empty.
pub fn effective_username(params: &Map<String, Value>) -> String {
    match text(params.get("username")) {
        Some(u) if !u.is_empty() => u,
        _ => DEFAULT_USERNAME.to_string(),
    }
}

/// A UUID v7 for `now`, its random bits drawn from `rng` (seedable).
pub fn new_identifier(rng: &mut fastrand::Rng) -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut bytes = [0u8; 10];
    rng.fill(&mut bytes);
    uuid::Builder::from_unix_timestamp_millis(millis, &bytes)
        .into_uuid()
        .to_string()
}

impl Store {
    /// Every credential, in creation order.
    pub fn all(&self) -> &[StoredCredential] {
        &self.creds
    }

    /// Decides an upsert of checked, normalized parameters:
    /// - identifier sent and stored → update it;
    /// - identifier sent and new → the credential with this hostname+ip+username is updated
    ///   and renamed, else one is created with that identifier;
    /// - no or empty identifier → the credential with this username (+hostname+ip) is
    ///   updated, else one is created with a generated identifier.
    pub fn decide(&self, params: &Map<String, Value>) -> Decision {
        let identifier = text(params.get("identifier")).filter(|s| !s.is_empty());
        if let Some(id) = &identifier
            && let Some(index) = self.creds.iter().position(|c| &c.identifier == id)
        {
            return Decision::Update {
                index,
                rename: None,
            };
        }
        let username = effective_username(params);
        let hostname = text(params.get("hostname")).unwrap_or_default();
        let ip = text(params.get("ip")).unwrap_or_default();
        let found = self
            .preferring_active(|c| c.username == username && c.hostname == hostname && c.ip == ip);
        match (found, identifier) {
            (Some(index), rename) => Decision::Update { index, rename },
            (None, identifier) => Decision::Create { identifier },
        }
    }

    /// Applies [`Store::decide`]'s decision. `generate` makes the identifier of a credential
    /// created without one; `reactivate` also reactivates an updated inactive credential.
    pub fn upsert(
        &mut self,
        params: &Map<String, Value>,
        generate: impl FnOnce() -> String,
        reactivate: bool,
    ) -> UpsertOutcome {
        match self.decide(params) {
            Decision::Update { index, rename } => {
                let cred = &mut self.creds[index];
                let before = cred.clone();
                if let Some(new) = rename {
                    cred.identifier = new;
                }
                apply(cred, params);
                if reactivate {
                    cred.active = true;
                }
                UpsertOutcome {
                    created: false,
                    changed: *cred != before,
                    reference: cred.reference(),
                }
            }
            Decision::Create { identifier } => {
                self.last_id += 1;
                let mut fields = Map::new();
                for key in UPSERT_PARAMS.iter().filter(|k| !CORE.contains(k)) {
                    fields.insert(key.to_string(), json!(new_credential_default(key)));
                }
                let mut cred = StoredCredential {
                    id: self.last_id.to_string(),
                    identifier: identifier.unwrap_or_else(generate),
                    username: String::new(),
                    hostname: String::new(),
                    ip: String::new(),
                    active: true,
                    fields,
                };
                apply(&mut cred, params);
                let reference = cred.reference();
                self.creds.push(cred);
                UpsertOutcome {
                    created: true,
                    changed: true,
                    reference,
                }
            }
        }
    }

    /// Index of the credential `x` names: an id, else an identifier, else `username@hostname`
    /// (split at the last `@`; an active match preferred).
    pub fn find(&self, x: &str) -> Option<usize> {
        if let Some(i) = self.creds.iter().position(|c| c.id == x) {
            return Some(i);
        }
        if let Some(i) = self.creds.iter().position(|c| c.identifier == x) {
            return Some(i);
        }
        let (user, host) = x.rsplit_once('@')?;
        self.preferring_active(|c| c.username == user && c.hostname == host)
    }

    /// The credential `x` names (see [`Store::find`]).
    pub fn get(&self, x: &str) -> Option<&StoredCredential> {
        self.find(x).map(|i| &self.creds[i])
    }

    /// Deactivates the credential `x` names: 1007 when none, 1008 when already inactive.
    pub fn deactivate(&mut self, x: &str) -> Result<CredentialRef, ErrorCode> {
        let i = self.find(x).ok_or(ErrorCode::CredentialNotFound)?;
        let cred = &mut self.creds[i];
        if !cred.active {
            return Err(ErrorCode::CredentialInactive);
        }
        cred.active = false;
        Ok(cred.reference())
    }

    /// Reactivates the credential `x` names: 1007 when none; `Ok(false)` when it was active.
    pub fn activate(&mut self, x: &str) -> Result<(CredentialRef, bool), ErrorCode> {
        let i = self.find(x).ok_or(ErrorCode::CredentialNotFound)?;
        let cred = &mut self.creds[i];
        let changed = !cred.active;
        cred.active = true;
        Ok((cred.reference(), changed))
    }

    fn preferring_active(&self, pred: impl Fn(&StoredCredential) -> bool) -> Option<usize> {
        let matching = || self.creds.iter().enumerate().filter(|(_, c)| pred(c));
        matching()
            .find(|(_, c)| c.active)
            .or_else(|| matching().next())
            .map(|(i, _)| i)
    }
}

/// Writes the sent parameters over a credential: username (empty → `usr`), hostname, ip and
/// every other parameter sent. A sent object replaces the stored one whole (*unconfirmed*:
/// Segura may merge keys).
fn apply(cred: &mut StoredCredential, params: &Map<String, Value>) {
    cred.username = effective_username(params);
    if let Some(h) = text(params.get("hostname")) {
        cred.hostname = h;
    }
    if let Some(ip) = text(params.get("ip")) {
        cred.ip = ip;
    }
    for (k, v) in params.iter().filter(|(k, _)| !CORE.contains(&k.as_str())) {
        cred.fields.insert(k.clone(), v.clone());
    }
}
