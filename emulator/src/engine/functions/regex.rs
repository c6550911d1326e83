//! Trino's regular expression functions (trino.io, "Regular expression functions") on
//! Rust's `regex` crate. Trino compiles patterns with Joni in Java syntax; a pattern is
//! translated to the `regex` crate's syntax where both mean the same, and refused with
//! NOT_SUPPORTED where they do not:
//!
//! - `\d`, `\w`, `\s` (and their negations) are ASCII in Joni: they become ASCII classes
//!   (the crate's are Unicode);
//! - `\Q...\E` quoting becomes escaped text; `(?<name>...)` is the crate's too;
//! - `$` and `\Z` also match before a final `\n` in Java, and the crate has no such
//!   assertion: a subject that ends with `\n` is refused for such a pattern;
//! - lookaround, backreferences, atomic groups, possessive quantifiers, POSIX bracket
//!   classes, `\h`, `\v`, `\R`, `\X`, `\G`, the flags other than `i`, `m`, `s`, `x`, and
//!   the crate's own class operators (`--`, `~~`) are refused.
//!
//! Replacement strings follow Trino: `$n` (the longest group number that exists),
//! `${name}`, `\` quoting the next character; anything else fails as Trino fails.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use datafusion::logical_expr::ScalarUDF;
use regex::Regex;

use super::trino_fn::{O, P, R, TrinoFn, V, invalid, sig};

/// The UDFs of this module.
pub(crate) fn functions() -> Vec<ScalarUDF> {
    use P::{Bigint as I, Varchar as S};
    let f = |t: TrinoFn| ScalarUDF::from(t);
    vec![
        f(TrinoFn::new(
            "regexp_like",
            vec![sig(&[S, S], R::Boolean)],
            regexp_like,
        )),
        f(TrinoFn::new(
            "regexp_count",
            vec![sig(&[S, S], R::Bigint)],
            regexp_count,
        )),
        f(TrinoFn::new(
            "regexp_extract",
            vec![sig(&[S, S], R::Varchar), sig(&[S, S, I], R::Varchar)],
            regexp_extract,
        )),
        f(TrinoFn::new(
            "regexp_extract_all",
            vec![
                sig(&[S, S], R::ArrayVarchar),
                sig(&[S, S, I], R::ArrayVarchar),
            ],
            regexp_extract_all,
        )),
        f(TrinoFn::new(
            "regexp_position",
            vec![
                sig(&[S, S], R::Integer),
                sig(&[S, S, I], R::Integer),
                sig(&[S, S, I, I], R::Integer),
            ],
            regexp_position,
        )),
        f(TrinoFn::new(
            "regexp_replace",
            vec![sig(&[S, S], R::Varchar), sig(&[S, S, S], R::Varchar)],
            regexp_replace,
        )),
        f(TrinoFn::new(
            "regexp_split",
            vec![sig(&[S, S], R::ArrayVarchar)],
            regexp_split,
        )),
    ]
}

type Res = std::result::Result<O, String>;

/// A compiled pattern.
#[derive(Debug)]
struct Pattern {
    regex: Regex,
    /// Whether the Java pattern has `$` or `\Z`, which also match before a final `\n`.
    end_anchor: bool,
    java: String,
}

impl Pattern {
    /// Refuses a subject the translation cannot answer for.
    fn check(&self, subject: &str) -> std::result::Result<(), String> {
        if self.end_anchor && subject.ends_with('\n') {
            return Err(format!(
                "NOT_SUPPORTED: the pattern '{}' on text that ends with a line feed ($ and \\Z \
                 also match before it in Java's syntax) is not supported by athena-emulator",
                self.java
            ));
        }
        Ok(())
    }

    fn groups(&self) -> usize {
        self.regex.captures_len() - 1
    }
}

fn not_supported(what: &str, pattern: &str) -> String {
    format!(
        "NOT_SUPPORTED: {what} in the regular expression '{pattern}' is not supported by \
         athena-emulator"
    )
}

