//! JSON Schema support for the generated types: which Rust type stands for each component,
//! and the attribute that keeps schemars honest about required-but-nullable fields.

use crate::OpenEnum;
use quote::ToTokens;
use serde_json::Value;

/// A component schema of the document and the generated type that stands for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentType {
    /// The name under `components.schemas`.
    pub name: String,
    /// The Rust path of the type, relative to the module the generated file is included in
    /// (`types::SecretPublic`, `open_enums::GroupTypeEnum`).
    pub path: String,
}

/// Helpers the generated types refer to; appended to the generated file. With a
/// `json_schema_feature` they are only compiled with that cargo feature, like the impls that
/// use them.
pub(crate) fn support(json_schema_feature: Option<&str>) -> String {
    let gate = json_schema_feature
        .map(|f| format!("#[cfg(feature = {f:?})]\n"))
        .unwrap_or_default();
    SUPPORT.replacen("#[doc(hidden)]\n", &format!("{gate}#[doc(hidden)]\n"), 1)
}

const SUPPORT: &str = r#"/// Support for the generated types' JSON Schemas.
#[doc(hidden)]
pub mod schema_support {
    /// The JSON Schema of `T`, listed among the required properties even when `T` is an
    /// `Option`: a field the API requires but allows to be `null` must be present.
    pub struct Required<T>(::std::marker::PhantomData<T>);
    impl<T: ::schemars::JsonSchema> ::schemars::JsonSchema for Required<T> {
        fn is_referenceable() -> bool {
            false
        }
        fn schema_name() -> ::std::string::String {
            T::schema_name()
        }
        fn schema_id() -> ::std::borrow::Cow<'static, str> {
            T::schema_id()
        }
        fn json_schema(
            generator: &mut ::schemars::r#gen::SchemaGenerator,
        ) -> ::schemars::schema::Schema {
            T::json_schema(generator)
        }
    }
}
"#;

/// Moves every `schemars` item of the generated code behind the cargo feature `feature`: the
/// `JsonSchema` derive becomes `#[cfg_attr(feature = "…", derive(::schemars::JsonSchema))]`,
/// each `#[schemars(…)]` helper attribute a `cfg_attr` of its own, and a hand-rolled
/// `impl JsonSchema` a `#[cfg(…)]` item. The types and everything else stay as they are.
pub(crate) fn gate_json_schema(items: &mut [syn::Item], feature: &str) {
    for item in items.iter_mut() {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    gate_json_schema(inner, feature);
                }
            }
            syn::Item::Struct(item) => {
                gate_derive(&mut item.attrs, feature);
                for field in item.fields.iter_mut() {
                    gate_helpers(&mut field.attrs, feature);
                }
            }
            syn::Item::Enum(item) => {
                gate_derive(&mut item.attrs, feature);
                for variant in &mut item.variants {
                    gate_helpers(&mut variant.attrs, feature);
                    for field in variant.fields.iter_mut() {
                        gate_helpers(&mut field.attrs, feature);
                    }
                }
            }
            syn::Item::Impl(item) if is_json_schema_impl(item) => {
                item.attrs
                    .push(syn::parse_quote!(#[cfg(feature = #feature)]));
            }
            _ => {}
        }
    }
}

fn is_schemars_path(path: &syn::Path) -> bool {
    path.segments.first().is_some_and(|s| s.ident == "schemars")
}

fn is_json_schema_impl(item: &syn::ItemImpl) -> bool {
    item.trait_
        .as_ref()
        .is_some_and(|(_, path, _)| is_schemars_path(path))
}

/// Takes `schemars` derives out of `#[derive(…)]` and puts them back under the feature.
fn gate_derive(attrs: &mut Vec<syn::Attribute>, feature: &str) {
    use syn::punctuated::Punctuated;
    let mut gated: Vec<syn::Path> = Vec::new();
    let mut at = None;
    for (i, attr) in attrs.iter_mut().enumerate() {
        if !attr.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) =
            attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        let (schemars, kept): (Vec<_>, Vec<_>) = paths.into_iter().partition(is_schemars_path);
        if schemars.is_empty() {
            continue;
        }
        gated.extend(schemars);
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        at = Some(i + 1);
    }
    if let Some(at) = at {
        attrs.insert(
            at,
            syn::parse_quote!(#[cfg_attr(feature = #feature, derive(#(#gated),*))]),
        );
        gate_helpers(attrs, feature);
    }
}

