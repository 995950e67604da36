//! The SDK's operation layer, generated from the same document as the low-level client.
//!
//! For every operation it emits an owned, cloneable request builder (path parameters
//! positional, a setter per query parameter and body field), its `send()` and
//! `IntoFuture`, the label errors name it by, whether it needs a key, its manager method
//! (`client.<tag>().<verb>(…)`) and the blocking twin of all of it. Rust types come from
//! progenitor's own output, parsed back with syn, so the two layers cannot disagree.
//!
//! Naming: the tag without its `customer` prefix is the module and manager
//! (`customer-secrets` → `secrets`, `Secrets`); the operationId without its `customer`
//! and tag prefixes is the method (`customer-secrets-rotate_probe` → `rotate_probe`) and,
//! in PascalCase, the builder (`RotateProbe`). The `table` module holds the few deviations.

mod table;

pub use table::HAND_WRITTEN;

use heck::{ToPascalCase, ToSnakeCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One row of the reachability list: an operation input and the setter that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The operationId.
    pub operation: String,
    /// `path`, `query` or `body`.
    pub location: String,
    /// The parameter or body field name as the document spells it.
    pub name: String,
    /// How it is set: `client.secrets().set(name, value)` for a positional argument,
    /// `.shared(..)` for a setter.
    pub rust: String,
}

/// The generated layer and what it covers.
#[derive(Debug, Clone)]
pub struct Surface {
    /// `(module, code)` for each module with a hand-written home, which includes the code.
    pub modules: Vec<(String, String)>,
    /// Modules no hand-written file holds, as `pub mod` items (for `crate::operations`).
    pub extra: String,
    /// The blocking twins of every module, for `crate::blocking`.
    pub blocking: String,
    /// The operation labels, for the request path.
    pub labels: String,
    /// All of it in one readable file, as committed in `generated/operations.rs`.
    pub readable: String,
    /// A test source that calls every positional argument and setter of every operation,
    /// async and blocking, and lists the inputs it reaches as `INPUTS`.
    pub reach: String,
    /// Every input of every operation and its Rust spelling.
    pub inputs: Vec<Input>,
}

/// Types progenitor generated, as parsed from its output.
struct Low {
    /// operationId's method → builder fields `(name, type)` in declaration order.
    builders: HashMap<String, Vec<(String, syn::Type)>>,
    /// method → the success type of `send()`.
    outputs: HashMap<String, syn::Type>,
    /// `types::builder::X` → fields `(name, type)`.
    body_builders: HashMap<String, Vec<(String, syn::Type)>>,
    /// `types::X` structs with named fields → fields.
    structs: HashMap<String, Vec<(String, syn::Type)>>,
    /// `types::X(String)` newtypes.
    newtypes: BTreeSet<String>,
}

fn path_of(ty: &syn::Type) -> Option<&syn::Path> {
    match ty {
        syn::Type::Path(p) => Some(&p.path),
        _ => None,
    }
}

pub(crate) fn last_ident(ty: &syn::Type) -> String {
    path_of(ty)
        .and_then(|p| p.segments.last())
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// The single generic argument of `Result<T, _>`, `Option<T>`, `Vec<T>` and the like.
fn generic(ty: &syn::Type, n: usize) -> Option<syn::Type> {
    let seg = path_of(ty)?.segments.last()?;
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .nth(n),
        _ => None,
    }
}

fn named_fields(fields: &syn::Fields) -> Vec<(String, syn::Type)> {
    match fields {
        syn::Fields::Named(f) => f
            .named
            .iter()
            .filter_map(|f| Some((f.ident.as_ref()?.to_string(), f.ty.clone())))
            .collect(),
        _ => Vec::new(),
    }
}

