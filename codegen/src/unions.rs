//! Unions of object schemas: decoded as an untagged enum that keeps every branch's fields.
//!
//! typify turns `anyOf: [A, B]` of objects into a struct of two flattened `Option`s: serde
//! hands the fields both branches share to the first, the second then misses its required
//! fields and is dropped, and with it every field only `B` declares. For `oneOf` typify emits
//! an untagged enum of the branches, tried in order. So the normalizer rewrites such an
//! `anyOf` to `oneOf` and puts the branches declaring more properties first; a larger branch
//! whose extra properties are all optional would then take the smaller branch's bodies too,
//! so it gets a guard (the body must carry one of its extra keys), which [`decode_in_order`]
//! builds into the generated enum's `Deserialize`.

use crate::schema::type_name;
use quote::quote;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A union of object components whose generated enum decodes its branches in order, a branch
/// being tried only when its guard holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectUnion {
    /// The branches in decoding order.
    pub branches: Vec<UnionBranch>,
}

/// One branch of an [`ObjectUnion`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnionBranch {
    /// The component the branch refers to.
    pub component: String,
    /// Key groups the body must carry at least one key of each before this branch is tried:
    /// for every later branch it could take bodies of, the properties that one lacks.
    pub guard: Vec<Vec<String>>,
}

/// What the rule needs to know about a branch.
struct Shape {
    component: Option<String>,
    properties: BTreeSet<String>,
    required: BTreeSet<String>,
}

/// Rewrites every `anyOf` or `oneOf` of two or more object schemas (after `null` branches
/// became `nullable`) to a `oneOf` whose branches are stably sorted by declared, then
/// required, property count, descending, so a branch whose properties include another's is
/// tried first. Returns the unions that need guards, in document order, without repeats.
pub(crate) fn order_object_unions(spec: &mut Value) -> Vec<ObjectUnion> {
    let components = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut unions = Vec::new();
    for section in ["paths", "components"] {
        if let Some(v) = spec.get_mut(section) {
            walk(v, false, &mut |map| {
                if let Some(union) = order_union(map, &components) {
                    if !unions.contains(&union) {
                        unions.push(union);
                    }
                }
            });
        }
    }
    unions
}

/// Calls `f` on every schema object, never on a `properties` map (whose keys are field names).
fn walk(value: &mut Value, property_map: bool, f: &mut impl FnMut(&mut Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            if !property_map {
                f(map);
            }
            for (k, v) in map.iter_mut() {
                walk(v, !property_map && k == "properties", f);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| walk(v, false, f)),
        _ => {}
    }
}

fn order_union(
    map: &mut Map<String, Value>,
    components: &Map<String, Value>,
) -> Option<ObjectUnion> {
    let key = ["anyOf", "oneOf"].into_iter().find(|k| {
        map.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|b| b.len() >= 2)
    })?;
    let branches = map.get(key)?.as_array()?;
    let shapes: Vec<Shape> = branches
        .iter()
        .map(|b| shape(b, components))
        .collect::<Option<_>>()?;
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    order.sort_by_key(|&i| {
        std::cmp::Reverse((shapes[i].properties.len(), shapes[i].required.len()))
    });
    let sorted: Vec<Value> = order.iter().map(|&i| branches[i].clone()).collect();
    map.remove("anyOf");
    map.insert("oneOf".into(), Value::Array(sorted));

    let shapes: Vec<&Shape> = order.iter().map(|&i| &shapes[i]).collect();
    let guards: Vec<Vec<Vec<String>>> = (0..shapes.len())
        .map(|i| guard(shapes[i], &shapes[i + 1..]))
        .collect();
    if guards.iter().all(Vec::is_empty) {
        return None;
    }
    // Only component branches become newtype variants the generated decoder can name; an
    // inline branch keeps the order alone.
    let branches = shapes
        .iter()
        .zip(guards)
        .map(|(s, guard)| {
            Some(UnionBranch {
                component: s.component.clone()?,
                guard,
            })
        })
        .collect::<Option<_>>()?;
    Some(ObjectUnion { branches })
}

