//! Every Segura-specific fact in one place: paths, the answer envelope, error codes and their
//! texts, and how each failure is classified. The client, the simulator and the controller all
//! read them from here. Points marked *unconfirmed* come from the vendor's other pages or its
//! Ansible collection rather than the create page, and are configurable where they matter.

use serde::{Deserialize, Serialize};

/// Default path prefix of the PAM Core API (the create page's `/api/pam/credential`).
pub const DEFAULT_PREFIX: &str = "/api";
/// Prefix used by the vendor's Ansible collection (`/iso/pam/credential`). *Unconfirmed* which
/// prefix every server version serves; the simulator serves both.
pub const ISO_PREFIX: &str = "/iso";
/// Path of the credential collection, below the prefix.
pub const CREDENTIAL_PATH: &str = "/pam/credential";
/// Default OAuth2 token path (client-credentials grant, form-encoded).
pub const DEFAULT_TOKEN_PATH: &str = "/iso/oauth2/token";
/// Tenant name the simulator answers with (the page's sample).
pub const SAMPLE_TENANT: &str = "Segura";

/// Message of a successful create or update.
pub const MSG_REGISTERED: &str = "Credential successfully registered!";
/// Message of a successful update (*unconfirmed*: the page shows only the create message).
pub const MSG_UPDATED: &str = "Credential successfully updated!";
/// Message of a successful deactivation.
pub const MSG_DEACTIVATED: &str = "Credential successfully deactivated";
/// The gateway's answer to a request without an Authorization header.
pub const MSG_NO_ROUTE: &str = "No route matched with those values.";
/// Answer to a bad client id or secret, or a bad or expired token.
pub const MSG_CLIENT_AUTH_FAILED: &str = "Client authentication failed.";
/// Answer to a bad OAuth 1.0a signature.
pub const MSG_INVALID_SIGNATURE: &str = "Invalid signature";
/// 500 answer of an authorization without access to the resource.
pub const MSG_NOT_AUTHORIZED: &str = "You are not authorized to access this resource.";
/// 404 answer for an unknown path.
pub const MSG_RESOURCE_NOT_FOUND: &str = "Resource sub not found";
/// 500 answer of a server-side failure.
pub const MSG_UNEXPECTED: &str = "Unexpected error.";
/// Answer of a request that timed out at the gateway.
pub const MSG_TIMED_OUT: &str = "Request timed out.";

/// Message of a successful reactivation (`PUT /pam/credential/{id}`; *unconfirmed* text).
pub const MSG_ACTIVATED: &str = "Credential successfully activated";
/// Message of a credential list (`GET /pam/credential`; *unconfirmed* text).
pub const MSG_LISTED: &str = "Credentials successfully listed";
/// Message of a single credential view (`GET /pam/credential/{id}`; *unconfirmed* text).
pub const MSG_FOUND: &str = "Credential successfully found";
/// Message of a custody release (`DELETE /pam/credential/custody/{id}`; *unconfirmed* text).
pub const MSG_CUSTODY_RELEASED: &str = "Credential custody successfully released";
/// Answer to a rate-limited request (HTTP 429; *unconfirmed* text, the gateway's usual one).
pub const MSG_RATE_LIMITED: &str = "API rate limit exceeded";

/// Value an empty `username` is changed to.
pub const DEFAULT_USERNAME: &str = "usr";

/// Every body parameter of the upsert, in the page's order.
pub const UPSERT_PARAMS: [&str; 22] = [
    "identifier",
    "username",
    "hostname",
    "ip",
    "content",
    "additional",
    "tags",
    "credential_type",
    "domain",
    "parent_password",
    "type",
    "vendor",
    "model",
    "site",
    "device_domain",
    "device_tags",
    "connectivities",
    "session_remote_config",
    "execution_settings",
    "session_settings",
    "additional_settings",
    "jit_settings",
];

/// The "New credential default value" of each optional parameter: `credential_type` is
/// `Local User`, every other one `-` (objects included, as the page says).
pub fn new_credential_default(param: &str) -> &'static str {
    if param == "credential_type" {
        "Local User"
    } else {
        "-"
    }
}

