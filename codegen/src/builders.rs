//! typify gives every generated struct a builder (`types::builder::X` and `X::builder()`).
//! Only request bodies, and the types they contain, are ever built by callers: the
//! operation builders take a body's builder, and a response type is decoded, not built.
//! The builders of response-only types were about a tenth of the crate's compiled code, so
//! they are dropped.

use std::collections::{BTreeSet, HashMap};

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;

use crate::surface::last_ident;

/// Keeps the struct builders of request bodies and of the types they contain, transitively,
/// and removes the others together with their `X::builder()` constructors.
pub(crate) fn keep_request_builders(items: &mut [syn::Item]) {
    let mut seeds = BTreeSet::new();
    for item in items.iter() {
        if let syn::Item::Mod(m) = item {
            if m.ident == "builder" {
                for it in m.content.iter().flat_map(|(_, items)| items) {
                    builder_paths(it.to_token_stream(), &mut seeds);
                }
            }
        }
    }
    let Some(types) = items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return;
    };
    let keep = reachable(types, seeds);
    for item in types.iter_mut() {
        match item {
            syn::Item::Mod(m) if m.ident == "builder" => {
                if let Some((_, items)) = m.content.as_mut() {
                    items.retain(|it| match it {
                        syn::Item::Struct(s) => keep.contains(&s.ident.to_string()),
                        syn::Item::Impl(imp) => keep.contains(&last_ident(&imp.self_ty)),
                        _ => true,
                    });
                }
            }
            syn::Item::Impl(imp)
                if imp.trait_.is_none() && !keep.contains(&last_ident(&imp.self_ty)) =>
            {
                imp.items
                    .retain(|it| !matches!(it, syn::ImplItem::Fn(f) if f.sig.ident == "builder"));
            }
            _ => {}
        }
    }
    // Only an inherent impl emptied here goes; a trait impl may be empty by design.
    types.retain(|item| {
        !matches!(item, syn::Item::Impl(imp) if imp.trait_.is_none() && imp.items.is_empty())
    });
}

/// Collects `X` from every `types::builder::X` in `tokens`.
fn builder_paths(tokens: TokenStream, found: &mut BTreeSet<String>) {
    let idents: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in idents.iter().enumerate() {
        match tree {
            TokenTree::Group(g) => builder_paths(g.stream(), found),
            // `types :: builder :: X`, where `::` is two `:` tokens.
            TokenTree::Ident(id) if id == "builder" && i >= 3 => {
                let after_types = matches!(&idents[i - 3], TokenTree::Ident(t) if t == "types");
                if let (true, Some(TokenTree::Ident(x))) = (after_types, idents.get(i + 3)) {
                    found.insert(x.to_string());
                }
            }
            _ => {}
        }
    }
}

/// The names in `seeds` and every `types` item their definitions mention, transitively.
fn reachable(types: &[syn::Item], seeds: BTreeSet<String>) -> BTreeSet<String> {
    let mut mentions: HashMap<String, BTreeSet<String>> = HashMap::new();
    for item in types {
        let (name, tokens) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), s.fields.to_token_stream()),
            syn::Item::Enum(e) => (e.ident.to_string(), e.variants.to_token_stream()),
            _ => continue,
        };
        let mut idents = BTreeSet::new();
        all_idents(tokens, &mut idents);
        mentions.insert(name, idents);
    }
    let mut keep = BTreeSet::new();
    let mut todo: Vec<String> = seeds.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !keep.insert(name.clone()) {
            continue;
        }
        for next in mentions.get(&name).into_iter().flatten() {
            if mentions.contains_key(next) && !keep.contains(next) {
                todo.push(next.clone());
            }
        }
    }
    keep
}

fn all_idents(tokens: TokenStream, out: &mut BTreeSet<String>) {
    for tree in tokens {
        match tree {
            TokenTree::Ident(id) => {
                out.insert(id.to_string());
            }
            TokenTree::Group(g) => all_idents(g.stream(), out),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bodies_and_what_they_contain_keep_builders() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Body { pub items: Vec<Item> }
                pub struct Item { pub kind: Kind }
                pub enum Kind { A(Leaf) }
                pub struct Leaf { pub x: i64 }
                pub struct Answer { pub item: Item }
                impl Body { pub fn builder() -> builder::Body { Default::default() } }
                impl Item { pub fn builder() -> builder::Item { Default::default() } }
                impl Leaf { pub fn builder() -> builder::Leaf { Default::default() } }
                impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
                impl From<&Answer> for Answer { fn from(a: &Answer) -> Self { a.clone() } }
                impl Marker for Answer {}
                pub mod builder {
                    pub struct Body { items: Result<Vec<super::Item>, String> }
                    impl Default for Body { fn default() -> Self { todo!() } }
                    impl TryFrom<Body> for super::Body { type Error = (); fn try_from(_: Body) -> Result<Self, ()> { todo!() } }
                    pub struct Item { kind: Result<super::Kind, String> }
                    pub struct Leaf { x: Result<i64, String> }
                    pub struct Answer { item: Result<super::Item, String> }
                    impl Default for Answer { fn default() -> Self { todo!() } }
                    impl TryFrom<Answer> for super::Answer { type Error = (); fn try_from(_: Answer) -> Result<Self, ()> { todo!() } }
                    impl From<super::Answer> for Answer { fn from(_: super::Answer) -> Self { todo!() } }
                }
            }
            pub mod builder {
                pub struct CreateBody { body: Result<types::builder::Body, String> }
            }
        };
        keep_request_builders(&mut file.items);
        let text = file.to_token_stream().to_string();
        for kept in [
            "struct Body",
            "struct Item",
            "struct Leaf",
            "impl Body",
            "impl Leaf",
        ] {
            assert!(text.contains(kept), "{kept} missing: {text}");
        }
        // The type itself and its trait impls stay; its builder and constructor go.
        assert!(text.contains("pub struct Answer { pub item"), "{text}");
        assert!(text.contains("impl From < & Answer > for Answer"), "{text}");
        assert!(text.contains("impl Marker for Answer { }"), "{text}");
        assert!(!text.contains("impl Answer"), "{text}");
        assert!(!text.contains("builder :: Answer"), "{text}");
        assert!(!text.contains("struct Answer { item"), "{text}");
        assert!(!text.contains("for super :: Answer"), "{text}");
    }
}
