//! OAuth2 client-credentials tokens: issue, look up, expire; and reading the client's
//! credentials (form fields or HTTP Basic) and the API calls' `Authorization` header.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::params::{percent_decode, text};

/// Issued tokens. Tokens are random opaque strings (from `fastrand`: fine for a simulator, not
/// cryptographically strong). `Debug` shows only how many there are.
pub struct TokenStore {
    tokens: HashMap<String, Issued>,
    rng: fastrand::Rng,
    history: VecDeque<String>,
}

/// How many issued tokens [`TokenStore::history`] remembers.
pub const TOKEN_HISTORY: usize = 256;

struct Issued {
    client_id: String,
    expires_at: Instant,
}

impl Default for TokenStore {
    fn default() -> Self {
        Self {
            tokens: HashMap::new(),
            rng: fastrand::Rng::new(),
            history: VecDeque::new(),
        }
    }
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenStore({} tokens)", self.tokens.len())
    }
}

impl TokenStore {
    /// Issues a token for `client_id`, valid for `lifetime` from `now`.
    pub fn issue(&mut self, client_id: &str, lifetime: Duration, now: Instant) -> String {
        let token: String = (0..40)
            .map(|_| char::from_digit(self.rng.u32(0..36), 36).unwrap_or('0'))
            .collect();
        self.tokens.retain(|_, t| t.expires_at > now);
        if self.history.len() == TOKEN_HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(token.clone());
        self.tokens.insert(
            token.clone(),
            Issued {
                client_id: client_id.to_string(),
                expires_at: now + lifetime,
            },
        );
        token
    }

    /// The client a token was issued to, if the token is known and not expired at `now`.
    pub fn client_of(&self, token: &str, now: Instant) -> Option<&str> {
        self.tokens
            .get(token)
            .filter(|t| t.expires_at > now)
            .map(|t| t.client_id.as_str())
    }

    /// The last [`TOKEN_HISTORY`] tokens issued, expired ones included, oldest first (for
    /// tests that check no token leaks into logs; never shown by the HTTP view).
    pub fn history(&self) -> Vec<String> {
        self.history.iter().cloned().collect()
    }

    /// Expires every issued token.
    pub fn expire_all(&mut self) {
        self.tokens.clear();
    }

    /// How many tokens are valid at `now`.
    pub fn active(&self, now: Instant) -> usize {
        self.tokens.values().filter(|t| t.expires_at > now).count()
    }
}

/// The `Authorization` header of an API call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthHeader<'a> {
    /// No header: the gateway answers `No route matched with those values.`
    Missing,
    /// `Bearer <token>`.
    Bearer(&'a str),
    /// `OAuth ...` (OAuth 1.0a): the simulator verifies no signatures and answers
    /// `Invalid signature`.
    OAuth1,
    /// Anything else: `Client authentication failed.`
    Other,
}

/// Classifies an `Authorization` header value.
pub fn auth_header(value: Option<&str>) -> AuthHeader<'_> {
    let Some(v) = value.map(str::trim) else {
        return AuthHeader::Missing;
    };
    let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
    if scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty() {
        AuthHeader::Bearer(rest.trim())
    } else if scheme.eq_ignore_ascii_case("oauth") {
        AuthHeader::OAuth1
    } else {
        AuthHeader::Other
    }
}

/// The client id and secret of a token request: HTTP Basic (`client_id:client_secret`,
/// each percent-decoded per RFC 6749 §2.3.1) when present, else the form fields.
pub fn client_credentials(
    authorization: Option<&str>,
    form: &Map<String, Value>,
) -> Option<(String, String)> {
    if let Some(v) = authorization
        && let Some((scheme, b64)) = v.trim().split_once(' ')
        && scheme.eq_ignore_ascii_case("basic")
    {
        let decoded = String::from_utf8(base64_decode(b64.trim())?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        return Some((percent_decode(id, true), percent_decode(secret, true)));
    }
    Some((
        text(form.get("client_id"))?,
        text(form.get("client_secret"))?,
    ))
}

/// Standard base64 (padding optional); `None` on any other character.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn basic_and_form() {
        // "demo-client:demo-secret"
        let basic = Some("Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ=");
        assert_eq!(
            client_credentials(basic, &Map::new()),
            Some(("demo-client".into(), "demo-secret".into()))
        );
        let Value::Object(form) = json!({"client_id": "a", "client_secret": "b"}) else {
            panic!()
        };
        assert_eq!(
            client_credentials(None, &form),
            Some(("a".into(), "b".into()))
        );
        assert_eq!(client_credentials(None, &Map::new()), None);
    }

    #[test]
    fn headers() {
        assert_eq!(auth_header(None), AuthHeader::Missing);
        assert_eq!(auth_header(Some("Bearer abc")), AuthHeader::Bearer("abc"));
        assert_eq!(auth_header(Some("bearer  ")), AuthHeader::Other);
        assert_eq!(
            auth_header(Some("OAuth oauth_consumer_key=x")),
            AuthHeader::OAuth1
        );
    }

    #[test]
    fn expiry() {
        let mut s = TokenStore::default();
        let now = Instant::now();
        let t = s.issue("c", Duration::from_secs(10), now);
        assert_eq!(s.client_of(&t, now), Some("c"));
        assert_eq!(s.client_of(&t, now + Duration::from_secs(10)), None);
        s.expire_all();
        assert_eq!(s.client_of(&t, now), None);
    }
}
