//! Which interface of a service a request goes through, and the client-wide cache of
//! service interfaces, so a service dispatch costs one round trip.
//!
//! Entries are keyed by service id, live for the configured TTL (5 minutes by default),
//! and are bounded in number. An entry is dropped when the gateway answers 404 or 410
//! through one of its interfaces, when an enrollment of the service is created, activated
//! or cancelled through the client, and when a cached list cannot satisfy a pick (the
//! list is then fetched again once before the pick fails).
//!
//! Concurrent dispatches to a service that is not cached share one fetch. The storage is
//! [`TtlCache`](crate::cache::TtlCache), below the client; what goes in and when it is
//! dropped is decided here.

use crate::cache::InterfaceCache;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::http::call;
use crate::types::AccessInterface;
use reqwest::Url;
use std::sync::Arc;
use uuid::Uuid;

impl InterfaceCache {
    /// Forgets every service whose interfaces are bound to `enrollment`; when none is,
    /// forgets everything, since the enrollment's service is unknown here.
    pub(crate) fn invalidate_enrollment(&self, enrollment: Uuid) {
        if !self.forget_enrollment(enrollment) {
            self.clear();
        }
    }

    /// Forgets every service whose interfaces are bound to `enrollment`; answers whether
    /// there was one.
    pub(crate) fn forget_enrollment(&self, enrollment: Uuid) -> bool {
        self.forget_where(|records| records.iter().any(|i| i.enrollment_id == Some(enrollment)))
    }
}

/// Fetches the service's interfaces, bypassing the cache.
async fn fetch(client: &Client, service: Uuid) -> Result<Vec<AccessInterface>> {
    client.require_key("services.interfaces")?;
    call(
        client
            .low_level()
            .customer_services_list_service_interfaces()
            .service_id(service)
            .send(),
    )
    .await
}

/// The base URL of a group's one interface.
pub(crate) async fn group_base(client: &Client, name: &str) -> Result<Url> {
    let group = call(
        client
            .low_level()
            .customer_groups_get_group()
            .name(name)
            .send(),
    )
    .await?;
    let interface = group.interface.as_ref().ok_or_else(|| {
        Error::invalid_input(format!(
            "group {name:?} has no group-level interface to dispatch to"
        ))
    })?;
    parse_base(interface)
}

/// The interface's base URL as the platform wrote it.
fn written_base(interface: &AccessInterface) -> Result<&str> {
    interface.base_url.as_deref().ok_or_else(|| {
        Error::invalid_input(format!(
            "interface {:?} has no base_url to dispatch to",
            interface.name
        ))
    })
}

/// The interface's base URL, parsed and checked to be one requests can go under.
fn parse_base(interface: &AccessInterface) -> Result<Url> {
    let base = written_base(interface)?;
    let url = Url::parse(base).map_err(|e| {
        Error::invalid_input(format!(
            "interface {:?} has a base_url that is not a URL ({base:?}): {e}",
            interface.name
        ))
    })?;
    if url.cannot_be_a_base() || !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_input(format!(
            "interface {:?} has a base_url that is not an http(s) URL: {base:?}",
            interface.name
        )));
    }
    Ok(url)
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
    interfaces: Arc<Vec<AccessInterface>>,
    index: usize,
}

impl PickedInterface {
    fn record(&self) -> &AccessInterface {
        &self.interfaces[self.index]
    }

    /// The interface's base URL as the platform gave it, once it is known to parse.
    pub(crate) fn base_url(&self) -> Result<&str> {
        parse_base(self.record())?;
        written_base(self.record())
    }

    /// The interface's base URL as the platform wrote it, unchecked: the key its URLs are
    /// remembered by, so a URL already built is not parsed again.
    pub(crate) fn written_base(&self) -> Result<&str> {
        written_base(self.record())
    }

