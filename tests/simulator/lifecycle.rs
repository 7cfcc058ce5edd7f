//! Deactivation (by id, identifier or `username@hostname`), the list, the password view
//! (a custody checkout), reactivation and custody release.

use reqwest::Method;
use segura_operator::simulator::Endpoint;
use serde_json::json;

use crate::support::{Harness, assert_code, assert_created, assert_ok};

async fn create(h: &Harness, identifier: &str, username: &str) -> String {
    let (s, b) = h
        .upsert(&json!({"identifier": identifier, "username": username,
                        "hostname": "w2016", "ip": "10.66.33.15", "content": "s3cret"}))
        .await;
    assert_created(s, &b).0
}

#[tokio::test]
async fn delete_by_id_identifier_and_user_at_host() {
    let h = Harness::demo().await;
    let a = create(&h, "by-id", "a").await;
    let b = create(&h, "by-identifier", "b").await;
    let c = create(&h, "by-user-host", "c").await;
    for (x, id) in [(a.as_str(), &a), ("by-identifier", &b), ("c@w2016", &c)] {
        let (s, body) = h.call(Method::DELETE, x).await;
        let (got, _) = assert_ok(s, &body, 200, "Credential successfully deactivated");
        assert_eq!(&got, id);
        let (s, body) = h.call(Method::DELETE, x).await;
        assert_code(s, &body, 1008);
    }
    // Nothing is hard-deleted.
    assert_eq!(h.sim.credentials().len(), 3);
    assert!(h.sim.credentials().iter().all(|c| !c.active));
    let (s, body) = h.call(Method::DELETE, "999").await;
    assert_code(s, &body, 1007);
    let (s, body) = h.call(Method::DELETE, "nobody%40w2016").await;
    assert_code(s, &body, 1007);
}

#[tokio::test]
async fn delete_ignores_any_body() {
    let h = Harness::demo().await;
    let id = create(&h, "x", "x").await;
    let path = format!("/api/pam/credential/{id}");
    let (s, b) = h
        .raw(Method::DELETE, &path, "application/json", "{not json")
        .await;
    assert_ok(s, &b, 200, "Credential successfully deactivated");
}

#[tokio::test]
async fn list_has_no_passwords_and_get_is_a_checkout() {
    let h = Harness::demo().await;
    let id = create(&h, "listed", "l").await;
    let (s, b) = h.list().await;
    assert_eq!(s, 200);
    assert_eq!(b["response"]["error"], false);
    assert_eq!(
        b["credentials"],
        json!([{"id": id, "identifier": "listed", "username": "l", "hostname": "w2016",
                "ip": "10.66.33.15", "type": "Local User", "active": true}])
    );
    assert!(!b.to_string().contains("s3cret"));
    assert_eq!(h.sim.custody_checkouts(), 0);

    let (s, b) = h.call(Method::GET, &id).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["credential"]["password"], "s3cret");
    assert_eq!(b["credential"]["identifier"], "listed");
    assert_eq!(h.sim.custody_checkouts(), 1);
    assert_eq!(h.sim.count(Endpoint::Get), 1);
    let (s, b) = h.call(Method::GET, "nope").await;
    assert_code(s, &b, 1007);
    assert_eq!(h.sim.custody_checkouts(), 1);

    // Custody release: once, then 1018.
    let (s, b) = h.call(Method::DELETE, &format!("custody/{id}")).await;
    assert_ok(s, &b, 200, "Credential custody successfully released");
    let (s, b) = h.call(Method::DELETE, &format!("custody/{id}")).await;
    assert_code(s, &b, 1018);
}

#[tokio::test]
async fn put_reactivates() {
    let h = Harness::demo().await;
    let id = create(&h, "back", "r").await;
    h.call(Method::DELETE, &id).await;
    let (s, b) = h.call(Method::GET, &id).await;
    assert_code(s, &b, 1008);
    let (s, b) = h.call(Method::PUT, &id).await;
    assert_ok(s, &b, 200, "Credential successfully activated");
    assert_eq!(b["response"]["changed"], "true");
    assert!(h.sim.credential(&id).expect("kept").active);
    let (s, b) = h.call(Method::PUT, "back").await;
    assert_ok(s, &b, 200, "Credential successfully activated");
    assert_eq!(b["response"]["changed"], "false");
    let (s, b) = h.call(Method::PUT, "404").await;
    assert_code(s, &b, 1007);
    let (_, list) = h.list().await;
    assert_eq!(list["credentials"][0]["active"], true);
}