// layout: long function, because one pass over the Java pattern's characters; the class depth and the position are its state
/// The `regex` crate's pattern for a Java pattern, and whether it has an end anchor.
fn translate(java: &str) -> std::result::Result<(String, bool), String> {
    let chars: Vec<char> = java.chars().collect();
    let mut out = String::with_capacity(java.len() + 8);
    let mut end_anchor = false;
    // Nesting depth of character classes.
    let mut class = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(invalid("too short escape sequence"));
                };
                i += 2;
                match e {
                    'd' => out.push_str(if class > 0 { "0-9" } else { "[0-9]" }),
                    'w' => out.push_str(if class > 0 {
                        "0-9A-Za-z_"
                    } else {
                        "[0-9A-Za-z_]"
                    }),
                    's' => out.push_str(if class > 0 {
                        "\\t\\n\\x0B\\f\\r "
                    } else {
                        "[\\t\\n\\x0B\\f\\r ]"
                    }),
                    'D' | 'W' | 'S' if class > 0 => {
                        return Err(not_supported("a negated class escape in a class", java));
                    }
                    'D' => out.push_str("[^0-9]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    'S' => out.push_str("[^\\t\\n\\x0B\\f\\r ]"),
                    'b' | 'B' | 'A' | 'z' if class == 0 => {
                        out.push('\\');
                        out.push(e);
                    }
                    'Z' if class == 0 => {
                        end_anchor = true;
                        out.push_str("\\z");
                    }
                    't' | 'n' | 'r' | 'f' | 'a' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'e' => out.push_str("\\x1B"),
                    'x' | 'u' => {
                        // \xhh, \x{h...}, \uhhhh: the crate reads them alike.
                        out.push('\\');
                        out.push(e);
                    }
                    'p' | 'P' => {
                        let Some(end) = chars[i..].iter().position(|&c| c == '}') else {
                            return Err(not_supported("a property without braces", java));
                        };
                        if chars.get(i) != Some(&'{') {
                            return Err(not_supported("a property without braces", java));
                        }
                        let name: String = chars[i + 1..i + end].iter().collect();
                        property(&name, java)?;
                        out.push('\\');
                        out.push(e);
                        out.push('{');
                        out.push_str(&name);
                        out.push('}');
                        i += end + 1;
                    }
                    'Q' => {
                        let rest: String = chars[i..].iter().collect();
                        let (quoted, len) = match rest.find("\\E") {
                            Some(end) => (&rest[..end], rest[..end].chars().count() + 2),
                            None => (rest.as_str(), rest.chars().count()),
                        };
                        out.push_str(&regex::escape(quoted));
                        i += len;
                    }
                    '0'..='9' => return Err(not_supported("a backreference", java)),
                    'k' => return Err(not_supported("a named backreference", java)),
                    e if e.is_ascii_alphanumeric() => {
                        return Err(not_supported(&format!("the escape \\{e}"), java));
                    }
                    e => out.push_str(&regex::escape(&e.to_string())),
                }
                continue;
            }
            '[' => {
                if chars.get(i + 1) == Some(&':') {
                    return Err(not_supported("a POSIX bracket class", java));
                }
                class += 1;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                // A `]` first in a class is a literal in Java, as in the crate.
                continue;
            }
            ']' if class > 0 => {
                class -= 1;
                out.push(']');
            }
            '-' | '~' if class > 0 && chars.get(i + 1) == Some(&c) => {
                return Err(not_supported("a class operator -- or ~~", java));
            }
            _ if class > 0 => {
                if matches!(c, '&' | '-' | '^' | '[') {
                    out.push(c);
                } else {
                    out.push_str(&regex::escape(&c.to_string()));
                }
            }
            '$' => {
                end_anchor = true;
                out.push('$');
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                let rest: String = chars[i + 2..].iter().take(3).collect();
                if rest.starts_with('=')
                    || rest.starts_with('!')
                    || rest.starts_with("<=")
                    || rest.starts_with("<!")
                {
                    return Err(not_supported("lookaround", java));
                }
                if rest.starts_with('>') {
                    return Err(not_supported("an atomic group", java));
                }
                if rest.starts_with('<') || rest.starts_with(':') {
                    out.push_str("(?");
                    i += 2;
                    continue;
                }
                // Inline flags: (?flags) or (?flags:...).
                let mut j = i + 2;
                while let Some(&f) = chars.get(j) {
                    match f {
                        'i' | 'm' | 's' | 'x' | '-' => j += 1,
                        ')' | ':' => break,
                        other => {
                            return Err(not_supported(&format!("the flag {other}"), java));
                        }
                    }
                }
                out.push_str("(?");
                i += 2;
                continue;
            }
            '*' | '+' | '?' | '}' if chars.get(i + 1) == Some(&'+') => {
                out.push(c);
                return Err(not_supported("a possessive quantifier", java));
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok((out, end_anchor))
}

