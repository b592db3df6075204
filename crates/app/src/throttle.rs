//! Login throttling: failed attempts are counted per account and per client address over a
//! sliding window. Keys are hashes, so no e-mail address is kept in memory in clear.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct Throttle {
    window: Duration,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    pub fn new(window: Duration) -> Self {
        Self { window, failures: Mutex::new(HashMap::new()) }
    }

    /// Failures recorded for `key` within the window.
    pub fn count(&self, key: &str) -> usize {
        let mut map = self.failures.lock().expect("throttle lock");
        let now = Instant::now();
        match map.get_mut(key) {
            Some(v) => {
                v.retain(|t| now.duration_since(*t) < self.window);
                v.len()
            }
            None => 0,
        }
    }

    pub fn fail(&self, key: &str) {
        let mut map = self.failures.lock().expect("throttle lock");
        if map.len() > 100_000 {
            // Bounded memory under a spray of distinct keys: forget the oldest state wholesale.
            map.clear();
        }
        map.entry(key.to_owned()).or_default().push(Instant::now());
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().expect("throttle lock").remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_expires() {
        let t = Throttle::new(Duration::from_millis(50));
        t.fail("a");
        t.fail("a");
        assert_eq!(t.count("a"), 2);
        assert_eq!(t.count("b"), 0);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(t.count("a"), 0);
        t.fail("a");
        t.clear("a");
        assert_eq!(t.count("a"), 0);
    }
}
