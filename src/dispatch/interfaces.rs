//! Which interface of a service a request goes through, and the client-wide cache of
//! service interfaces, so a service dispatch costs one round trip.
//!
//! Entries are keyed by service id, live for the configured TTL (5 minutes by default),
//! and are bounded in number. An entry is dropped when the gateway answers 404 or 410
//! through one of its interfaces, when an enrollment of the service is created, activated
//! or cancelled through the client, and when a cached list cannot satisfy a pick (the
//! list is then fetched again once before the pick fails).
//!
//! Concurrent dispatches to a service that is not cached share one fetch.

use crate::client::Client;
use crate::error::{Error, Result};
use crate::types::AccessInterface;
use reqwest::Url;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;
use uuid::Uuid;

/// How many services the cache holds at most.
pub(crate) const CAPACITY: usize = 1024;

/// A service's interfaces as fetched, with each base URL parsed once.
#[derive(Debug)]
pub(crate) struct Interfaces {
    pub(crate) records: Vec<AccessInterface>,
    /// `records[i]`'s base URL, parsed; an error says why it cannot be dispatched to.
    pub(crate) bases: Vec<std::result::Result<Url, String>>,
    fetched: Instant,
}

impl Interfaces {
    pub(crate) fn new(records: Vec<AccessInterface>) -> Interfaces {
        let bases = records.iter().map(parse_base).collect();
        Interfaces {
            records,
            bases,
            fetched: Instant::now(),
        }
    }

    fn mentions(&self, enrollment: Uuid) -> bool {
        self.records
            .iter()
            .any(|i| i.enrollment_id == Some(enrollment))
    }
}

pub(crate) fn parse_base(interface: &AccessInterface) -> std::result::Result<Url, String> {
    let base = interface.base_url.as_deref().ok_or_else(|| {
        format!(
            "interface {:?} has no base_url to dispatch to",
            interface.name
        )
    })?;
    let url = Url::parse(base).map_err(|e| {
        format!(
            "interface {:?} has a base_url that is not a URL ({base:?}): {e}",
            interface.name
        )
    })?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "interface {:?} has a base_url that is not an http(s) URL: {base:?}",
            interface.name
        ));
    }
    Ok(url)
}

type Cell = Arc<OnceCell<Arc<Interfaces>>>;

struct Slot {
    cell: Cell,
    /// When the slot was made, for evicting the oldest when the cache is full.
    made: Instant,
}

/// See the module docs.
pub(crate) struct InterfaceCache {
    ttl: Duration,
    slots: Mutex<HashMap<Uuid, Slot>>,
}

impl std::fmt::Debug for InterfaceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterfaceCache")
            .field("ttl", &self.ttl)
            .field("entries", &self.lock().len())
            .finish()
    }
}

