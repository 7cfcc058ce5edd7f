//! DELETE of an object: finalizers mark it as deleting; without them it goes, with a
//! `Success` Status, as the recordings show.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::ops::{Scope, existing, finalizers, now};
use super::store::{ChangeType, Store};

/// DELETE: with finalizers, marks the object as deleting (200 with it); without, removes it
/// (200 with a `Success` Status). Honours `preconditions` of the DeleteOptions body.
pub fn delete(
    store: &mut Store,
    scope: &Scope<'_>,
    name: &str,
    options: &Value,
) -> Result<Value, ApiError> {
    let res = scope.res;
    let old = existing(store, scope, name)?;
    let pre = &options["preconditions"];
    for k in ["uid", "resourceVersion"] {
        if let Some(want) = pre[k].as_str()
            && Some(want) != old["metadata"][k].as_str()
        {
            return Err(ApiError::conflict(res, name));
        }
    }
    let key = scope.key(name);
    if !finalizers(&old).is_empty() {
        if old["metadata"].get("deletionTimestamp").is_some() {
            return Ok(old);
        }
        let mut new = old.clone();
        new["metadata"]["deletionTimestamp"] = json!(now());
        new["metadata"]["deletionGracePeriodSeconds"] = json!(0);
        if res.generation {
            let g = old["metadata"]["generation"].as_i64().unwrap_or(1);
            new["metadata"]["generation"] = json!(g + 1);
        }
        return Ok(store.commit(ChangeType::Modified, key, new).object.clone());
    }
    store.commit(ChangeType::Deleted, key, old.clone());
    let mut details = json!({"name": name});
    if !res.group.is_empty() {
        details["group"] = json!(res.group);
    }
    details["kind"] = json!(res.plural);
    details["uid"] = old["metadata"]["uid"].clone();
    Ok(
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
    )
}