/// Checks a `\p{name}` Joni knows and means as the crate does.
fn property(name: &str, java: &str) -> std::result::Result<(), String> {
    const CATEGORIES: &[&str] = &[
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
        "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So", "Z", "Zs", "Zl", "Zp",
        "C", "Cc", "Cf", "Co", "Cn", "Alpha", "Han", "Latin", "Greek", "Cyrillic", "Arabic",
        "Hebrew", "Hiragana", "Katakana", "Hangul", "Thai",
    ];
    if CATEGORIES.contains(&name) {
        Ok(())
    } else if name.starts_with("Is") || name.starts_with("In") {
        Err(invalid(format!("invalid character property name <{name}>")))
    } else {
        Err(not_supported(&format!("the property \\p{{{name}}}"), java))
    }
}

thread_local! {
    /// Patterns compiled on this thread (a query's pattern is usually one literal).
    static CACHE: RefCell<HashMap<String, Arc<Pattern>>> = RefCell::new(HashMap::new());
}

/// The compiled pattern, or INVALID_FUNCTION_ARGUMENT / NOT_SUPPORTED.
fn compile(java: &str) -> std::result::Result<Arc<Pattern>, String> {
    if let Some(p) = CACHE.with(|c| c.borrow().get(java).cloned()) {
        return Ok(p);
    }
    let (rust, end_anchor) = translate(java)?;
    let regex = Regex::new(&rust).map_err(|e| {
        let text = e.to_string();
        // The crate's message ends with its diagnosis line: `error: <what>`.
        let what = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(&text)
            .to_owned();
        invalid(what)
    })?;
    let pattern = Arc::new(Pattern {
        regex,
        end_anchor,
        java: java.to_owned(),
    });
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(java.to_owned(), Arc::clone(&pattern));
    });
    Ok(pattern)
}

/// Every match as Java's `Matcher.find` finds them: after an empty match the search
/// goes on one code point further, and an empty match may follow a non-empty one where
/// it ends (`a*` matches `aaa` twice), which the crate's iterators skip.
fn java_matches<'h>(p: &Pattern, s: &'h str) -> Vec<regex::Captures<'h>> {
    let mut out = Vec::new();
    let mut at = 0;
    while at <= s.len() {
        let Some(c) = p.regex.captures_at(s, at) else {
            break;
        };
        let m = c
            .get(0)
            .unwrap_or_else(|| unreachable!("group 0 is the match"));
        at = if m.end() > m.start() {
            m.end()
        } else {
            m.end() + s[m.end()..].chars().next().map_or(1, char::len_utf8)
        };
        out.push(c);
    }
    out
}

/// The compiled pattern of a row and its subject, checked.
fn prepare<'a>(args: &[V<'a>]) -> std::result::Result<(&'a str, Arc<Pattern>), String> {
    let subject = args[0].str();
    let pattern = compile(args[1].str())?;
    pattern.check(subject)?;
    Ok((subject, pattern))
}

fn regexp_like(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    Ok(O::Bool(p.regex.is_match(s)))
}

fn regexp_count(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    Ok(O::Int(java_matches(&p, s).len() as i64))
}

/// The group a call asks for, checked against the pattern's groups.
fn group(p: &Pattern, g: Option<i64>) -> std::result::Result<usize, String> {
    let g = g.unwrap_or(0);
    if g < 0 {
        return Err(invalid("Group cannot be negative"));
    }
    let groups = p.groups();
    match usize::try_from(g) {
        Ok(g) if g <= groups => Ok(g),
        _ => Err(invalid(format!(
            "Pattern has {groups} groups. Cannot access group {g}"
        ))),
    }
}

fn regexp_extract(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    let g = group(&p, args.get(2).map(V::int))?;
    Ok(p.regex
        .captures(s)
        .and_then(|c| c.get(g))
        .map_or(O::Null, |m| O::Str(m.as_str().to_owned())))
}

