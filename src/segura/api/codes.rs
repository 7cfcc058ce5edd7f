//! Segura's numbered errors, their texts, `Ready` reasons and retry classes.

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

/// `Ready` reason of a 4xx answer carrying no known code: Segura rejected the request as it is
/// (class [`ErrorClass::InvalidSpec`]).
pub const REASON_REJECTED: &str = "Rejected";
