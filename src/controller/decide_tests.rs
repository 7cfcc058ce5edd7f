use super::*;
use crate::controller::conditions::{Readiness, ready_condition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

const HOUR: Duration = Duration::from_secs(3600);

fn spec() -> CredentialSpec {
    CredentialSpec {
        username: "svc".into(),
        hostname: "w2016".into(),
        ip: "10.66.33.15".into(),
        ..Default::default()
    }
}

fn status(fp: &str, readiness: Readiness, synced_at: Timestamp) -> CredentialStatus {
    CredentialStatus {
        id: Some("152".into()),
        identifier: Some("gen-uuid".into()),
        fingerprint: Some(fp.into()),
        secrets_fingerprint: Some("s1".into()),
        last_sync_time: Some(Time(synced_at)),
        conditions: vec![ready_condition(&[], &readiness, Some(1), Time(synced_at))],
        ..Default::default()
    }
}

#[test]
fn steady_state_makes_no_request_until_resync() {
    let t0 = Timestamp::now();
    let st = status("fp", Readiness::synced("ok"), t0);
    let later = t0 + Duration::from_secs(600);
    match decide(&spec(), Some(&st), "fp", "s1", later, HOUR) {
        Decision::UpToDate { requeue_after } => {
            assert_eq!(requeue_after, HOUR - Duration::from_secs(600))
        }
        other => panic!("expected UpToDate, got {other:?}"),
    }
    let due = t0 + HOUR + Duration::from_secs(1);
    match decide(&spec(), Some(&st), "fp", "s1", due, HOUR) {
        Decision::Sync(plan) => assert!(plan.periodic && plan.include_content),
        other => panic!("expected periodic Sync, got {other:?}"),
    }
}

#[test]
fn changed_fingerprint_syncs_with_generated_identifier() {
    let t0 = Timestamp::now();
    let st = status("old", Readiness::synced("ok"), t0);
    let Decision::Sync(plan) = decide(&spec(), Some(&st), "new", "s1", t0, HOUR) else {
        panic!("expected Sync")
    };
    assert_eq!(plan.identifier.as_deref(), Some("gen-uuid"));
    assert!(!plan.periodic);
}

#[test]
fn permanent_failure_waits_for_a_change_transient_does_not() {
    let t0 = Timestamp::now();
    let st = status(
        "fp",
        Readiness::failed("InvalidIdentifier", "1053: ..."),
        t0,
    );
    assert_eq!(
        decide(&spec(), Some(&st), "fp", "s1", t0, HOUR),
        Decision::AwaitChange
    );
    let st = status(
        "fp",
        Readiness::failed("DeviceNotFound", "1011: Device not found"),
        t0,
    );
    assert!(matches!(
        decide(&spec(), Some(&st), "fp", "s1", t0, HOUR),
        Decision::Sync(_)
    ));
    let st = status("fp", Readiness::failed("InvalidIdentifier", "1053"), t0);
    assert!(matches!(
        decide(&spec(), Some(&st), "changed", "s1", t0, HOUR),
        Decision::Sync(_)
    ));
}

#[test]
fn seed_only_sends_password_on_create_and_secret_change_only() {
    let t0 = Timestamp::now();
    let mut s = spec();
    s.password_policy = PasswordPolicy::SeedOnly;
    let Decision::Sync(plan) = decide(&s, None, "fp", "s1", t0, HOUR) else {
        panic!()
    };
    assert!(plan.include_content, "creation seeds the password");
    let st = status("fp", Readiness::synced("ok"), t0);
    let Decision::Sync(plan) = decide(&s, Some(&st), "fp", "s1", t0 + HOUR, HOUR) else {
        panic!()
    };
    assert!(
        plan.periodic && !plan.include_content,
        "periodic resync withholds it"
    );
    let Decision::Sync(plan) = decide(&s, Some(&st), "fp2", "s2", t0, HOUR) else {
        panic!()
    };
    assert!(plan.include_content, "a changed Secret is sent");
    let Decision::Sync(plan) = decide(&s, Some(&st), "fp2", "s1", t0, HOUR) else {
        panic!()
    };
    assert!(
        !plan.include_content,
        "a spec change alone does not overwrite a rotated password"
    );
}

#[test]
fn spec_identifier_wins_and_renames() {
    let st = CredentialStatus {
        identifier: Some("old-name".into()),
        ..Default::default()
    };
    let mut s = spec();
    s.identifier = Some("new-name".into());
    assert_eq!(
        identifier_to_send(&s, Some(&st)).as_deref(),
        Some("new-name")
    );
    s.identifier = Some(String::new());
    assert_eq!(
        identifier_to_send(&s, Some(&st)).as_deref(),
        Some("old-name")
    );
    assert_eq!(identifier_to_send(&s, None).as_deref(), Some(""));
    s.identifier = None;
    assert_eq!(identifier_to_send(&s, None), None);
}

#[test]
fn ready_condition_keeps_transition_time_unless_it_flips() {
    let t0 = Time(Timestamp::now());
    let t1 = Time(t0.0 + Duration::from_secs(60));
    let first = ready_condition(
        &[],
        &Readiness::failed("DeviceNotFound", "1011"),
        Some(1),
        t0.clone(),
    );
    let again = ready_condition(
        std::slice::from_ref(&first),
        &Readiness::failed("DomainNotRegistered", "1029"),
        Some(2),
        t1.clone(),
    );
    assert_eq!(again.last_transition_time, t0, "still False: time kept");
    let flipped = ready_condition(&[again], &Readiness::synced("ok"), Some(2), t1.clone());
    assert_eq!(flipped.last_transition_time, t1);
    assert_eq!(flipped.status, "True");
}