fn regexp_extract_all(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    let g = group(&p, args.get(2).map(V::int))?;
    Ok(O::StrList(
        java_matches(&p, s)
            .iter()
            .map(|c| c.get(g).map(|m| m.as_str().to_owned()))
            .collect(),
    ))
}

fn regexp_position(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    let start = args.get(2).map_or(1, V::int);
    if start < 1 {
        return Err(invalid("start position cannot be smaller than 1"));
    }
    let occurrence = args.get(3).map_or(1, V::int);
    if occurrence < 1 {
        return Err(invalid("occurrence cannot be smaller than 1"));
    }
    let skip = usize::try_from(start - 1).unwrap_or(usize::MAX);
    let Some(offset) = s
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.len()))
        .nth(skip)
    else {
        return Ok(O::Int(-1));
    };
    let n = usize::try_from(occurrence - 1).unwrap_or(usize::MAX);
    let mut at = offset;
    let mut seen = 0;
    while at <= s.len() {
        let Some(m) = p.regex.find_at(s, at) else {
            break;
        };
        if seen == n {
            return Ok(O::Int(s[..m.start()].chars().count() as i64 + 1));
        }
        seen += 1;
        at = if m.end() > m.start() {
            m.end()
        } else {
            // An empty match: go on after the next code point.
            m.end() + s[m.end()..].chars().next().map_or(1, char::len_utf8)
        };
    }
    Ok(O::Int(-1))
}

/// One piece of a replacement string.
#[derive(Debug, PartialEq)]
enum Piece {
    Text(String),
    Group(usize),
}

/// Trino's replacement string: `$n`, `${name}`, `\x` for a literal `x`.
fn replacement(r: &str, p: &Pattern) -> std::result::Result<Vec<Piece>, String> {
    let bad = |what: &str| invalid(format!("Illegal replacement sequence: {what}"));
    let chars: Vec<char> = r.chars().collect();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                let Some(&c) = chars.get(i + 1) else {
                    return Err(bad("\\"));
                };
                text.push(c);
                i += 2;
            }
            '$' => {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                match chars.get(i + 1) {
                    Some('{') => {
                        let Some(end) = chars[i + 2..].iter().position(|&c| c == '}') else {
                            return Err(bad(&chars[i..].iter().collect::<String>()));
                        };
                        let name: String = chars[i + 2..i + 2 + end].iter().collect();
                        let index = p
                            .regex
                            .capture_names()
                            .position(|n| n == Some(name.as_str()))
                            .ok_or_else(|| bad(&format!("unknown group {{ {name} }}")))?;
                        pieces.push(Piece::Group(index));
                        i += end + 3;
                    }
                    Some(d) if d.is_ascii_digit() => {
                        // The longest number that names a group, as Java reads it.
                        let mut g = d.to_digit(10).unwrap_or(0) as usize;
                        if g > p.groups() {
                            return Err(bad(&format!("unknown group {g}")));
                        }
                        i += 2;
                        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                            let longer = g * 10 + d as usize;
                            if longer > p.groups() {
                                break;
                            }
                            g = longer;
                            i += 1;
                        }
                        pieces.push(Piece::Group(g));
                    }
                    _ => return Err(bad(&chars[i..].iter().collect::<String>())),
                }
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

fn regexp_replace(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    let pieces = replacement(args.get(2).map_or("", V::str), &p)?;
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for c in java_matches(&p, s) {
        let m = c
            .get(0)
            .unwrap_or_else(|| unreachable!("group 0 is the match"));
        out.push_str(&s[last..m.start()]);
        for piece in &pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Group(g) => out.push_str(c.get(*g).map_or("", |m| m.as_str())),
            }
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    Ok(O::Str(out))
}