/// Wraps each `#[schemars(…)]` helper attribute in `#[cfg_attr(feature = "…", schemars(…))]`.
fn gate_helpers(attrs: &mut [syn::Attribute], feature: &str) {
    for attr in attrs.iter_mut() {
        if attr.path().is_ident("schemars") {
            let meta = &attr.meta;
            *attr = syn::parse_quote!(#[cfg_attr(feature = #feature, #meta)]);
        }
    }
}

/// typify marks a field the schema requires but allows to be null with this attribute (an
/// `Option` that must still be present); schemars would call such a field optional.
const REQUIRED_NULLABLE: &str = "deserialize_with = \"::std::option::Option::deserialize\"";

/// Adds `#[schemars(with = "<required><T>")]` to every required-but-nullable field, so the
/// JSON Schema lists it as required and nullable, as the API does.
pub(crate) fn mark_required_nullable(items: &mut [syn::Item], required: &str) {
    for item in items {
        match item {
            syn::Item::Mod(module) => {
                if let Some((_, inner)) = &mut module.content {
                    mark_required_nullable(inner, required);
                }
            }
            syn::Item::Struct(item) => {
                for field in item.fields.iter_mut() {
                    if field.attrs.iter().any(is_required_nullable) {
                        let with = format!("{required}<{}>", compact(&field.ty));
                        field
                            .attrs
                            .push(syn::parse_quote!(#[schemars(with = #with)]));
                    }
                }
            }
            _ => {}
        }
    }
}

fn is_required_nullable(attr: &syn::Attribute) -> bool {
    attr.path().is_ident("serde")
        && attr
            .meta
            .require_list()
            .is_ok_and(|list| list.tokens.to_string() == REQUIRED_NULLABLE)
}

/// A type as compact text: `::std::option::Option<::uuid::Uuid>`, not the token stream's
/// spaced-out form.
fn compact(ty: &syn::Type) -> String {
    let spaced = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(spaced.len());
    let mut words = spaced.split(' ').peekable();
    while let Some(word) = words.next() {
        out.push_str(word);
        // Only two identifiers in a row (`dyn Trait`, `& 'a str`) need the space back.
        let next = words.peek().copied().unwrap_or_default();
        if is_word(word) && is_word(next) {
            out.push(' ');
        }
    }
    out
}

fn is_word(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '\'')
}

/// The generated type of every component schema: open enums by their own name, the rest by
/// the name typify gives them, which must exist among `type_names`.
pub(crate) fn component_types(
    spec: &Value,
    enums: &[OpenEnum],
    type_names: &[String],
) -> Result<Vec<ComponentType>, String> {
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(Vec::new());
    };
    schemas
        .keys()
        .map(|name| {
            if enums.iter().any(|e| &e.name == name) {
                return Ok(ComponentType {
                    name: name.clone(),
                    path: format!("open_enums::{name}"),
                });
            }
            let rust = type_name(name);
            if !type_names.contains(&rust) {
                return Err(format!(
                    "component {name}: no generated type named {rust} was found"
                ));
            }
            Ok(ComponentType {
                name: name.clone(),
                path: format!("types::{rust}"),
            })
        })
        .collect()
}

/// The name typify gives a component: its words in PascalCase.
pub(crate) fn type_name(component: &str) -> String {
    use heck::ToPascalCase;
    component
        .replace('\'', "")
        .replace(|c: char| !(c.is_alphanumeric() || c == '_'), "-")
        .to_pascal_case()
}

/// See [`crate::Generated::component_table`].
pub(crate) fn component_table(components: &[ComponentType], krate: &str) -> String {
    let mut s = String::from("&[\n");
    for c in components {
        s.push_str(&format!(
            "    ({:?}, schema_of::<{krate}::{}>),\n",
            c.name, c.path
        ));
    }
    s.push(']');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_typify() {
        assert_eq!(type_name("HTTPValidationError"), "HttpValidationError");
        assert_eq!(
            type_name("CursorPage_ServiceSummary_"),
            "CursorPageServiceSummary"
        );
        assert_eq!(
            type_name("Body_customer-upload_account_file"),
            "BodyCustomerUploadAccountFile"
        );
    }

    #[test]
    fn required_nullable_fields_get_a_schemars_attribute() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct A {
                    #[serde(deserialize_with = "::std::option::Option::deserialize")]
                    pub kept: ::std::option::Option<::uuid::Uuid>,
                    #[serde(skip_serializing_if = "::std::option::Option::is_none")]
                    pub optional: ::std::option::Option<::uuid::Uuid>,
                }
            }
        };
        mark_required_nullable(&mut file.items, "crate::m::Required");
        let code = prettyplease::unparse(&file);
        assert!(code.contains(
            r#"#[schemars(with = "crate::m::Required<::std::option::Option<::uuid::Uuid>>")]
        pub kept"#
        ));
        assert_eq!(code.matches("schemars(").count(), 1);
    }

    #[test]
    fn json_schema_items_can_wait_for_a_feature() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::schemars::JsonSchema, ::serde::Deserialize, Clone)]
                pub struct A {
                    #[schemars(with = "R<u8>")]
                    pub kept: u8,
                }
                #[derive(Clone, ::schemars::JsonSchema)]
                pub enum B {
                    #[schemars(rename = "x")]
                    X,
                }
                #[derive(Clone)]
                pub struct Plain;
                impl ::schemars::JsonSchema for Plain {}
            }
        };
        gate_json_schema(&mut file.items, "schemars");
        let code = prettyplease::unparse(&file);
        assert!(code.contains(
            "#[derive(::serde::Deserialize, Clone)]\n    #[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]\n    pub struct A"
        ), "{code}");
        assert!(code.contains(r#"#[cfg_attr(feature = "schemars", schemars(with = "R<u8>"))]"#));
        assert!(code.contains(r#"#[cfg_attr(feature = "schemars", schemars(rename = "x"))]"#));
        assert!(code.contains("#[derive(Clone)]\n    #[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]\n    pub enum B"));
        assert!(code.contains("#[derive(Clone)]\n    pub struct Plain;"));
        assert!(code
            .contains("#[cfg(feature = \"schemars\")]\n    impl ::schemars::JsonSchema for Plain"));
        assert!(!code.contains("#[derive(::schemars") && !code.contains("#[schemars("));
    }

    #[test]
    fn the_support_module_waits_for_the_feature_too() {
        assert!(!support(None).contains("#[cfg("));
        assert!(support(Some("schemars"))
            .contains("#[cfg(feature = \"schemars\")]\n#[doc(hidden)]\npub mod schema_support"));
    }
}
