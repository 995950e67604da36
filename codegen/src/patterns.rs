//! String `pattern`s: typify checks them with `regress`, an ECMAScript regex engine that
//! costs about 5 s of a cold release build for the two short patterns our document has. The
//! generated code uses `regex-lite` instead, which builds in about 1 s and has the same
//! `Regex::new(..)` / `find(..)` surface.
//!
//! The two engines agree only on a common subset of syntax, so every pattern the generated
//! code compiles is checked here, at build time, and a pattern outside the subset stops the
//! build with a message, rather than matching differently (or panicking) at run time.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::ToTokens;

/// Rewrites the generated code's `::regress::Regex` to `::regex_lite::Regex`, after checking
/// that each pattern it compiles means the same under both engines.
pub(crate) fn use_regex_lite(file: &mut syn::File) -> Result<(), String> {
    let tokens = file.to_token_stream();
    let mut patterns = Vec::new();
    let rewritten = rewrite(tokens, &mut patterns)?;
    for pattern in &patterns {
        check(pattern)?;
    }
    *file = syn::parse2(rewritten).map_err(|e| format!("pattern rewrite broke the code: {e}"))?;
    Ok(())
}

/// Renames the `regress` crate and collects the literal argument of every `Regex::new`.
fn rewrite(tokens: TokenStream, patterns: &mut Vec<String>) -> Result<TokenStream, String> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            // Only the crate path `::regress::…`, not a field or variable of that name.
            TokenTree::Ident(id) if id == "regress" && is_crate_root(&trees, i) => {
                out.push(TokenTree::Ident(Ident::new("regex_lite", id.span())));
            }
            TokenTree::Group(g) => {
                let is_new_call = g.delimiter() == Delimiter::Parenthesis
                    && i >= 4
                    // `::` is two `:` tokens.
                    && matches!(&trees[i - 1], TokenTree::Ident(n) if n == "new")
                    && matches!(&trees[i - 4], TokenTree::Ident(r) if r == "Regex");
                if is_new_call {
                    let lit: syn::LitStr = syn::parse2(g.stream())
                        .map_err(|e| format!("a generated Regex::new has no literal: {e}"))?;
                    patterns.push(lit.value());
                }
                let mut inner = Group::new(g.delimiter(), rewrite(g.stream(), patterns)?);
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other.clone()),
        }
    }
    Ok(out.into_iter().collect())
}

/// Whether the ident at `i` follows a leading `::` and is followed by `::`.
fn is_crate_root(trees: &[TokenTree], i: usize) -> bool {
    let colon = |j: Option<usize>| matches!(j.and_then(|j| trees.get(j)), Some(TokenTree::Punct(p)) if p.as_char() == ':');
    let before_colons = colon(i.checked_sub(1)) && colon(i.checked_sub(2));
    let rooted = i < 3 || !matches!(trees.get(i - 3), Some(TokenTree::Ident(_)));
    before_colons && rooted && colon(Some(i + 1)) && colon(Some(i + 2))
}