/// Whether an identifier holds only letters, digits, `_`, `-` and `.` (the page's pattern and
/// alert; error 1053's own text leaves `.` out, and the pattern wins).
pub fn identifier_is_valid(identifier: &str) -> bool {
    identifier
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// One JIT variant of `jit_settings`: the flag that enables it and the plugin and template
/// keys it then requires (each must name a plugin or template registered in Segura).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitVariant {
    /// Key of the boolean that enables the variant.
    pub flag: &'static str,
    /// Plugin keys required when enabled (error 1046 when missing or unknown).
    pub plugins: [&'static str; 2],
    /// Template keys required when enabled (error 1047 when missing or unknown).
    pub templates: [&'static str; 2],
}

/// The two JIT variants of the page.
pub const JIT_VARIANTS: [JitVariant; 2] = [
    JitVariant {
        flag: "credential_creation_and_deletion",
        plugins: ["credential_creation_plugin", "credential_deletion_plugin"],
        templates: [
            "credential_creation_template",
            "credential_deletion_template",
        ],
    },
    JitVariant {
        flag: "enable_disable_credential",
        plugins: ["credential_enable_plugin", "credential_disable_plugin"],
        templates: ["credential_enable_template", "credential_disable_template"],
    },
];

/// The numbered errors of the create page and the vendor's related pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 1004: hostname missing.
    HostnameMissing,
    /// 1005: ip missing.
    IpMissing,
    /// 1007: credential not found.
    CredentialNotFound,
    /// 1008: credential inactive.
    CredentialInactive,
    /// 1009: no access to the credential.
    NoAccessToCredential,
    /// 1011: device not found.
    DeviceNotFound,
    /// 1018: credential not in the user's custody.
    NotInCustody,
    /// 1029: device domain not registered.
    DomainNotRegistered,
    /// 1039: authorization lacks PAM Core read-write permission.
    PermissionDenied,
    /// 1042: username missing.
    InvalidUsername,
    /// 1046: JIT plugin missing.
    PluginNotInformed,
    /// 1047: JIT template missing.
    TemplateNotInformed,
    /// 1053: forbidden characters in the identifier.
    InvalidIdentifier,
}

/// How a failure is retried (see the design's table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The request can never succeed as it is: wait for the resource to change.
    InvalidSpec,
    /// Something the request names does not exist in Segura yet: long, capped backoff.
    MissingDependency,
    /// Credentials or permissions: renew the token once, then back off.
    Authorization,
    /// Server, network or rate limit: exponential backoff with jitter.
    Transient,
}

impl ErrorCode {
    /// Every known code, for tables and tests.
    pub const ALL: [ErrorCode; 13] = [
        Self::HostnameMissing,
        Self::IpMissing,
        Self::CredentialNotFound,
        Self::CredentialInactive,
        Self::NoAccessToCredential,
        Self::DeviceNotFound,
        Self::NotInCustody,
        Self::DomainNotRegistered,
        Self::PermissionDenied,
        Self::InvalidUsername,
        Self::PluginNotInformed,
        Self::TemplateNotInformed,
        Self::InvalidIdentifier,
    ];

    /// The number Segura uses.
    pub fn number(self) -> u32 {
        match self {
            Self::HostnameMissing => 1004,
            Self::IpMissing => 1005,
            Self::CredentialNotFound => 1007,
            Self::CredentialInactive => 1008,
            Self::NoAccessToCredential => 1009,
            Self::DeviceNotFound => 1011,
            Self::NotInCustody => 1018,
            Self::DomainNotRegistered => 1029,
            Self::PermissionDenied => 1039,
            Self::InvalidUsername => 1042,
            Self::PluginNotInformed => 1046,
            Self::TemplateNotInformed => 1047,
            Self::InvalidIdentifier => 1053,
        }
    }

