//! Trino's string functions (trino.io, "String functions and operators"; `to_utf8` and
//! `from_utf8` from "Conversion functions") with Trino's semantics where DataFusion's
//! differ: positions and lengths in code points, `substr` from the end for a negative
//! start, `concat` NULL when any argument is, padding that truncates, Java's whitespace
//! for `trim`, Java's one-to-one case mappings, and Trino's errors for invalid
//! arguments. Each is a [`TrinoFn`] registered as `athena_<name>`.

use datafusion::logical_expr::ScalarUDF;

use super::trino_fn::{O, P, R, TrinoFn, V, invalid, sig, variadic};

// layout: long function, because a flat table of the family's functions, one entry each
/// The UDFs of this module.
pub(crate) fn functions() -> Vec<ScalarUDF> {
    use P::{ArrayVarchar as A, Bigint as I, Varbinary as B, Varchar as S};
    let f = |t: TrinoFn| ScalarUDF::from(t);
    vec![
        f(TrinoFn::new(
            "concat_ws",
            vec![variadic(&[S, S], R::Varchar), sig(&[S, A], R::Varchar)],
            concat_ws,
        )
        .sees_nulls()
        .null_ambiguous()
        .min_args(2, "There must be two or more arguments")),
        f(TrinoFn::new(
            "length",
            vec![sig(&[S], R::Bigint), sig(&[B], R::Bigint)],
            length,
        )),
        f(TrinoFn::new("lower", vec![sig(&[S], R::Varchar)], lower)),
        f(TrinoFn::new("upper", vec![sig(&[S], R::Varchar)], upper)),
        f(TrinoFn::new(
            "lpad",
            vec![sig(&[S, I, S], R::Varchar), sig(&[B, I, B], R::Varbinary)],
            lpad,
        )),
        f(TrinoFn::new(
            "rpad",
            vec![sig(&[S, I, S], R::Varchar), sig(&[B, I, B], R::Varbinary)],
            rpad,
        )),
        f(TrinoFn::new(
            "trim",
            vec![sig(&[S], R::Varchar), sig(&[S, S], R::Varchar)],
            trim,
        )),
        f(TrinoFn::new(
            "ltrim",
            vec![sig(&[S], R::Varchar), sig(&[S, S], R::Varchar)],
            ltrim,
        )),
        f(TrinoFn::new(
            "rtrim",
            vec![sig(&[S], R::Varchar), sig(&[S, S], R::Varchar)],
            rtrim,
        )),
        f(TrinoFn::new(
            "substr",
            vec![
                sig(&[S, I], R::Varchar),
                sig(&[S, I, I], R::Varchar),
                sig(&[B, I], R::Varbinary),
                sig(&[B, I, I], R::Varbinary),
            ],
            substr,
        )
        .null_ambiguous()),
        f(TrinoFn::new(
            "strpos",
            vec![sig(&[S, S], R::Bigint), sig(&[S, S, I], R::Bigint)],
            strpos,
        )),
        f(TrinoFn::new(
            "starts_with",
            vec![sig(&[S, S], R::Boolean)],
            starts_with,
        )),
        f(TrinoFn::new(
            "replace",
            vec![sig(&[S, S], R::Varchar), sig(&[S, S, S], R::Varchar)],
            replace,
        )),
        f(TrinoFn::new(
            "translate",
            vec![sig(&[S, S, S], R::Varchar)],
            translate,
        )),
        f(TrinoFn::new(
            "reverse",
            vec![sig(&[S], R::Varchar), sig(&[B], R::Varbinary)],
            reverse,
        )
        .null_ambiguous()
        .array_overload()),
        f(TrinoFn::new(
            "split",
            vec![
                sig(&[S, S], R::ArrayVarchar),
                sig(&[S, S, I], R::ArrayVarchar),
            ],
            split,
        )),
        f(TrinoFn::new(
            "split_part",
            vec![sig(&[S, S, I], R::Varchar)],
            split_part,
        )),
        f(TrinoFn::new("chr", vec![sig(&[I], R::Varchar)], chr)),
        f(TrinoFn::new(
            "codepoint",
            vec![sig(&[S], R::Integer)],
            codepoint,
        )),
        f(TrinoFn::new(
            "levenshtein_distance",
            vec![sig(&[S, S], R::Bigint)],
            levenshtein,
        )),
        f(TrinoFn::new(
            "hamming_distance",
            vec![sig(&[S, S], R::Bigint)],
            hamming,
        )),
        f(TrinoFn::new(
            "to_utf8",
            vec![sig(&[S], R::Varbinary)],
            to_utf8,
        )),
        f(TrinoFn::new(
            "from_utf8",
            vec![
                sig(&[B], R::Varchar),
                sig(&[B, I], R::Varchar),
                sig(&[B, S], R::Varchar),
            ],
            from_utf8,
        )),
    ]
}

