//! What this instance last applied to Segura, per Credential (by uid), until the controller's
//! cache shows the status that recorded it.
//!
//! A reconcile reads the Credential from the cache, which the watch updates a moment after the
//! operator's own status write. When another trigger (a Secret event, a relist) runs the object
//! again in that moment, the cached status still holds the previous fingerprint and the same
//! state would be upserted twice. The benchmark (`cargo bench --bench sync`) showed it: up to a
//! fifth more upserts than Credentials when creating 50 at once. This memo answers "already
//! applied" for exactly that window; only the operator writes `status.fingerprint`, so a cached
//! fingerprint different from the one recorded here can only be older.

use std::collections::HashMap;
use std::sync::Mutex;

/// Fingerprints applied and written to status, by uid, not yet seen in the cache.
#[derive(Default)]
pub struct AppliedMemo {
    entries: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for AppliedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppliedMemo")
            .field("pending", &self.len())
            .finish()
    }
}

impl AppliedMemo {
    /// Records that `fingerprint` was upserted and written to the status of `uid`.
    pub fn record(&self, uid: Option<&str>, fingerprint: &str) {
        if let Some(uid) = uid {
            self.lock().insert(uid.to_string(), fingerprint.to_string());
        }
    }

    /// Forgets `uid` (after a failure, or on deletion).
    pub fn forget(&self, uid: Option<&str>) {
        if let Some(uid) = uid {
            self.lock().remove(uid);
        }
    }

    /// Whether the desired `fingerprint` was already applied by this instance while the cached
    /// status (`cached`) does not show it yet. Forgets the entry once the cache shows it.
    pub fn applied_ahead_of_cache(
        &self,
        uid: Option<&str>,
        fingerprint: &str,
        cached: Option<&str>,
    ) -> bool {
        let Some(uid) = uid else { return false };
        let mut entries = self.lock();
        match entries.get(uid) {
            Some(applied) if cached == Some(applied.as_str()) => {
                entries.remove(uid);
                false
            }
            Some(applied) => applied == fingerprint,
            None => false,
        }
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_cache_after_own_write_is_already_applied() {
        let m = AppliedMemo::default();
        m.record(Some("u1"), "new");
        // The cache still shows the previous attempt: the same desired state is not resent.
        assert!(m.applied_ahead_of_cache(Some("u1"), "new", Some("old")));
        assert!(m.applied_ahead_of_cache(Some("u1"), "new", None));
        // A different desired state is synced.
        assert!(!m.applied_ahead_of_cache(Some("u1"), "newer", Some("old")));
        // Once the cache shows the write, the entry goes and the usual decision applies.
        assert!(!m.applied_ahead_of_cache(Some("u1"), "new", Some("new")));
        assert!(m.is_empty());
    }

    #[test]
    fn unknown_or_forgotten_objects_are_never_skipped() {
        let m = AppliedMemo::default();
        assert!(!m.applied_ahead_of_cache(Some("u1"), "fp", Some("old")));
        assert!(!m.applied_ahead_of_cache(None, "fp", Some("old")));
        m.record(Some("u1"), "fp");
        m.forget(Some("u1"));
        assert!(!m.applied_ahead_of_cache(Some("u1"), "fp", Some("old")));
        // A recreated Credential has another uid.
        m.record(Some("u1"), "fp");
        assert!(!m.applied_ahead_of_cache(Some("u2"), "fp", None));
    }
}
