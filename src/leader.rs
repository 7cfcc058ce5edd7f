//! Leader election on a `coordination.k8s.io/v1` Lease, so several replicas are safe: only the
//! holder reconciles; when it stops renewing, another replica takes over once the lease
//! duration has passed. Optimistic concurrency (resourceVersion) decides races.

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, PostParams};
use tokio::sync::watch;

/// Where and how to hold the lease.
#[derive(Clone, Debug)]
pub struct LeaderConfig {
    /// Lease name.
    pub lease_name: String,
    /// Lease namespace (the operator's own).
    pub namespace: String,
    /// This instance's identity (the pod name).
    pub identity: String,
    /// How long a lease stays valid without renewal.
    pub lease_duration: Duration,
    /// How often the holder renews (and others retry).
    pub retry_period: Duration,
}

impl LeaderConfig {
    /// Defaults of client-go's leader election: 15 s lease, retries every 2 s.
    pub fn new(lease_name: String, namespace: String, identity: String) -> Self {
        Self {
            lease_name,
            namespace,
            identity,
            lease_duration: Duration::from_secs(15),
            retry_period: Duration::from_secs(2),
        }
    }
}

/// What one round of the election decides to do with the current lease (pure).
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// No lease yet: create it, holding it.
    Create(LeaseSpec),
    /// Hold or take over: replace it (with the read resourceVersion).
    Replace(LeaseSpec),
    /// Someone else holds a valid lease.
    Follow,
}

/// Decides the step for `current` at `now`.
pub fn step(current: Option<&LeaseSpec>, cfg: &LeaderConfig, now: Timestamp) -> Step {
    let duration = i32::try_from(cfg.lease_duration.as_secs()).unwrap_or(15);
    let mine = |acquire: Option<MicroTime>, transitions: i32| LeaseSpec {
        holder_identity: Some(cfg.identity.clone()),
        lease_duration_seconds: Some(duration),
        acquire_time: acquire.or(Some(MicroTime(now))),
        renew_time: Some(MicroTime(now)),
        lease_transitions: Some(transitions),
        ..Default::default()
    };
    let Some(spec) = current else {
        return Step::Create(mine(None, 0));
    };
    let transitions = spec.lease_transitions.unwrap_or(0);
    if spec.holder_identity.as_deref() == Some(cfg.identity.as_str()) {
        return Step::Replace(mine(spec.acquire_time.clone(), transitions));
    }
    let held_for = i64::from(spec.lease_duration_seconds.unwrap_or(duration));
    let expired = match (&spec.renew_time, &spec.holder_identity) {
        (Some(renewed), Some(holder)) if !holder.is_empty() => {
            now.as_second() - renewed.0.as_second() > held_for
        }
        _ => true,
    };
    if expired {
        Step::Replace(mine(None, transitions + 1))
    } else {
        Step::Follow
    }
}

/// How long a leader keeps leading without a successful renewal (client-go's renew
/// deadline: two thirds of the lease), so that one failed round does not stop the
/// controllers while the lease is still surely ours.
pub fn renew_deadline(cfg: &LeaderConfig) -> Duration {
    cfg.lease_duration * 2 / 3
}

/// Runs the election until `shutdown`; `leader` tells whether this instance holds the lease.
/// On shutdown a held lease is released, so a successor need not wait for it to expire.
/// Losing a held lease ends the election (with `leader` false): the instance stops its
/// controllers and exits, to restart as a follower, as client-go's election does.
pub async fn run(
    api: Api<Lease>,
    cfg: LeaderConfig,
    leader: watch::Sender<bool>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut renewed_at: Option<Instant> = None;
    loop {
        let was = *leader.borrow();
        let holding = match round(&api, &cfg).await {
            Ok(h) => {
                renewed_at = h.then(Instant::now);
                h
            }
            Err(e) => {
                tracing::warn!(error = %e, "leader election round failed");
                was && renewed_at.is_some_and(|t| t.elapsed() < renew_deadline(&cfg))
            }
        };
        leader.send_if_modified(|current| {
            let changed = *current != holding;
            *current = holding;
            changed
        });
        if was && !holding {
            tracing::warn!(identity = cfg.identity, "lost the lease");
            return;
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.retry_period) => {}
            _ = shutdown.wait_for(|s| *s) => break,
        }
    }
    if *leader.borrow() {
        release(&api, &cfg).await;
        leader.send_replace(false);
    }
}

async fn round(api: &Api<Lease>, cfg: &LeaderConfig) -> Result<bool, kube::Error> {
    let current = api.get_opt(&cfg.lease_name).await?;
    let spec = current.as_ref().and_then(|l| l.spec.as_ref());
    let result = match step(spec, cfg, Timestamp::now()) {
        Step::Follow => return Ok(false),
        Step::Create(spec) => {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(cfg.lease_name.clone()),
                    namespace: Some(cfg.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(spec),
            };
            api.create(&PostParams::default(), &lease).await
        }
        Step::Replace(spec) => {
            let mut lease = current.unwrap_or_default();
            lease.spec = Some(spec);
            api.replace(&cfg.lease_name, &PostParams::default(), &lease)
                .await
        }
    };
    match result {
        Ok(_) => Ok(true),
        // Someone else won the race (409): follow this round.
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(false),
        Err(e) => Err(e),
    }
}

async fn release(api: &Api<Lease>, cfg: &LeaderConfig) {
    let Ok(Some(mut lease)) = api.get_opt(&cfg.lease_name).await else {
        return;
    };
    if let Some(spec) = lease.spec.as_mut()
        && spec.holder_identity.as_deref() == Some(cfg.identity.as_str())
    {
        spec.holder_identity = None;
        spec.renew_time = None;
        if let Err(e) = api
            .replace(&cfg.lease_name, &PostParams::default(), &lease)
            .await
        {
            tracing::warn!(error = %e, "could not release the lease");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(id: &str) -> LeaderConfig {
        LeaderConfig::new("l".into(), "ns".into(), id.into())
    }

    #[test]
    fn creates_renews_follows_and_takes_over() {
        let t0 = Timestamp::now();
        let Step::Create(a) = step(None, &cfg("a"), t0) else {
            panic!()
        };
        assert_eq!(a.holder_identity.as_deref(), Some("a"));
        assert!(matches!(step(Some(&a), &cfg("a"), t0), Step::Replace(_)));
        let soon = t0 + Duration::from_secs(5);
        assert_eq!(step(Some(&a), &cfg("b"), soon), Step::Follow);
        let late = t0 + Duration::from_secs(16);
        let Step::Replace(b) = step(Some(&a), &cfg("b"), late) else {
            panic!()
        };
        assert_eq!(b.holder_identity.as_deref(), Some("b"));
        assert_eq!(b.lease_transitions, Some(1));
        let released = LeaseSpec {
            holder_identity: None,
            ..a
        };
        assert!(matches!(
            step(Some(&released), &cfg("b"), soon),
            Step::Replace(_)
        ));
    }
}