impl InterfaceCache {
    /// A cache whose entries live for `ttl`; zero turns caching off.
    pub(crate) fn new(ttl: Duration) -> InterfaceCache {
        InterfaceCache {
            ttl,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Uuid, Slot>> {
        // A panic while holding the lock leaves the map consistent (every update is a
        // single insert or remove), so a poisoned lock is still usable.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn fresh(&self, interfaces: &Interfaces, now: Instant) -> bool {
        now.saturating_duration_since(interfaces.fetched) < self.ttl
    }

    /// The service's interfaces, from the cache when fresh; `cached` says whether they
    /// were fetched before this call.
    pub(crate) async fn get(&self, client: &Client, service: Uuid) -> Result<Cached> {
        if self.ttl.is_zero() {
            return Ok(Cached {
                interfaces: Arc::new(fetch(client, service).await?),
                cached: false,
            });
        }
        let started = Instant::now();
        let cell = self.cell(service, started);
        let interfaces = cell
            .get_or_try_init(|| async { fetch(client, service).await.map(Arc::new) })
            .await?
            .clone();
        Ok(Cached {
            cached: interfaces.fetched < started,
            interfaces,
        })
    }

    /// The slot's cell for `service`, replacing a stale one.
    fn cell(&self, service: Uuid, now: Instant) -> Cell {
        let mut slots = self.lock();
        if let Some(slot) = slots.get(&service) {
            // An empty cell is a fetch in flight (or one that failed): join it.
            if slot.cell.get().is_none_or(|i| self.fresh(i, now)) {
                return slot.cell.clone();
            }
        }
        let cell = Cell::default();
        self.insert(&mut slots, service, cell.clone(), now);
        cell
    }

    fn insert(&self, slots: &mut HashMap<Uuid, Slot>, service: Uuid, cell: Cell, now: Instant) {
        if slots.len() >= CAPACITY && !slots.contains_key(&service) {
            slots.retain(|_, slot| slot.cell.get().is_none_or(|i| self.fresh(i, now)));
            if slots.len() >= CAPACITY {
                let oldest = slots
                    .iter()
                    .min_by_key(|(_, slot)| slot.made)
                    .map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    slots.remove(&oldest);
                }
            }
        }
        slots.insert(service, Slot { cell, made: now });
    }

    /// Keeps a list just fetched by the caller, e.g. through `services().interfaces(id)`.
    pub(crate) fn store(&self, service: Uuid, interfaces: Arc<Interfaces>) {
        if self.ttl.is_zero() {
            return;
        }
        let cell = Cell::new(OnceCell::from(interfaces));
        let now = Instant::now();
        self.insert(&mut self.lock(), service, cell, now);
    }

    /// Forgets the service's interfaces.
    pub(crate) fn invalidate(&self, service: Uuid) {
        self.lock().remove(&service);
    }

    /// Forgets every service whose interfaces are bound to `enrollment`; when none is,
    /// forgets everything, since the enrollment's service is unknown here.
    pub(crate) fn invalidate_enrollment(&self, enrollment: Uuid) {
        if !self.forget_enrollment(enrollment) {
            self.lock().clear();
        }
    }

    /// Forgets every service whose interfaces are bound to `enrollment`; answers whether
    /// there was one.
    pub(crate) fn forget_enrollment(&self, enrollment: Uuid) -> bool {
        let mut slots = self.lock();
        let before = slots.len();
        slots.retain(|_, slot| slot.cell.get().is_none_or(|i| !i.mentions(enrollment)));
        slots.len() != before
    }

    /// How many services are cached, for tests.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// Interfaces from [`InterfaceCache::get`].
pub(crate) struct Cached {
    pub(crate) interfaces: Arc<Interfaces>,
    /// Whether they came from the cache rather than from a fetch this call made.
    pub(crate) cached: bool,
}

async fn fetch(client: &Client, service: Uuid) -> Result<Interfaces> {
    client
        .services()
        .fetch_interfaces(service)
        .await
        .map(Interfaces::new)
}

/// Picks the interface to dispatch to: by name or id; else by enrollment; else the only
/// enrollment-bound one; else the only one. Anything else is an error naming the choices.
/// Answers the picked interface's index.
pub(crate) fn pick_interface(
    interfaces: &[AccessInterface],
    wanted: Option<&str>,
    enrollment: Option<Uuid>,
) -> Result<usize> {
    let names = || {
        interfaces
            .iter()
            .map(|i| match i.enrollment_id {
                Some(e) => format!("{} (enrollment {e})", i.name),
                None => i.name.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if interfaces.is_empty() {
        return Err(Error::invalid_input(
            "the service has no interface this customer can dispatch to",
        ));
    }
    if let Some(wanted) = wanted {
        return interfaces
            .iter()
            .position(|i| {
                i.name == wanted || i.enrollment_id.is_some_and(|e| e.to_string() == wanted)
            })
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "no interface named {wanted:?}; the service has: {}",
                    names()
                ))
            });
    }
    if interfaces.len() == 1 {
        return Ok(0);
    }
    if let Some(enrollment) = enrollment {
        return interfaces
            .iter()
            .position(|i| i.enrollment_id == Some(enrollment))
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "no interface is bound to enrollment {enrollment}; the service has: {}",
                    names()
                ))
            });
    }
    let mut bound = interfaces
        .iter()
        .enumerate()
        .filter(|(_, i)| i.enrollment_id.is_some());
    if let (Some((only, _)), None) = (bound.next(), bound.next()) {
        return Ok(only);
    }
    Err(Error::invalid_input(format!(
        "the service has several interfaces; choose one with .interface(…) or .enrollment(…): {}",
        names()
    )))
}

