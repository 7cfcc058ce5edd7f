//! The in-memory object store: objects by key, one global `resourceVersion`, a bounded history
//! of changes (the "watch cache") and the open watches it feeds.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;

/// Where an object lives: (group, plural, namespace, name); the version is implied by the type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// API group, empty for core.
    pub group: String,
    /// Plural resource name.
    pub plural: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Object name.
    pub name: String,
}

impl Key {
    /// A key from its parts.
    pub fn new(group: &str, plural: &str, namespace: &str, name: &str) -> Self {
        Self {
            group: group.into(),
            plural: plural.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// Whether the key is of that type and, when given, that namespace.
    pub fn matches(&self, group: &str, plural: &str, namespace: Option<&str>) -> bool {
        self.group == group
            && self.plural == plural
            && namespace.is_none_or(|ns| self.namespace == ns)
    }
}

/// Watch event types stored in the history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeType {
    /// Object created.
    Added,
    /// Object changed.
    Modified,
    /// Object removed.
    Deleted,
}

impl ChangeType {
    /// The watch event `type`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One committed change.
#[derive(Clone, Debug)]
pub struct Change {
    /// Its resourceVersion.
    pub rv: u64,
    /// What happened.
    pub kind: ChangeType,
    /// To which object.
    pub key: Key,
    /// The object as the watch sends it.
    pub object: Value,
    /// The object before the change (to rebuild older states and to judge selectors).
    pub prev: Option<Value>,
}

/// The live changes an open watch receives.
pub type Feed = mpsc::UnboundedReceiver<Arc<Change>>;

/// A watch was asked to start before the oldest change still held.
#[derive(Debug)]
pub struct TooOld {
    /// Oldest resourceVersion a watch may start from.
    pub oldest: u64,
}

/// The store; lives behind a mutex, never held across an await.
#[derive(Debug)]
pub struct Store {
    objects: BTreeMap<Key, Value>,
    rv: u64,
    history: VecDeque<Arc<Change>>,
    /// Changes with rv <= this are gone from the history.
    compacted: u64,
    history_limit: usize,
    watchers: Vec<mpsc::UnboundedSender<Arc<Change>>>,
    closed: bool,
    /// Last configuration applied (server-side apply) per object and "manager/subresource".
    pub applied: HashMap<(Key, String), Value>,
}

impl Store {
    /// An empty store starting at resourceVersion `start`.
    pub fn new(start: u64, history_limit: usize) -> Self {
        Self {
            objects: BTreeMap::new(),
            rv: start,
            history: VecDeque::new(),
            compacted: start,
            history_limit,
            watchers: Vec::new(),
            closed: false,
            applied: HashMap::new(),
        }
    }

    /// Current (latest) resourceVersion.
    pub fn rv(&self) -> u64 {
        self.rv
    }

    /// Oldest resourceVersion from which history is complete.
    pub fn compacted(&self) -> u64 {
        self.compacted
    }

    /// An object, as stored.
    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.objects.get(key)
    }

    /// Objects of a type (in a namespace, or all), sorted by namespace and name.
    pub fn list(&self, group: &str, plural: &str, namespace: Option<&str>) -> Vec<(Key, Value)> {
        self.objects
            .iter()
            .filter(|(k, _)| k.matches(group, plural, namespace))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Objects of a type as they were at `rv` (rebuilt from the history), or `TooOld`.
    pub fn list_at(
        &self,
        group: &str,
        plural: &str,
        namespace: Option<&str>,
        rv: u64,
    ) -> Result<Vec<(Key, Value)>, TooOld> {
        if rv < self.compacted {
            return Err(TooOld {
                oldest: self.compacted + 1,
            });
        }
        let mut objects: BTreeMap<Key, Value> =
            self.list(group, plural, namespace).into_iter().collect();
        for change in self.history.iter().rev().take_while(|c| c.rv > rv) {
            if !change.key.matches(group, plural, namespace) {
                continue;
            }
            match &change.prev {
                Some(prev) => objects.insert(change.key.clone(), prev.clone()),
                None => objects.remove(&change.key),
            };
        }
        Ok(objects.into_iter().collect())
    }

    /// Commits a change: takes the next resourceVersion, writes it into the object's
    /// metadata, updates the map, records the history and feeds every open watch.
    pub fn commit(&mut self, kind: ChangeType, key: Key, mut object: Value) -> Arc<Change> {
        self.rv += 1;
        object["metadata"]["resourceVersion"] = Value::String(self.rv.to_string());
        let prev = match kind {
            ChangeType::Deleted => {
                self.applied.retain(|(k, _), _| k != &key);
                self.objects.remove(&key)
            }
            _ => self.objects.insert(key.clone(), object.clone()),
        };
        let change = Arc::new(Change {
            rv: self.rv,
            kind,
            key,
            object,
            prev,
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.history_limit {
            if let Some(old) = self.history.pop_front() {
                self.compacted = old.rv;
            }
        }
        self.watchers.retain(|tx| tx.send(change.clone()).is_ok());
        change
    }

    /// Opens a watch from `from` (exclusive): the changes since then, and a receiver of the
    /// ones to come; atomically, so none is lost or doubled.
    pub fn subscribe(&mut self, from: u64) -> Result<(Vec<Arc<Change>>, Feed), TooOld> {
        if from < self.compacted {
            return Err(TooOld {
                oldest: self.compacted + 1,
            });
        }
        let replay = self
            .history
            .iter()
            .filter(|c| c.rv > from)
            .cloned()
            .collect();
        let (tx, rx) = mpsc::unbounded_channel();
        if !self.closed {
            self.watchers.push(tx);
        }
        Ok((replay, rx))
    }

    /// Ends every open watch (their streams see the channel close).
    pub fn break_watches(&mut self) {
        self.watchers.clear();
    }

    /// Number of open watches.
    pub fn watch_count(&mut self) -> usize {
        self.watchers.retain(|tx| !tx.is_closed());
        self.watchers.len()
    }

    /// Forgets the whole history: a watch or exact list from any earlier version gets 410.
    pub fn compact(&mut self) {
        self.history.clear();
        self.compacted = self.rv;
    }

    /// Refuses new watches and ends the open ones (server shutdown).
    pub fn close(&mut self) {
        self.closed = true;
        self.watchers.clear();
    }
}