/// Accepts `pattern` when ECMAScript and `regex-lite` read it the same way: literals,
/// bracket classes of literals and ranges, groups, alternation, quantifiers, `^` and `$`,
/// and the ASCII classes `\d`, `\D`, `\w`, `\W`.
///
/// Refused, because the engines differ on them: `.` and `\s` (which line breaks and
/// spaces they cover), `\b`, lookaround, backreferences, named groups, flags, and `[`,
/// `&&`, `--` or `~~` inside a class (set operations in `regex-lite`).
pub(crate) fn check(pattern: &str) -> Result<(), String> {
    let refuse = |what: &str| {
        Err(format!(
            "the pattern {pattern:?} uses {what}, which ECMAScript (the OpenAPI dialect) and \
             regex-lite read differently; extend codegen/src/patterns.rs to translate it"
        ))
    };
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    let mut prev_in_class = None;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if "\\^$.|?*+()[]{}/-".contains(e) => {}
                Some('d' | 'D' | 'w' | 'W') => {}
                Some('n' | 'r' | 't') => {}
                Some(e) => return refuse(&format!("the escape \\{e}")),
                None => return refuse("a trailing backslash"),
            },
            '[' if in_class => return refuse("`[` inside a class"),
            '[' => {
                in_class = true;
                prev_in_class = None;
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                // ECMAScript reads `[]` as the empty class and `[]a]` differently.
                if chars.peek() == Some(&']') {
                    return refuse("`]` first in a class");
                }
                continue;
            }
            ']' if in_class => in_class = false,
            '&' | '-' | '~' if in_class && prev_in_class == Some(c) => {
                return refuse("a doubled `&`, `-` or `~` inside a class")
            }
            '.' if !in_class => return refuse("`.`"),
            // ECMAScript reads a brace that does not open `{n}`, `{n,}` or `{n,m}` as a
            // literal; regex-lite reads `{,m}` as a quantifier.
            '{' if !in_class => {
                let mut body = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    body.push(d);
                }
                let (low, high) = body.split_once(',').unwrap_or((&body, "0"));
                let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
                if low.is_empty() || !digits(low) || !digits(high) {
                    return refuse("a brace that is not a `{n,m}` quantifier");
                }
            }
            '(' if !in_class && chars.peek() == Some(&'?') => {
                chars.next();
                if chars.next() != Some(':') {
                    return refuse("a group other than `(…)` or `(?:…)`");
                }
            }
            _ => {}
        }
        prev_in_class = in_class.then_some(c);
    }
    regex_lite::Regex::new(pattern)
        .map(drop)
        .map_err(|e| format!("the pattern {pattern:?} does not compile with regex-lite: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_subset_is_accepted() {
        for ok in [
            "^(all|system|own)$",
            "^[A-Z_][A-Z0-9_]*$",
            "^[a-z0-9-]{1,63}$",
            r"^\d+(?:\.\d+)?$",
            r"^[^\s]*$".replace(r"\s", " ").as_str(),
            r"^\w[\w-]*\.json$",
            r"a\+b\{2\}",
            "^x{2}y{1,}z{0,3}$",
        ] {
            assert_eq!(check(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn syntax_the_engines_read_differently_is_refused() {
        for bad in [
            "^.+$",
            r"^\s*$",
            r"\bword\b",
            "^(?=a)b$",
            "^(?<n>a)$",
            r"(a)\1",
            "^[[a]]$",
            "^[a&&b]$",
            "^[a--b]$",
            "^[]a]$",
            "(?i)abc",
            r"^\p{L}$",
            "a{2,1}",
            "a{,3}",
            "a{x}",
            r"\<word\>",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn generated_checks_name_regex_lite_and_every_pattern_is_found() {
        let mut file: syn::File = syn::parse_quote! {
            struct S { regress: u8 }
            fn f(value: &str) -> bool {
                static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                    ::std::sync::LazyLock::new(|| ::regress::Regex::new("^[A-Z]+$").unwrap());
                PATTERN.find(value).is_some()
            }
        };
        use_regex_lite(&mut file).unwrap();
        let text = file.to_token_stream().to_string();
        assert!(!text.contains(":: regress"), "{text}");
        assert!(text.contains("struct S { regress : u8 }"), "{text}");
        assert!(
            text.contains(":: regex_lite :: Regex :: new (\"^[A-Z]+$\")"),
            "{text}"
        );

        let mut refused: syn::File = syn::parse_quote! {
            static P: ::std::sync::LazyLock<::regress::Regex> =
                ::std::sync::LazyLock::new(|| ::regress::Regex::new("^.*$").unwrap());
        };
        let err = use_regex_lite(&mut refused).unwrap_err();
        assert!(err.contains("\"^.*$\"") && err.contains("`.`"), "{err}");
    }
}
