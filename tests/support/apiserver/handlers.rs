//! HTTP glue: one axum fallback handler that parses the path, authorizes, logs, and
//! dispatches to reads, writes and watches.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::{Attributes, Auth};
use super::delete;
use super::errors::{ApiError, json_response};
use super::log::RequestRecord;
use super::ops::{self, PatchKind, Scope};
use super::patch::parse_body;
use super::reads::{self, ListQuery, View};
use super::resources::{self, ResourceDef, Target};
use super::selectors::Selector;
use super::store::Store;
use super::watch::{self, WatchRequest};

/// Everything the server shares between requests and with the test's handle.
#[derive(Debug)]
pub struct App {
    /// Objects, history, open watches.
    pub store: Arc<Mutex<Store>>,
    /// Served resource types.
    pub defs: Vec<ResourceDef>,
    /// Authentication and authorization settings.
    pub auth: Mutex<Auth>,
    /// Every request answered.
    pub log: Mutex<Vec<RequestRecord>>,
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}

fn verb_of(
    method: &Method,
    target: &Target,
    query: &HashMap<String, String>,
) -> Option<&'static str> {
    let named = target.name.is_some();
    Some(match (method.as_str(), named) {
        ("GET", true) => "get",
        ("GET", false) if matches!(query.get("watch").map(String::as_str), Some("true" | "1")) => {
            "watch"
        }
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        _ => return None,
    })
}

/// The fallback handler serving every API path.
pub async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let query: HashMap<String, String> = Query::try_from_uri(&parts.uri)
        .map(|Query(q)| q)
        .unwrap_or_default();
    let mut record = RequestRecord {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        content_type: header_str(&parts.headers, header::CONTENT_TYPE),
        accept: header_str(&parts.headers, header::ACCEPT),
        ..Default::default()
    };
    let response = match resources::parse_path(&app.defs, parts.uri.path()) {
        Err(_) => ApiError::no_route().into_response(),
        Ok(target) => {
            record.group = target.res.group.to_string();
            record.resource = target.res.plural.to_string();
            record.subresource = target.subresource.clone();
            record.namespace = target.namespace.clone();
            record.name = target.name.clone();
            match verb_of(&parts.method, &target, &query) {
                None => ApiError::method_not_allowed().into_response(),
                Some(verb) => {
                    record.verb = verb.to_string();
                    let authz = header_str(&parts.headers, header::AUTHORIZATION);
                    let attrs = Attributes {
                        res: &target.res,
                        verb,
                        subresource: target.subresource.as_deref(),
                        name: target.name.as_deref(),
                        namespace: target.namespace.as_deref(),
                    };
                    let allowed = app
                        .auth
                        .lock()
                        .expect("auth lock")
                        .check(authz.as_deref(), &attrs);
                    match allowed {
                        Err(e) => e.into_response(),
                        Ok(user) => {
                            record.user = user;
                            match axum::body::to_bytes(body, 16 << 20).await {
                                Err(e) => ApiError::bad_request(e.to_string()).into_response(),
                                Ok(bytes) => {
                                    let view = View::from_accept(record.accept.as_deref());
                                    let ct = record.content_type.clone().unwrap_or_default();
                                    dispatch(&app, &target, verb, &query, &ct, view, &bytes)
                                        .unwrap_or_else(IntoResponse::into_response)
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    record.status = response.status().as_u16();
    app.log.lock().expect("log lock").push(record);
    response
}

fn dispatch(
    app: &App,
    target: &Target,
    verb: &str,
    query: &HashMap<String, String>,
    content_type: &str,
    view: View,
    body: &[u8],
) -> Result<Response, ApiError> {
    let res = &target.res;
    let namespace = target.namespace.as_deref().unwrap_or_default();
    let name = target.name.as_deref().unwrap_or_default();
    let scope = Scope {
        res,
        namespace,
        status: target.subresource.is_some(),
    };
    let json_body = || -> Result<Value, ApiError> {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
    };
    let selector = || {
        Selector::parse(
            query.get("labelSelector").map(String::as_str),
            query.get("fieldSelector").map(String::as_str),
            res.plural,
        )
    };
    if verb == "watch" {
        let timeout = query
            .get("timeoutSeconds")
            .and_then(|t| t.parse().ok())
            .unwrap_or(1800);
        let req = WatchRequest {
            res: *res,
            namespace: target.namespace.clone(),
            selector: selector()?,
            view,
            resource_version: query.get("resourceVersion").cloned(),
            bookmarks: query
                .get("allowWatchBookmarks")
                .is_some_and(|v| v == "true" || v == "1"),
            initial_events: query.get("sendInitialEvents").is_some_and(|v| v == "true"),
            timeout: Duration::from_secs(timeout),
        };
        let body: Body = watch::open(&app.store, req)?;
        return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    let mut store = app.store.lock().expect("store lock");
    let (code, value) = match verb {
        "get" => (200, reads::get(&store, res, namespace, name, view)?),
        "list" => {
            let q = ListQuery {
                resource_version: query.get("resourceVersion").cloned(),
                version_match: query.get("resourceVersionMatch").cloned(),
                limit: query.get("limit").and_then(|l| l.parse().ok()),
                continue_token: query.get("continue").cloned(),
            };
            (
                200,
                reads::list(
                    &store,
                    res,
                    target.namespace.as_deref(),
                    &q,
                    &selector()?,
                    view,
                )?,
            )
        }
        "create" => {
            if res.namespaced && target.namespace.is_none() {
                return Err(ApiError::no_route());
            }
            (201, ops::create(&mut store, &scope, json_body()?)?)
        }
        "update" => (200, ops::update(&mut store, &scope, name, json_body()?)?),
        "patch" => {
            let kind = PatchKind::from_content_type(content_type)
                .ok_or_else(|| ApiError::unsupported_media_type(content_type))?;
            let patch =
                parse_body(body, kind == PatchKind::Apply).map_err(ApiError::bad_request)?;
            let manager = query.get("fieldManager").map(String::as_str);
            if kind != PatchKind::Apply && query.contains_key("force") {
                return Err(ApiError::bad_request(
                    "Forbidden: may not be specified for non-apply patch",
                ));
            }
            let (code, obj) = ops::patch(&mut store, &scope, name, kind, &patch, manager)?;
            (code, view.render(&obj))
        }
        "delete" => {
            let options = if body.iter().all(u8::is_ascii_whitespace) {
                Value::Null
            } else {
                json_body()?
            };
            (200, delete::delete(&mut store, &scope, name, &options)?)
        }
        _ => return Err(ApiError::method_not_allowed()),
    };
    drop(store);
    Ok(json_response(code, &value))
}
