//! Athena's values: the columns of a result ([`ResultSetMetadata`], one [`ColumnInfo`]
//! each, and [`ColumnIndex`], a column by name or position), the types that
//! `ColumnInfo.Type` names ([`AthenaType`]), and a dynamic [`Value`] over all of them.
//!
//! Athena sends every value as text (`Datum.VarCharValue`, see docs/athena.md, "Values").
//! [`Value::parse`] reads any value of a known [`AthenaType`], arrays, maps and rows
//! included; [`Value::to_athena_text`] writes a value back the way Athena does;
//! [`Value::to_json`] gives the typed JSON of `--typed`. To read a value straight
//! into a Rust type, use [`Row::get`](crate::Row::get) instead.
//!
//! # The array, map and row notation is ambiguous
//!
//! Athena writes `ARRAY['a', 'b']` as `[a, b]`, `MAP(ARRAY['k'], ARRAY['v'])` as
//! `{k=v}` and `CAST(ROW(1, 'x') AS ROW(id INTEGER, name VARCHAR))` as
//! `{id=1, name=x}`, without quoting strings. So the text cannot always be read
//! back to the value that was meant:
//!
//! - a string element containing `, ` reads as two elements (`ARRAY['a, b']` is `[a, b]`);
//! - a string element `null` reads as NULL;
//! - an array holding one value written as empty text (`ARRAY['']`, or one empty
//!   varbinary) is written `[]` and reads as the empty array;
//! - a map key containing `=` is cut at its first `=`; a map value or a row field
//!   containing `, ` splits the entry;
//! - where the element types are not known (Athena's `ColumnInfo.Type` is just
//!   `array`, `map` or `row`), an element that starts with `[` or `{` and is
//!   balanced is read as a nested value, every other element as text; a `{...}`
//!   whose every part is `name=value` is read by name (a map, a JSON object), any
//!   other in order (a sequence, a JSON array), and `{}` as an empty map.
//!
//! The parser never guesses silently beyond these rules and never panics: text that
//! does not fit is an error. When exact values matter, cast to JSON in SQL:
//! `SELECT CAST(tags AS JSON) AS tags ...` arrives as a `json` column, which decodes
//! exactly into `serde_json::Value`, `Vec<String>`, `HashMap<String, i64>`, or any
//! `Deserialize` type.
//
// The modules, each one idea, in the order they depend on each other:
// `types` (AthenaType and the signature parser), `scalars` (text forms of the
// scalar types), `notation` (the array/map/row notation), `dynamic` (Value).
// None of them depends on `de`; `de` builds on them. Apart, one for each date-time
// crate a feature brings: `datetime` (jiff), `chrono` and `time`, the last two on
// `datetime_fields`, which reads Athena's date-time texts for them.

use std::fmt;

use crate::error::Error;
use crate::row::Row;

#[cfg(feature = "chrono")]
pub mod chrono;
#[cfg(feature = "jiff")]
pub mod datetime;
#[cfg(any(feature = "chrono", feature = "time"))]
mod datetime_fields;
mod dynamic;
pub(crate) mod notation;
pub(crate) mod scalars;
#[cfg(feature = "time")]
pub mod time;
mod types;

pub use crate::row::{ColumnIndex, ColumnInfo, ResultSetMetadata};
pub use dynamic::Value;
pub(crate) use types::UNKNOWN;
#[cfg(feature = "arrow")]
pub(crate) use types::parse_with_precisions;
pub use types::{AthenaType, RowField};

/// The scalar parsers and renderers, for the fuzz targets in `fuzz/` only: not
/// part of the API, and free to change in any release. Users read values with
/// [`Row::get`](crate::Row::get) or [`Value::parse`].
#[doc(hidden)]
pub mod __fuzz {
    pub use super::scalars::{
        check_datetime, check_uuid, parse_bool, parse_decimal, parse_double, parse_int,
        parse_ipaddress, parse_real, parse_varbinary, render_double, render_real, render_varbinary,
    };
}

/// The deepest nesting of arrays, maps and rows (and of type signatures) that is
/// read; deeper text is an error rather than unbounded recursion.
pub const MAX_DEPTH: usize = 64;

/// Longest text quoted in an [`Error::Decode`]; longer text is shortened.
const MAX_ERROR_TEXT: usize = 200;

/// Why a text could not be read as a value of its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    message: String,
    too_deep: bool,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ParseError {
            message: message.into(),
            too_deep: false,
        }
    }

    fn too_deep() -> Self {
        ParseError {
            message: format!("nested deeper than {MAX_DEPTH} levels"),
            too_deep: true,
        }
    }

    /// What was wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// This error as an [`Error::Decode`] about a value of a row.
    pub(crate) fn into_decode(self, row: &Row, column: usize, text: &str) -> Error {
        decode_error(row, column, text, self.message)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// An [`Error::Decode`] about the value at `column` of `row`.
pub(crate) fn decode_error(row: &Row, column: usize, text: &str, message: String) -> Error {
    let info = row.columns().get(column);
    Error::Decode {
        row_number: row.row_number(),
        column: info.map_or_else(|| column.to_string(), |c| c.name.clone()),
        athena_type: info.map_or_else(String::new, |c| c.r#type.clone()),
        text: shorten(text),
        message,
    }
}

/// `text`, cut to [`MAX_ERROR_TEXT`] characters (with `...`) for error messages.
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_ERROR_TEXT) {
        None => text.to_owned(),
        Some((end, _)) => format!("{}...", &text[..end]),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
