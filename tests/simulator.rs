//! The Segura PAM Core simulator, spoken to over HTTP on a loopback port exactly as clients
//! (the operator, the vendor's Ansible collection) speak to it.

#[allow(dead_code)]
#[path = "common/page.rs"]
mod page;
#[path = "simulator/support.rs"]
mod support;

#[path = "simulator/ansible.rs"]
mod ansible;
#[path = "simulator/auth.rs"]
mod auth;
#[path = "simulator/errors.rs"]
mod errors;
#[path = "simulator/examples.rs"]
mod examples;
#[path = "simulator/faults.rs"]
mod faults;
#[path = "simulator/inspect.rs"]
mod inspect;
#[path = "simulator/lifecycle.rs"]
mod lifecycle;
#[path = "simulator/upsert.rs"]
mod upsert;
