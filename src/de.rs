//! Typed rows with serde: [`Row::get`] reads one value into any `Deserialize`
//! type, [`Row::deserialize`] reads a whole row into a struct whose fields are
//! matched to column names, and [`TypedExt::typed`] does that for every row of a
//! stream.
//!
//! Values are read straight from their text, driven by the Rust type asked for
//! (an `i64` field parses the text as an `i64`, a `String` field borrows or copies
//! the text); no intermediate [`Value`](crate::value::Value) is built for scalars.
//! The column's Athena type decides what only it can decide: that a `decimal`
//! never turns into a float, that `varbinary` is spaced hex, that a `json` column
//! is parsed as JSON, how an `array`/`map`/`row` is split, and what a
//! self-describing target (`serde_json::Value`) receives.
//!
//! ```no_run
//! use athena_stream::{Athena, TypedExt};
//! use futures::TryStreamExt;
//!
//! #[derive(serde::Deserialize)]
//! struct Hit {
//!     uri: String,
//!     bytes: i64,
//!     time_taken: f32,
//!     referer: Option<String>, // NULL reads as None, "" as Some("")
//! }
//!
//! # async fn run(athena: Athena) -> Result<(), athena_stream::Error> {
//! let mut hits = athena
//!     .query("SELECT uri, bytes, time_taken, referer FROM cf_access_logs")
//!     .typed::<Hit>();
//! while let Some(hit) = hits.try_next().await? {
//!     println!("{} {} {}", hit.uri, hit.bytes, hit.time_taken);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Which column feeds which field is worked out once per result and struct type
//! and cached per thread, keyed by the result's shared metadata, so a row costs
//! no name lookups.
//
// The modules: `cache` (what is worked out once per result), `error` (the
// deserializers' error), `row_de` (a whole row), `value_de` (one value and,
// recursively, the parts of an array, map or row), `typed` (the typed stream).
// They build on `crate::row` and `crate::value`; neither depends on them.

use serde::Deserialize;

use crate::error::Error;
use crate::row::{ColumnIndex, Row};

mod cache;
mod error;
mod row_de;
mod typed;
mod value_de;

#[cfg(test)]
mod tests;

pub use typed::{Typed, TypedExt};

use cache::meta_of;
use row_de::RowDe;
use value_de::ValueDe;

impl Row {
    /// The value at a column (by index or name) as any `Deserialize` type.
    ///
    /// NULL reads as `None` into an `Option<T>` and is an error for any other
    /// type (NULL and the empty string never merge). The text is parsed for the
    /// type asked for: integers check their range, `f32`/`f64` read Java notation
    /// (`1.0E20`, `NaN`, `-Infinity`), `String`/`&str` take the text as is, a
    /// `varbinary` column reads into `Vec<u8>`, a `json` column into
    /// `serde_json::Value` or any `Deserialize` type, an `ipaddress` into
    /// `std::net::IpAddr`, arrays into `Vec<T>`, maps into `HashMap<K, V>`, rows
    /// into structs or tuples. A `decimal` reads into `String` (exact, with its
    /// scale) or `rust_decimal::Decimal`, never into `f32`/`f64`.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchColumn`] when the result has no such column;
    /// [`Error::Decode`] naming the row number, the column, its Athena type and the
    /// text, when its value does not fit `T`.
    ///
    /// ```
    /// use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
    /// use std::sync::Arc;
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![
    ///     ColumnInfo::new("bytes", "bigint"),
    ///     ColumnInfo::new("tags", "array"),
    ///     ColumnInfo::new("referer", "varchar"),
    /// ]));
    /// let row = Row::new(
    ///     columns,
    ///     0,
    ///     vec![Some("1024".into()), Some("[a, b]".into()), None],
    /// );
    /// assert_eq!(row.get::<i64>("bytes").unwrap(), 1024);
    /// assert_eq!(row.get::<Vec<String>>(1).unwrap(), ["a", "b"]);
    /// assert_eq!(row.get::<Option<&str>>("referer").unwrap(), None);
    /// assert!(row.get::<i8>("bytes").is_err()); // 1024 does not fit an i8
    /// ```
    pub fn get<'de, T: Deserialize<'de>>(&'de self, column: impl ColumnIndex) -> Result<T, Error> {
        let index = self.column_index(&column)?;
        let meta = meta_of(self);
        let ty = meta.type_of(index);
        T::deserialize(ValueDe::column(self, index, ty))
            .map_err(|e| e.into_error(self, Some(index)))
    }

    /// The whole row as a `Deserialize` type: a struct (or a map) whose fields are
    /// matched to column names (`#[serde(rename = "...")]` is honoured), or a tuple
    /// (columns in order).
    ///
    /// Declare a field `Option<T>` when its column may be NULL. Every field must
    /// have a column: a field whose column is not in the result is an error (so a
    /// typo cannot silently read as `None`). Columns without a field are ignored.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchColumn`] naming the first field that has no column;
    /// [`Error::Decode`] naming the row number, the column, its Athena type and the
    /// text of the first value that does not fit its field.
    ///
    /// ```
    /// use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
    /// use std::sync::Arc;
    ///
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Hit {
    ///     uri: String,
    ///     bytes: i64,
    ///     #[serde(rename = "time_taken")]
    ///     seconds: f32,
    ///     referer: Option<String>,
    /// }
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![
    ///     ColumnInfo::new("uri", "varchar"),
    ///     ColumnInfo::new("bytes", "bigint"),
    ///     ColumnInfo::new("time_taken", "real"),
    ///     ColumnInfo::new("referer", "varchar"),
    /// ]));
    /// let row = Row::new(
    ///     columns,
    ///     0,
    ///     vec![Some("/a".into()), Some("10".into()), Some("0.5".into()), None],
    /// );
    /// let hit: Hit = row.deserialize().unwrap();
    /// assert_eq!(hit, Hit { uri: "/a".into(), bytes: 10, seconds: 0.5, referer: None });
    /// ```
    pub fn deserialize<'de, T: Deserialize<'de>>(&'de self) -> Result<T, Error> {
        let meta = meta_of(self);
        T::deserialize(RowDe {
            row: self,
            meta: &meta,
        })
        .map_err(|e| e.into_error(self, None))
    }
}
