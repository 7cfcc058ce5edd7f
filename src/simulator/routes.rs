//! Which API call a method and path name, under both prefixes (`/api` and `/iso`). Pure.

use serde::Serialize;

use super::params::percent_decode;
use crate::segura::api::{CREDENTIAL_PATH, DEFAULT_PREFIX, DEFAULT_TOKEN_PATH, ISO_PREFIX};

/// An API endpoint, for counting requests.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /iso/oauth2/token`.
    Token,
    /// `POST {prefix}/pam/credential`.
    Upsert,
    /// `GET {prefix}/pam/credential`.
    List,
    /// `GET {prefix}/pam/credential/{x}`: a custody checkout, password included.
    Get,
    /// `DELETE {prefix}/pam/credential/{x}`.
    Deactivate,
    /// `PUT {prefix}/pam/credential/{x}`.
    Activate,
    /// `DELETE {prefix}/pam/credential/custody/{x}`.
    ReleaseCustody,
    /// Any other method or path (404 `Resource sub not found`).
    NotFound,
}

impl Endpoint {
    /// Every endpoint, for tables.
    pub const ALL: [Endpoint; 8] = [
        Self::Token,
        Self::Upsert,
        Self::List,
        Self::Get,
        Self::Deactivate,
        Self::Activate,
        Self::ReleaseCustody,
        Self::NotFound,
    ];

    /// Whether the call writes (a read-only authorization gets 1039).
    pub fn writes(self) -> bool {
        matches!(self, Self::Upsert | Self::Deactivate | Self::Activate)
    }
}

/// A routed request: the endpoint and the credential reference in its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Token request.
    Token,
    /// Upsert.
    Upsert,
    /// List.
    List,
    /// Get one (id, identifier or `username@hostname`, percent-decoded).
    Get(String),
    /// Deactivate one.
    Deactivate(String),
    /// Reactivate one.
    Activate(String),
    /// Release custody of one.
    ReleaseCustody(String),
    /// Unknown.
    NotFound,
}

impl Route {
    /// The endpoint counted for this route.
    pub fn endpoint(&self) -> Endpoint {
        match self {
            Self::Token => Endpoint::Token,
            Self::Upsert => Endpoint::Upsert,
            Self::List => Endpoint::List,
            Self::Get(_) => Endpoint::Get,
            Self::Deactivate(_) => Endpoint::Deactivate,
            Self::Activate(_) => Endpoint::Activate,
            Self::ReleaseCustody(_) => Endpoint::ReleaseCustody,
            Self::NotFound => Endpoint::NotFound,
        }
    }
}

/// Routes a method (upper case) and a path (without query). A trailing `/` on the collection
/// is accepted (the vendor's info module lists with `/iso/pam/credential/`).
pub fn route(method: &str, path: &str) -> Route {
    if path == DEFAULT_TOKEN_PATH {
        return if method == "POST" {
            Route::Token
        } else {
            Route::NotFound
        };
    }
    let Some(rest) = [DEFAULT_PREFIX, ISO_PREFIX]
        .iter()
        .find_map(|p| path.strip_prefix(p))
        .and_then(|r| r.strip_prefix(CREDENTIAL_PATH))
    else {
        return Route::NotFound;
    };
    if rest.is_empty() || rest == "/" {
        return match method {
            "GET" => Route::List,
            "POST" => Route::Upsert,
            _ => Route::NotFound,
        };
    }
    let Some(rest) = rest.strip_prefix('/') else {
        return Route::NotFound;
    };
    if let Some(x) = rest.strip_prefix("custody/")
        && !x.is_empty()
        && !x.contains('/')
    {
        return match method {
            "DELETE" => Route::ReleaseCustody(percent_decode(x, false)),
            _ => Route::NotFound,
        };
    }
    if rest.contains('/') {
        return Route::NotFound;
    }
    let x = percent_decode(rest, false);
    match method {
        "GET" => Route::Get(x),
        "DELETE" => Route::Deactivate(x),
        "PUT" => Route::Activate(x),
        _ => Route::NotFound,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("POST", "/iso/oauth2/token"), Route::Token);
        assert_eq!(route("GET", "/iso/oauth2/token"), Route::NotFound);
        assert_eq!(route("POST", "/api/pam/credential"), Route::Upsert);
        assert_eq!(route("POST", "/iso/pam/credential"), Route::Upsert);
        assert_eq!(route("GET", "/iso/pam/credential/"), Route::List);
        assert_eq!(
            route("GET", "/api/pam/credential/7"),
            Route::Get("7".into())
        );
        assert_eq!(
            route("DELETE", "/api/pam/credential/u%40h"),
            Route::Deactivate("u@h".into())
        );
        assert_eq!(
            route("PUT", "/api/pam/credential/x"),
            Route::Activate("x".into())
        );
        assert_eq!(
            route("DELETE", "/api/pam/credential/custody/7"),
            Route::ReleaseCustody("7".into())
        );
        assert_eq!(route("PATCH", "/api/pam/credential/7"), Route::NotFound);
        assert_eq!(route("GET", "/api/pam/credentials"), Route::NotFound);
        assert_eq!(route("GET", "/api/pam/credential/a/b"), Route::NotFound);
        assert_eq!(route("GET", "/other"), Route::NotFound);
    }
}
