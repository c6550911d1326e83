//! Athena's notation for nested values: `[a, b]` for an array, `{k=v}` for a
//! map, `{f=v}` or `{v, w}` for a row, without quoting (see the ambiguities in the
//! [`value`](super) module docs). [`parse_node`] splits a text into a [`Node`]
//! tree that borrows it; scalars stay text until a type asks for them.
//!
//! Where the type of a part is not known (Athena's `ColumnInfo.Type` is just
//! `array`, `map` or `row`), the rules for what the part is are here and nowhere
//! else: [`parse_guess`] decides whether it is an array, a row or text, and
//! [`fields_by_name`] whether a row reads by field name or in order. Both
//! [`Value`](super::Value) and the serde deserializer follow them.

use super::types::UNKNOWN;
use super::{AthenaType, MAX_DEPTH, ParseError, RowField, shorten};

/// A value parsed from Athena's notation, borrowing its text: scalars stay text
/// until a type asks for them (the serde deserializer reads them on demand).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    /// `null` inside an array, map or row.
    Null,
    /// A scalar, or a nested value not parsed yet, as written.
    Text(&'a str),
    /// `[a, b]`.
    Array(&'a str, Vec<Node<'a>>),
    /// `{k=v}`.
    Map(&'a str, Vec<(Node<'a>, Node<'a>)>),
    /// `{f=v}` (named fields) or `{v, w}` (anonymous fields).
    Row(&'a str, Vec<(Option<&'a str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The text this node was read from (`null` for NULL).
    pub(crate) fn raw(&self) -> &'a str {
        match self {
            Node::Null => "null",
            Node::Text(t) | Node::Array(t, _) | Node::Map(t, _) | Node::Row(t, _) => t,
        }
    }
}

/// Reads `text` as a value of type `ty` in Athena's notation. Scalars (and
/// anything of a non-nested type) come back as [`Node::Text`].
pub(crate) fn parse_node<'a>(
    text: &'a str,
    ty: &AthenaType,
    depth: usize,
) -> Result<Node<'a>, ParseError> {
    if depth > MAX_DEPTH {
        return Err(ParseError::too_deep());
    }
    match ty {
        AthenaType::Array(_) => {
            let inner = strip_brackets(text, b'[', b']')
                .ok_or_else(|| ParseError::new("an array must be written [a, b, ...]"))?;
            let elem = ty.element_type();
            let parts = split_untyped_fallback(inner, elem.needs_bracket_split(), elem)?;
            let mut items = Vec::with_capacity(parts.len());
            for part in parts {
                items.push(parse_element(part, elem, depth + 1)?);
            }
            Ok(Node::Array(text, items))
        }
        AthenaType::Map(_) => {
            let inner = strip_brackets(text, b'{', b'}')
                .ok_or_else(|| ParseError::new("a map must be written {k=v, ...}"))?;
            let (kt, vt) = ty.key_value_types();
            let parts =
                split_untyped_fallback(inner, vt.needs_bracket_split() || kt.is_nested(), vt)?;
            let mut entries = Vec::with_capacity(parts.len());
            for part in parts {
                let eq = find_top_level(part, b'=', kt.is_nested()).ok_or_else(|| {
                    ParseError::new(format!("map entry {:?} has no `=`", shorten(part)))
                })?;
                let key = parse_element(&part[..eq], kt, depth + 1)?;
                let value = parse_element(&part[eq + 1..], vt, depth + 1)?;
                entries.push((key, value));
            }
            Ok(Node::Map(text, entries))
        }
        AthenaType::Row(fields) => {
            let inner = strip_brackets(text, b'{', b'}')
                .ok_or_else(|| ParseError::new("a row must be written {f=v, ...} or {v, ...}"))?;
            match fields {
                Some(fields) => parse_typed_row(text, inner, fields, depth),
                None => parse_untyped_row(text, inner, depth),
            }
        }
        _ => Ok(Node::Text(text)),
    }
}

/// One element of an array, or a key, value or field of a map or row.
fn parse_element<'a>(text: &'a str, ty: &AthenaType, depth: usize) -> Result<Node<'a>, ParseError> {
    if text == "null" {
        return Ok(Node::Null);
    }
    if let AthenaType::Unknown(_) = ty {
        return parse_guess(text, depth);
    }
    parse_node(text, ty, depth)
}

/// An element of unknown type: nested when it looks nested (starts and ends with
/// brackets that balance) and parses as such, else text.
fn parse_guess(text: &str, depth: usize) -> Result<Node<'_>, ParseError> {
    let b = text.as_bytes();
    let guess = match (b.first(), b.last()) {
        (Some(b'['), Some(b']')) if balanced(text) => AthenaType::Array(None),
        (Some(b'{'), Some(b'}')) if balanced(text) => AthenaType::Row(None),
        _ => return Ok(Node::Text(text)),
    };
    if depth > MAX_DEPTH {
        return Err(ParseError::too_deep());
    }
    match parse_node(text, &guess, depth) {
        Ok(node) => Ok(node),
        Err(e) if e.too_deep => Err(e),
        // Not nested after all: an element that only looks like it.
        Err(_) => Ok(Node::Text(text)),
    }
}