/// The declared and required properties of an object branch; `None` for anything else.
fn shape(branch: &Value, components: &Map<String, Value>) -> Option<Shape> {
    let (component, schema) = match branch.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/")?;
            (Some(name.to_owned()), components.get(name)?)
        }
        None => (None, branch),
    };
    let names = |key: &str| -> BTreeSet<String> {
        match schema.get(key) {
            Some(Value::Object(m)) => m.keys().cloned().collect(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            _ => BTreeSet::new(),
        }
    };
    schema.get("properties")?.as_object()?;
    Some(Shape {
        component,
        properties: names("properties"),
        required: names("required"),
    })
}

/// For each later branch that accepts bodies `branch` would accept too (it declares every
/// property `branch` requires), the properties `branch` declares and that one does not.
fn guard(branch: &Shape, later: &[&Shape]) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    for other in later {
        if !branch.required.is_subset(&other.properties) {
            continue;
        }
        let own: Vec<String> = branch
            .properties
            .difference(&other.properties)
            .cloned()
            .collect();
        if !own.is_empty() && !groups.contains(&own) {
            groups.push(own);
        }
    }
    groups
}

/// Makes each generated untagged enum of a guarded union decode through a `TryFrom` that
/// tries the branches in order, skipping a branch whose guard does not hold, and reports the
/// first tried branch's error (serde's own reason, not "did not match any variant").
pub(crate) fn decode_in_order(
    items: &mut [syn::Item],
    unions: &[ObjectUnion],
) -> Result<(), String> {
    let mut found = vec![false; unions.len()];
    let types = items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, c)| c),
        _ => None,
    });
    if let Some(types) = types {
        let mut at = 0;
        while at < types.len() {
            let matched = match &mut types[at] {
                syn::Item::Enum(e) => unions.iter().position(|u| is_enum_of(e, u)).map(|n| (n, e)),
                _ => None,
            };
            if let Some((n, e)) = matched {
                found[n] = true;
                e.attrs
                    .push(syn::parse_quote!(#[serde(try_from = "::serde_json::Value")]));
                let decoder = try_from_impl(e, &unions[n]);
                at += 1;
                types.insert(at, decoder);
            }
            at += 1;
        }
    }
    match found.iter().position(|f| !f) {
        Some(n) => Err(format!(
            "no generated untagged enum for the union of {}",
            unions[n]
                .branches
                .iter()
                .map(|b| b.component.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(()),
    }
}

/// Whether `e` is typify's untagged enum for `union`: one newtype variant per branch, in order.
fn is_enum_of(e: &syn::ItemEnum, union: &ObjectUnion) -> bool {
    let untagged = e.attrs.iter().any(|a| {
        a.path().is_ident("serde")
            && a.meta
                .require_list()
                .is_ok_and(|l| l.tokens.to_string() == "untagged")
    });
    untagged
        && e.variants.len() == union.branches.len()
        && e.variants.iter().zip(&union.branches).all(|(v, b)| {
            let named = |ty: &syn::Type| match ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            payload(v).and_then(named) == Some(type_name(&b.component))
        })
}

/// The type a newtype variant carries.
fn payload(v: &syn::Variant) -> Option<&syn::Type> {
    match &v.fields {
        syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => f.unnamed.first().map(|f| &f.ty),
        _ => None,
    }
}

fn try_from_impl(e: &syn::ItemEnum, union: &ObjectUnion) -> syn::Item {
    let name = &e.ident;
    let variants: Vec<_> = e.variants.iter().map(|v| (&v.ident, payload(v))).collect();
    // The last branch has no later one to guard against: it is always tried, and its error
    // stands when no earlier branch was.
    let Some(((last, last_ty), earlier)) = variants.split_last() else {
        unreachable!("a union has at least two branches");
    };
    let attempts = earlier
        .iter()
        .zip(&union.branches)
        .map(|((variant, ty), b)| {
            let attempt = quote! {
                match <#ty as ::serde::Deserialize>::deserialize(&body) {
                    Ok(v) => return Ok(Self::#variant(v)),
                    Err(e) => {
                        first.get_or_insert(e);
                    }
                }
            };
            if b.guard.is_empty() {
                return attempt;
            }
            let groups = b.guard.iter().map(|keys| {
                let any = quote!(#(body.get(#keys).is_some())||*);
                if keys.len() > 1 && b.guard.len() > 1 {
                    quote!((#any))
                } else {
                    any
                }
            });
            quote! {
                if #(#groups)&&* {
                    #attempt
                }
            }
        });
    syn::parse_quote! {
        impl ::std::convert::TryFrom<::serde_json::Value> for #name {
            type Error = ::serde_json::Error;
            fn try_from(body: ::serde_json::Value) -> ::std::result::Result<Self, Self::Error> {
                let mut first = None;
                #(#attempts)*
                match <#last_ty as ::serde::Deserialize>::deserialize(&body) {
                    Ok(v) => Ok(Self::#last(v)),
                    Err(e) => Err(first.unwrap_or(e)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;
    use serde_json::json;

    /// A document whose one operation answers `schema`, with `components` beside it.
    fn doc(schema: Value, components: Value) -> Value {
        json!({"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/x": {"get": {"operationId": "get_x", "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": schema}}}}}}},
            "components": {"schemas": components}})
    }

    fn object(required: &[&str], optional: &[&str]) -> Value {
        let properties: Map<String, Value> = required
            .iter()
            .chain(optional)
            .map(|p| (p.to_string(), json!({"type": "string"})))
            .collect();
        json!({"type": "object", "properties": properties, "required": required})
    }

    fn refs(names: &[&str]) -> Value {
        names
            .iter()
            .map(|n| json!({"$ref": format!("#/components/schemas/{n}")}))
            .collect()
    }

    /// The customer and operator shapes of a request log: the operator's extra is optional.
    fn log_shapes() -> Value {
        json!({"Small": object(&["a"], &["b"]), "Big": object(&["a"], &["b", "extra"])})
    }

    fn response(out: &crate::Normalized) -> Value {
        out.spec["paths"]["/x"]["get"]["responses"]["2XX"]["content"]["application/json"]["schema"]
            .clone()
    }

    fn branch(component: &str, guard: &[&[&str]]) -> UnionBranch {
        UnionBranch {
            component: component.into(),
            guard: guard
                .iter()
                .map(|g| g.iter().map(|k| k.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn object_any_of_becomes_one_of_with_the_larger_branch_first() {
        let out = normalize(&doc(
            json!({"anyOf": refs(&["Small", "Big"])}),
            log_shapes(),
        ))
        .unwrap();
        assert_eq!(response(&out), json!({"oneOf": refs(&["Big", "Small"])}));
    }

    #[test]
    fn a_nullable_object_union_is_ordered_and_stays_nullable() {
        let mut shapes = log_shapes();
        shapes["Holder"] = json!({"type": "object", "properties": {"d": {"anyOf":
            [{"$ref": "#/components/schemas/Small"}, {"$ref": "#/components/schemas/Big"}, {"type": "null"}]}}});
        let out = normalize(&doc(json!({"type": "string"}), shapes)).unwrap();
        assert_eq!(
            out.spec["components"]["schemas"]["Holder"]["properties"]["d"],
            json!({"oneOf": refs(&["Big", "Small"]), "nullable": true})
        );
        assert_eq!(out.unions.len(), 1);
    }

    #[test]
    fn branches_are_sorted_by_declared_then_required_count_and_ties_keep_their_order() {
        let shapes = json!({
            "TwoOptional": object(&[], &["a", "b"]),
            "One": object(&["c"], &[]),
            "TwoRequired": object(&["d", "e"], &[]),
            "OneMore": object(&["f"], &[]),
            "Three": object(&[], &["a", "b", "g"])});
        let order = ["TwoOptional", "One", "TwoRequired", "OneMore", "Three"];
        let out = normalize(&doc(json!({"anyOf": refs(&order)}), shapes)).unwrap();
        assert_eq!(
            response(&out)["oneOf"],
            refs(&["Three", "TwoRequired", "TwoOptional", "One", "OneMore"])
        );
    }

    #[test]
    fn a_larger_branch_with_only_optional_extras_is_tried_only_when_the_body_carries_one() {
        let out = normalize(&doc(
            json!({"anyOf": refs(&["Small", "Big"])}),
            log_shapes(),
        ))
        .unwrap();
        assert_eq!(
            out.unions,
            vec![ObjectUnion {
                branches: vec![branch("Big", &[&["extra"]]), branch("Small", &[])]
            }]
        );
    }

    #[test]
    fn a_larger_branch_with_a_required_extra_needs_no_guard() {
        let shapes = json!({"Small": object(&["a"], &[]), "Big": object(&["a", "extra"], &[])});
        let out = normalize(&doc(json!({"anyOf": refs(&["Small", "Big"])}), shapes)).unwrap();
        assert_eq!(response(&out), json!({"oneOf": refs(&["Big", "Small"])}));
        assert!(out.unions.is_empty());
    }

    #[test]
    fn a_branch_covering_two_smaller_ones_needs_a_key_outside_each() {
        let shapes = json!({
            "Ab": object(&["a"], &["b"]),
            "Ac": object(&["a"], &["c"]),
            "Abc": object(&["a"], &["b", "c"])});
        let out = normalize(&doc(json!({"oneOf": refs(&["Ab", "Ac", "Abc"])}), shapes)).unwrap();
        assert_eq!(
            out.unions[0].branches,
            vec![
                branch("Abc", &[&["c"], &["b"]]),
                branch("Ab", &[&["b"]]),
                branch("Ac", &[])
            ]
        );
    }

    #[test]
    fn unions_with_a_branch_that_is_not_an_object_are_left_alone() {
        for schema in [
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
            json!({"anyOf": [{"$ref": "#/components/schemas/Small"}, {"type": "string"}]}),
            json!({"anyOf": [{"$ref": "#/components/schemas/Small"}, {"$ref": "#/components/schemas/Missing"}]}),
        ] {
            let out = normalize(&doc(schema.clone(), log_shapes())).unwrap();
            assert_eq!(response(&out), schema);
            assert!(out.unions.is_empty());
        }
    }

    #[test]
    fn a_property_named_like_a_keyword_is_not_a_union() {
        let shapes = json!({"A": {"type": "object", "properties": {"anyOf": {"type": "string"}, "x": {"anyOf": [
            {"type": "object", "properties": {"p": {"type": "string"}}},
            {"type": "object", "properties": {"p": {"type": "string"}, "q": {"type": "string"}}}]}}}});
        let out = normalize(&doc(json!({"type": "string"}), shapes)).unwrap();
        let a = &out.spec["components"]["schemas"]["A"]["properties"];
        assert_eq!(a["anyOf"], json!({"type": "string"}));
        // Inline branches are ordered, but only components get a guarded decoder.
        assert_eq!(
            a["x"]["oneOf"][0]["properties"]["q"],
            json!({"type": "string"})
        );
        assert!(out.unions.is_empty());
    }

    #[test]
    fn a_guarded_union_decodes_through_a_try_from_that_follows_the_branch_order() {
        let spec = doc(json!({"anyOf": refs(&["Small", "Big"])}), log_shapes());
        let code = crate::generate(&spec.to_string(), &crate::Options::default())
            .unwrap()
            .code;
        let compact: String = code.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(compact.contains(
            r#"#[serde(untagged)] #[serde(try_from = "::serde_json::Value")] pub enum GetXResponse { Big(Big), Small(Small), }"#
        ), "{code}");
        assert!(
            compact.contains("impl ::std::convert::TryFrom<::serde_json::Value> for GetXResponse")
        );
        let big = compact.find(r#"if body.get("extra").is_some() { match <Big as ::serde::Deserialize>::deserialize(&body)"#);
        let small = compact.find("match <Small as ::serde::Deserialize>::deserialize(&body)");
        assert!(big.is_some() && big < small, "{code}");
    }

    #[test]
    fn a_guarded_union_without_its_generated_enum_is_an_error() {
        let union = ObjectUnion {
            branches: vec![branch("Big", &[&["extra"]]), branch("Small", &[])],
        };
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[serde(untagged)]
                pub enum Other { Small(Small), Big(Big) }
            }
        };
        let err = decode_in_order(&mut file.items, &[union]).unwrap_err();
        assert!(err.contains("Big, Small"), "{err}");
    }
}
