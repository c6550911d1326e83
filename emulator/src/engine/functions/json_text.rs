//! JSON text as Trino reads and writes it (with Jackson): a parser that keeps each
//! number's text and the order of object keys, and a writer of Trino's canonical text:
//! integers as their digits (any size), other numbers as Java doubles (`1e3` is
//! `1000.0`, `1.50` is `1.5`, one too large for a double the string `"Infinity"`), strings
//! escaped as Jackson escapes them (control characters and code points beyond the BMP as
//! `\uXXXX`), keys sorted as Java sorts strings where Trino sorts them (`json_parse`),
//! a duplicate key's last value kept; and Trino's JSONPath (`$`, `.key`, `["key"]`,
//! `[n]`).

use std::cmp::Ordering;

use crate::engine::render;

/// A JSON value, numbers as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// The JSON document `text` is (whitespace around it allowed), or `None`.
pub(crate) fn parse(text: &str) -> Option<Json> {
    let mut p = Parser {
        b: text.as_bytes(),
        i: 0,
    };
    let v = p.value(0)?;
    p.ws();
    (p.i == p.b.len()).then_some(v)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

/// Nesting deeper than this is refused (no stack overflow on hostile input).
const MAX_DEPTH: usize = 1000;

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Option<Json> {
        if self.b[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Some(v)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.b.get(self.i)? {
            b'n' => self.literal("null", Json::Null),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Some(Json::Array(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut entries: Vec<(String, Json)> = Vec::new();
                if self.eat(b'}') {
                    return Some(Json::Object(entries));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    // A duplicate key keeps its place and takes the last value.
                    match entries.iter_mut().find(|(k, _)| *k == key) {
                        Some(entry) => entry.1 = v,
                        None => entries.push((key, v)),
                    }
                    if self.eat(b'}') {
                        return Some(Json::Object(entries));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn number(&mut self) -> Option<Json> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while p.b.get(p.i).is_some_and(u8::is_ascii_digit) {
                p.i += 1;
            }
            p.i > s
        };
        if self.b.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        if !digits(self) {
            return None;
        }
        // No leading zeros.
        if self.b[int_start] == b'0' && self.i - int_start > 1 {
            return None;
        }
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.b.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.b.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.b[start..self.i]).ok()?;
        Some(Json::Number(text.to_owned()))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = std::str::from_utf8(self.b.get(self.i..self.i + 4)?).ok()?;
        let v = u32::from_str_radix(h, 16).ok()?;
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self
                .b
                .get(self.i)
                .is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.b[start..self.i]).ok()?);
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self.b.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            // A lone surrogate has no UTF-8 form.
                            out.push(char::from_u32(code)?);
                        }
                        _ => return None,
                    }
                }
                _ => return None, // a raw control character
            }
        }
    }
}

/// Java's `String.compareTo`: by UTF-16 code units.
fn java_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Appends the canonical text of `v`; object keys sorted when `sorted`.
pub(crate) fn write(out: &mut String, v: &Json, sorted: bool) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => write_number(out, n),
        Json::String(s) => write_string(out, s),
        Json::Array(items) => {
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write(out, item, sorted);
            }
            out.push(']');
        }
        Json::Object(entries) => {
            let mut entries: Vec<&(String, Json)> = entries.iter().collect();
            if sorted {
                entries.sort_by(|a, b| java_order(&a.0, &b.0));
            }
            out.push('{');
            for (k, (key, value)) in entries.into_iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write(out, value, sorted);
            }
            out.push('}');
        }
    }
}

/// The canonical text of `v`.
pub(crate) fn to_text(v: &Json, sorted: bool) -> String {
    let mut out = String::new();
    write(&mut out, v, sorted);
    out
}

