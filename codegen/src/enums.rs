//! Open enums: the values a spec lists, plus a catch-all so a value the platform adds later
//! still decodes instead of failing the whole response. Their JSON Schema lists the known
//! values, which is what a caller should send.

use crate::OpenEnum;
use std::fmt::Write;

fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for word in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// Renders the `open_enums` module for `enums`; their `JsonSchema` impls only with the cargo
/// feature `json_schema_feature` when it is given.
pub(crate) fn render(enums: &[OpenEnum], json_schema_feature: Option<&str>) -> String {
    let mut s = String::new();
    s.push_str("/// Enumerations of the API, open to values added after this crate was built.\n");
    s.push_str("pub mod open_enums {\n");
    for e in enums {
        render_one(&mut s, e, json_schema_feature);
    }
    s.push_str("}\n");
    s
}

fn render_one(s: &mut String, e: &OpenEnum, json_schema_feature: Option<&str>) {
    let name = &e.name;
    let variants: Vec<(String, &str)> = e
        .values
        .iter()
        .map(|v| (variant_name(v), v.as_str()))
        .collect();
    let other = if variants.iter().any(|(v, _)| v == "Unknown") {
        "UnknownValue"
    } else {
        "Unknown"
    };
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = writeln!(s, "    /// The `{name}` values of the API.");
    let _ = writeln!(
        s,
        "    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]"
    );
    let _ = writeln!(s, "    pub enum {name} {{");
    for (variant, value) in &variants {
        let _ = writeln!(s, "        /// `{value}`");
        let _ = writeln!(s, "        {variant},");
    }
    let _ = writeln!(
        s,
        "        /// A value this version of the crate does not know."
    );
    let _ = writeln!(s, "        {other}(String),");
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    impl {name} {{");
    let _ = writeln!(s, "        /// The value as sent on the wire.");
    let _ = writeln!(s, "        pub fn as_str(&self) -> &str {{");
    let _ = writeln!(s, "            match self {{");
    for (variant, value) in &variants {
        let _ = writeln!(s, "                Self::{variant} => {value:?},");
    }
    let _ = writeln!(s, "                Self::{other}(v) => v.as_str(),");
    let _ = writeln!(s, "            }}");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "        /// Whether the value is one this crate knows.");
    let _ = writeln!(s, "        pub fn is_known(&self) -> bool {{");
    let _ = writeln!(s, "            !matches!(self, Self::{other}(_))");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    impl From<&str> for {name} {{");
    let _ = writeln!(s, "        fn from(value: &str) -> Self {{");
    let _ = writeln!(s, "            match value {{");
    for (variant, value) in &variants {
        let _ = writeln!(s, "                {value:?} => Self::{variant},");
    }
    let _ = writeln!(
        s,
        "                other => Self::{other}(other.to_owned()),"
    );
    let _ = writeln!(s, "            }}");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    impl ::std::str::FromStr for {name} {{");
    let _ = writeln!(s, "        type Err = ::std::convert::Infallible;");
    let _ = writeln!(
        s,
        "        fn from_str(value: &str) -> Result<Self, Self::Err> {{"
    );
    let _ = writeln!(s, "            Ok(Self::from(value))");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    impl ::std::fmt::Display for {name} {{");
    let _ = writeln!(
        s,
        "        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{"
    );
    let _ = writeln!(s, "            f.write_str(self.as_str())");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    impl ::serde::Serialize for {name} {{");
    let _ = writeln!(
        s,
        "        fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{"
    );
    let _ = writeln!(s, "            serializer.serialize_str(self.as_str())");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
    if let Some(feature) = json_schema_feature {
        let _ = writeln!(s, "    #[cfg(feature = {feature:?})]");
        let _ = writeln!(
            s,
            "    #[cfg_attr(docsrs, doc(cfg(feature = {feature:?})))]"
        );
    }
    let _ = writeln!(s, "    impl ::schemars::JsonSchema for {name} {{");
    let _ = writeln!(s, "        fn schema_name() -> ::std::string::String {{");
    let _ = writeln!(s, "            {name:?}.to_owned()");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(
        s,
        "        fn json_schema(_: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {{"
    );
    let _ = writeln!(s, "            ::schemars::schema::SchemaObject {{");
    let _ = writeln!(
        s,
        "                instance_type: Some(::schemars::schema::InstanceType::String.into()),"
    );
    let known: Vec<String> = variants
        .iter()
        .map(|(_, value)| format!("{value:?}.into()"))
        .collect();
    let _ = writeln!(
        s,
        "                enum_values: Some(vec![{}]),",
        known.join(", ")
    );
    let _ = writeln!(s, "                ..Default::default()");
    let _ = writeln!(s, "            }}");
    let _ = writeln!(s, "            .into()");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
    let _ = writeln!(s, "    impl<'de> ::serde::Deserialize<'de> for {name} {{");
    let _ = writeln!(
        s,
        "        fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{"
    );
    let _ = writeln!(
        s,
        "            let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;"
    );
    let _ = writeln!(s, "            Ok(Self::from(value.as_ref()))");
    let _ = writeln!(s, "        }}");
    let _ = writeln!(s, "    }}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_names_are_pascal_case_identifiers() {
        assert_eq!(variant_name("code_example_output"), "CodeExampleOutput");
        assert_eq!(variant_name("async"), "Async");
        assert_eq!(variant_name("3d"), "V3d");
        assert_eq!(variant_name("-"), "V");
    }

    #[test]
    fn a_value_named_unknown_moves_the_catch_all() {
        let out = render(
            &[OpenEnum {
                name: "E".into(),
                values: vec!["unknown".into(), "a".into()],
            }],
            None,
        );
        assert!(out.contains("UnknownValue(String)"));
        assert!(out.contains("\"unknown\" => Self::Unknown,"));
    }

    #[test]
    fn the_json_schema_lists_the_known_values() {
        let out = render(
            &[OpenEnum {
                name: "E".into(),
                values: vec!["a".into(), "b-c".into()],
            }],
            None,
        );
        assert!(out.contains("    impl ::schemars::JsonSchema for E {"));
        assert!(!out.contains("#[cfg("));
        assert!(out.contains("enum_values: Some(vec![\"a\".into(), \"b-c\".into()]),"));
    }

    #[test]
    fn the_json_schema_can_wait_for_a_feature() {
        let out = render(
            &[OpenEnum {
                name: "E".into(),
                values: vec!["a".into()],
            }],
            Some("schemars"),
        );
        assert!(out.contains(
            "    #[cfg(feature = \"schemars\")]\n    #[cfg_attr(docsrs, doc(cfg(feature = \"schemars\")))]\n    impl ::schemars::JsonSchema for E {"
        ));
    }
}