/// `{...}` of unknown fields: named when every part is `name=value` with a
/// plausible field name, anonymous otherwise. (A map of unknown types reads the
/// same way: a map is a row whose "names" are its keys.)
fn parse_untyped_row<'a>(
    text: &'a str,
    inner: &'a str,
    depth: usize,
) -> Result<Node<'a>, ParseError> {
    let parts = split_elements(inner, true).or_else(|_| split_elements(inner, false))?;
    let named = parts
        .iter()
        .all(|p| find_top_level(p, b'=', false).is_some_and(|eq| eq > 0));
    let mut fields = Vec::with_capacity(parts.len());
    for part in parts {
        if named {
            let eq = find_top_level(part, b'=', false).unwrap_or(0);
            fields.push((
                Some(&part[..eq]),
                parse_element(&part[eq + 1..], &UNKNOWN, depth + 1)?,
            ));
        } else {
            fields.push((None, parse_element(part, &UNKNOWN, depth + 1)?));
        }
    }
    Ok(Node::Row(text, fields))
}

/// Whether a row's fields are read by name (a serde map, a JSON object) rather
/// than in order (a sequence, a JSON array): by name when every field has one.
/// So `{}`, with no fields, reads as an empty map: no row type has zero fields,
/// and a `{}` whose type is not known is an empty map.
///
/// The one rule for [`Value::to_json`](super::Value::to_json) and serde's
/// `deserialize_any`/`deserialize_map`, over parsed nodes and built values alike.
pub(crate) fn fields_by_name<N, V>(fields: &[(Option<N>, V)]) -> bool {
    fields.iter().all(|(name, _)| name.is_some())
}

fn parse_typed_row<'a>(
    text: &'a str,
    inner: &'a str,
    fields: &[RowField],
    depth: usize,
) -> Result<Node<'a>, ParseError> {
    let mut out = Vec::with_capacity(fields.len());
    let mut rest = inner;
    // Fields are read in order; a named field must start with `name=`. Knowing the
    // names lets a value contain `=`, and the last field may contain `, `.
    for (i, field) in fields.iter().enumerate() {
        let last = i + 1 == fields.len();
        let name = match &field.name {
            Some(name) => {
                let n = name.len();
                let here = rest.get(..n).filter(|h| h.eq_ignore_ascii_case(name));
                match (here, rest.as_bytes().get(n)) {
                    (Some(here), Some(b'=')) => {
                        rest = &rest[n + 1..];
                        Some(here)
                    }
                    _ => {
                        return Err(ParseError::new(format!(
                            "row field `{name}` is missing or out of order"
                        )));
                    }
                }
            }
            None => None,
        };
        let end = if last {
            rest.len()
        } else {
            let next_name = fields[i + 1].name.as_deref();
            find_field_end(rest, field.r#type.needs_bracket_split(), next_name).ok_or_else(
                || ParseError::new(format!("row has fewer than {} fields", fields.len())),
            )?
        };
        let value = parse_element(&rest[..end], &field.r#type, depth + 1)?;
        out.push((name, value));
        rest = if last { "" } else { &rest[end + 2..] };
    }
    if fields.is_empty() && !inner.is_empty() {
        return Err(ParseError::new("row has more fields than its type"));
    }
    Ok(Node::Row(text, out))
}

/// Where a row field's value ends: at the first `, ` that is followed by the next
/// field's `name=` when the next field is named (so values may contain `, `).
fn find_field_end(text: &str, nested: bool, next_name: Option<&str>) -> Option<usize> {
    let mut from = 0;
    loop {
        let i = from + find_separator(&text[from..], nested)?;
        let after = &text[i + 2..];
        let named_next = next_name.is_none_or(|n| {
            after
                .get(..n.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(n))
                && after.as_bytes().get(n.len()) == Some(&b'=')
        });
        if named_next {
            return Some(i);
        }
        from = i + 2;
    }
}

/// [`split_elements`], falling back to a plain split at every `, ` when elements
/// of unknown type do not balance their brackets (strings like `[x`).
fn split_untyped_fallback<'a>(
    inner: &'a str,
    nested: bool,
    elem: &AthenaType,
) -> Result<Vec<&'a str>, ParseError> {
    match split_elements(inner, nested) {
        Err(_) if matches!(elem, AthenaType::Unknown(_)) => split_elements(inner, false),
        other => other,
    }
}

/// The inside of `[...]` / `{...}`.
fn strip_brackets(text: &str, open: u8, close: u8) -> Option<&str> {
    let b = text.as_bytes();
    (b.len() >= 2 && b[0] == open && b[b.len() - 1] == close).then(|| &text[1..text.len() - 1])
}

/// Whether brackets `[]` and `{}` balance (ignoring their kinds' pairing).
fn balanced(text: &str) -> bool {
    let mut depth: i64 = 0;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// Where the next `, ` separator is: the first one, or the first one outside
/// brackets when `nested`.
fn find_separator(text: &str, nested: bool) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth: i64 = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        match b[i] {
            b'[' | b'{' if nested => depth += 1,
            b']' | b'}' if nested => depth -= 1,
            b',' if depth == 0 && b[i + 1] == b' ' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first `c` in `text` (outside brackets when `nested`).
fn find_top_level(text: &str, c: u8, nested: bool) -> Option<usize> {
    let mut depth: i64 = 0;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' if nested => depth += 1,
            b']' | b'}' if nested => depth -= 1,
            _ if b == c && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Splits the inside of brackets at `, ` (outside brackets when `nested`).
/// The empty inside is no elements.
fn split_elements(inner: &str, nested: bool) -> Result<Vec<&str>, ParseError> {
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    if nested && !balanced(inner) {
        return Err(ParseError::new("unbalanced brackets"));
    }
    let mut out = Vec::new();
    let mut rest = inner;
    while let Some(i) = find_separator(rest, nested) {
        out.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    out.push(rest);
    Ok(out)
}
