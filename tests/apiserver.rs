//! The loopback API server against the recorded exchanges of a real one, and driven by the
//! real `kube::Client`.

#[path = "support/apiserver/mod.rs"]
mod apiserver;

use apiserver::ApiServer;

#[tokio::test]
async fn starts() {
    let server = ApiServer::start().await;
    assert!(server.url().starts_with("http://127.0.0.1:"));
}