/// An integer as its digits (Jackson reads any size); other numbers as a Java double.
fn write_number(out: &mut String, n: &str) {
    if !n.contains(['.', 'e', 'E']) {
        match n.strip_prefix('-') {
            Some(digits) if digits.bytes().all(|b| b == b'0') => out.push('0'),
            _ => out.push_str(n),
        }
        return;
    }
    let v: f64 = n.parse().unwrap_or(f64::NAN);
    if v.is_infinite() {
        out.push_str(if v > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
    } else {
        render::write_f64(out, v);
    }
}

/// A JSON string as Jackson writes it.
pub(crate) fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let unit = |out: &mut String, u: u16| {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX[usize::from((u >> shift) & 15)]));
        }
    };
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => unit(out, c as u16),
            c if (c as u32) > 0xFFFF => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    unit(out, *u);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Trino's JSONPath: `$` then `.key` (letters, digits, `_`, `:`), `["key"]` or `[key]`
/// steps; a step is an array index on an array, a key on an object.
pub(crate) fn parse_path(path: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = path.chars().collect();
    if chars.first() != Some(&'$') {
        return None;
    }
    let mut steps = Vec::new();
    let mut i = 1;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                let start = i + 1;
                i = start;
                while i < chars.len() && (chars[i] == ':' || subscript_char(chars[i])) {
                    i += 1;
                }
                if i == start {
                    return None;
                }
                steps.push(chars[start..i].iter().collect());
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'"') {
                    i += 1;
                    let mut key = String::new();
                    loop {
                        match chars.get(i)? {
                            '"' => break,
                            '\\' => {
                                key.push(*chars.get(i + 1)?);
                                i += 2;
                            }
                            c => {
                                key.push(*c);
                                i += 1;
                            }
                        }
                    }
                    i += 1;
                    steps.push(key);
                } else {
                    let start = i;
                    while i < chars.len() && subscript_char(chars[i]) {
                        i += 1;
                    }
                    if i == start {
                        return None;
                    }
                    steps.push(chars[start..i].iter().collect());
                }
                if chars.get(i) != Some(&']') {
                    return None;
                }
                i += 1;
            }
            _ => return None,
        }
    }
    Some(steps)
}

fn subscript_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The value a path leads to, if any.
pub(crate) fn follow<'a>(v: &'a Json, steps: &[String]) -> Option<&'a Json> {
    let mut cur = v;
    for step in steps {
        cur = match cur {
            Json::Object(entries) => &entries.iter().find(|(k, _)| k == step)?.1,
            Json::Array(items) => items.get(step.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(text: &str) -> Option<String> {
        parse(text).map(|v| to_text(&v, true))
    }

    #[test]
    fn numbers_are_written_as_jackson_writes_them() {
        assert_eq!(
            canonical("[1, 2.5, 1e3, 1.50, -0, 12345678901234567890, 0.1e-3, 1e400]").as_deref(),
            Some("[1,2.5,1000.0,1.5,0,12345678901234567890,1.0E-4,\"Infinity\"]")
        );
        assert_eq!(canonical("01"), None);
        assert_eq!(canonical("1."), None);
    }

    #[test]
    fn keys_sort_and_strings_escape_as_in_trino() {
        assert_eq!(
            canonical(r#"{"b": 1, "a": {"y": 1, "x": 2}, "A": 0, "a": 3}"#).as_deref(),
            Some(r#"{"A":0,"a":3,"b":1}"#)
        );
        assert_eq!(
            canonical("\"tab\\there \\u00e9 \\u0001 \\/ 🎉\"").as_deref(),
            Some("\"tab\\there é \\u0001 / \\uD83C\\uDF89\"")
        );
        assert_eq!(canonical(r#"{"a": 1} x"#), None);
        assert_eq!(canonical("\"\\ud800\""), None);
    }

    #[test]
    fn paths_are_trinos() {
        assert_eq!(
            parse_path(r#"$.a.b[2]["c d"]"#),
            Some(vec!["a".into(), "b".into(), "2".into(), "c d".into()])
        );
        assert_eq!(parse_path("$"), Some(vec![]));
        for bad in ["a", "$.", "$.a-b", "$[*]", "$a"] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
        let v = parse(r#"{"a": [10, {"z": 1, "y": 2}]}"#).unwrap();
        let found = follow(&v, &parse_path("$.a[1]").unwrap()).unwrap();
        assert_eq!(to_text(found, false), r#"{"z":1,"y":2}"#);
        assert_eq!(
            follow(&v, &parse_path("$.a.0").unwrap()),
            Some(&Json::Number("10".into()))
        );
    }
}
