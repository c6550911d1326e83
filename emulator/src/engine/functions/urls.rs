//! Trino's `url_extract_*` functions. Trino parses the text with Java's `java.net.URI`:
//! text that is not a URI (a space, `"`, `<`, a `%` without two hex digits, ...) gives
//! NULL; a part the URI does not have gives the empty string (the port gives NULL); the
//! path, query and fragment are percent-decoded; `url_extract_parameter` decodes the
//! value as a form (`+` is a space) and gives NULL when the name is not there.

use datafusion::logical_expr::ScalarUDF;

use super::adapters::StringFn;

/// The parts of a URI, still percent-encoded.
#[derive(Debug, Default, PartialEq)]
struct Uri<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: &'a str,
}

/// Characters `java.net.URI` refuses anywhere.
fn refused(c: char) -> bool {
    c.is_ascii_control()
        || c.is_whitespace()
        || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
}

fn parse(text: &str) -> Option<Uri<'_>> {
    if text.chars().any(refused) || !escapes_ok(text) {
        return None;
    }
    let mut uri = Uri::default();
    let (rest, fragment) = text.split_once('#').unwrap_or((text, ""));
    if fragment.contains('#') {
        return None;
    }
    uri.fragment = fragment;
    let mut rest = rest;
    if let Some(colon) = rest.find(':') {
        let scheme = &rest[..colon];
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme && !scheme.contains('/') {
            uri.scheme = scheme;
            rest = &rest[colon + 1..];
        }
    }
    if !uri.scheme.is_empty() && !rest.starts_with('/') {
        // An opaque URI (`mailto:a@b.c`): no authority, path or query in Java's sense.
        return Some(uri);
    }
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    uri.query = query;
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        uri.path = &after[end..];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port, port_ok) = match host_port.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || host_port.starts_with('[') => (
                h,
                (!p.is_empty()).then_some(p),
                p.chars().all(|c| c.is_ascii_digit()),
            ),
            _ => (host_port, None, true),
        };
        // A registry-based authority (`my_host`, `host:abc`) has no host in Java.
        let server = port_ok
            && (host.starts_with('[')
                || host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.')));
        if server {
            uri.host = host;
            uri.port = port;
        }
    } else {
        uri.path = rest;
    }
    Some(uri)
}

/// Every `%` is followed by two hex digits.
fn escapes_ok(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// `%XX` as UTF-8 bytes (what `URI.getPath()` and friends give).
fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 3 <= b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Part = fn(&Uri<'_>) -> Option<String>;

fn part(args: &[Option<&str>], f: Part) -> std::result::Result<Option<String>, String> {
    Ok(args[0].and_then(parse).and_then(|u| f(&u)))
}

fn protocol(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    part(a, |u| Some(u.scheme.to_owned()))
}

fn host(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    part(a, |u| Some(u.host.to_owned()))
}

fn port(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    part(a, |u| u.port.map(str::to_owned))
}

fn path(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    part(a, |u| Some(percent_decode(u.path, false)))
}

fn query(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    part(a, |u| Some(percent_decode(u.query.unwrap_or(""), false)))
}

fn fragment(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    part(a, |u| Some(percent_decode(u.fragment, false)))
}

fn parameter(a: &[Option<&str>]) -> std::result::Result<Option<String>, String> {
    let (Some(url), Some(name)) = (a[0], a[1]) else {
        return Ok(None);
    };
    let Some(query) = parse(url).and_then(|u| u.query) else {
        return Ok(None);
    };
    for arg in query.split('&') {
        let (key, value) = arg
            .split_once('=')
            .map_or((arg, None), |(k, v)| (k, Some(v)));
        if key == name {
            return Ok(Some(
                value.map_or_else(String::new, |v| percent_decode(v, true)),
            ));
        }
    }
    Ok(None)
}

/// The `url_extract_*` UDFs; the port's text is cast to bigint by the query rewrite.
pub(crate) fn url_functions() -> Vec<ScalarUDF> {
    vec![
        ScalarUDF::from(StringFn::new("url_extract_protocol", 1, protocol)),
        ScalarUDF::from(StringFn::new("url_extract_host", 1, host)),
        ScalarUDF::from(StringFn::new("athena_url_extract_port", 1, port)),
        ScalarUDF::from(StringFn::new("url_extract_path", 1, path)),
        ScalarUDF::from(StringFn::new("url_extract_query", 1, query)),
        ScalarUDF::from(StringFn::new("url_extract_fragment", 1, fragment)),
        ScalarUDF::from(StringFn::new("url_extract_parameter", 2, parameter)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::functions::adapters::StringFnImpl;

    fn get(f: StringFnImpl, url: &str) -> Option<String> {
        f(&[Some(url)]).unwrap()
    }

    #[test]
    fn parts_of_a_full_url() {
        let url = "https://user@www.example.com:8443/a%20b/c.html?x=1&y=two+words&y=3#frag";
        assert_eq!(get(protocol, url).as_deref(), Some("https"));
        assert_eq!(get(host, url).as_deref(), Some("www.example.com"));
        assert_eq!(get(port, url).as_deref(), Some("8443"));
        assert_eq!(get(path, url).as_deref(), Some("/a b/c.html"));
        assert_eq!(get(query, url).as_deref(), Some("x=1&y=two+words&y=3"));
        assert_eq!(get(fragment, url).as_deref(), Some("frag"));
        let p = |n: &str| parameter(&[Some(url), Some(n)]).unwrap();
        assert_eq!(p("y").as_deref(), Some("two words"));
        assert_eq!(p("z"), None);
    }

    #[test]
    fn missing_parts_are_empty_and_bad_urls_are_null() {
        assert_eq!(get(host, "/index.html?a=1").as_deref(), Some(""));
        assert_eq!(get(path, "/index.html?a=1").as_deref(), Some("/index.html"));
        assert_eq!(get(port, "http://example.com/"), None);
        assert_eq!(get(path, "http://example.com").as_deref(), Some(""));
        assert_eq!(get(path, "http://example.com/a b"), None);
        assert_eq!(get(path, "http://example.com/%zz"), None);
        assert_eq!(get(host, "http://my_host/").as_deref(), Some(""));
        assert_eq!(get(host, "http://example.com:abc/").as_deref(), Some(""));
        assert_eq!(get(path, "mailto:a@example.com").as_deref(), Some(""));
        assert_eq!(
            get(protocol, "mailto:a@example.com").as_deref(),
            Some("mailto")
        );
    }
}
