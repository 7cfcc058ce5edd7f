//! OAuth2 client-credentials token cache.
//!
//! One token is shared by every call. It is renewed shortly before it expires
//! ([`renew_margin`]), concurrent callers wait on one renewal (a tokio `Mutex` held across the
//! fetch), and a token Segura refuses is dropped with [`TokenCache::invalidate`] so that exactly
//! one new token is fetched however many calls saw the refusal. The token value lives in a
//! [`SecretValue`]: it never appears in `Debug`, logs or errors.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::Url;
use tokio::sync::Mutex;

use super::api::{TOKEN_RENEW_MARGIN_MAX_SECS, TokenResponse};
use super::client::{Endpoint, RequestObserver, execute};
use super::error::SeguraError;
use super::secrets::SecretValue;

/// A bearer token with the moment it was requested and its lifetime.
#[derive(Clone)]
pub struct Token {
    value: SecretValue,
    generation: u64,
    fetched_at: Instant,
    lifetime: Duration,
}

impl Token {
    /// The bearer value, for the `Authorization` header only.
    pub fn expose(&self) -> &str {
        self.value.expose()
    }

    /// Which fetch produced this token (1 for the first).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the token is still good to use at `now`.
    pub fn is_fresh(&self, now: Instant) -> bool {
        is_fresh(self.fetched_at, self.lifetime, now)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("generation", &self.generation)
            .field("lifetime", &self.lifetime)
            .finish()
    }
}

/// How long before expiry a token is renewed: a tenth of its lifetime, at most 60 s.
/// (A fixed 60 s margin would renew a short-lived token on every call; a tenth alone would cut
/// a 24 h token's last 2.4 h for nothing.)
pub fn renew_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(TOKEN_RENEW_MARGIN_MAX_SECS))
}

/// Whether a token fetched at `fetched_at` (the moment its request was sent, so the estimate
/// errs early) with `lifetime` can still be used at `now` without renewal.
pub fn is_fresh(fetched_at: Instant, lifetime: Duration, now: Instant) -> bool {
    now.saturating_duration_since(fetched_at) + renew_margin(lifetime) < lifetime
}

struct Slot {
    token: Option<Token>,
    generation: u64,
}

/// The token cache of one client.
pub struct TokenCache {
    http: reqwest::Client,
    url: Url,
    client_id: String,
    client_secret: SecretValue,
    timeout: Duration,
    slot: Mutex<Slot>,
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("url", &self.url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl TokenCache {
    /// A cache that fetches tokens from `url` with the given client credentials.
    pub fn new(
        http: reqwest::Client,
        url: Url,
        client_id: String,
        client_secret: SecretValue,
        timeout: Duration,
    ) -> Self {
        Self {
            http,
            url,
            client_id,
            client_secret,
            timeout,
            slot: Mutex::new(Slot {
                token: None,
                generation: 0,
            }),
        }
    }

    /// A usable token: the cached one if fresh, else a new one (one fetch for all waiters).
    pub async fn get(&self, observer: Option<&dyn RequestObserver>) -> Result<Token, SeguraError> {
        let mut slot = self.slot.lock().await;
        if let Some(t) = &slot.token
            && t.is_fresh(Instant::now())
        {
            return Ok(t.clone());
        }
        slot.token = None;
        let fetched_at = Instant::now();
        let result = self.fetch().await;
        let elapsed = fetched_at.elapsed();
        let outcome = match &result {
            Ok(_) => "ok".to_string(),
            Err(e) => e.outcome(),
        };
        if let Some(o) = observer {
            o.observe(Endpoint::Token, &outcome, elapsed);
        }
        tracing::debug!(
            endpoint = "token",
            path = self.url.path(),
            outcome,
            elapsed_ms = elapsed.as_millis() as u64,
            "segura token request"
        );
        let answer = result?;
        slot.generation += 1;
        let token = Token {
            value: SecretValue::new(answer.access_token),
            generation: slot.generation,
            fetched_at,
            lifetime: Duration::from_secs(answer.expires_in),
        };
        slot.token = Some(token.clone());
        Ok(token)
    }

    /// Drops the cached token if it is still the one of `generation` (the one Segura refused);
    /// a newer token, fetched by a concurrent caller after the same refusal, is kept.
    pub async fn invalidate(&self, generation: u64) {
        let mut slot = self.slot.lock().await;
        if slot.token.as_ref().map(Token::generation) == Some(generation) {
            slot.token = None;
        }
    }

    async fn fetch(&self) -> Result<TokenResponse, SeguraError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let req = self.http.post(self.url.clone()).form(&form);
        let answer = execute(req, self.timeout).await?;
        if !(200..300).contains(&answer.status) {
            return Err(SeguraError::from_answer(
                answer.status,
                &answer.body,
                answer.retry_after,
                true,
            ));
        }
        parse_token(answer.status, &answer.body)
    }
}

/// Reads a token answer. The error never quotes the body: it holds the token.
pub fn parse_token(status: u16, body: &[u8]) -> Result<TokenResponse, SeguraError> {
    match serde_json::from_slice::<TokenResponse>(body) {
        Ok(t) if !t.access_token.is_empty() => Ok(t),
        _ => Err(SeguraError::Decode {
            status,
            message: "token answer is not {token_type, expires_in, access_token}".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_a_tenth_capped_at_a_minute() {
        assert_eq!(
            renew_margin(Duration::from_secs(10)),
            Duration::from_secs(1)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(3600)),
            Duration::from_secs(60)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(86400)),
            Duration::from_secs(60)
        );
        assert_eq!(renew_margin(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn freshness_decision() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        assert!(is_fresh(t0, s(3600), t0));
        assert!(is_fresh(t0, s(3600), t0 + s(3539)));
        assert!(!is_fresh(t0, s(3600), t0 + s(3540)));
        assert!(!is_fresh(t0, s(3600), t0 + s(4000)));
        assert!(is_fresh(t0, s(10), t0 + Duration::from_millis(8900)));
        assert!(!is_fresh(t0, s(10), t0 + s(9)));
        // A token without lifetime is never reused.
        assert!(!is_fresh(t0, Duration::ZERO, t0));
    }

    #[test]
    fn token_answer_errors_never_quote_the_body() {
        let body = br#"{"access_token":"tok-SECRET","expires_in":"soon"}"#;
        let err = parse_token(200, body).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("tok-SECRET"));
        let ok = parse_token(
            200,
            br#"{"token_type":"Bearer","expires_in":3600,"access_token":"abc"}"#,
        )
        .unwrap();
        assert_eq!(ok.expires_in, 3600);
        assert!(!format!("{ok:?}").contains("abc"));
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = Token {
            value: SecretValue::new("tok-SECRET"),
            generation: 1,
            fetched_at: Instant::now(),
            lifetime: Duration::from_secs(1),
        };
        assert!(!format!("{t:?}").contains("tok-SECRET"));
    }
}