type Res = std::result::Result<O, String>;

/// `concat(varchar, ...)` and `concat(varbinary, ...)`: NULL when any argument is.
pub(crate) fn concat(args: &[V<'_>]) -> Res {
    if let Some(V::Bytes(_)) = args.first() {
        return Ok(O::Bytes(
            args.iter().flat_map(|a| a.bytes()).copied().collect(),
        ));
    }
    Ok(O::Str(args.iter().map(V::str).collect()))
}

fn concat_ws(args: &[V<'_>]) -> Res {
    let V::Str(sep) = args[0] else {
        return Ok(O::Null);
    };
    let parts: Vec<&str> = match &args[1] {
        V::StrList(items) => items.iter().flatten().map(String::as_str).collect(),
        _ => args[1..]
            .iter()
            .filter(|a| !a.is_null())
            .map(V::str)
            .collect(),
    };
    Ok(O::Str(parts.join(sep)))
}

fn length(args: &[V<'_>]) -> Res {
    Ok(O::Int(match args[0] {
        V::Bytes(b) => b.len() as i64,
        ref s => s.str().chars().count() as i64,
    }))
}

/// Java's `Character.toLowerCase(int)`: one code point to one; `İ` (whose full mapping
/// is two code points) to `i`.
fn lower(args: &[V<'_>]) -> Res {
    Ok(O::Str(
        args[0]
            .str()
            .chars()
            .map(|c| c.to_lowercase().next().unwrap_or(c))
            .collect(),
    ))
}

/// Java's `Character.toUpperCase(int)`: one code point to one; a code point whose upper
/// case is several (`ß`) stays as it is.
fn upper(args: &[V<'_>]) -> Res {
    Ok(O::Str(
        args[0]
            .str()
            .chars()
            .map(|c| {
                let mut up = c.to_uppercase();
                match (up.next(), up.next()) {
                    (Some(u), None) => u,
                    _ => c,
                }
            })
            .collect(),
    ))
}

/// The target size of a pad, which Trino bounds to `[0, 2^31 - 1]`.
fn pad_size(size: i64) -> std::result::Result<usize, String> {
    if (0..=i64::from(i32::MAX)).contains(&size) {
        Ok(size as usize)
    } else {
        Err(invalid(
            "Target length must be in the range [0..2147483647]",
        ))
    }
}

fn pad(args: &[V<'_>], left: bool) -> Res {
    let size = pad_size(args[1].int())?;
    if let V::Bytes(b) = args[0] {
        let fill = args[2].bytes();
        if fill.is_empty() {
            return Err(invalid("Padding bytes must not be empty"));
        }
        if size <= b.len() {
            return Ok(O::Bytes(b[..size].to_vec()));
        }
        let padding: Vec<u8> = fill.iter().copied().cycle().take(size - b.len()).collect();
        let mut out = Vec::with_capacity(size);
        if left {
            out.extend_from_slice(&padding);
            out.extend_from_slice(b);
        } else {
            out.extend_from_slice(b);
            out.extend_from_slice(&padding);
        }
        return Ok(O::Bytes(out));
    }
    let s = args[0].str();
    let fill = args[2].str();
    if fill.is_empty() {
        return Err(invalid("Padding string must not be empty"));
    }
    let len = s.chars().count();
    if size <= len {
        return Ok(O::Str(s.chars().take(size).collect()));
    }
    let padding: String = fill.chars().cycle().take(size - len).collect();
    Ok(O::Str(if left {
        padding + s
    } else {
        s.to_owned() + &padding
    }))
}

fn lpad(args: &[V<'_>]) -> Res {
    pad(args, true)
}

fn rpad(args: &[V<'_>]) -> Res {
    pad(args, false)
}

/// Java's `Character.isWhitespace`, which Trino's `trim` uses: Unicode space separators
/// but the no-break ones, and the ASCII controls `\t`, `\n`, `\u{b}`, `\f`, `\r`,
/// `\u{1c}`..`\u{1f}`.
pub(crate) fn java_whitespace(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\u{1c}'..='\u{1f}' | ' ' | '\u{1680}' | '\u{2000}'..='\u{2006}'
        | '\u{2008}'..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{205f}' | '\u{3000}')
}

fn trimmed<'a>(args: &[V<'a>], start: bool, end: bool) -> &'a str {
    let s = args[0].str();
    let set: Option<Vec<char>> = args.get(1).map(|c| c.str().chars().collect());
    let strip = |c: char| match &set {
        Some(set) => set.contains(&c),
        None => java_whitespace(c),
    };
    let s = if start {
        s.trim_start_matches(strip)
    } else {
        s
    };
    if end { s.trim_end_matches(strip) } else { s }
}

fn trim(args: &[V<'_>]) -> Res {
    Ok(O::Str(trimmed(args, true, true).to_owned()))
}

fn ltrim(args: &[V<'_>]) -> Res {
    Ok(O::Str(trimmed(args, true, false).to_owned()))
}

fn rtrim(args: &[V<'_>]) -> Res {
    Ok(O::Str(trimmed(args, false, true).to_owned()))
}

/// The 0-based range `[from, to)` of Trino's `substr(x, start[, length])` in a value of
/// `len` units: 1-based `start`, negative from the end, empty when out of range.
fn substr_range(len: usize, start: i64, length: Option<i64>) -> (usize, usize) {
    let len = len as i64;
    let start = if start < 0 { len + start + 1 } else { start };
    if start <= 0 || start > len {
        return (0, 0);
    }
    let end = match length {
        Some(n) if n <= 0 => return (0, 0),
        Some(n) => start.saturating_add(n).min(len + 1),
        None => len + 1,
    };
    ((start - 1) as usize, (end - 1) as usize)
}

fn substr(args: &[V<'_>]) -> Res {
    let length = args.get(2).map(V::int);
    if let V::Bytes(b) = args[0] {
        let (from, to) = substr_range(b.len(), args[1].int(), length);
        return Ok(O::Bytes(b[from..to].to_vec()));
    }
    let s = args[0].str();
    let (from, to) = substr_range(s.chars().count(), args[1].int(), length);
    Ok(O::Str(s.chars().skip(from).take(to - from).collect()))
}

/// The 1-based code point position of the `instance`-th occurrence of `sub` in `s`
/// (from the end when negative; occurrences may overlap), 0 when there is none.
fn strpos(args: &[V<'_>]) -> Res {
    let (s, sub) = (args[0].str(), args[1].str());
    let instance = args.get(2).map_or(1, V::int);
    if instance == 0 {
        return Err(invalid("'instance' must be a positive or negative number."));
    }
    if sub.is_empty() {
        return Ok(O::Int(1));
    }
    let starts: Vec<usize> = s
        .char_indices()
        .map(|(i, _)| i)
        .filter(|&i| s[i..].starts_with(sub))
        .collect();
    let n = instance.unsigned_abs() as usize;
    let at = if instance > 0 {
        starts.get(n - 1)
    } else {
        starts.len().checked_sub(n).and_then(|i| starts.get(i))
    };
    Ok(O::Int(at.map_or(0, |&i| s[..i].chars().count() as i64 + 1)))
}

fn starts_with(args: &[V<'_>]) -> Res {
    Ok(O::Bool(args[0].str().starts_with(args[1].str())))
}

/// Every occurrence replaced; an empty search string matches before every code point and
/// at the end, as in Trino (and Rust's `str::replace`).
fn replace(args: &[V<'_>]) -> Res {
    let to = args.get(2).map_or("", V::str);
    Ok(O::Str(args[0].str().replace(args[1].str(), to)))
}

/// Each code point of `from` becomes the one at its position in `to`, or is removed when
/// `to` is shorter; the first occurrence of a code point in `from` counts.
fn translate(args: &[V<'_>]) -> Res {
    let from: Vec<char> = args[1].str().chars().collect();
    let to: Vec<char> = args[2].str().chars().collect();
    let mut out = String::new();
    for c in args[0].str().chars() {
        match from.iter().position(|&f| f == c) {
            Some(i) => {
                if let Some(&t) = to.get(i) {
                    out.push(t);
                }
            }
            None => out.push(c),
        }
    }
    Ok(O::Str(out))
}

fn reverse(args: &[V<'_>]) -> Res {
    if let V::Bytes(b) = args[0] {
        return Ok(O::Bytes(b.iter().rev().copied().collect()));
    }
    Ok(O::Str(args[0].str().chars().rev().collect()))
}

fn split(args: &[V<'_>]) -> Res {
    let (s, delim) = (args[0].str(), args[1].str());
    if delim.is_empty() {
        return Err(invalid("The delimiter may not be the empty string"));
    }
    let parts: Vec<Option<String>> = match args.get(2).map(V::int) {
        Some(limit) if limit <= 0 => return Err(invalid("Limit must be positive")),
        Some(limit) => {
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            s.splitn(limit, delim).map(|p| Some(p.to_owned())).collect()
        }
        None => s.split(delim).map(|p| Some(p.to_owned())).collect(),
    };
    Ok(O::StrList(parts))
}

fn split_part(args: &[V<'_>]) -> Res {
    let (s, delim, index) = (args[0].str(), args[1].str(), args[2].int());
    if index <= 0 {
        return Err(invalid("Index must be greater than zero"));
    }
    let n = usize::try_from(index - 1).unwrap_or(usize::MAX);
    let part = if delim.is_empty() {
        // An empty delimiter splits into code points.
        s.chars().nth(n).map(String::from)
    } else {
        s.split(delim).nth(n).map(str::to_owned)
    };
    Ok(part.map_or(O::Null, O::Str))
}

fn chr(args: &[V<'_>]) -> Res {
    let n = args[0].int();
    match u32::try_from(n).ok().filter(|&n| n <= 0x10FFFF) {
        Some(code) => match char::from_u32(code) {
            Some(c) => Ok(O::Str(c.to_string())),
            None => Err(format!(
                "NOT_SUPPORTED: chr({n}), a lone surrogate, is not supported by athena-emulator"
            )),
        },
        None => Err(invalid(format!("Not a valid Unicode code point: {n}"))),
    }
}

/// The code point of a one-character string. Trino types `codepoint` as taking
/// `varchar(1)`, so a longer literal fails analysis with FUNCTION_NOT_FOUND.
fn codepoint(args: &[V<'_>]) -> Res {
    let mut chars = args[0].str().chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(O::Int(i64::from(u32::from(c)))),
        (None, _) => Err(invalid("Input string must be a single character string")),
        (Some(_), Some(_)) => Err(
            "FUNCTION_NOT_FOUND: Unexpected parameters (varchar) for function codepoint. \
             Expected: codepoint(varchar(1))"
                .to_owned(),
        ),
    }
}

fn levenshtein(args: &[V<'_>]) -> Res {
    let a: Vec<char> = args[0].str().chars().collect();
    let b: Vec<char> = args[1].str().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Ok(O::Int(prev[b.len()] as i64))
}

fn hamming(args: &[V<'_>]) -> Res {
    let a: Vec<char> = args[0].str().chars().collect();
    let b: Vec<char> = args[1].str().chars().collect();
    if a.len() != b.len() {
        return Err(invalid(
            "The input strings to hamming_distance function must have the same length",
        ));
    }
    Ok(O::Int(
        a.iter().zip(&b).filter(|(x, y)| x != y).count() as i64
    ))
}

fn to_utf8(args: &[V<'_>]) -> Res {
    Ok(O::Bytes(args[0].str().as_bytes().to_vec()))
}

/// UTF-8 bytes as text, each invalid sequence replaced by U+FFFD, by the given code point
/// or string of one character, or removed (an empty string).
fn from_utf8(args: &[V<'_>]) -> Res {
    let replacement: Option<char> = match args.get(1) {
        None => Some('\u{FFFD}'),
        Some(V::Int(n)) => match u32::try_from(*n).ok().and_then(char::from_u32) {
            Some(c) => Some(c),
            None => return Err(invalid(format!("Invalid replacement character: {n}"))),
        },
        Some(r) => {
            let mut chars = r.str().chars();
            match (chars.next(), chars.next()) {
                (None, _) => None,
                (Some(c), None) => Some(c),
                _ => {
                    return Err(invalid(
                        "Replacement character string must empty or a single character",
                    ));
                }
            }
        }
    };
    let mut out = String::new();
    for chunk in args[0].bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty()
            && let Some(r) = replacement
        {
            out.push(r);
        }
    }
    Ok(O::Str(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(o: Res) -> String {
        match o {
            Ok(O::Str(s)) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn substr_counts_from_the_end_for_a_negative_start() {
        let call = |start: i64, len: Option<i64>| {
            let mut args = vec![V::Str("hello"), V::Int(start)];
            args.extend(len.map(V::Int));
            s(substr(&args))
        };
        assert_eq!(call(-3, None), "llo");
        assert_eq!(call(-3, Some(2)), "ll");
        assert_eq!(call(0, None), "");
        assert_eq!(call(-10, None), "");
        assert_eq!(call(2, Some(-1)), "");
        assert_eq!(call(3, Some(i64::MAX)), "llo");
        assert_eq!(s(substr(&[V::Str("日本語"), V::Int(2), V::Int(1)])), "本");
    }

    #[test]
    fn case_mappings_are_one_code_point_to_one() {
        assert_eq!(s(upper(&[V::Str("straße")])), "STRAßE");
        assert_eq!(s(lower(&[V::Str("İ")])), "i");
        assert_eq!(s(lower(&[V::Str("ΣΑΣ")])), "σασ");
    }

    #[test]
    fn pads_truncate_and_refuse_empty_fill() {
        assert_eq!(s(lpad(&[V::Str("abc"), V::Int(6), V::Str("xy")])), "xyxabc");
        assert_eq!(s(rpad(&[V::Str("abcdef"), V::Int(3), V::Str("x")])), "abc");
        assert!(rpad(&[V::Str("a"), V::Int(3), V::Str("")]).is_err());
        assert!(lpad(&[V::Str("a"), V::Int(-1), V::Str("x")]).is_err());
    }

    #[test]
    fn trim_takes_javas_whitespace() {
        assert_eq!(s(trim(&[V::Str("\u{a0}a\u{2003} ")])), "\u{a0}a");
        assert_eq!(s(trim(&[V::Str("xxaxx"), V::Str("x")])), "a");
    }

    #[test]
    fn strpos_finds_the_nth_occurrence_either_way() {
        let pos = |s: &'static str, sub: &'static str, n: i64| match strpos(&[
            V::Str(s),
            V::Str(sub),
            V::Int(n),
        ]) {
            Ok(O::Int(i)) => i,
            other => panic!("{other:?}"),
        };
        assert_eq!(pos("hello", "l", 2), 4);
        assert_eq!(pos("hello", "l", -1), 4);
        assert_eq!(pos("aaa", "aa", 2), 2);
        assert_eq!(pos("日本語日本", "本", 2), 5);
        assert!(strpos(&[V::Str("a"), V::Str("a"), V::Int(0)]).is_err());
    }

    #[test]
    fn split_part_and_translate() {
        assert_eq!(
            split_part(&[V::Str("a,b"), V::Str(","), V::Int(3)]),
            Ok(O::Null)
        );
        assert_eq!(s(split_part(&[V::Str("abc"), V::Str(""), V::Int(2)])), "b");
        assert_eq!(
            s(translate(&[V::Str("abcd"), V::Str("abc"), V::Str("x")])),
            "xd"
        );
    }

    #[test]
    fn from_utf8_replaces_invalid_sequences() {
        assert_eq!(s(from_utf8(&[V::Bytes(b"a\xffb")])), "a\u{FFFD}b");
        assert_eq!(s(from_utf8(&[V::Bytes(b"a\xffb"), V::Str("")])), "ab");
        assert_eq!(s(from_utf8(&[V::Bytes(b"a\xffb"), V::Int(35)])), "a#b");
        assert!(from_utf8(&[V::Bytes(b"a"), V::Str("ab")]).is_err());
    }
}
