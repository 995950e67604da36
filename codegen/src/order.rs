//! Key order of a JSON document, kept beside its `serde_json::Value` (which sorts keys), so a
//! rewritten document lists its keys as the original did and its diff shows only changes.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;
use std::fmt;

/// The shape of a parsed document with object keys in document order; scalars are leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Hint {
    Leaf,
    Array(Vec<Hint>),
    Object(Vec<(String, Hint)>),
}

impl Hint {
    fn keys(&self) -> impl Iterator<Item = &str> {
        let entries = match self {
            Hint::Object(entries) => entries.as_slice(),
            _ => &[],
        };
        entries.iter().map(|(k, _)| k.as_str())
    }

    fn child(&self, key: &str) -> Option<&Hint> {
        match self {
            Hint::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, h)| h),
            _ => None,
        }
    }

    fn item(&self, index: usize) -> Option<&Hint> {
        match self {
            Hint::Array(items) => items.get(index),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Hint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Hint, D::Error> {
        deserializer.deserialize_any(HintVisitor)
    }
}

struct HintVisitor;

impl<'de> Visitor<'de> for HintVisitor {
    type Value = Hint;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Hint, E> {
        Ok(Hint::Leaf)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Hint, E> {
        Ok(Hint::Leaf)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Hint, E> {
        Ok(Hint::Leaf)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Hint, E> {
        Ok(Hint::Leaf)
    }

    fn visit_str<E>(self, _: &str) -> Result<Hint, E> {
        Ok(Hint::Leaf)
    }

    fn visit_unit<E>(self) -> Result<Hint, E> {
        Ok(Hint::Leaf)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Hint, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Hint::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Hint, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Hint>()? {
            entries.push((key, value));
        }
        Ok(Hint::Object(entries))
    }
}

/// A value that serializes with each object's keys in the order its sources had them: the
/// first source's order, then the second's, then any other key alphabetically. A source is
/// a parsed document with its [`Hint`]; array elements find theirs with
/// [`crate::sync::counterpart_index`] (parameters by name, the rest by position).
pub(crate) struct Ordered<'a> {
    value: &'a Value,
    sources: Vec<(Option<&'a Value>, Option<&'a Hint>)>,
}

impl<'a> Ordered<'a> {
    pub(crate) fn new<const N: usize>(
        value: &'a Value,
        sources: [(&'a Value, &'a Hint); N],
    ) -> Self {
        Ordered {
            value,
            sources: sources.iter().map(|(v, h)| (Some(*v), Some(*h))).collect(),
        }
    }
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Object(map) => {
                let mut keys: Vec<&str> = Vec::with_capacity(map.len());
                for hint in self.sources.iter().filter_map(|(_, h)| *h) {
                    for key in hint.keys() {
                        if map.contains_key(key) && !keys.contains(&key) {
                            keys.push(key);
                        }
                    }
                }
                // serde_json's map is sorted, so the leftovers come alphabetically.
                let rest: Vec<&str> = map
                    .keys()
                    .map(String::as_str)
                    .filter(|k| !keys.contains(k))
                    .collect();
                keys.extend(rest);
                let mut out = serializer.serialize_map(Some(keys.len()))?;
                for key in keys {
                    let child = Ordered {
                        value: &map[key],
                        sources: self
                            .sources
                            .iter()
                            .map(|(v, h)| {
                                (v.and_then(|v| v.get(key)), h.and_then(|h| h.child(key)))
                            })
                            .collect(),
                    };
                    out.serialize_entry(key, &child)?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for (i, item) in items.iter().enumerate() {
                    let sources = self
                        .sources
                        .iter()
                        .map(|(v, h)| {
                            let list = v.and_then(Value::as_array);
                            match list.and_then(|l| crate::sync::counterpart_index(item, i, l)) {
                                Some(j) => (list.and_then(|l| l.get(j)), h.and_then(|h| h.item(j))),
                                None => (None, None),
                            }
                        })
                        .collect();
                    out.serialize_element(&Ordered {
                        value: item,
                        sources,
                    })?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_out_in_the_sources_order_then_alphabetically() {
        let first = r#"{"z": 1, "a": {"y": true, "b": null}}"#;
        let second = r#"{"m": 2, "z": 1}"#;
        let (v1, h1): (Value, Hint) = (
            serde_json::from_str(first).unwrap(),
            serde_json::from_str(first).unwrap(),
        );
        let (v2, h2): (Value, Hint) = (
            serde_json::from_str(second).unwrap(),
            serde_json::from_str(second).unwrap(),
        );
        let value = serde_json::json!({"a": {"b": 1, "y": 2, "c": 3}, "k": 0, "m": 2, "z": 1});
        let text = serde_json::to_string(&Ordered::new(&value, [(&v1, &h1), (&v2, &h2)])).unwrap();
        assert_eq!(text, r#"{"z":1,"a":{"y":2,"b":1,"c":3},"m":2,"k":0}"#);
    }
}
