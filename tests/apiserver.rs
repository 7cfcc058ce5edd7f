//! The loopback API server against the exchanges recorded from a real one (`fixtures/kube-wire`,
//! a copy of `/work/shared/kube-wire`), and driven by the real `kube::Client`.

#[path = "support/apiserver/mod.rs"]
mod apiserver;

#[path = "apiserver/kube_common.rs"]
mod kube_common;
#[path = "apiserver/kube_objects.rs"]
mod kube_objects;
#[path = "apiserver/kube_runtime.rs"]
mod kube_runtime;
#[path = "apiserver/replay.rs"]
mod replay;
