//! Every Segura-specific fact in one place: paths, the answer envelope, error codes and their
//! texts, and how each failure is classified. The client, the simulator and the controller all
//! read them from here. Points marked *unconfirmed* come from the vendor's other pages or its
//! Ansible collection rather than the create page, and are configurable where they matter.

mod codes;
mod envelope;

pub use codes::*;
pub use envelope::*;

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