    /// The interface's base URL, parsed.
    pub(crate) fn url(&self) -> Result<Url> {
        parse_base(self.record())
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
    let got = cache.get(service_id, || fetch(client, service_id)).await?;
    let got = match pick_interface(&got.value, wanted, enrollment) {
        Ok(index) => {
            return Ok(PickedInterface {
                interfaces: got.value,
                index,
            })
        }
        Err(_) if got.cached => {
            cache.invalidate(service_id);
            cache.get(service_id, || fetch(client, service_id)).await?
        }
        Err(e) => return Err(e),
    };
    let index = pick_interface(&got.value, wanted, enrollment)?;
    Ok(PickedInterface {
        interfaces: got.value,
        index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Interfaces, the interface asked for, the enrollment, and what the pick answers.
    type Case<'a, T> = (&'a [AccessInterface], Option<&'a str>, Option<Uuid>, T);

    fn interface(name: &str, enrollment: Option<Uuid>) -> AccessInterface {
        AccessInterface {
            access_method: None,
            base_url: Some("http://gw.test/p/x".into()),
            description: None,
            enrollment_id: enrollment,
            group_name: None,
            name: name.into(),
        }
    }

    #[test]
    fn cancelling_an_enrollment_forgets_the_services_bound_to_it() {
        let cache = InterfaceCache::new(Duration::from_secs(60), 8);
        let (bound, other, enrollment) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        cache.store(bound, Arc::new(vec![interface("mine", Some(enrollment))]));
        cache.store(other, Arc::new(vec![interface("shared", None)]));
        cache.invalidate_enrollment(enrollment);
        assert!(!cache.contains(bound));
        assert!(cache.contains(other));
        // An enrollment no cached list knows may belong to any of them.
        cache.invalidate_enrollment(Uuid::new_v4());
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn picks_by_name_id_enrollment_the_one_bound_then_the_only_one() {
        let (e1, e2) = (Uuid::new_v4(), Uuid::new_v4());
        let shared = interface("shared", None);
        let only = [shared.clone()];
        let one_bound = [shared.clone(), interface("mine", Some(e1))];
        let two_bound = [
            shared.clone(),
            interface("a", Some(e1)),
            interface("b", Some(e2)),
        ];
        let e1_text = e1.to_string();
        let cases: [Case<usize>; 7] = [
            (&only, None, None, 0),
            (&only, None, Some(e2), 0),
            (&one_bound, None, None, 1),
            (&one_bound, Some("shared"), None, 0),
            (&two_bound, Some(&e1_text), None, 1),
            (&two_bound, None, Some(e2), 2),
            (&two_bound, Some("shared"), Some(e2), 0),
        ];
        for (interfaces, wanted, enrollment, want) in cases {
            let got = pick_interface(interfaces, wanted, enrollment);
            assert_eq!(got.ok(), Some(want), "{wanted:?} {enrollment:?}");
        }
    }

    #[test]
    fn a_pick_that_cannot_be_made_names_the_choices() {
        let e1 = Uuid::new_v4();
        let two = [interface("a", None), interface("b", Some(e1))];
        let several = [interface("a", None), interface("b", None)];
        let cases: [Case<&str>; 4] = [
            (
                &[],
                None,
                None,
                "no interface this customer can dispatch to",
            ),
            (
                &two,
                Some("c"),
                None,
                "no interface named \"c\"; the service has: a, b (enrollment",
            ),
            (
                &two,
                None,
                Some(Uuid::nil()),
                "no interface is bound to enrollment",
            ),
            (
                &several,
                None,
                None,
                "choose one with .interface(…) or .enrollment(…): a, b",
            ),
        ];
        for (interfaces, wanted, enrollment, want) in cases {
            let err = pick_interface(interfaces, wanted, enrollment).unwrap_err();
            assert!(err.to_string().contains(want), "{err} lacks {want:?}");
        }
    }

    #[test]
    fn base_urls_that_cannot_be_dispatched_to_say_why() {
        let mut no_base = interface("x", None);
        no_base.base_url = None;
        let mut not_http = interface("y", None);
        not_http.base_url = Some("mailto:ops@example.test".into());
        assert!(parse_base(&no_base)
            .unwrap_err()
            .to_string()
            .contains("no base_url"));
        assert!(parse_base(&not_http)
            .unwrap_err()
            .to_string()
            .contains("not an http(s) URL"));
        assert!(parse_base(&interface("z", None)).is_ok());
    }
}
