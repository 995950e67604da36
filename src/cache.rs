//! Storage for what a client remembers between calls, kept below the client so the layers
//! that fill it (dispatch) depend on the client and not the other way round.

use crate::error::Result;
use crate::types::AccessInterface;
use reqwest::Url;
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;
use uuid::Uuid;

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

/// Each service's interfaces by service id; what goes in and when it is dropped is decided
/// in `dispatch/interfaces.rs`.
pub(crate) type InterfaceCache = TtlCache<Uuid, Vec<AccessInterface>>;

/// A bounded map whose entries expire `ttl` after they were fetched; concurrent callers
/// asking for a key that is being fetched share that fetch.
pub(crate) struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    slots: Mutex<HashMap<K, Slot<V>>>,
}

/// An empty cell is a fetch in flight, or one that failed.
type Cell<V> = Arc<OnceCell<Entry<V>>>;

struct Slot<V> {
    cell: Cell<V>,
    /// When the slot was made, for evicting the oldest when the cache is full.
    made: Instant,
}

struct Entry<V> {
    value: Arc<V>,
    fetched: Instant,
}

/// A value from [`TtlCache::get`].
pub(crate) struct Cached<V> {
    pub(crate) value: Arc<V>,
    /// Whether it was fetched before this call rather than by it.
    pub(crate) cached: bool,
}

impl<K, V> std::fmt::Debug for TtlCache<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtlCache")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .field("entries", &lock(&self.slots).len())
            .finish()
    }
}

impl<K: Copy + Eq + Hash, V> TtlCache<K, V> {
    /// A cache of at most `capacity` entries that live for `ttl`; zero turns caching off.
    pub(crate) fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn fresh(&self, entry: &Entry<V>, now: Instant) -> bool {
        now.saturating_duration_since(entry.fetched) < self.ttl
    }

    /// The value for `key`: the cached one while fresh, else what `fetch` answers.
    pub(crate) async fn get<E, F, Fut>(&self, key: K, fetch: F) -> std::result::Result<Cached<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = std::result::Result<V, E>>,
    {
        if self.ttl.is_zero() {
            return Ok(Cached {
                value: Arc::new(fetch().await?),
                cached: false,
            });
        }
        let started = Instant::now();
        let cell = self.cell(key, started);
        let entry = cell
            .get_or_try_init(|| async move {
                let value = Arc::new(fetch().await?);
                Ok::<_, E>(Entry {
                    value,
                    fetched: Instant::now(),
                })
            })
            .await?;
        Ok(Cached {
            value: entry.value.clone(),
            cached: entry.fetched < started,
        })
    }

    /// The slot's cell for `key`, replacing a stale one.
    fn cell(&self, key: K, now: Instant) -> Cell<V> {
        let mut slots = lock(&self.slots);
        if let Some(slot) = slots.get(&key) {
            if slot.cell.get().is_none_or(|e| self.fresh(e, now)) {
                return slot.cell.clone();
            }
        }
        let cell = Cell::default();
        self.insert(&mut slots, key, cell.clone(), now);
        cell
    }

    fn insert(&self, slots: &mut HashMap<K, Slot<V>>, key: K, cell: Cell<V>, now: Instant) {
        if slots.len() >= self.capacity && !slots.contains_key(&key) {
            slots.retain(|_, slot| slot.cell.get().is_none_or(|e| self.fresh(e, now)));
            if slots.len() >= self.capacity {
                let oldest = slots
                    .iter()
                    .min_by_key(|(_, slot)| slot.made)
                    .map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    slots.remove(&oldest);
                }
            }
        }
        slots.insert(key, Slot { cell, made: now });
    }

    /// Keeps a value just fetched by the caller.
    pub(crate) fn store(&self, key: K, value: Arc<V>) {
        if self.ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let entry = Entry {
            value,
            fetched: now,
        };
        let cell = Cell::new(OnceCell::from(entry));
        self.insert(&mut lock(&self.slots), key, cell, now);
    }

    /// Forgets `key`.
    pub(crate) fn invalidate(&self, key: K) {
        lock(&self.slots).remove(&key);
    }

    /// Forgets every value `matches` picks; answers whether there was one.
    pub(crate) fn forget_where(&self, matches: impl Fn(&V) -> bool) -> bool {
        let mut slots = lock(&self.slots);
        let before = slots.len();
        slots.retain(|_, slot| slot.cell.get().is_none_or(|e| !matches(&e.value)));
        slots.len() != before
    }

    /// Forgets everything.
    pub(crate) fn clear(&self) {
        lock(&self.slots).clear();
    }

    /// Whether `key` has a slot, fetched or being fetched, for tests.
    #[cfg(test)]
    pub(crate) fn contains(&self, key: K) -> bool {
        lock(&self.slots).contains_key(&key)
    }

    /// How many keys have a slot, for tests.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        lock(&self.slots).len()
    }
}

fn lock<T>(slots: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the map consistent (every update is a single
    // insert, remove, retain or clear), so a poisoned lock is still usable.
    slots.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(ttl: Duration) -> TtlCache<u32, u32> {
        TtlCache::new(ttl, 8)
    }

    #[test]
    fn capacity_bounds_the_cache_and_evicts_the_oldest() {
        let cache = cache(Duration::from_secs(60));
        for key in 0..18 {
            cache.store(key, Arc::new(key));
        }
        assert_eq!(cache.len(), 8);
        assert!(!cache.contains(0));
        assert!(cache.contains(17));
    }

    #[test]
    fn stale_entries_are_replaced() {
        let cache = cache(Duration::from_millis(1));
        cache.store(1, Arc::new(1));
        std::thread::sleep(Duration::from_millis(5));
        let cell = cache.cell(1, Instant::now());
        assert!(cell.get().is_none(), "a stale value is not handed out");
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let cache = cache(Duration::ZERO);
        cache.store(1, Arc::new(1));
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn forget_where_answers_whether_it_forgot() {
        let cache = cache(Duration::from_secs(60));
        cache.store(1, Arc::new(10));
        cache.store(2, Arc::new(20));
        assert!(cache.forget_where(|v| *v == 10));
        assert!(!cache.forget_where(|v| *v == 10));
        assert!(!cache.contains(1) && cache.contains(2));
    }
}
