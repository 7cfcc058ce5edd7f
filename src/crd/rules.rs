//! The conditional requirements of the vendor's page, written once as CEL rules for the CRD
//! (`x-kubernetes-validations`, enforced by the API server at admission) and once as Rust for
//! the operator and `sync` (see [`crate::crd::validate`]). Messages are shared so a user sees the
//! same words from `kubectl apply` and from the `Ready` condition.

/// CEL: the authentication credential, hostname and ip are required unless the credential
/// connects with itself. Used on `executionSettings`, `sessionSettings` and `jitSettings`.
pub const AUTH_REQUIRED: &str = "(has(self.useOwnCredentialToConnect) && self.useOwnCredentialToConnect) || (has(self.authenticationCredential) && has(self.authenticationHostname) && has(self.authenticationIp))";
/// Message of [`AUTH_REQUIRED`].
pub const AUTH_REQUIRED_MSG: &str = "authenticationCredential, authenticationHostname and authenticationIp are required unless useOwnCredentialToConnect is true";

/// CEL: an enabled JIT configuration picks exactly one of its two variants.
pub const JIT_ONE_VARIANT: &str = "!(has(self.jit) && self.jit) || ((has(self.credentialCreationAndDeletion) && self.credentialCreationAndDeletion) != (has(self.enableDisableCredential) && self.enableDisableCredential))";
/// Message of [`JIT_ONE_VARIANT`].
pub const JIT_ONE_VARIANT_MSG: &str = "when jit is true, exactly one of credentialCreationAndDeletion and enableDisableCredential must be true";

/// CEL: the create/delete variant names its plugins (Segura error 1046 otherwise).
pub const JIT_CREATE_DELETE_PLUGINS: &str = "!(has(self.credentialCreationAndDeletion) && self.credentialCreationAndDeletion) || (has(self.credentialCreationPlugin) && has(self.credentialDeletionPlugin))";
/// Message of [`JIT_CREATE_DELETE_PLUGINS`].
pub const JIT_CREATE_DELETE_PLUGINS_MSG: &str = "credentialCreationPlugin and credentialDeletionPlugin are required when credentialCreationAndDeletion is true (Segura 1046: Plugin not informed)";

/// CEL: the create/delete variant names its templates (Segura error 1047 otherwise).
pub const JIT_CREATE_DELETE_TEMPLATES: &str = "!(has(self.credentialCreationAndDeletion) && self.credentialCreationAndDeletion) || (has(self.credentialCreationTemplate) && has(self.credentialDeletionTemplate))";
/// Message of [`JIT_CREATE_DELETE_TEMPLATES`].
pub const JIT_CREATE_DELETE_TEMPLATES_MSG: &str = "credentialCreationTemplate and credentialDeletionTemplate are required when credentialCreationAndDeletion is true (Segura 1047: Template plugin not informed)";

/// CEL: the enable/disable variant names its plugins (Segura error 1046 otherwise).
pub const JIT_ENABLE_DISABLE_PLUGINS: &str = "!(has(self.enableDisableCredential) && self.enableDisableCredential) || (has(self.credentialEnablePlugin) && has(self.credentialDisablePlugin))";
/// Message of [`JIT_ENABLE_DISABLE_PLUGINS`].
pub const JIT_ENABLE_DISABLE_PLUGINS_MSG: &str = "credentialEnablePlugin and credentialDisablePlugin are required when enableDisableCredential is true (Segura 1046: Plugin not informed)";

/// CEL: the enable/disable variant names its templates (Segura error 1047 otherwise).
pub const JIT_ENABLE_DISABLE_TEMPLATES: &str = "!(has(self.enableDisableCredential) && self.enableDisableCredential) || (has(self.credentialEnableTemplate) && has(self.credentialDisableTemplate))";
/// Message of [`JIT_ENABLE_DISABLE_TEMPLATES`].
pub const JIT_ENABLE_DISABLE_TEMPLATES_MSG: &str = "credentialEnableTemplate and credentialDisableTemplate are required when enableDisableCredential is true (Segura 1047: Template plugin not informed)";

/// Pattern of `identifier` (the page's alert: letters, digits, `_`, `-` and `.`).
pub const IDENTIFIER_PATTERN: &str = "^[A-Za-z0-9._-]*$";
/// Longest `identifier` the CRD accepts (`maxLength`).
pub const IDENTIFIER_MAX_LEN: usize = 255;
/// Message for an identifier longer than [`IDENTIFIER_MAX_LEN`].
pub const IDENTIFIER_TOO_LONG_MSG: &str = "may not be more than 255 characters";
/// Message for an identifier that breaks [`IDENTIFIER_PATTERN`].
pub const IDENTIFIER_MSG: &str = "may contain only letters, digits, '_', '-' and '.' (Segura 1053)";

/// Pattern of a comma-joined list item (`tags`, `deviceTags`, `deviceDomain`): the operator
/// joins items with commas, so an item may hold neither a comma nor surrounding spaces.
/// `\s` is the API server's (Go RE2): exactly `[\t\n\f\r ]`, no other Unicode space.
pub const LIST_ITEM_PATTERN: &str = r"^[^,\s]([^,]*[^,\s])?$";
/// Message for a list item that breaks [`LIST_ITEM_PATTERN`].
pub const LIST_ITEM_MSG: &str =
    "items must be non-empty, hold no comma and no leading or trailing space";
/// Message for an empty Secret name or key in a `secretKeyRef` (the CRD's `minLength: 1`).
pub const SECRET_REF_EMPTY_MSG: &str = "must not be empty";
