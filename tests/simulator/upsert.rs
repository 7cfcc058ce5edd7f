//! Both upsert tables of the page, row by row, and the finer points of an update.

use segura_operator::simulator::{SimulatorConfig, StoredCredential};
use serde_json::{Value, json};

use crate::support::{Harness, assert_created, assert_ok, assert_updated};

fn body(identifier: Option<&str>, username: &str, content: &str) -> Value {
    let mut b = json!({
        "username": username,
        "hostname": "w2016",
        "ip": "10.66.33.15",
        "content": content,
    });
    if let Some(i) = identifier {
        b["identifier"] = json!(i);
    }
    b
}

fn only(h: &Harness) -> StoredCredential {
    let creds = h.sim.credentials();
    assert_eq!(creds.len(), 1, "{creds:?}");
    creds[0].clone()
}

// Table 1, row 1: existing identifier → updated with the other parameters.
#[tokio::test]
async fn identifier_existing_updates_with_other_params() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(Some("app-db"), "alice", "one")).await;
    let (id, _) = assert_created(s, &b);
    h.sim.add_device("db01", "10.0.0.9");
    let mut update = body(Some("app-db"), "bob", "two");
    update["hostname"] = json!("db01");
    update["ip"] = json!("10.0.0.9");
    update["tags"] = json!("x,y");
    let (s, b) = h.upsert(&update).await;
    assert_eq!(assert_updated(s, &b), (id, "app-db".to_string()));
    assert_eq!(b["response"]["changed"], "true");
    let c = only(&h);
    assert_eq!(
        (c.username.as_str(), c.hostname.as_str(), c.ip.as_str()),
        ("bob", "db01", "10.0.0.9")
    );
    assert_eq!(c.fields["content"], "two");
    assert_eq!(c.fields["tags"], "x,y");
}

// Table 1, row 2: new identifier, credential found by hostname+ip+username → updated and
// renamed to the new identifier.
#[tokio::test]
async fn identifier_new_found_by_host_ip_username_is_renamed() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(Some("old-name"), "alice", "one")).await;
    let (id, _) = assert_created(s, &b);
    let (s, b) = h.upsert(&body(Some("new-name"), "alice", "one")).await;
    assert_eq!(assert_updated(s, &b), (id, "new-name".to_string()));
    assert_eq!(b["response"]["changed"], "true");
    assert_eq!(only(&h).identifier, "new-name");
    assert!(h.sim.credential("old-name").is_none());
}

// Table 1, row 3: new identifier, not found → created with that identifier.
#[tokio::test]
async fn identifier_new_not_found_creates() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(Some("first"), "alice", "one")).await;
    assert_eq!(
        assert_created(s, &b),
        ("1".to_string(), "first".to_string())
    );
    let (s, b) = h.upsert(&body(Some("second"), "carol", "two")).await;
    assert_eq!(
        assert_created(s, &b),
        ("2".to_string(), "second".to_string())
    );
    assert_eq!(h.sim.credentials().len(), 2);
}

// Table 2, row 1: no identifier, new username → created with a generated identifier.
#[tokio::test]
async fn username_new_creates_with_generated_identifier() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(None, "alice", "one")).await;
    let (_, first) = assert_created(s, &b);
    let (s, b) = h.upsert(&body(Some(""), "dave", "two")).await;
    let (_, second) = assert_created(s, &b);
    assert_ne!(first, second);
    for identifier in [first, second] {
        let u = uuid::Uuid::parse_str(&identifier).expect("UUID");
        assert_eq!(u.get_version_num(), 7);
    }
}

// Table 2, row 2: no identifier, existing username → updated, identifier kept.
#[tokio::test]
async fn username_existing_updates() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(None, "alice", "one")).await;
    let (id, identifier) = assert_created(s, &b);
    let (s, b) = h.upsert(&body(Some(""), "alice", "two")).await;
    assert_eq!(assert_updated(s, &b), (id, identifier));
    assert_eq!(only(&h).fields["content"], "two");
}

#[tokio::test]
async fn empty_username_becomes_usr() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(None, "", "one")).await;
    let (id, _) = assert_created(s, &b);
    assert_eq!(only(&h).username, "usr");
    // A second empty username names the same `usr` credential.
    let (s, b) = h.upsert(&body(None, "", "two")).await;
    assert_eq!(assert_updated(s, &b).0, id);
    assert_eq!(
        h.sim.credential("usr@w2016").expect("by user@host").fields["content"],
        "two"
    );
}

#[tokio::test]
async fn same_body_twice_is_unchanged() {
    let h = Harness::demo().await;
    let b1 = body(Some("steady"), "alice", "pw");
    let (s, b) = h.upsert(&b1).await;
    assert_created(s, &b);
    let (s, b) = h.upsert(&b1).await;
    assert_updated(s, &b);
    assert_eq!(b["response"]["changed"], "false");
    let mut b2 = b1.clone();
    b2["content"] = json!("rotated");
    let (s, b) = h.upsert(&b2).await;
    assert_updated(s, &b);
    assert_eq!(b["response"]["changed"], "true");
}

#[tokio::test]
async fn ids_are_increasing_integer_strings() {
    let h = Harness::demo().await;
    for (n, user) in ["a", "b", "c"].iter().enumerate() {
        let (s, b) = h.upsert(&body(None, user, "x")).await;
        assert_eq!(assert_created(s, &b).0, (n + 1).to_string());
    }
}

// Unconfirmed upstream: an upsert of a deactivated credential updates it, and by default
// leaves it inactive.
#[tokio::test]
async fn upsert_of_inactive_credential_updates_it() {
    let h = Harness::demo().await;
    let (s, b) = h.upsert(&body(Some("gone"), "alice", "one")).await;
    let (id, _) = assert_created(s, &b);
    let (s, b) = h.call(reqwest::Method::DELETE, &id).await;
    assert_ok_deactivated(s, &b);
    let (s, b) = h.upsert(&body(Some("gone"), "alice", "two")).await;
    assert_eq!(assert_updated(s, &b).0, id);
    let c = only(&h);
    assert!(!c.active);
    assert_eq!(c.fields["content"], "two");

    let mut cfg = SimulatorConfig::demo();
    cfg.reactivate_on_upsert = true;
    let h = Harness::with(cfg).await;
    let (s, b) = h.upsert(&body(Some("gone"), "alice", "one")).await;
    let (id, _) = assert_created(s, &b);
    h.call(reqwest::Method::DELETE, &id).await;
    let (s, b) = h.upsert(&body(Some("gone"), "alice", "two")).await;
    assert_updated(s, &b);
    assert!(only(&h).active);
}

fn assert_ok_deactivated(s: u16, b: &Value) {
    assert_ok(s, b, 200, "Credential successfully deactivated");
}

#[tokio::test]
async fn sent_object_replaces_stored_one_and_unsent_params_stay() {
    let h = Harness::demo().await;
    let mut b1 = body(Some("obj"), "alice", "pw");
    b1["session_settings"] = json!({"SSH": true, "RDP": true});
    b1["site"] = json!("lab");
    h.upsert(&b1).await;
    let b2 = json!({"identifier": "obj", "username": "alice", "hostname": "w2016",
                    "ip": "10.66.33.15", "session_settings": {"SSH": false}});
    let (s, b) = h.upsert(&b2).await;
    assert_updated(s, &b);
    let c = only(&h);
    assert_eq!(c.fields["session_settings"], json!({"SSH": false}));
    assert_eq!(c.fields["site"], "lab");
    assert_eq!(c.fields["content"], "pw");
}