fn regexp_split(args: &[V<'_>]) -> Res {
    let (s, p) = prepare(args)?;
    let mut pieces = Vec::new();
    let mut last = 0;
    for c in java_matches(&p, s) {
        let m = c
            .get(0)
            .unwrap_or_else(|| unreachable!("group 0 is the match"));
        pieces.push(Some(s[last..m.start()].to_owned()));
        last = m.end();
    }
    pieces.push(Some(s[last..].to_owned()));
    Ok(O::StrList(pieces))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&[V<'_>]) -> Res, args: &[V<'_>]) -> O {
        f(args).unwrap()
    }

    #[test]
    fn java_classes_are_ascii() {
        assert_eq!(
            translate(r"\d+\w\s").unwrap().0,
            "[0-9]+[0-9A-Za-z_][\\t\\n\\x0B\\f\\r ]"
        );
        assert_eq!(
            run(regexp_like, &[V::Str("é"), V::Str(r"\w")]),
            O::Bool(false)
        );
        assert_eq!(
            run(regexp_like, &[V::Str("٣"), V::Str(r"\d")]),
            O::Bool(false)
        );
        assert_eq!(
            run(regexp_like, &[V::Str("a_b"), V::Str(r"[\w]{3}")]),
            O::Bool(true)
        );
        assert_eq!(
            run(regexp_like, &[V::Str("a.b"), V::Str(r"\Qa.b\E")]),
            O::Bool(true)
        );
        assert_eq!(
            run(regexp_like, &[V::Str("axb"), V::Str(r"\Qa.b\E")]),
            O::Bool(false)
        );
    }

    #[test]
    fn what_the_crate_cannot_do_is_refused() {
        for p in [
            r"(?<=a)b",
            r"(ab)\1",
            "a*+",
            "(?>a)",
            "[[:alpha:]]",
            r"\h",
            "(?U)a",
            "[a--b]",
        ] {
            let err = compile(p).unwrap_err();
            assert!(err.starts_with("NOT_SUPPORTED: "), "{p}: {err}");
        }
        assert!(
            compile("(")
                .unwrap_err()
                .starts_with("INVALID_FUNCTION_ARGUMENT: ")
        );
        assert!(
            compile(r"\p{IsHan}")
                .unwrap_err()
                .starts_with("INVALID_FUNCTION_ARGUMENT: ")
        );
        let err = regexp_like(&[V::Str("a\n"), V::Str("a$")]).unwrap_err();
        assert!(err.starts_with("NOT_SUPPORTED: "), "{err}");
        assert_eq!(
            run(regexp_like, &[V::Str("a\nb"), V::Str("a$")]),
            O::Bool(false)
        );
    }

    #[test]
    fn replacements_read_groups_as_java_does() {
        let r = |s: &'static str, p: &'static str, r: &'static str| {
            regexp_replace(&[V::Str(s), V::Str(p), V::Str(r)])
        };
        assert_eq!(r("abc", "(b)", "[$1]"), Ok(O::Str("a[b]c".into())));
        assert_eq!(r("abc", "(b)", "$12"), Ok(O::Str("ab2c".into())));
        assert_eq!(r("abc", "(?<x>b)", "${x}${x}"), Ok(O::Str("abbc".into())));
        assert_eq!(r("abc", "b", r"\$"), Ok(O::Str("a$c".into())));
        assert!(r("abc", "b", "$2").is_err());
        assert!(r("abc", "b", "$").is_err());
        assert!(r("abc", "b", "${nope}").is_err());
    }

    #[test]
    fn empty_matches_count_as_javas() {
        assert_eq!(run(regexp_count, &[V::Str("abc"), V::Str("")]), O::Int(4));
        assert_eq!(run(regexp_count, &[V::Str("aaa"), V::Str("a*")]), O::Int(2));
        assert_eq!(
            run(regexp_replace, &[V::Str("aaa"), V::Str("a*"), V::Str("X")]),
            O::Str("XX".into())
        );
        assert_eq!(
            run(regexp_split, &[V::Str("abc"), V::Str("")]),
            O::StrList(["", "a", "b", "c", ""].map(|s| Some(s.to_owned())).to_vec())
        );
        let pos = |start: i64, n: i64| {
            run(
                regexp_position,
                &[
                    V::Str("I have 23 apples, 5 pears and 13 oranges"),
                    V::Str(r"\b\d+\b"),
                    V::Int(start),
                    V::Int(n),
                ],
            )
        };
        assert_eq!(pos(12, 2), O::Int(31));
        assert_eq!(pos(5, 1), O::Int(8));
    }
}
