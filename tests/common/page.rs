//! The request bodies of the vendor's create page, one per example file, as printed on the
//! page (and, for the additional-settings example, with its two named deviations applied).

use serde_json::{Value, json};

/// The page's body for an `examples/*.yaml` file, as the operator must send it.
pub fn expected_body(file: &str) -> Value {
    match file {
        "01-new-identifier.yaml" => json!({
            "identifier": "dyaihdppaj78a547",
            "username" : "username",
            "hostname": "w2016",
            "ip": "10.66.33.15",
            "content": "blfjahbnaihdaa",
            "tags": "social"
        }),
        "02-new-username.yaml" => json!({
            "username" : "newusername",
            "hostname": "w2016",
            "ip": "10.66.33.15",
            "content": "blfjahbnaihdaa",
            "identifier": "",
            "tags": "social"
        }),
        "03-execution-settings.yaml" => json!({
            "username": "usernametest",
            "hostname": "API-Testing",
            "ip": "128.0.0.1",
            "execution_settings": {
                "parent_credential": "cred2",
                "parent_hostname": "gmail",
                "parent_ip": "https://www.gmail.com",
                "automatic_change": true,
                "agent_based_password_change": true,
                "change_plugin": "SSH",
                "change_template": "3COM",
                "use_own_credential_to_connect": false,
                "authentication_credential": "cred2",
                "authentication_hostname": "gmail",
                "authentication_ip": "https://www.gmail.com",
                "status": true,
                "reconciliation_credential": "cred2",
                "reconciliation_hostname": "gmail",
                "reconciliation_ip": "https://www.gmail.com",
                "reconciliation_plugin": "SSH",
                "reconciliation_template": "3COM"
            }
        }),
        "04-session-settings.yaml" => json!({
            "username": "usernametest",
            "hostname": "API-Testing",
            "ip": "128.0.0.1",
            "session_settings": {
                "SSH": true,
                "Telnet": true,
                "MySQL": true,
                "SQL Server": true,
                "HTTP": true,
                "HTTPS": true,
                "RDP": true,
                "X11 Forward": true,
                "VNC": true,
                "restrict_access_to_remote_application": true,
                "macros": [
                    {"remote_app": "MySQL", "connectivity": "SSH"},
                    {"remote_app": "Kaspersky", "connectivity": "RDP"}
                ],
                "use_own_credential_to_connect": false,
                "authentication_credential": "cred2",
                "authentication_hostname": "gmail",
                "authentication_ip": "https://www.gmail.com"
            }
        }),
        "05-additional-settings.yaml" => additional_settings_with_deviations(),
        "06-jit-create-delete.yaml" => json!({
            "username": "API_CREDENTIAL_3",
            "hostname": "API_DEVICE_1",
            "ip": "localhost",
            "jit_settings": {
                "jit": true,
                "credential_creation_and_deletion": true,
                "enable_disable_credential": false,
                "use_own_credential_to_connect": false,
                "authentication_credential": "API_CREDENTIAL_1",
                "authentication_hostname": "API_DEVICE_1",
                "authentication_ip": "localhost",
                "credential_creation_plugin": "SSH",
                "credential_creation_template": "Linux - Create User",
                "credential_deletion_plugin": "SSH",
                "credential_deletion_template": "Linux - Remove User"
            }
        }),
        "07-jit-enable-disable.yaml" => json!({
            "username": "API_CREDENTIAL_3",
            "hostname": "API_DEVICE_1",
            "ip": "localhost",
            "jit_settings": {
                "jit": true,
                "enable_disable_credential": true,
                "use_own_credential_to_connect": true,
                "authentication_credential": "API_CREDENTIAL_1",
                "authentication_hostname": "API_DEVICE_1",
                "authentication_ip": "localhost",
                "credential_enable_plugin": "LDAP",
                "credential_enable_template": "AD - Activate User",
                "credential_disable_plugin": "LDAP",
                "credential_disable_template": "AD - Deactivate User"
            }
        }),
        other => panic!("no page body for {other}"),
    }
}

/// The page's additional-settings example exactly as printed.
pub fn page_additional_settings_example() -> Value {
    json!({
        "username": "usernametest",
        "hostname": "API-Testing",
        "ip": "128.0.0.1",
        "additional_settings": [{
            "identifier": "identifer",
            "user_credential_owner": "admin",
            "server_path": "/etc/host",
            "secret_key": "295B3LA1M6LRAHI2S7G1A36LMK6I4IWW",
            "criticality": "High",
            "additional_authentication_fields": [
                {"name": "name", "short_name": "short_name1", "value": "Enable"},
                {"name": "name2", "short_name": "short_name2", "value": "value"}
            ]
        }],
        "notes": "Credential to be used only in network A"
    })
}

/// The page's additional-settings example with the two deviations the project takes, named:
/// 1. `notes` goes inside each `additional_settings` object (the page's parameter list), not at
///    the top level (the page's example);
/// 2. `criticality` is the documented `high`, not the example's `High`.
pub fn additional_settings_with_deviations() -> Value {
    let mut expected = page_additional_settings_example();
    let notes = expected
        .as_object_mut()
        .and_then(|o| o.remove("notes"))
        .expect("page example has top-level notes");
    expected["additional_settings"][0]["notes"] = notes;
    expected["additional_settings"][0]["criticality"] = json!("high");
    expected
}

/// The seven example files that mirror the page, in order.
pub const PAGE_EXAMPLES: [&str; 7] = [
    "01-new-identifier.yaml",
    "02-new-username.yaml",
    "03-execution-settings.yaml",
    "04-session-settings.yaml",
    "05-additional-settings.yaml",
    "06-jit-create-delete.yaml",
    "07-jit-enable-disable.yaml",
];
