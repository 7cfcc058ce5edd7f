//! Per-object retry backoff, kept in the controller's context (kube-runtime has none per
//! object): exponential with jitter, capped per error class, reset on success. It also gates
//! reconciles triggered by the operator's own status writes, so a failing object is never
//! retried before its time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};

use crate::segura::api::ErrorClass;

/// The first and the longest delay of each retried class. The defaults are the design's
/// (transient: seconds; authorization: half a minute; missing dependency: minutes); tests
/// shorten them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetrySchedule {
    /// 5xx, timeouts, connection errors, 429.
    pub transient: (Duration, Duration),
    /// 1039, 401, "not authorized".
    pub authorization: (Duration, Duration),
    /// 1011, 1029 (and a credential gone from Segura).
    pub missing_dependency: (Duration, Duration),
}

impl Default for RetrySchedule {
    fn default() -> Self {
        Self {
            transient: (Duration::from_secs(2), Duration::from_secs(300)),
            authorization: (Duration::from_secs(30), Duration::from_secs(600)),
            missing_dependency: (Duration::from_secs(60), Duration::from_secs(1800)),
        }
    }
}

impl RetrySchedule {
    /// The backoff of a class; `None` means "do not retry until the resource changes".
    pub fn builder(&self, class: ErrorClass) -> Option<ExponentialBuilder> {
        let (min, max) = match class {
            ErrorClass::InvalidSpec => return None,
            ErrorClass::Transient => self.transient,
            ErrorClass::Authorization => self.authorization,
            ErrorClass::MissingDependency => self.missing_dependency,
        };
        Some(
            ExponentialBuilder::new()
                .with_min_delay(min)
                .with_max_delay(max)
                .with_factor(2.0)
                .with_jitter()
                .without_max_times(),
        )
    }
}

/// The default backoff schedule of a class; `None` means "do not retry until the resource
/// changes".
pub fn schedule(class: ErrorClass) -> Option<ExponentialBuilder> {
    RetrySchedule::default().builder(class)
}

struct Entry {
    class: ErrorClass,
    delays: ExponentialBackoff,
    not_before: Instant,
}

/// Backoff state of every object that is currently failing, by key (namespace/name).
#[derive(Default)]
pub struct Backoffs {
    entries: Mutex<HashMap<String, Entry>>,
    schedule: RetrySchedule,
}

impl std::fmt::Debug for Backoffs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backoffs")
            .field("failing", &self.len())
            .finish()
    }
}

impl Backoffs {
    /// No object failing yet; delays per `schedule`.
    pub fn new(schedule: RetrySchedule) -> Self {
        Self {
            entries: Mutex::default(),
            schedule,
        }
    }

    /// Records a failure of `class`; returns the delay before the next attempt, or `None` when
    /// the object waits for a change. A `Retry-After` is honoured when it is longer.
    pub fn failure(
        &self,
        key: &str,
        class: ErrorClass,
        retry_after: Option<Duration>,
        now: Instant,
    ) -> Option<Duration> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let Some(builder) = self.schedule.builder(class) else {
            entries.remove(key);
            return None;
        };
        let entry = entries
            .entry(key.to_string())
            .and_modify(|e| {
                if e.class != class {
                    e.class = class;
                    e.delays = builder.build();
                }
            })
            .or_insert_with(|| Entry {
                class,
                delays: builder.build(),
                not_before: now,
            });
        let base = entry.delays.next().unwrap_or(Duration::from_secs(300));
        let delay = retry_after.map_or(base, |r| r.max(base));
        entry.not_before = now + delay;
        Some(delay)
    }

    /// Forgets the object's failures (after a success, or when it is deleted).
    pub fn reset(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// Time the object must still wait before its next attempt, if any.
    pub fn wait_left(&self, key: &str, now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .and_then(|e| e.not_before.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Number of objects currently backing off.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether no object is backing off.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_caps_and_resets() {
        let b = Backoffs::default();
        let now = Instant::now();
        let first = b.failure("ns/a", ErrorClass::Transient, None, now).unwrap();
        assert!(first >= Duration::from_secs(2) && first <= Duration::from_secs(4));
        let mut last = first;
        for _ in 0..20 {
            last = b.failure("ns/a", ErrorClass::Transient, None, now).unwrap();
        }
        assert!(
            last <= Duration::from_secs(600),
            "capped (jitter at most doubles)"
        );
        assert!(b.wait_left("ns/a", now).is_some());
        b.reset("ns/a");
        assert_eq!(b.wait_left("ns/a", now), None);
    }

    #[test]
    fn invalid_spec_waits_for_change_and_retry_after_wins() {
        let b = Backoffs::default();
        let now = Instant::now();
        assert_eq!(b.failure("k", ErrorClass::InvalidSpec, None, now), None);
        let d = b
            .failure(
                "k",
                ErrorClass::Transient,
                Some(Duration::from_secs(90)),
                now,
            )
            .unwrap();
        assert_eq!(d, Duration::from_secs(90));
        let dep = b
            .failure("j", ErrorClass::MissingDependency, None, now)
            .unwrap();
        assert!(
            dep >= Duration::from_secs(60),
            "missing dependency backs off for minutes"
        );
    }

    #[test]
    fn a_configured_schedule_is_used() {
        let short = RetrySchedule {
            transient: (Duration::from_millis(100), Duration::from_millis(400)),
            ..RetrySchedule::default()
        };
        let b = Backoffs::new(short);
        let now = Instant::now();
        let first = b.failure("k", ErrorClass::Transient, None, now).unwrap();
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
        let dep = b
            .failure("j", ErrorClass::MissingDependency, None, now)
            .unwrap();
        assert!(
            dep >= Duration::from_secs(60),
            "other classes keep the defaults"
        );
    }
}