impl Low {
    fn parse(file: &syn::File) -> Low {
        let mut low = Low {
            builders: HashMap::new(),
            outputs: HashMap::new(),
            body_builders: HashMap::new(),
            structs: HashMap::new(),
            newtypes: BTreeSet::new(),
        };
        let mut method_to_builder = HashMap::new();
        let mut builder_fields = HashMap::new();
        let mut builder_outputs = HashMap::new();
        for item in &file.items {
            match item {
                syn::Item::Impl(imp) if last_ident(&imp.self_ty) == "Client" => {
                    for it in &imp.items {
                        if let syn::ImplItem::Fn(f) = it {
                            if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                                method_to_builder.insert(f.sig.ident.to_string(), last_ident(ty));
                            }
                        }
                    }
                }
                syn::Item::Mod(m) if m.ident == "builder" => {
                    for it in m.content.iter().flat_map(|(_, items)| items) {
                        match it {
                            syn::Item::Struct(s) => {
                                let fields = named_fields(&s.fields)
                                    .into_iter()
                                    .filter(|(n, _)| n != "client")
                                    .filter_map(|(n, t)| Some((n, generic(&t, 0)?)))
                                    .collect::<Vec<_>>();
                                builder_fields.insert(s.ident.to_string(), fields);
                            }
                            syn::Item::Impl(imp) => {
                                for f in imp.items.iter().filter_map(|i| match i {
                                    syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
                                    _ => None,
                                }) {
                                    if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                                        let ok = generic(ty, 0).and_then(|rv| generic(&rv, 0));
                                        if let Some(ok) = ok {
                                            builder_outputs.insert(last_ident(&imp.self_ty), ok);
                                        }
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                syn::Item::Mod(m) if m.ident == "types" => {
                    for it in m.content.iter().flat_map(|(_, items)| items) {
                        match it {
                            syn::Item::Struct(s) => match &s.fields {
                                syn::Fields::Unnamed(u)
                                    if u.unnamed.len() == 1
                                        && last_ident(&u.unnamed[0].ty) == "String" =>
                                {
                                    low.newtypes.insert(s.ident.to_string());
                                }
                                fields => {
                                    low.structs
                                        .insert(s.ident.to_string(), named_fields(fields));
                                }
                            },
                            syn::Item::Mod(b) if b.ident == "builder" => {
                                for bi in b.content.iter().flat_map(|(_, items)| items) {
                                    if let syn::Item::Struct(s) = bi {
                                        let fields = named_fields(&s.fields)
                                            .into_iter()
                                            .filter_map(|(n, t)| Some((n, generic(&t, 0)?)))
                                            .collect();
                                        low.body_builders.insert(s.ident.to_string(), fields);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        for (method, builder) in method_to_builder {
            if let Some(fields) = builder_fields.remove(&builder) {
                low.builders.insert(method.clone(), fields);
            }
            if let Some(out) = builder_outputs.remove(&builder) {
                low.outputs.insert(method, out);
            }
        }
        low
    }
}

/// Rewrites the paths progenitor uses inside its modules into paths from the crate root.
fn absolute(ty: &syn::Type) -> syn::Type {
    let text = quote!(#ty).to_string().replace(' ', "");
    let text = if let Some(rest) = text.strip_prefix("types::") {
        format!("crate::types::{rest}")
    } else if let Some(rest) = text.strip_prefix("super::") {
        format!("crate::types::{rest}")
    } else {
        text
    };
    let text = text
        .replace("<types::", "<crate::types::")
        .replace("<super::", "<crate::types::");
    syn::parse_str(&text).unwrap_or_else(|_| ty.clone())
}

/// A type named inside progenitor's `types` module, seen from the crate root.
fn from_types(ty: &syn::Type) -> syn::Type {
    match path_of(ty) {
        Some(p) if p.leading_colon.is_none() && p.segments.len() == 1 => {
            syn::parse_str(&format!("crate::types::{}", quote!(#ty))).unwrap_or_else(|_| ty.clone())
        }
        _ => absolute(ty),
    }
}

/// What a value is, for choosing its setter's argument type.
#[derive(Clone)]
enum Kind {
    Str,
    NewStr(syn::Type),
    Uuid,
    Bool,
    Int(syn::Type),
    Float(syn::Type),
    Time,
    Enum(syn::Type),
    Object,
    Json,
    Ids,
    List(syn::Type),
    StrMap,
    Other(syn::Type),
}

fn kind(ty: &syn::Type, low: &Low) -> Kind {
    let name = last_ident(ty);
    let text = quote!(#ty).to_string().replace(' ', "");
    match name.as_str() {
        "String" => Kind::Str,
        "Uuid" => Kind::Uuid,
        "bool" => Kind::Bool,
        "i64" | "i32" | "u64" | "u32" | "NonZeroU64" => Kind::Int(ty.clone()),
        "f64" | "f32" => Kind::Float(ty.clone()),
        "DateTime" => Kind::Time,
        "Value" => Kind::Json,
        "Map" => Kind::Object,
        "HashMap" => Kind::StrMap,
        "Vec" => match generic(ty, 0) {
            Some(inner) if last_ident(&inner) == "Uuid" => Kind::Ids,
            Some(inner) => Kind::List(absolute(&inner)),
            None => Kind::Other(absolute(ty)),
        },
        _ if text.contains("open_enums::") => Kind::Enum(ty.clone()),
        _ if low.newtypes.contains(&name) => Kind::NewStr(absolute(ty)),
        _ => Kind::Other(absolute(ty)),
    }
}

/// Strips one `Option<…>`.
fn unoption(ty: &syn::Type) -> (syn::Type, bool) {
    if last_ident(ty) == "Option" {
        if let Some(inner) = generic(ty, 0) {
            return (inner, true);
        }
    }
    (ty.clone(), false)
}

/// Where an input lives and how it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Path,
    Query,
    /// A field set through the body's generated builder.
    Body,
    /// A list or map body field kept in the request so it can grow item by item.
    BodyOwn,
    /// The whole body.
    Whole,
}

#[derive(Clone)]
struct Arg {
    name: String,
    place: Place,
    /// The value's type without `Option`.
    ty: syn::Type,
    kind: Kind,
    /// Whether the body field is an `Option` (set as `Some(v)`).
    optional: bool,
    doc: String,
    min: Option<i128>,
    max: Option<i128>,
    positional: bool,
    rule: Option<String>,
    sends: Option<String>,
}

fn ident(name: &str) -> Ident {
    let raw = matches!(
        name,
        "type" | "ref" | "mod" | "in" | "match" | "fn" | "move"
    );
    if raw {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

fn path(text: &str) -> TokenStream {
    text.parse()
        .unwrap_or_else(|_| panic!("not a Rust path: {text}"))
}

/// The argument type and the conversion of a setter for `arg` (`v` is the argument).
fn setter_parts(arg: &Arg, v: &Ident, g: &Ident) -> (TokenStream, TokenStream, TokenStream) {
    let rule = arg.rule.as_deref().map(path);
    let ruled = |value: TokenStream| match &rule {
        Some(rule) => quote!(#rule(#value)),
        None => quote!(Ok(#value)),
    };
    // (generics/where, argument type, expression of type Result<T, String>)
    // A path segment is written out anyway, so anything printable names it (an id too).
    let (text_ty, to_text) = if arg.place == Place::Path {
        (quote!(impl std::fmt::Display), quote!(#v.to_string()))
    } else {
        (quote!(impl Into<String>), quote!(#v.into()))
    };
    match &arg.kind {
        Kind::Str => {
            let checked = ruled(quote!(s));
            (
                quote!(),
                text_ty,
                quote!({ let s: String = #to_text; #checked }),
            )
        }
        Kind::NewStr(ty) => {
            let checked = ruled(quote!(s));
            (
                quote!(),
                text_ty,
                quote!({ let s: String = #to_text; #checked.and_then(|s| ops::text::<#ty>(s)) }),
            )
        }
        Kind::Uuid => (quote!(), quote!(impl crate::Id), quote!(ops::id(&#v))),
        Kind::Bool => (quote!(), quote!(bool), quote!(Ok(#v))),
        Kind::Int(ty) => {
            let wide = int_argument(arg);
            let min = opt_i128(arg.min);
            let max = opt_i128(arg.max);
            (
                quote!(),
                wide,
                quote!(ops::int::<#ty>(i128::from(#v), #min, #max)),
            )
        }
        Kind::Float(ty) => (quote!(), quote!(#ty), quote!(Ok(#v))),
        Kind::Time => (
            quote!(),
            quote!(chrono::DateTime<chrono::Utc>),
            quote!(Ok(#v)),
        ),
        Kind::Enum(ty) => (quote!(), quote!(impl Into<#ty>), quote!(Ok(#v.into()))),
        Kind::Object => (
            quote!(),
            quote!(impl serde::Serialize),
            quote!(ops::object(&#v)),
        ),
        Kind::Json => (
            quote!(),
            quote!(impl serde::Serialize),
            quote!(ops::json(&#v)),
        ),
        Kind::Ids => (
            quote!(),
            quote!(impl IntoIterator<Item = impl crate::Id>),
            quote!(ops::ids(#v)),
        ),
        Kind::List(item) => (
            quote!(#g: TryInto<#item>),
            quote!(impl IntoIterator<Item = #g>),
            quote!(ops::each(#v)),
        ),
        Kind::StrMap => (
            quote!(),
            quote!(impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>),
            quote!(Ok(ops::str_map(#v))),
        ),
        Kind::Other(ty) => (
            quote!(#g: TryInto<#ty>),
            quote!(#g),
            quote!(ops::convert::<#ty, #g>(#v)),
        ),
    }
}

/// The integer a setter takes: query parameters (offsets, sizes, counts) and unsigned wire
/// types take `u64`, other fields `i64`.
fn int_argument(arg: &Arg) -> TokenStream {
    let wire = match &arg.kind {
        Kind::Int(ty) => last_ident(ty),
        _ => String::new(),
    };
    if arg.place == Place::Query || wire.starts_with('u') || wire == "NonZeroU64" {
        quote!(u64)
    } else {
        quote!(i64)
    }
}

/// A concrete type a setter of `arg` accepts, for the reachability check.
fn sample_type(arg: &Arg) -> TokenStream {
    match &arg.kind {
        Kind::Str | Kind::NewStr(_) => quote!(String),
        Kind::Uuid => quote!(uuid::Uuid),
        Kind::Bool => quote!(bool),
        Kind::Int(_) => int_argument(arg),
        Kind::Float(ty) | Kind::Enum(ty) | Kind::Other(ty) => quote!(#ty),
        Kind::Time => quote!(chrono::DateTime<chrono::Utc>),
        Kind::Object | Kind::Json => quote!(serde_json::Value),
        Kind::Ids => quote!(Vec<uuid::Uuid>),
        Kind::List(item) => quote!(Vec<#item>),
        Kind::StrMap => quote!(Vec<(String, String)>),
    }
}

/// A concrete type for an argument written as `name: Type` in the table.
fn sample_of_declared(ty: &str) -> TokenStream {
    match ty.trim() {
        "impl serde::Serialize" => quote!(serde_json::Value),
        t if t.starts_with("impl Into<") => path(&t["impl Into<".len()..t.len() - 1]),
        t => path(t),
    }
}

fn opt_i128(v: Option<i128>) -> TokenStream {
    match v {
        Some(v) => {
            let lit = proc_macro2::Literal::i128_unsuffixed(v);
            quote!(Some(#lit))
        }
        None => quote!(None),
    }
}

/// The bound that makes a generic argument's conversion error printable, if it has one.
fn where_clause(arg: &Arg, g: &Ident) -> Option<TokenStream> {
    match &arg.kind {
        Kind::List(t) | Kind::Other(t) => {
            Some(quote!(<#g as TryInto<#t>>::Error: std::fmt::Display))
        }
        _ => None,
    }
}

/// The generics and where clause of a method from its arguments' parts.
fn signature(gens: Vec<TokenStream>, wheres: Vec<TokenStream>) -> (TokenStream, TokenStream) {
    let gens: Vec<_> = gens.into_iter().filter(|g| !g.is_empty()).collect();
    let g = if gens.is_empty() {
        quote!()
    } else {
        quote!(<#(#gens),*>)
    };
    let w = if wheres.is_empty() {
        quote!()
    } else {
        quote!(where #(#wheres),*)
    };
    (g, w)
}

fn first_sentence(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or("")
        .trim()
        .trim_end_matches('.')
        .to_owned()
}

/// The module (tag) of an operation.
fn module_of(op: &Value) -> String {
    let tags: Vec<&str> = op
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|t| *t != "customer")
        .collect();
    let tag = tags.first().copied().unwrap_or("default");
    let tag = tag.strip_prefix("customer-").unwrap_or(tag);
    table::TAG_NAMES
        .iter()
        .find(|(t, _)| *t == tag)
        .map_or_else(|| tag.to_snake_case(), |(_, n)| (*n).to_owned())
}

/// The verb of an operation: its id without the `customer` and tag prefixes.
fn verb_of(id: &str, op: &Value) -> String {
    let snake = id.replace('-', "_");
    let mut rest = snake.strip_prefix("customer_").unwrap_or(&snake).to_owned();
    for tag in op
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let tag = tag
            .strip_prefix("customer-")
            .unwrap_or(tag)
            .replace('-', "_");
        if let Some(r) = rest.strip_prefix(&format!("{tag}_")) {
            rest = r.to_owned();
        }
    }
    rest
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(spec, |v, k| &v[k]))
            .unwrap_or(schema),
        None => match schema.get("allOf").and_then(Value::as_array) {
            Some(all) if all.len() == 1 => resolve(spec, &all[0]),
            _ => schema,
        },
    }
}

fn bound(schema: &Value, key: &str) -> Option<i128> {
    schema.get(key).and_then(Value::as_i64).map(i128::from)
}

fn description(v: &Value) -> String {
    v.get("description")
        .and_then(Value::as_str)
        .map(first_sentence)
        .unwrap_or_default()
}

/// One operation, ready to emit.
struct Operation {
    id: String,
    module: String,
    method: String,
    builder: Ident,
    label: String,
    low_method: Ident,
    summary: String,
    http: String,
    route: String,
    args: Vec<Arg>,
    /// The body's generated builder, when the body is an object.
    body_builder: Option<syn::Type>,
    /// The body's type.
    body_type: Option<syn::Type>,
    raw: syn::Type,
    out: TokenStream,
    finish: TokenStream,
    /// The item type for `stream()`, with the paging style.
    paging: Option<(TokenStream, Paging)>,
    over: table::Op,
    /// Plain generated types the answer may carry, for the blocking layer.
    plain: Vec<syn::Type>,
}

#[derive(Clone)]
enum Paging {
    Offset { skip: Ident, limit: Ident },
    Cursor(Ident),
}

/// Builds the layer from the normalized document and progenitor's parsed output.
pub fn generate(
    spec: &Value,
    file: &syn::File,
    hand_written: &[String],
) -> Result<Surface, String> {
    let low = Low::parse(file);
    let mut ops = Vec::new();
    for (route, item) in spec["paths"].as_object().into_iter().flatten() {
        for (http, op) in item.as_object().into_iter().flatten() {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            ops.push(operation(spec, &low, route, http, id, op)?);
        }
    }
    let mut inputs = Vec::new();
    let mut modules: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for o in &ops {
        modules.entry(o.module.clone()).or_default().push(o);
        inputs.extend(o.inputs());
    }
    let mut homed = Vec::new();
    let mut extra = Vec::new();
    let mut blocking_mods = Vec::new();
    let mut plain = BTreeMap::new();
    for (module, ops) in &modules {
        let body = emit_module(module, ops);
        let home = if hand_written.iter().any(|h| h == module) {
            homed.push((module.clone(), render(body, true)?));
            format!("crate::{module}")
        } else {
            let mod_ident = ident(module);
            let doc = format!(" Request builders for the `{module}` operations.");
            extra.push(quote!(#[doc = #doc] pub mod #mod_ident { #body }));
            format!("crate::operations::{module}")
        };
        blocking_mods.push(emit_blocking_module(module, ops, &home));
        for o in ops {
            for t in &o.plain {
                plain.insert(quote!(#t).to_string(), t.clone());
            }
        }
    }
    let plain: Vec<_> = plain.into_values().collect();
    let labels: Vec<_> = ops
        .iter()
        .map(|o| {
            let (id, label) = (&o.id, &o.label);
            quote!((#id, #label))
        })
        .collect();
    let labels = render(
        quote! {
            /// Every operationId with the label its errors carry.
            pub(crate) const LABELS: &[(&str, &str)] = &[#(#labels),*];
        },
        false,
    )?;
    let newtypes = low.newtypes.iter().map(|n| format_ident!("{}", n));
    let extra = render(
        quote! {
            #(#extra)*
            #(
                impl std::fmt::Display for crate::types::#newtypes {
                    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }
            )*
        },
        true,
    )?;
    let reach = reach(&ops, &inputs)?;
    let blocking = render(
        quote! {
            use crate::blocking::{Call, IntoBlocking, Rt};
            #(
                impl IntoBlocking for #plain {
                    type Blocking = #plain;
                    fn into_blocking(self, _: &Rt) -> Self { self }
                }
            )*
            #(#blocking_mods)*
        },
        false,
    )?;
    let mut readable = String::from(crate::HEADER);
    for (module, code) in &homed {
        readable.push_str(&format!("\n// ---- included in src/{module}.rs\n{code}"));
    }
    for (name, code) in [
        ("src/operations/mod.rs", &extra),
        ("src/blocking/mod.rs", &blocking),
        ("src/http.rs", &labels),
    ] {
        readable.push_str(&format!("\n// ---- included in {name}\n{code}"));
    }
    Ok(Surface {
        reach,
        modules: homed,
        extra,
        blocking,
        labels,
        readable,
        inputs,
    })
}

/// The reachability source: one chain per operation through its manager method and every
/// setter, in a function that is compiled and never run.
fn reach(ops: &[Operation], inputs: &[Input]) -> Result<String, String> {
    let mut chains = Vec::new();
    let mut spawns = Vec::new();
    for o in ops {
        let module = ident(&o.module);
        let method = ident(&o.method);
        let args: Vec<_> = o
            .positional()
            .into_iter()
            .map(|a| {
                let t = sample_type(a);
                quote!(any::<#t>())
            })
            .collect();
        let target = if o.over.on_client {
            quote!(client)
        } else {
            quote!(client.#module())
        };
        let mut calls = Vec::new();
        for a in o.setters() {
            let n = ident(&a.name);
            let t = sample_type(a);
            calls.push(quote!(.#n(any::<#t>())));
        }
        for (name, params) in o.over.extra {
            let n = ident(name);
            let samples = params
                .split(',')
                .filter_map(|p| p.split_once(':'))
                .map(|(_, ty)| {
                    let t = sample_of_declared(ty);
                    quote!(any::<#t>())
                });
            calls.push(quote!(.#n(#(#samples),*)));
        }
        chains.push(quote!(let _ = #target.#method(#(#args),*) #(#calls)*;));
        spawns.push(quote! {
            spawnable(#target.#method(#(#args),*).send());
            spawnable(std::future::IntoFuture::into_future(#target.#method(#(#args),*)));
        });
    }
    let rows = inputs.iter().map(|i| {
        let (op, loc, name) = (&i.operation, &i.location, &i.name);
        quote!((#op, #loc, #name))
    });
    let tokens = quote! {
        /// Every operation input the builders set, as `(operationId, location, name)`.
        const INPUTS: &[(&str, &str, &str)] = &[#(#rows),*];

        /// Calls every argument and setter; it only has to compile.
        #[allow(unreachable_code, unused_variables, clippy::diverging_sub_expression)]
        fn reach_async(client: &crate::Client) {
            #(#chains)*
        }

        /// The same calls on the blocking client.
        #[cfg(feature = "blocking")]
        #[allow(unreachable_code, unused_variables, clippy::diverging_sub_expression)]
        fn reach_blocking(client: &crate::blocking::Client) {
            #(#chains)*
        }

        /// Every request's future can be spawned: it is `Send` and owns what it needs.
        #[allow(unreachable_code, unused_variables, clippy::diverging_sub_expression)]
        fn spawn_all(client: &crate::Client) {
            #(#spawns)*
        }

        fn spawnable<F: std::future::Future + Send + 'static>(_: F) {}

        fn any<T>() -> T {
            unreachable!("the reachability functions are compiled, never run")
        }
    };
    let text = render(tokens, false)?.replace("crate::", "unitysvc::");
    Ok(text)
}

/// Formats generated items; `lints` puts the allowances generated code needs on each item,
/// for files included into a hand-written module (an included file has no inner attributes).
fn render(tokens: TokenStream, lints: bool) -> Result<String, String> {
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("the operation layer is not Rust: {e}"))?;
    if lints {
        let allow: syn::Attribute = syn::parse_quote!(#[allow(
            unused_mut,
            unused_imports,
            clippy::needless_update,
            clippy::too_many_arguments,
            clippy::let_and_return,
            clippy::clone_on_copy,
            clippy::redundant_closure,
            clippy::let_unit_value,
            clippy::useless_conversion
        )]);
        for item in &mut file.items {
            match item {
                syn::Item::Impl(i) => i.attrs.push(allow.clone()),
                syn::Item::Struct(i) => i.attrs.push(allow.clone()),
                syn::Item::Use(i) => i.attrs.push(allow.clone()),
                syn::Item::Mod(i) => i.attrs.push(allow.clone()),
                _ => {}
            }
        }
    }
    Ok(prettyplease::unparse(&file))
}

fn operation(
    spec: &Value,
    low: &Low,
    route: &str,
    http: &str,
    id: &str,
    op: &Value,
) -> Result<Operation, String> {
    let over = table::lookup(id);
    let module = module_of(op);
    let verb = verb_of(id, op);
    let method = over.name.map_or_else(|| verb.clone(), str::to_owned);
    let builder = format_ident!(
        "{}",
        over.builder
            .map_or_else(|| verb.to_pascal_case(), str::to_owned)
    );
    let low_name = id.to_snake_case();
    let fields = low
        .builders
        .get(&low_name)
        .ok_or_else(|| format!("progenitor made no builder for {id}"))?;
    let raw = low
        .outputs
        .get(&low_name)
        .map(absolute)
        .ok_or_else(|| format!("progenitor made no send() for {id}"))?;
    let field_ty = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| format!("{id}: progenitor has no parameter {name}"))
    };
    let rule = |name: &str| {
        over.rules
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| (*r).to_owned())
    };
    let sends = |name: &str| {
        over.sends
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| (*r).to_owned())
    };
    let mut args = Vec::new();
    // Path parameters in the order the path names them.
    let params: Vec<&Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let mut path_names: Vec<(usize, &Value)> = params
        .iter()
        .filter(|p| p["in"] == "path")
        .map(|p| {
            let name = p["name"].as_str().unwrap_or_default();
            (route.find(&format!("{{{name}}}")).unwrap_or(usize::MAX), *p)
        })
        .collect();
    path_names.sort_by_key(|(at, _)| *at);
    for p in path_names
        .iter()
        .map(|(_, p)| *p)
        .chain(params.iter().copied().filter(|p| p["in"] == "query"))
    {
        let name = p["name"].as_str().unwrap_or_default().to_owned();
        let (ty, _) = unoption(&field_ty(&name)?);
        let schema = p.get("schema").cloned().unwrap_or(Value::Null);
        let in_path = p["in"] == "path";
        args.push(Arg {
            kind: kind(&ty, low),
            ty: absolute(&ty),
            place: if in_path { Place::Path } else { Place::Query },
            optional: !in_path,
            doc: description(p),
            min: bound(&schema, "minimum"),
            max: bound(&schema, "maximum"),
            positional: in_path || over.positional.contains(&name.as_str()),
            rule: rule(&name),
            sends: sends(&name),
            name,
        });
    }
    let (mut body_builder, mut body_type) = (None, None);
    if let Some(content) = op.pointer("/requestBody/content") {
        let schema = content
            .as_object()
            .and_then(|c| c.values().next())
            .and_then(|m| m.get("schema"))
            .cloned()
            .unwrap_or(Value::Null);
        let (ty, _) = unoption(&field_ty("body")?);
        let name_of_body = last_ident(&ty);
        let body_fields = low.body_builders.get(&name_of_body).filter(
            |_| matches!(path_of(&ty), Some(p) if p.segments.iter().any(|s| s.ident == "builder")),
        );
        match body_fields {
            Some(bf) => {
                let resolved = resolve(spec, &schema);
                body_builder = Some(absolute(&ty));
                let plain: syn::Type = syn::parse_str(&format!("crate::types::{name_of_body}"))
                    .map_err(|e| e.to_string())?;
                body_type = Some(plain);
                let props = resolved.get("properties").cloned().unwrap_or(Value::Null);
                let order: Vec<String> = props
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                for name in order {
                    let Some((_, fty)) = bf.iter().find(|(n, _)| *n == name) else {
                        continue;
                    };
                    let (inner, optional) = unoption(fty);
                    let kind = kind(&inner, low);
                    let prop = resolve(spec, &props[&name]);
                    let own = matches!(kind, Kind::Ids | Kind::List(_) | Kind::StrMap);
                    args.push(Arg {
                        ty: absolute(&inner),
                        kind,
                        place: if own { Place::BodyOwn } else { Place::Body },
                        optional,
                        doc: description(&props[&name]),
                        min: bound(prop, "minimum"),
                        max: bound(prop, "maximum"),
                        positional: over.positional.contains(&name.as_str()),
                        rule: rule(&name),
                        sends: sends(&name),
                        name,
                    });
                }
                if over.positional.contains(&"body") {
                    args.push(whole_body(
                        &absolute(
                            &syn::parse_str::<syn::Type>(&format!("crate::types::{name_of_body}"))
                                .map_err(|e| e.to_string())?,
                        ),
                        low,
                        true,
                    ));
                }
            }
            None => {
                body_type = Some(absolute(&ty));
                args.push(whole_body(
                    &absolute(&ty),
                    low,
                    over.positional.contains(&"body"),
                ));
            }
        }
    }
    let label = format!("{module}.{method}");
    let (out, finish, paging, plain) = answer(&over, http, &raw, low, &args);
    Ok(Operation {
        id: id.to_owned(),
        module,
        method,
        builder,
        label,
        low_method: format_ident!("{}", low_name),
        summary: op
            .get("summary")
            .and_then(Value::as_str)
            .map(first_sentence)
            .unwrap_or_else(|| id.to_owned()),
        http: http.to_uppercase(),
        route: route.to_owned(),
        args,
        body_builder,
        body_type,
        raw,
        out,
        finish,
        paging,
        over,
        plain,
    })
}

fn whole_body(ty: &syn::Type, low: &Low, positional: bool) -> Arg {
    Arg {
        name: "body".into(),
        place: Place::Whole,
        kind: kind(ty, low),
        ty: ty.clone(),
        optional: false,
        doc: "The whole request body".into(),
        min: None,
        max: None,
        positional,
        rule: None,
        sends: None,
    }
}

/// The answer's type, the expression producing it from `raw` (with `this` the request),
/// the paging of `stream()`, and the generated types handed out as they are.
fn answer(
    over: &table::Op,
    http: &str,
    raw: &syn::Type,
    low: &Low,
    args: &[Arg],
) -> (
    TokenStream,
    TokenStream,
    Option<(TokenStream, Paging)>,
    Vec<syn::Type>,
) {
    let mut plain = Vec::new();
    let generated = |t: &syn::Type| {
        quote!(#t)
            .to_string()
            .replace(' ', "")
            .starts_with("crate::types::")
    };
    if let Some((ty, f)) = over.output {
        let (ty, f) = (path(ty), path(f));
        let paging = over.cursor.map(|c| {
            let item = over
                .item
                .map_or_else(|| generic_tokens(&ty), |(t, _)| path(t));
            (item, Paging::Cursor(ident(c)))
        });
        if let Ok(t) = syn::parse2::<syn::Type>(ty.clone()) {
            collect_plain(&t, &mut plain, &generated);
        }
        if let Some(Ok(t)) = over.item.map(|(t, _)| syn::parse_str::<syn::Type>(t)) {
            collect_plain(&t, &mut plain, &generated);
        }
        return (ty.clone(), quote!(#f(&this, raw)), paging, plain);
    }
    if http == "delete" {
        return (
            quote!(()),
            quote!({
                let _ = raw;
                Ok(())
            }),
            None,
            plain,
        );
    }
    let has = |n: &str| args.iter().any(|a| a.name == n && a.place == Place::Query);
    // An offset page: a list of items and the total count, under the names the API uses.
    let fields = low.structs.get(&last_ident(raw));
    let field = |names: &[&str]| {
        fields.and_then(|f| {
            names
                .iter()
                .find_map(|n| f.iter().find(|(name, _)| name == n))
                .map(|(name, ty)| (ident(name), ty.clone()))
        })
    };
    let items = field(&["data", "items"]);
    let count = field(&["count", "total_count", "total"]);
    if let (true, true, Some((items, list)), Some((count, _))) =
        (has("skip"), has("limit"), items, count)
    {
        let Some(item) = generic(&list, 0) else {
            return (quote!(#raw), quote!(Ok(raw)), None, plain);
        };
        let item = from_types(&item);
        let (ity, conv) = match over.item {
            Some((t, f)) => {
                let (t, f) = (path(t), path(f));
                (t, quote!(.map(|x| #f(&this.client, x))))
            }
            None => {
                plain.push(item.clone());
                (quote!(#item), quote!())
            }
        };
        let finish = quote!(Ok(crate::pagination::Page::from_count(
            raw.#items.into_iter()#conv.collect(),
            raw.#count,
            ops::count(&this.skip),
            ops::count(&this.limit),
        )));
        return (
            quote!(crate::pagination::Page<#ity>),
            finish,
            Some((
                ity,
                Paging::Offset {
                    skip: ident("skip"),
                    limit: ident("limit"),
                },
            )),
            plain,
        );
    }
    collect_plain(raw, &mut plain, &generated);
    (quote!(#raw), quote!(Ok(raw)), None, plain)
}

fn collect_plain(
    t: &syn::Type,
    plain: &mut Vec<syn::Type>,
    generated: &dyn Fn(&syn::Type) -> bool,
) {
    if generated(t) {
        plain.push(t.clone());
    } else if last_ident(t) == "Vec" {
        if let Some(inner) = generic(t, 0) {
            collect_plain(&inner, plain, generated);
        }
    }
}

fn generic_tokens(ty: &TokenStream) -> TokenStream {
    syn::parse2::<syn::Type>(ty.clone())
        .ok()
        .and_then(|t| generic(&t, 0))
        .map(|t| quote!(#t))
        .unwrap_or_else(|| ty.clone())
}

/// Singular of a plural field name, for the setter that adds one item.
fn singular(name: &str) -> Option<String> {
    let s = name.strip_suffix('s')?;
    (!s.is_empty() && !s.ends_with('s')).then(|| s.to_owned())
}

/// A manager method's positional arguments, and how the request stores them.
struct Positional {
    params: Vec<TokenStream>,
    generics: TokenStream,
    wheres: TokenStream,
    names: Vec<Ident>,
    /// Statements storing each argument in `req`.
    sets: Vec<TokenStream>,
}

impl Operation {
    fn positional_signature(&self) -> Positional {
        let (mut params, mut generics, mut wheres, mut names, mut sets) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (i, a) in self.positional().into_iter().enumerate() {
            let v = ident(&a.name);
            let g = format_ident!("V{}", i);
            let (gen, ty, conv) = setter_parts(a, &v, &g);
            generics.push(gen);
            wheres.extend(where_clause(a, &g));
            params.push(quote!(#v: #ty));
            sets.push(self.store(a, conv, &ident("req")));
            names.push(v);
        }
        let (generics, wheres) = signature(generics, wheres);
        Positional {
            params,
            generics,
            wheres,
            names,
            sets,
        }
    }

    fn positional(&self) -> Vec<&Arg> {
        let mut p: Vec<&Arg> = self
            .args
            .iter()
            .filter(|a| a.place == Place::Path)
            .collect();
        for name in self.over.positional {
            if let Some(a) = self
                .args
                .iter()
                .find(|a| a.name == *name && a.place != Place::Path && a.positional)
            {
                p.push(a);
            }
        }
        p
    }

    fn setters(&self) -> Vec<&Arg> {
        self.args
            .iter()
            .filter(|a| a.place != Place::Path && !self.over.hide.contains(&a.name.as_str()))
            .collect()
    }

    fn inputs(&self) -> Vec<Input> {
        let pos: Vec<&str> = self.positional().iter().map(|a| a.name.as_str()).collect();
        let call = format!("{}({})", self.method, pos.join(", "));
        self.args
            .iter()
            .map(|a| Input {
                operation: self.id.clone(),
                location: match a.place {
                    Place::Path => "path",
                    Place::Query => "query",
                    _ => "body",
                }
                .into(),
                name: a.name.clone(),
                rust: if pos.contains(&a.name.as_str()) {
                    call.clone()
                } else {
                    format!(".{}(..)", a.name)
                },
            })
            .collect()
    }

    /// The request struct's fields.
    fn fields(&self) -> Vec<TokenStream> {
        let mut out = Vec::new();
        for a in &self.args {
            let name = ident(&a.name);
            let ty = &a.ty;
            match a.place {
                Place::Path | Place::Query | Place::BodyOwn => {
                    out.push(quote!(pub(crate) #name: Option<#ty>,));
                }
                Place::Whole if self.body_builder.is_none() => {
                    out.push(quote!(pub(crate) body: Option<#ty>,));
                }
                _ => {}
            }
        }
        if let Some(b) = &self.body_builder {
            out.push(quote!(pub(crate) body: #b,));
        }
        out
    }

    fn init(&self) -> TokenStream {
        let mut inits = Vec::new();
        for a in &self.args {
            let name = ident(&a.name);
            match a.place {
                Place::Path | Place::Query | Place::BodyOwn => {
                    let value = match &a.sends {
                        Some(v) => {
                            let v = path(v);
                            let conv = setter_parts(a, &ident("__v"), &ident("V")).2;
                            quote!({ let __v = #v; let r: Result<_, String> = #conv; r.ok() })
                        }
                        None => quote!(None),
                    };
                    inits.push(quote!(#name: #value,));
                }
                Place::Whole if self.body_builder.is_none() => inits.push(quote!(body: None,)),
                _ => {}
            }
        }
        if self.body_builder.is_some() {
            inits.push(quote!(body: Default::default(),));
        }
        quote!(#(#inits)*)
    }

    /// Statements giving body fields the values sent when the caller sets nothing.
    fn body_defaults(&self) -> TokenStream {
        let sets = self
            .args
            .iter()
            .filter(|a| a.place == Place::Body)
            .filter_map(|a| {
                let v = path(a.sends.as_deref()?);
                let conv = setter_parts(a, &ident("__v"), &ident("V")).2;
                let store = self.store(a, quote!({ let __v = #v; #conv }), &ident("this"));
                Some(store)
            });
        quote!(#(#sets)*)
    }

    /// The statement storing the checked value `value` (a `Result<T, String>`) for `a`.
    fn store(&self, a: &Arg, value: TokenStream, me: &Ident) -> TokenStream {
        let name = ident(&a.name);
        let pname = &a.name;
        match a.place {
            Place::Path | Place::Query => {
                quote!(#me.#name = #me.invalid.keep(#pname, #value);)
            }
            Place::BodyOwn => quote! {
                if let Some(v) = #me.invalid.keep(#pname, #value) {
                    #me.#name.get_or_insert_with(Default::default).extend(v);
                }
            },
            Place::Whole if self.body_builder.is_none() => {
                quote!(#me.body = #me.invalid.keep(#pname, #value);)
            }
            Place::Whole => {
                quote!(if let Some(b) = #me.invalid.keep(#pname, #value) { #me.body = b.into(); })
            }
            Place::Body => {
                let set = if a.optional {
                    quote!(Some(v))
                } else {
                    quote!(v)
                };
                // JSON `null` for an object means "not set".
                let got = if matches!(a.kind, Kind::Object) {
                    quote!(Some(Some(v)))
                } else {
                    quote!(Some(v))
                };
                quote!(if let #got = #me.invalid.keep(#pname, #value) { #me.body = #me.body.#name(#set); })
            }
        }
    }
}

fn emit_module(module: &str, ops: &[&Operation]) -> TokenStream {
    let manager = format_ident!("{}", module.to_pascal_case());
    let accessor = ident(module);
    let mut manager_methods = Vec::new();
    let mut client_methods = Vec::new();
    let mut items = Vec::new();
    let mut any_manager = false;
    for o in ops {
        let b = &o.builder;
        let method = ident(&o.method);
        let summary = format!(" {}.", o.summary);
        let Positional {
            params,
            generics,
            wheres,
            sets,
            ..
        } = o.positional_signature();
        let client = if o.over.on_client {
            quote!(self.clone())
        } else {
            quote!(self.client.clone())
        };
        let ctor = quote! {
            let mut req = #b::new(#client);
            #(#sets)*
            req
        };
        if o.over.on_client {
            client_methods.push(quote! {
                #[doc = #summary]
                pub fn #method #generics (&self, #(#params),*) -> #b #wheres { #ctor }
            });
        } else {
            any_manager = true;
            manager_methods.push(quote! {
                #[doc = #summary]
                pub fn #method #generics (&self, #(#params),*) -> #b #wheres { #ctor }
            });
        }
        items.push(emit_builder(o));
    }
    let manager_def = if any_manager {
        let doc = format!(" The `{module}` operations; get one with [`Client::{module}`](crate::Client::{module}).");
        let acc_doc = format!(" The `{module}` operations.");
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #manager {
                pub(crate) client: crate::Client,
            }
            impl crate::Client {
                #[doc = #acc_doc]
                pub fn #accessor(&self) -> #manager {
                    #manager { client: self.clone() }
                }
            }
            impl #manager {
                #(#manager_methods)*
            }
        }
    } else {
        quote!()
    };
    let client_impl = if client_methods.is_empty() {
        quote!()
    } else {
        quote!(impl crate::Client { #(#client_methods)* })
    };
    quote! {
        use crate::operations::support as ops;
        #manager_def
        #client_impl
        #(#items)*
    }
}

fn emit_builder(o: &Operation) -> TokenStream {
    let b = &o.builder;
    let label = &o.label;
    let fields = o.fields();
    let init = o.init();
    let body_defaults = o.body_defaults();
    let needs_key = !o.over.anonymous;
    let low = &o.low_method;
    let out = &o.out;
    let finish = &o.finish;
    let doc = format!(
        " {} (`{} {}`); finish with [`send`](Self::send) or `.await`.",
        o.summary, o.http, o.route
    );
    let mut setters = Vec::new();
    for a in o.setters() {
        let name = ident(&a.name);
        let v = ident(&a.name);
        let gi = ident("V");
        let (g, ty, conv) = setter_parts(a, &v, &gi);
        let (g, w) = signature(vec![g], where_clause(a, &gi).into_iter().collect());
        let store = o.store(a, conv, &ident("self"));
        let sdoc = if a.doc.is_empty() {
            format!(" Sets `{}`.", a.name)
        } else {
            format!(" {}.", a.doc)
        };
        setters.push(quote! {
            #[doc = #sdoc]
            pub fn #name #g (mut self, #v: #ty) -> Self #w {
                #store
                self
            }
        });
        if a.place == Place::BodyOwn {
            if let Some(one) = singular(&a.name).filter(|s| !o.args.iter().any(|x| &x.name == s)) {
                let one_ident = ident(&one);
                let odoc = format!(" Adds one item to `{}`.", a.name);
                let push = match &a.kind {
                    Kind::Ids => Some(quote! {
                        pub fn #one_ident(mut self, #one_ident: impl crate::Id) -> Self {
                            if let Some(v) = self.invalid.keep(#one, ops::id(&#one_ident)) {
                                self.#name.get_or_insert_with(Vec::new).push(v);
                            }
                            self
                        }
                    }),
                    Kind::List(item) => Some(quote! {
                        pub fn #one_ident<V: TryInto<#item>>(mut self, #one_ident: V) -> Self where V::Error: std::fmt::Display {
                            if let Some(v) = self.invalid.keep(#one, ops::convert::<#item, V>(#one_ident)) {
                                self.#name.get_or_insert_with(Vec::new).push(v);
                            }
                            self
                        }
                    }),
                    Kind::StrMap => Some(quote! {
                        pub fn #one_ident(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
                            self.#name.get_or_insert_with(Default::default).insert(key.into(), value.into());
                            self
                        }
                    }),
                    _ => None,
                };
                if let Some(push) = push {
                    setters.push(quote!(#[doc = #odoc] #push));
                }
            }
        }
    }
    // The low-level call.
    let mut low_sets = Vec::new();
    for a in &o.args {
        let name = ident(&a.name);
        match a.place {
            Place::Path | Place::Query => {
                low_sets.push(quote!(if let Some(v) = this.#name.clone() { op = op.#name(v); }));
            }
            _ => {}
        }
    }
    let own_fields: Vec<_> = o
        .args
        .iter()
        .filter(|a| a.place == Place::BodyOwn)
        .map(|a| {
            let name = ident(&a.name);
            let set = if a.optional {
                quote!(Some(v))
            } else {
                quote!(v)
            };
            quote!(if let Some(v) = this.#name.take() { body = body.#name(#set); })
        })
        .collect();
    // The body is finished and checked before the key check, so bad input is reported as
    // such on an anonymous client too.
    let (body_prep, body_step) = match (&o.body_builder, &o.body_type) {
        (Some(_), Some(bt)) => {
            let check = o
                .over
                .check_body
                .map(path)
                .map(|c| quote!(#c(&body).map_err(|e| e.in_call(#label, None))?;));
            (
                quote! {
                    let mut body = std::mem::take(&mut this.body);
                    #(#own_fields)*
                    let body: #bt = ops::body(#label, body)?;
                    #check
                },
                quote!(op = op.body(body);),
            )
        }
        (None, Some(_)) => (
            quote!(let body = this.body.take().ok_or_else(|| ops::missing(#label, "body"))?;),
            quote!(op = op.body(body);),
        ),
        _ => (quote!(), quote!()),
    };
    let check = o
        .over
        .check
        .map(path)
        .map(|c| quote!(#c(&this).map_err(|e| e.in_call(#label, None))?;));
    let key = if needs_key {
        quote!(this.client.require_key(#label)?;)
    } else {
        quote!()
    };
    let stream = match &o.paging {
        Some((item, Paging::Offset { skip, limit })) => quote! {
            /// Streams every item from this request's `skip` on, one page per `limit`.
            pub fn stream(self) -> crate::pagination::ItemStream<#item> {
                let skip = ops::count(&self.#skip);
                let limit = ops::count(&self.#limit);
                crate::pagination::offset_stream(skip, limit, move |skip, limit| {
                    self.clone().#skip(skip).#limit(limit).send()
                })
            }
        },
        Some((item, Paging::Cursor(param))) => quote! {
            /// Streams every item from this request's cursor on, page by page.
            pub fn stream(self) -> crate::pagination::ItemStream<#item> {
                let start = self.#param.clone();
                crate::pagination::cursor_stream(start, move |cursor| {
                    let mut page = self.clone();
                    page.#param = cursor;
                    let answer = page.send();
                    async move { answer.await.map(Into::into) }
                })
            }
        },
        None => quote!(),
    };
    let debug_fields: Vec<_> = o
        .args
        .iter()
        .filter(|a| matches!(a.place, Place::Path | Place::Query))
        .map(|a| {
            let name = ident(&a.name);
            let n = &a.name;
            quote!(.field(#n, &self.#name))
        })
        .collect();
    let body_debug = if o.body_type.is_none() {
        quote!()
    } else if o.over.redact_body {
        quote!(.field("body", &"<redacted>"))
    } else {
        quote!(.field("body", &self.body))
    };
    let raw = &o.raw;
    quote! {
        #[doc = #doc]
        #[derive(Clone)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #b {
            pub(crate) client: crate::Client,
            pub(crate) invalid: ops::Invalid,
            #(#fields)*
        }

        impl std::fmt::Debug for #b {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!(#b))
                    #(#debug_fields)*
                    #body_debug
                    .finish_non_exhaustive()
            }
        }

        impl ops::Operation for #b {
            const LABEL: &'static str = #label;
            const NEEDS_KEY: bool = #needs_key;
        }

        impl #b {
            pub(crate) fn new(client: crate::Client) -> Self {
                let mut this = #b { client, invalid: ops::Invalid::default(), #init };
                #body_defaults
                this
            }

            #(#setters)*

            /// Sends the request and returns the answer.
            ///
            /// # Errors
            ///
            /// An input error ([`crate::ErrorKind::InvalidInput`]) for an argument rejected
            /// when it was given, before anything is sent; otherwise what the platform
            /// answered, as a [`crate::Error`].
            pub async fn send(self) -> crate::Result<#out> {
                let mut this = self;
                this.invalid.check(#label)?;
                #check
                #body_prep
                #key
                let raw: #raw = {
                    let low = this.client.low_level();
                    let mut op = low.#low();
                    #(#low_sets)*
                    #body_step
                    crate::http::call(op.send()).await?
                };
                #finish
            }

            #stream
        }

        impl std::future::IntoFuture for #b {
            type Output = crate::Result<#out>;
            type IntoFuture = futures::future::BoxFuture<'static, crate::Result<#out>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    }
}

/// The blocking layer's type for an async answer: records become blocking records, inside
/// pages and lists too.
fn blocking_type(ty: &TokenStream) -> TokenStream {
    let mut text = ty.to_string().replace(' ', "");
    for (from, to) in table::BLOCKING_RECORDS {
        let mut out = String::new();
        let mut rest = text.as_str();
        while let Some(at) = rest.find(from) {
            let after = &rest[at + from.len()..];
            let boundary = !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
            out.push_str(&rest[..at]);
            out.push_str(if boundary { to } else { from });
            rest = after;
        }
        out.push_str(rest);
        text = out;
    }
    path(&text)
}

fn emit_blocking_module(module: &str, ops: &[&Operation], home: &str) -> TokenStream {
    let mod_ident = ident(module);
    let home_path = path(home);
    let manager = format_ident!("{}", module.to_pascal_case());
    let accessor = ident(module);
    let mut methods = Vec::new();
    let mut client_methods = Vec::new();
    let mut calls = Vec::new();
    let mut any_manager = false;
    for o in ops {
        let b = &o.builder;
        let method = ident(&o.method);
        let doc = format!(" Blocking [`{}`]({home}::{}).", o.method, o.builder);
        let Positional {
            params,
            generics,
            wheres,
            names,
            ..
        } = o.positional_signature();
        let ty = quote!(#home_path::#b);
        if o.over.on_client {
            client_methods.push(quote! {
                #[doc = #doc]
                pub fn #method #generics (&self, #(#params),*) -> Call<#ty> #wheres {
                    Call::new(&self.rt, self.inner.#method(#(#names),*))
                }
            });
        } else {
            any_manager = true;
            methods.push(quote! {
                #[doc = #doc]
                pub fn #method #generics (&self, #(#params),*) -> Call<#ty> #wheres {
                    Call::new(&self.rt, self.inner.#method(#(#names),*))
                }
            });
        }
        let mut setters = Vec::new();
        for a in o.setters() {
            let name = ident(&a.name);
            let gi = ident("V");
            let (g, ty, _) = setter_parts(a, &name, &gi);
            let (g, w) = signature(vec![g], where_clause(a, &gi).into_iter().collect());
            let sdoc = format!(" See [`{b}::{n}`]({home}::{b}::{n}).", n = a.name);
            setters.push(quote! {
                #[doc = #sdoc]
                pub fn #name #g (self, #name: #ty) -> Self #w { self.map(|b| b.#name(#name)) }
            });
            if a.place == Place::BodyOwn {
                if let Some(one) =
                    singular(&a.name).filter(|s| !o.args.iter().any(|x| &x.name == s))
                {
                    let one_ident = ident(&one);
                    let odoc = format!(" Adds one item to `{}`.", a.name);
                    let push = match &a.kind {
                        Kind::Ids => Some(
                            quote!(pub fn #one_ident(self, #one_ident: impl crate::Id) -> Self { self.map(|b| b.#one_ident(#one_ident)) }),
                        ),
                        Kind::List(item) => Some(
                            quote!(pub fn #one_ident<V: TryInto<#item>>(self, #one_ident: V) -> Self where V::Error: std::fmt::Display { self.map(|b| b.#one_ident(#one_ident)) }),
                        ),
                        Kind::StrMap => Some(
                            quote!(pub fn #one_ident(self, key: impl Into<String>, value: impl Into<String>) -> Self { self.map(|b| b.#one_ident(key, value)) }),
                        ),
                        _ => None,
                    };
                    if let Some(push) = push {
                        setters.push(quote!(#[doc = #odoc] #push));
                    }
                }
            }
        }
        for (name, params) in o.over.extra {
            let n = ident(name);
            let ps: TokenStream = path(params);
            let arg_names: Vec<Ident> = params
                .split(',')
                .filter_map(|p| p.split(':').next())
                .map(|p| ident(p.trim()))
                .collect();
            let sdoc = format!(" See [`{b}::{name}`]({home}::{b}::{name}).");
            setters.push(quote! {
                #[doc = #sdoc]
                pub fn #n(self, #ps) -> Self { self.map(|b| b.#n(#(#arg_names),*)) }
            });
        }
        let out = blocking_type(&o.out);
        let stream = match &o.paging {
            Some((item, _)) => {
                let item = blocking_type(item);
                quote! {
                    /// Every item, fetched page by page as the iterator advances.
                    pub fn stream(self) -> crate::blocking::Iter<#item> {
                        self.rt.iter_blocking(self.builder.stream())
                    }
                }
            }
            None => quote!(),
        };
        let into_iter = match &o.paging {
            Some((item, _)) => {
                let item = blocking_type(item);
                quote! {
                    impl IntoIterator for Call<#ty> {
                        type Item = crate::error::Result<#item>;
                        type IntoIter = crate::blocking::Iter<#item>;
                        fn into_iter(self) -> Self::IntoIter { self.stream() }
                    }
                }
            }
            None => quote!(),
        };
        calls.push(quote! {
            impl Call<#ty> {
                #(#setters)*
                /// Sends the request and waits for the answer.
                pub fn send(self) -> crate::Result<#out> {
                    self.rt.run(self.builder.send())
                }
                #stream
            }
            #into_iter
        });
    }
    let manager_def = if any_manager {
        let doc = format!(" Blocking `{module}` operations; see [`{home}::{manager}`].");
        let acc = format!(" The blocking `{module}` operations.");
        quote! {
            #[doc = #doc]
            #[derive(Debug, Clone)]
            pub struct #manager {
                pub(crate) inner: #home_path::#manager,
                pub(crate) rt: Rt,
            }
            impl crate::blocking::Client {
                #[doc = #acc]
                pub fn #accessor(&self) -> #manager {
                    #manager { inner: self.inner.#accessor(), rt: self.rt.clone() }
                }
            }
            impl #manager { #(#methods)* }
        }
    } else {
        quote!()
    };
    let client_impl = if client_methods.is_empty() {
        quote!()
    } else {
        quote!(impl crate::blocking::Client { #(#client_methods)* })
    };
    let doc = format!(" Blocking builders for the `{module}` operations.");
    quote! {
        #[doc = #doc]
        pub mod #mod_ident {
            #![allow(unused_imports, clippy::too_many_arguments, clippy::useless_conversion)]
            use super::*;
            #manager_def
            #client_impl
            #(#calls)*
        }
    }
}
