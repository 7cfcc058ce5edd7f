//! Watch streams: replay from a held resourceVersion (or the current state as `ADDED`), live
//! changes, `BOOKMARK`s, `ERROR` 410 for a version no longer held, close at `timeoutSeconds`,
//! and an abrupt end when the test breaks watches.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use super::errors::ApiError;
use super::reads::View;
use super::resources::ResourceDef;
use super::selectors::Selector;
use super::store::{Change, ChangeType, Store};

/// What a watch request asks for.
#[derive(Clone, Debug)]
pub struct WatchRequest {
    /// Resource type.
    pub res: ResourceDef,
    /// Namespace, or all.
    pub namespace: Option<String>,
    /// Label and field selectors.
    pub selector: Selector,
    /// Full objects or metadata only.
    pub view: View,
    /// `resourceVersion` to start after ("" / "0" / absent: send the current state first).
    pub resource_version: Option<String>,
    /// `allowWatchBookmarks=true`.
    pub bookmarks: bool,
    /// `sendInitialEvents=true`: current state, then a bookmark marking its end.
    pub initial_events: bool,
    /// `timeoutSeconds`.
    pub timeout: Duration,
}

fn line(kind: &str, object: Value) -> Bytes {
    let mut s =
        serde_json::to_string(&json!({"type": kind, "object": object})).expect("serializes");
    s.push('\n');
    Bytes::from(s)
}

struct Stream {
    req: WatchRequest,
    store: Arc<Mutex<Store>>,
    rx: UnboundedReceiver<Arc<Change>>,
    pending: VecDeque<Bytes>,
    deadline: Instant,
    finished: bool,
}

impl Stream {
    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = match self.req.view {
            View::Full => {
                json!({"apiVersion": self.req.res.api_version(), "kind": self.req.res.kind, "metadata": metadata})
            }
            View::Metadata => {
                json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata})
            }
        };
        line("BOOKMARK", object)
    }

    /// Queues the event a change makes for this watch, if any (selectors can turn a
    /// modification into `ADDED` or `DELETED`, as the real server does).
    fn push_change(&mut self, c: &Change) {
        let r = &self.req;
        if !c
            .key
            .matches(r.res.group, r.res.plural, r.namespace.as_deref())
        {
            return;
        }
        let now = r.selector.matches(&c.object);
        let before = c.prev.as_ref().is_some_and(|p| r.selector.matches(p));
        let kind = match c.kind {
            ChangeType::Added if now => "ADDED",
            ChangeType::Deleted if now => "DELETED",
            ChangeType::Modified if now && before => "MODIFIED",
            ChangeType::Modified if now => "ADDED",
            ChangeType::Modified if before => "DELETED",
            _ => return,
        };
        self.pending.push_back(line(kind, r.view.render(&c.object)));
    }

    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        loop {
            if let Some(b) = self.pending.pop_front() {
                return Some((Ok(b), self));
            }
            if self.finished {
                return None;
            }
            tokio::select! {
                c = self.rx.recv() => match c {
                    Some(c) => self.push_change(&c),
                    None => {
                        self.finished = true;
                        return Some((Err(std::io::Error::other("watch broken by the test server")), self));
                    }
                },
                _ = tokio::time::sleep_until(self.deadline) => {
                    let rv = {
                        let store = self.store.lock().expect("store lock");
                        let mut held = Vec::new();
                        while let Ok(c) = self.rx.try_recv() {
                            held.push(c);
                        }
                        let rv = store.rv();
                        drop(store);
                        for c in held {
                            self.push_change(&c);
                        }
                        rv
                    };
                    if self.req.bookmarks {
                        let b = self.bookmark(rv, false);
                        self.pending.push_back(b);
                    }
                    self.finished = true;
                }
            }
        }
    }
}

/// Opens a watch; the body streams JSON lines until the timeout, a break, or a stop.
pub fn open(store: &Arc<Mutex<Store>>, req: WatchRequest) -> Result<Body, ApiError> {
    let mut guard = store.lock().expect("store lock");
    let from_now = matches!(req.resource_version.as_deref(), None | Some("") | Some("0"));
    let start = if from_now || req.initial_events {
        guard.rv()
    } else {
        let rv = req.resource_version.as_deref().unwrap_or_default();
        rv.parse::<u64>()
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv:?}")))?
    };
    let (replay, rx) = match guard.subscribe(start) {
        Ok(x) => x,
        Err(too_old) => {
            let status = ApiError::expired(format!(
                "too old resource version: {start} ({})",
                too_old.oldest
            ));
            let body = line("ERROR", status.body);
            return Ok(Body::from(body));
        }
    };
    let initial: Vec<Value> = if from_now || req.initial_events {
        guard
            .list(req.res.group, req.res.plural, req.namespace.as_deref())
            .into_iter()
            .map(|(_, o)| o)
            .filter(|o| req.selector.matches(o))
            .collect()
    } else {
        Vec::new()
    };
    let current = guard.rv();
    drop(guard);
    let deadline = Instant::now() + req.timeout;
    let mut s = Stream {
        req,
        store: store.clone(),
        rx,
        pending: VecDeque::new(),
        deadline,
        finished: false,
    };
    for o in &initial {
        let b = line("ADDED", s.req.view.render(o));
        s.pending.push_back(b);
    }
    if s.req.initial_events && s.req.bookmarks {
        let b = s.bookmark(current, true);
        s.pending.push_back(b);
    }
    for c in replay {
        s.push_change(&c);
    }
    Ok(Body::from_stream(futures::stream::unfold(s, Stream::next)))
}