/// The interface a request to a service goes through, and where it is.
pub(crate) struct PickedInterface {
    interfaces: Arc<Interfaces>,
    index: usize,
}

impl PickedInterface {
    /// The interface's base URL as the platform gave it.
    pub(crate) fn base_url(&self) -> Result<&str> {
        self.url().map(|_| {
            self.interfaces.records[self.index]
                .base_url
                .as_deref()
                .unwrap_or_default()
        })
    }

    /// The interface's base URL, parsed.
    pub(crate) fn url(&self) -> Result<&Url> {
        self.interfaces.bases[self.index]
            .as_ref()
            .map_err(|reason| Error::invalid_input(reason.clone()))
    }
}

/// Picks an interface of the service by [`pick_interface`]'s rules, from the client's
/// interface cache when it holds the service; a cached list that cannot satisfy the pick
/// is fetched again once, in case it is out of date.
pub(crate) async fn resolve_interface(
    client: &Client,
    service_id: Uuid,
    wanted: Option<&str>,
    enrollment: Option<Uuid>,
) -> Result<PickedInterface> {
    let cache = &client.inner.interfaces;
    let got = cache.get(client, service_id).await?;
    let got = match pick_interface(&got.interfaces.records, wanted, enrollment) {
        Ok(index) => {
            return Ok(PickedInterface {
                interfaces: got.interfaces,
                index,
            })
        }
        Err(_) if got.cached => {
            cache.invalidate(service_id);
            cache.get(client, service_id).await?
        }
        Err(e) => return Err(e),
    };
    let index = pick_interface(&got.interfaces.records, wanted, enrollment)?;
    Ok(PickedInterface {
        interfaces: got.interfaces,
        index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interfaces(enrollment: Option<Uuid>) -> Arc<Interfaces> {
        let record = AccessInterface {
            access_method: None,
            base_url: Some("http://gw.test/p/x".into()),
            description: None,
            enrollment_id: enrollment,
            group_name: None,
            name: "default".into(),
        };
        Arc::new(Interfaces::new(vec![record]))
    }

    #[test]
    fn capacity_bounds_the_cache_and_evicts_the_oldest() {
        let cache = InterfaceCache::new(Duration::from_secs(60));
        let first = Uuid::new_v4();
        cache.store(first, interfaces(None));
        for _ in 1..CAPACITY + 10 {
            cache.store(Uuid::new_v4(), interfaces(None));
        }
        assert_eq!(cache.len(), CAPACITY);
        assert!(!cache.lock().contains_key(&first));
    }

    #[test]
    fn stale_entries_are_replaced() {
        let cache = InterfaceCache::new(Duration::from_millis(1));
        let id = Uuid::new_v4();
        cache.store(id, interfaces(None));
        std::thread::sleep(Duration::from_millis(5));
        let cell = cache.cell(id, Instant::now());
        assert!(cell.get().is_none(), "a stale list is not handed out");
    }

    #[test]
    fn cancelling_an_enrollment_forgets_the_services_bound_to_it() {
        let cache = InterfaceCache::new(Duration::from_secs(60));
        let (bound, other, enrollment) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        cache.store(bound, interfaces(Some(enrollment)));
        cache.store(other, interfaces(None));
        cache.invalidate_enrollment(enrollment);
        assert!(!cache.lock().contains_key(&bound));
        assert!(cache.lock().contains_key(&other));
        // An enrollment no cached list knows may belong to any of them.
        cache.invalidate_enrollment(Uuid::new_v4());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let cache = InterfaceCache::new(Duration::ZERO);
        cache.store(Uuid::new_v4(), interfaces(None));
        assert_eq!(cache.len(), 0);
    }
}
