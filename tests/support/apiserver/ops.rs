//! What the create, update and patch verbs do to the store, and the status subresource split
//! (delete is in `delete.rs`).

use serde_json::{Value, json};

use super::admission::{random_suffix, validate_names};
use super::errors::{ApiError, Cause};
use super::patch;
use super::resources::ResourceDef;
use super::store::{ChangeType, Key, Store};

/// The current time as the server writes timestamps (RFC 3339, seconds).
pub fn now() -> String {
    k8s_openapi::jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// What a request is about: type, namespace ("" for cluster scope), subresource.
#[derive(Clone, Debug)]
pub struct Scope<'a> {
    /// Resource type.
    pub res: &'a ResourceDef,
    /// Namespace from the path, "" for cluster-scoped types.
    pub namespace: &'a str,
    /// Writing through `/status`.
    pub status: bool,
}

impl Scope<'_> {
    pub(super) fn key(&self, name: &str) -> Key {
        Key::new(self.res.group, self.res.plural, self.namespace, name)
    }
}

/// The parts of an object that make up its "spec" for `generation`: all but metadata/status.
fn spec_part(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.as_object_mut() {
        for k in ["metadata", "status", "apiVersion", "kind"] {
            m.remove(k);
        }
    }
    v
}

pub(super) fn finalizers(obj: &Value) -> Vec<String> {
    obj["metadata"]["finalizers"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn run_validator(res: &ResourceDef, name: &str, obj: &Value) -> Result<(), ApiError> {
    let mut causes = Vec::new();
    if let Some(v) = res.validator {
        v(obj, &mut causes);
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(res, name, &causes))
    }
}

/// POST: names (with `generateName`), server-set metadata, admission, 409 when taken.
pub fn create(store: &mut Store, scope: &Scope<'_>, mut obj: Value) -> Result<Value, ApiError> {
    let res = scope.res;
    if !obj.is_object() {
        return Err(ApiError::bad_request(
            "the body of the request must be an object",
        ));
    }
    obj["apiVersion"] = json!(res.api_version());
    obj["kind"] = json!(res.kind);
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    let meta = &mut obj["metadata"];
    match meta["namespace"].as_str() {
        Some(ns) if res.namespaced && !ns.is_empty() && ns != scope.namespace => {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        _ => {}
    }
    let generate = meta["generateName"].as_str().map(String::from);
    let mut name = meta["name"].as_str().unwrap_or_default().to_string();
    if name.is_empty()
        && let Some(prefix) = &generate
    {
        name = format!("{prefix}{}", random_suffix());
    }
    if name.is_empty() {
        let cause = Cause::new(
            "FieldValueRequired",
            "metadata.name",
            "Required value: name or generateName is required",
        );
        return Err(ApiError::invalid(res, "", &[cause]));
    }
    let mut causes = Vec::new();
    validate_names(&name, generate.as_deref(), &mut causes);
    if !causes.is_empty() {
        return Err(ApiError::invalid(res, &name, &causes));
    }
    let m = meta.as_object_mut().expect("metadata is an object");
    m.insert("name".into(), json!(name));
    if res.namespaced {
        m.insert("namespace".into(), json!(scope.namespace));
    } else {
        m.remove("namespace");
    }
    for k in [
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "resourceVersion",
        "managedFields",
    ] {
        m.remove(k);
    }
    m.insert("uid".into(), json!(uuid::Uuid::now_v7().to_string()));
    m.insert("creationTimestamp".into(), json!(now()));
    if res.generation {
        m.insert("generation".into(), json!(1));
    } else {
        m.remove("generation");
    }
    if res.status_subresource
        && let Some(o) = obj.as_object_mut()
    {
        o.remove("status");
    }
    run_validator(res, &name, &obj)?;
    let key = scope.key(&name);
    if store.get(&key).is_some() {
        return Err(ApiError::already_exists(res, &name));
    }
    Ok(store.commit(ChangeType::Added, key, obj).object.clone())
}

/// The common tail of update and patch: status split, fixed metadata, admission,
/// `generation`, no-op detection, and the real delete when the last finalizer goes.
fn write(
    store: &mut Store,
    scope: &Scope<'_>,
    old: &Value,
    mut new: Value,
) -> Result<Value, ApiError> {
    let res = scope.res;
    let name = old["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !new.is_object() || !new["metadata"].is_object() {
        return Err(ApiError::bad_request("the object must have metadata"));
    }
    if let Some(n) = new["metadata"]["name"].as_str()
        && n != name
    {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({name})"
        )));
    }
    if scope.status {
        // Only `.status` moves through the subresource.
        let status = new.get("status").cloned();
        new = old.clone();
        match status {
            Some(s) => new["status"] = s,
            None => {
                new.as_object_mut().expect("object").remove("status");
            }
        }
    } else if res.status_subresource {
        match old.get("status") {
            Some(s) => new["status"] = s.clone(),
            None => {
                new.as_object_mut().expect("object").remove("status");
            }
        }
    }
    new["apiVersion"] = old["apiVersion"].clone();
    new["kind"] = old["kind"].clone();
    {
        let (nm, om) = (&mut new["metadata"], &old["metadata"]);
        for k in [
            "name",
            "namespace",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "resourceVersion",
        ] {
            match om.get(k) {
                Some(v) => nm[k] = v.clone(),
                None => {
                    nm.as_object_mut().expect("object").remove(k);
                }
            }
        }
        if nm
            .get("finalizers")
            .is_some_and(|f| f.as_array().is_some_and(Vec::is_empty))
        {
            nm.as_object_mut().expect("object").remove("finalizers");
        }
    }
    let deleting = old["metadata"].get("deletionTimestamp").is_some();
    if deleting {
        let before = finalizers(old);
        if finalizers(&new).iter().any(|f| !before.contains(f)) {
            let cause = Cause::new(
                "FieldValueForbidden",
                "metadata.finalizers",
                "Forbidden: no new finalizers can be added if the object is being deleted",
            );
            return Err(ApiError::invalid(res, &name, &[cause]));
        }
    }
    run_validator(res, &name, &new)?;
    if res.generation && spec_part(&new) != spec_part(old) {
        let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
        new["metadata"]["generation"] = json!(g + 1);
    }
    if &new == old {
        return Ok(new); // no-op: no new resourceVersion, no watch event
    }
    let key = scope.key(&name);
    if deleting && finalizers(&new).is_empty() {
        // The update is not stored: the object is deleted as it was (as the real server does).
        store.commit(ChangeType::Deleted, key, old.clone());
        return Ok(new);
    }
    Ok(store.commit(ChangeType::Modified, key, new).object.clone())
}