    /// The code for a number, if known.
    pub fn from_number(n: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.number() == n)
    }

    /// Segura's text after `NNNN: `, as on the vendor's pages.
    pub fn text(self) -> &'static str {
        match self {
            Self::HostnameMissing => "The device's hostname was not informed",
            Self::IpMissing => "The device's IP was not informed",
            Self::CredentialNotFound => "Credential not found",
            Self::CredentialInactive => "Credential inactive",
            Self::NoAccessToCredential => "No access to credential",
            Self::DeviceNotFound => "Device not found",
            Self::NotInCustody => "The credential is not in the user custody",
            Self::DomainNotRegistered => {
                "It is not possible to enter a domain that has not been previously registered"
            }
            Self::PermissionDenied => "Without PAM Configuration Access permission",
            Self::InvalidUsername => "Invalid username",
            Self::PluginNotInformed => "Plugin not informed",
            Self::TemplateNotInformed => "Template plugin not informed",
            Self::InvalidIdentifier => {
                "The identifier can only contain letters, numbers, \"_\" and \"-\"."
            }
        }
    }

    /// The full message Segura sends: `"NNNN: text"`.
    pub fn message(self) -> String {
        format!("{}: {}", self.number(), self.text())
    }

    /// The `Ready` condition reason for this code (PascalCase, bounded: usable as a metric label).
    pub fn reason(self) -> &'static str {
        match self {
            Self::HostnameMissing => "HostnameMissing",
            Self::IpMissing => "IpMissing",
            Self::CredentialNotFound => "CredentialNotFound",
            Self::CredentialInactive => "CredentialInactive",
            Self::NoAccessToCredential => "NoAccessToCredential",
            Self::DeviceNotFound => "DeviceNotFound",
            Self::NotInCustody => "NotInCustody",
            Self::DomainNotRegistered => "DomainNotRegistered",
            Self::PermissionDenied => "PermissionDenied",
            Self::InvalidUsername => "InvalidUsername",
            Self::PluginNotInformed => "PluginNotInformed",
            Self::TemplateNotInformed => "TemplateNotInformed",
            Self::InvalidIdentifier => "InvalidIdentifier",
        }
    }

    /// The retry class of this code.
    pub fn class(self) -> ErrorClass {
        match self {
            Self::HostnameMissing
            | Self::IpMissing
            | Self::InvalidUsername
            | Self::PluginNotInformed
            | Self::TemplateNotInformed
            | Self::InvalidIdentifier => ErrorClass::InvalidSpec,
            Self::DeviceNotFound | Self::DomainNotRegistered => ErrorClass::MissingDependency,
            Self::PermissionDenied | Self::NoAccessToCredential | Self::NotInCustody => {
                ErrorClass::Authorization
            }
            Self::CredentialNotFound | Self::CredentialInactive => ErrorClass::MissingDependency,
        }
    }
}

/// Reads the leading `NNNN` of a message such as `"1011: Device not found"`.
pub fn code_in_message(message: &str) -> Option<u32> {
    let digits: String = message
        .trim_start_matches(['"', ' '])
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let rest = &message.trim_start_matches(['"', ' '])[digits.len()..];
    if (4..=5).contains(&digits.len()) && rest.starts_with(':') {
        digits.parse().ok()
    } else {
        None
    }
}

/// The `response` object of every answer, with its English and Portuguese keys.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ResponseStatus {
    /// HTTP status repeated.
    #[serde(default)]
    pub status: u16,
    /// Message (`"NNNN: text"` on numbered errors).
    #[serde(default)]
    pub message: String,
    /// Whether this is an error.
    #[serde(default)]
    pub error: bool,
    /// Error number, 0 on success (sometimes left 0 on errors: read the message too).
    #[serde(default, deserialize_with = "lenient_u32")]
    pub error_code: u32,
    /// Detail text.
    #[serde(default)]
    pub detail: String,
    /// Portuguese `message`.
    #[serde(default)]
    pub mensagem: String,
    /// Portuguese `error`.
    #[serde(default)]
    pub erro: bool,
    /// Portuguese `error_code`.
    #[serde(default, deserialize_with = "lenient_u32")]
    pub cod_erro: u32,
    /// `"true"`/`"false"`: whether the upsert changed anything (*unconfirmed* beyond the
    /// vendor's Ansible client; absent means "changed").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<String>,
}

