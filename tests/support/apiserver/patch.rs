//! Patch formats: JSON merge patch (RFC 7386, also used for strategic merge), JSON patch
//! (RFC 6902) and a simplified server-side apply.

use serde_json::{Map, Value};

/// Applies a JSON merge patch in place.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let map = target.as_object_mut().expect("made an object above");
    for (k, v) in patch {
        if v.is_null() {
            map.remove(k);
        } else {
            merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
        }
    }
}

/// Splits a JSON pointer into unescaped tokens.
fn tokens(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(vec![]);
    }
    let rest = pointer
        .strip_prefix('/')
        .ok_or_else(|| format!("invalid JSON pointer {pointer:?}"))?;
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// The value at a pointer.
fn lookup<'a>(doc: &'a Value, toks: &[String]) -> Option<&'a Value> {
    toks.iter().try_fold(doc, |cur, t| match cur {
        Value::Object(m) => m.get(t),
        Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// The parent container of a pointer, mutable.
fn parent_mut<'a>(doc: &'a mut Value, toks: &[String]) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("missing path element {t:?}"))?;
    }
    Ok(cur)
}

fn add(doc: &mut Value, toks: &[String], value: Value) -> Result<(), String> {
    let Some((last, parent)) = toks.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, parent)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>()
                    .map_err(|_| format!("bad index {last:?}"))?
            };
            if i > a.len() {
                return Err(format!("index {i} out of bounds"));
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err("parent is not a container".into()),
    }
}

fn remove(doc: &mut Value, toks: &[String]) -> Result<Value, String> {
    let (last, parent) = toks.split_last().ok_or("cannot remove the root")?;
    match parent_mut(doc, parent)? {
        Value::Object(m) => m
            .remove(last)
            .ok_or_else(|| format!("missing key {last:?}")),
        Value::Array(a) => {
            let i = last
                .parse::<usize>()
                .map_err(|_| format!("bad index {last:?}"))?;
            if i >= a.len() {
                return Err(format!("index {i} out of bounds"));
            }
            Ok(a.remove(i))
        }
        _ => Err("parent is not a container".into()),
    }
}

/// Applies a JSON patch (a list of operations); all or nothing.
pub fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let ops = ops
        .as_array()
        .ok_or("a JSON patch must be a list of operations")?;
    let mut doc = target.clone();
    for op in ops {
        let name = op["op"].as_str().ok_or("operation without \"op\"")?;
        let path = tokens(op["path"].as_str().ok_or("operation without \"path\"")?)?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or("operation without \"value\"")
        };
        match name {
            "add" => add(&mut doc, &path, value()?)?,
            "remove" => {
                remove(&mut doc, &path)?;
            }
            "replace" => {
                remove(&mut doc, &path)?;
                add(&mut doc, &path, value()?)?;
            }
            "test" => {
                // Like the server's library, a missing path tests equal to null.
                let found = lookup(&doc, &path).cloned().unwrap_or(Value::Null);
                if found != value()? {
                    return Err(format!(
                        "testing value {} failed",
                        op["path"].as_str().unwrap_or_default()
                    ));
                }
            }
            "move" | "copy" => {
                let from = tokens(op["from"].as_str().ok_or("operation without \"from\"")?)?;
                let v = if name == "move" {
                    remove(&mut doc, &from)?
                } else {
                    lookup(&doc, &from)
                        .cloned()
                        .ok_or("missing \"from\" value")?
                };
                add(&mut doc, &path, v)?;
            }
            other => return Err(format!("unknown operation {other:?}")),
        }
    }
    *target = doc;
    Ok(())
}

/// Removes from `live` the fields set by the previous apply of a manager and absent from
/// its new configuration (maps recurse; lists are atomic).
fn prune_released(live: &mut Value, previous: &Value, applied: &Value) {
    let (Value::Object(live), Value::Object(previous)) = (live, previous) else {
        return;
    };
    for (k, old) in previous {
        match applied.get(k) {
            None => {
                live.remove(k);
            }
            Some(new) if new.is_object() && old.is_object() => {
                if let Some(l) = live.get_mut(k) {
                    prune_released(l, old, new);
                }
            }
            Some(_) => {}
        }
    }
}

/// Merges an applied configuration: maps recurse, anything else (lists too) replaces.
fn apply_merge(live: &mut Value, applied: &Value) {
    match (live, applied) {
        (Value::Object(l), Value::Object(a)) => {
            for (k, v) in a {
                match l.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        apply_merge(existing, v)
                    }
                    _ => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (live, applied) => *live = applied.clone(),
    }
}

/// Server-side apply, simplified: the manager's fields from its previous apply that are gone
/// from this one are removed, then the configuration is merged in. No conflicts are raised
/// between managers (as if `force=true` always); `managedFields` are not kept.
pub fn apply(live: &mut Value, previous: Option<&Value>, applied: &Value) {
    if let Some(prev) = previous {
        prune_released(live, prev, applied);
    }
    apply_merge(live, applied);
}

/// Parses a patch body: JSON, or YAML for `apply-patch+yaml`.
pub fn parse_body(body: &[u8], yaml_allowed: bool) -> Result<Value, String> {
    match serde_json::from_slice(body) {
        Ok(v) => Ok(v),
        Err(e) if yaml_allowed => {
            let text = std::str::from_utf8(body).map_err(|_| e.to_string())?;
            serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}
