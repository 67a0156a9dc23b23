//! A small map whose entries last a fixed while: what a request may reuse from an earlier one
//! instead of asking the network again (a single sign-on provider's discovery document and keys).
//! Per process; an entry past its lifetime is as good as absent.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Expiring<V> {
    lifetime: Duration,
    entries: Mutex<HashMap<String, (Instant, V)>>,
}

impl<V: Clone> Expiring<V> {
    pub fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The value kept for `key`, if it is younger than the lifetime.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((kept, value)) if kept.elapsed() < self.lifetime => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps `value` for `key` from now on.
    pub fn put(&self, key: &str, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (kept, _)| kept.elapsed() < self.lifetime);
        entries.insert(key.to_owned(), (Instant::now(), value));
    }

    /// Drops what is kept for `key`.
    pub fn forget(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_lasts_its_lifetime_and_can_be_forgotten() {
        let kept = Expiring::new(Duration::from_millis(50));
        kept.put("a", 1);
        assert_eq!(kept.get("a"), Some(1));
        assert_eq!(kept.get("b"), None);
        kept.forget("a");
        assert_eq!(kept.get("a"), None);
        kept.put("a", 2);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(kept.get("a"), None, "expired");
    }
}