/// The credential reference in a create/update answer.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialRef {
    /// Segura's id, a string of digits.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// The identifier, generated by Segura when none was sent.
    #[serde(default)]
    pub identifier: String,
}

/// One entry of `GET /pam/credential` (no password). *Unconfirmed* field set beyond these.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialSummary {
    /// Segura's id.
    #[serde(deserialize_with = "string_or_number")]
    pub id: String,
    /// The identifier.
    #[serde(default)]
    pub identifier: String,
    /// The username.
    #[serde(default)]
    pub username: String,
    /// The device hostname.
    #[serde(default)]
    pub hostname: String,
    /// The device ip.
    #[serde(default)]
    pub ip: String,
    /// The credential type.
    #[serde(default, rename = "type")]
    pub type_: String,
    /// Whether the credential is active (deactivated ones are kept by Segura).
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// The answer envelope: `{"code", "response", "tenant", "credential" | "credentials"}`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Envelope {
    /// HTTP status repeated.
    #[serde(default)]
    pub code: u16,
    /// Status block.
    #[serde(default)]
    pub response: ResponseStatus,
    /// Tenant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// The credential of a create/update answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<CredentialRef>,
    /// The credentials of a list answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Vec<CredentialSummary>>,
}

impl Envelope {
    /// A success answer with `message` (both languages).
    pub fn ok(status: u16, message: &str) -> Self {
        Self {
            code: status,
            response: ResponseStatus {
                status,
                message: message.to_string(),
                mensagem: message.to_string(),
                ..Default::default()
            },
            tenant: Some(SAMPLE_TENANT.to_string()),
            ..Default::default()
        }
    }

    /// An error answer; `code` fills `error_code`/`cod_erro` when given.
    pub fn error(status: u16, message: &str, code: Option<u32>) -> Self {
        let n = code.unwrap_or(0);
        Self {
            code: status,
            response: ResponseStatus {
                status,
                message: message.to_string(),
                error: true,
                error_code: n,
                detail: String::new(),
                mensagem: message.to_string(),
                erro: true,
                cod_erro: n,
                changed: None,
            },
            tenant: Some(SAMPLE_TENANT.to_string()),
            ..Default::default()
        }
    }

    /// The error number: `error_code`, else `cod_erro`, else the one leading the message.
    pub fn error_number(&self) -> Option<u32> {
        [self.response.error_code, self.response.cod_erro]
            .into_iter()
            .find(|n| *n != 0)
            .or_else(|| code_in_message(&self.response.message))
            .or_else(|| code_in_message(&self.response.mensagem))
    }
}

fn lenient_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Number(n) => n.as_u64().unwrap_or(0) as u32,
        serde_json::Value::String(s) => s.trim().parse().unwrap_or(0),
        _ => 0,
    })
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(serde::de::Error::custom(format!(
            "expected a string or number id, got {other}"
        ))),
    }
}

/// OAuth2 token answer.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
pub struct TokenResponse {
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime in seconds.
    pub expires_in: u64,
    /// The bearer token.
    pub access_token: String,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("access_token", &"<redacted>")
            .finish()
    }
}

/// OAuth2 error codes (RFC 6749 §5.2) the token endpoint may answer with that mean the client
/// id, secret or grant is refused: an authorization problem, not a transient one.
pub const OAUTH_AUTH_ERRORS: [&str; 4] = [
    "invalid_client",
    "unauthorized_client",
    "invalid_grant",
    "access_denied",
];
/// Margin before a token's expiry at which it is renewed: a tenth of its lifetime, at most this.
pub const TOKEN_RENEW_MARGIN_MAX_SECS: u64 = 60;
/// Header field Segura's gateway sets on 429 answers (seconds).
pub const RETRY_AFTER: &str = "retry-after";

/// `Ready` reason of a 4xx answer carrying no known code: Segura rejected the request as it is
/// (class [`ErrorClass::InvalidSpec`]).
pub const REASON_REJECTED: &str = "Rejected";