pub(super) fn existing(store: &Store, scope: &Scope<'_>, name: &str) -> Result<Value, ApiError> {
    store
        .get(&scope.key(name))
        .cloned()
        .ok_or_else(|| ApiError::not_found(scope.res, name))
}

/// PUT: optimistic concurrency on `metadata.resourceVersion`.
pub fn update(
    store: &mut Store,
    scope: &Scope<'_>,
    name: &str,
    new: Value,
) -> Result<Value, ApiError> {
    let old = existing(store, scope, name)?;
    match new["metadata"]["resourceVersion"].as_str() {
        None | Some("") if !scope.res.unconditional_update => {
            let cause = Cause::new(
                "FieldValueInvalid",
                "metadata.resourceVersion",
                "Invalid value: 0x0: must be specified for an update",
            );
            return Err(ApiError::invalid(scope.res, name, &[cause]));
        }
        Some(rv) if !rv.is_empty() && Some(rv) != old["metadata"]["resourceVersion"].as_str() => {
            return Err(ApiError::conflict(scope.res, name));
        }
        _ => {}
    }
    write(store, scope, &old, new)
}

/// The patch content types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/merge-patch+json` (and strategic merge, treated alike).
    Merge,
    /// `application/json-patch+json`.
    Json,
    /// `application/apply-patch+yaml`.
    Apply,
}

impl PatchKind {
    /// From a `Content-Type`.
    pub fn from_content_type(ct: &str) -> Option<Self> {
        match ct.split(';').next().unwrap_or_default().trim() {
            "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
                Some(Self::Merge)
            }
            "application/json-patch+json" => Some(Self::Json),
            "application/apply-patch+yaml" | "application/apply-patch+json" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// PATCH, every kind; apply creates a missing object (not through `/status`).
pub fn patch(
    store: &mut Store,
    scope: &Scope<'_>,
    name: &str,
    kind: PatchKind,
    body: &Value,
    field_manager: Option<&str>,
) -> Result<(u16, Value), ApiError> {
    let manager_key = |m: &str| {
        (
            scope.key(name),
            format!("{m}/{}", if scope.status { "status" } else { "" }),
        )
    };
    let manager = || {
        field_manager.ok_or_else(|| {
            ApiError::bad_request("PATCH requests with apply must include fieldManager")
        })
    };
    let Some(old) = store.get(&scope.key(name)).cloned() else {
        if kind == PatchKind::Apply && !scope.status {
            let manager = manager()?;
            let created = create(store, scope, body.clone())?;
            store.applied.insert(manager_key(manager), body.clone());
            return Ok((201, created));
        }
        return Err(ApiError::not_found(scope.res, name));
    };
    let mut new = old.clone();
    match kind {
        PatchKind::Merge => {
            if !body.is_object() {
                return Err(ApiError::bad_request("a merge patch must be a JSON object"));
            }
            patch::merge_patch(&mut new, body);
        }
        PatchKind::Json => patch::json_patch(&mut new, body).map_err(|e| {
            ApiError::new(
                422,
                "Invalid",
                format!("the server rejected our request due to an error in our request: {e}"),
                None,
            )
        })?,
        PatchKind::Apply => {
            let key = manager_key(manager()?);
            patch::apply(&mut new, store.applied.get(&key), body);
            store.applied.insert(key, body.clone());
        }
    }
    if new["metadata"]["resourceVersion"] != old["metadata"]["resourceVersion"] {
        return Err(ApiError::conflict(scope.res, name));
    }
    write(store, scope, &old, new).map(|v| (200, v))
}
