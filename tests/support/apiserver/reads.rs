//! Reads: get and list (resourceVersion semantics, selectors, pages, metadata-only views).

use serde_json::{Value, json};

use super::errors::ApiError;
use super::resources::ResourceDef;
use super::selectors::Selector;
use super::store::{Key, Store};

/// How objects are rendered, from the `Accept` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// Whole objects.
    Full,
    /// `PartialObjectMetadata`: `metadata` only.
    Metadata,
}

impl View {
    /// `as=PartialObjectMetadata` or `as=PartialObjectMetadataList` in `Accept` → metadata.
    pub fn from_accept(accept: Option<&str>) -> Self {
        if accept.is_some_and(|a| a.contains("as=PartialObjectMetadata")) {
            Self::Metadata
        } else {
            Self::Full
        }
    }

    /// An object in this view.
    pub fn render(self, obj: &Value) -> Value {
        match self {
            Self::Full => obj.clone(),
            Self::Metadata => json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"].clone(),
            }),
        }
    }
}

/// The query parameters a list takes.
#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    /// `resourceVersion`.
    pub resource_version: Option<String>,
    /// `resourceVersionMatch`.
    pub version_match: Option<String>,
    /// `limit`.
    pub limit: Option<usize>,
    /// `continue`.
    pub continue_token: Option<String>,
}

/// GET of one object.
pub fn get(
    store: &Store,
    res: &ResourceDef,
    namespace: &str,
    name: &str,
    view: View,
) -> Result<Value, ApiError> {
    store
        .get(&Key::new(res.group, res.plural, namespace, name))
        .map(|o| view.render(o))
        .ok_or_else(|| ApiError::not_found(res, name))
}

fn parse_rv(s: &str) -> Result<u64, ApiError> {
    s.parse()
        .map_err(|_| ApiError::bad_request(format!("invalid resource version: {s:?}")))
}

/// LIST, at the version asked: latest for "", "0" and `NotOlderThan`; the exact state for
/// `Exact` (410 when it is no longer held); pages with `limit`/`continue`.
pub fn list(
    store: &Store,
    res: &ResourceDef,
    namespace: Option<&str>,
    q: &ListQuery,
    selector: &Selector,
    view: View,
) -> Result<Value, ApiError> {
    let expired = || ApiError::expired("The resourceVersion for the provided list is too old.");
    let (at, after) = match &q.continue_token {
        Some(token) if !token.is_empty() => {
            let (rv, last) = token
                .split_once(':')
                .ok_or_else(|| ApiError::bad_request("invalid continue token"))?;
            (Some(parse_rv(rv)?), Some(last.to_string()))
        }
        _ => match (q.resource_version.as_deref(), q.version_match.as_deref()) {
            (Some(rv), Some("Exact")) => (Some(parse_rv(rv)?), None),
            (Some(rv), _) if !rv.is_empty() => {
                parse_rv(rv)?;
                (None, None)
            }
            _ => (None, None),
        },
    };
    let snapshot_rv = at.unwrap_or(store.rv());
    let objects = match at {
        Some(rv) => store
            .list_at(res.group, res.plural, namespace, rv)
            .map_err(|_| expired())?,
        None => store.list(res.group, res.plural, namespace),
    };
    let mut items: Vec<(Key, Value)> = objects
        .into_iter()
        .filter(|(k, o)| {
            after
                .as_deref()
                .and_then(|a| a.split_once('/'))
                .is_none_or(|a| (k.namespace.as_str(), k.name.as_str()) > a)
                && selector.matches(o)
        })
        .collect();
    let mut continue_token = String::new();
    if let Some(limit) = q.limit.filter(|l| *l > 0)
        && items.len() > limit
    {
        items.truncate(limit);
        let (k, _) = items.last().expect("limit > 0");
        continue_token = format!("{snapshot_rv}:{}/{}", k.namespace, k.name);
    }
    let items: Vec<Value> = items.iter().map(|(_, o)| view.render(o)).collect();
    let mut metadata = json!({"resourceVersion": snapshot_rv.to_string()});
    if !continue_token.is_empty() || res.custom {
        metadata["continue"] = json!(continue_token);
    }
    Ok(match view {
        View::Full => json!({
            "apiVersion": res.api_version(),
            "items": items,
            "kind": format!("{}List", res.kind),
            "metadata": metadata,
        }),
        View::Metadata => json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": metadata,
            "items": items,
        }),
    })
}
