//! Storage for what a client remembers between calls, kept below the client so the layers
//! that fill it (dispatch) depend on the client and not the other way round.

use crate::error::Result;
use reqwest::Url;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard};

/// Gateway URLs already built and checked, by target and sub-path, so a path used again
/// is neither checked nor parsed again.
#[derive(Debug, Default)]
pub(crate) struct UrlMemo(Mutex<HashMap<Box<str>, Url, BuildHasherDefault<PathHasher>>>);

/// A word-at-a-time multiplicative hash (the Fx hash): the keys are the application's own
/// paths and the map is small and bounded, so speed matters more than flood resistance.
#[derive(Default)]
struct PathHasher(u64);

impl Hasher for PathHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut add = |word: u64| {
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        };
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(word);
            add(u64::from_le_bytes(buf));
        }
        let mut buf = [0u8; 8];
        let tail = words.remainder();
        buf[..tail.len()].copy_from_slice(tail);
        add(u64::from_le_bytes(buf) ^ (tail.len() as u64) << 56);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// How many URLs a client remembers; past that it starts over.
const URL_MEMO_CAPACITY: usize = 256;

impl UrlMemo {
    /// The URL for `target` and `sub`, built by `build` the first time.
    pub(crate) fn get_or_build(
        &self,
        target: &str,
        sub: &str,
        build: impl FnOnce() -> Result<Url>,
    ) -> Result<Url> {
        // A NUL cannot appear in a path that passes the checks, so the key is unambiguous.
        let key: Cow<'_, str> = if sub.is_empty() {
            Cow::Borrowed(target)
        } else {
            Cow::Owned(format!("{target}\0{sub}"))
        };
        if let Some(url) = self.lock().get(&*key) {
            return Ok(url.clone());
        }
        let url = build()?;
        let mut urls = self.lock();
        if urls.len() >= URL_MEMO_CAPACITY {
            urls.clear();
        }
        urls.insert(key.into(), url.clone());
        Ok(url)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Box<str>, Url, BuildHasherDefault<PathHasher>>> {
        // Every update is one insert or clear, so a poisoned map is still consistent.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}
