//! Fault switches: latency, random 500s, bursts of 429s, timeouts. Settable from the config
//! and at runtime ([`crate::simulator::Simulator::set_faults`], `PUT /__simulator/faults`).
//! With a `seed` the random draws repeat exactly, so tests are not flaky.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a simulated timeout ends.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TimeoutMode {
    /// Hang for `timeout_delay_ms`, then answer 504 `Request timed out.` without processing the
    /// request (the gateway gave up).
    #[default]
    GatewayTimeout,
    /// Hang for `timeout_delay_ms`, then process and answer the request normally: a client
    /// with a shorter timeout gives up while the change may still be applied.
    Hang,
}

/// The fault switches. All off by default.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Milliseconds added to every API call (token calls included).
    pub latency_ms: u64,
    /// Fraction (0..=1) of credential calls answered 500 `Unexpected error.`
    pub error_rate: f64,
    /// The next N credential calls are answered 429 with a `Retry-After` header.
    pub burst_429: u32,
    /// The `Retry-After` value of those answers, in seconds.
    pub retry_after_secs: u64,
    /// Fraction (0..=1) of credential calls that time out (see `timeout_mode`).
    pub timeout_rate: f64,
    /// How long a timed-out call hangs, in milliseconds.
    pub timeout_delay_ms: u64,
    /// How a timed-out call ends.
    pub timeout_mode: TimeoutMode,
    /// Seed of the random draws (rates, generated identifiers); `None` draws fresh randomness.
    pub seed: Option<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            error_rate: 0.0,
            burst_429: 0,
            retry_after_secs: 1,
            timeout_rate: 0.0,
            timeout_delay_ms: 5_000,
            timeout_mode: TimeoutMode::GatewayTimeout,
            seed: None,
        }
    }
}

/// What the fault switches decide for one credential call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOutcome {
    /// Process the call normally.
    Pass,
    /// Answer 429 with `Retry-After: secs`.
    RateLimited {
        /// Seconds to announce in `Retry-After`.
        retry_after_secs: u64,
    },
    /// Hang for the delay, then answer 504 `Request timed out.`
    GatewayTimeout(Duration),
    /// Hang for the delay, then process the call normally.
    Hang(Duration),
    /// Answer 500 `Unexpected error.`
    ServerError,
}

/// The live fault switches and their random source.
#[derive(Debug)]
pub struct FaultState {
    faults: Faults,
    rng: fastrand::Rng,
}

impl FaultState {
    /// Switches as given, the random source seeded from `faults.seed` when set.
    pub fn new(faults: Faults) -> Self {
        let rng = rng_for(faults.seed);
        Self { faults, rng }
    }

    /// The current switches (`burst_429` counts down as 429s are served).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The added latency of every API call.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.faults.latency_ms)
    }

    /// Decides the fate of one credential call: a pending 429 first, then a timeout draw, then
    /// an error draw. A rate of 0 never fires and a rate of 1 always does, whatever the seed.
    pub fn decide(&mut self) -> FaultOutcome {
        let f = &mut self.faults;
        if f.burst_429 > 0 {
            f.burst_429 -= 1;
            return FaultOutcome::RateLimited {
                retry_after_secs: f.retry_after_secs,
            };
        }
        if draw(&mut self.rng, f.timeout_rate) {
            let delay = Duration::from_millis(f.timeout_delay_ms);
            return match f.timeout_mode {
                TimeoutMode::GatewayTimeout => FaultOutcome::GatewayTimeout(delay),
                TimeoutMode::Hang => FaultOutcome::Hang(delay),
            };
        }
        if draw(&mut self.rng, f.error_rate) {
            return FaultOutcome::ServerError;
        }
        FaultOutcome::Pass
    }
}

/// A random source seeded from `seed`, or fresh when `None`.
pub fn rng_for(seed: Option<u64>) -> fastrand::Rng {
    match seed {
        Some(s) => fastrand::Rng::with_seed(s),
        None => fastrand::Rng::new(),
    }
}

/// True with probability `rate` (clamped to 0..=1); consumes no randomness at 0 or 1.
fn draw(rng: &mut fastrand::Rng, rate: f64) -> bool {
    if rate <= 0.0 || rate.is_nan() {
        false
    } else if rate >= 1.0 {
        true
    } else {
        rng.f64() < rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_pass() {
        let mut s = FaultState::new(Faults {
            burst_429: 2,
            retry_after_secs: 7,
            ..Faults::default()
        });
        let rl = FaultOutcome::RateLimited {
            retry_after_secs: 7,
        };
        assert_eq!(s.decide(), rl);
        assert_eq!(s.decide(), rl);
        assert_eq!(s.decide(), FaultOutcome::Pass);
    }

    #[test]
    fn seeded_draws_repeat() {
        let faults = Faults {
            error_rate: 0.5,
            seed: Some(42),
            ..Faults::default()
        };
        let run = || {
            let mut s = FaultState::new(faults.clone());
            (0..64).map(|_| s.decide()).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.contains(&FaultOutcome::ServerError));
        assert!(a.contains(&FaultOutcome::Pass));
    }
}
