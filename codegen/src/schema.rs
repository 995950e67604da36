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

/// Helpers the generated types refer to; appended to the generated file.
pub(crate) const SUPPORT: &str = r#"/// Support for the generated types' JSON Schemas.
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
}
