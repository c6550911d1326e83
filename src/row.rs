//! Rows of a result, the column metadata they share, and how a column is named.
//!
//! Athena sends every value as text (`Datum.VarCharValue`), and NULL as a `Datum`
//! without a value. A [`Row`] keeps exactly that, an optional text per column (one
//! `String` each, or for rows read from a result file all of them in one buffer), so
//! NULL and the empty string never merge. A column is addressed by index or name
//! ([`ColumnIndex`]); one that the result does not have is
//! [`Error::NoSuchColumn`], never the same `None` as NULL.
//!
//! This module depends on no other module of the crate but [`crate::error`]: typed
//! access ([`Row::get`], [`Row::deserialize`], in `de`) and dynamic access
//! ([`Row::value`], in `value`) are built on top of it.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use crate::error::Error;

mod data;

pub(crate) use data::{Data, Packer};

/// One column of a result, from `ResultSetMetadata.ColumnInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnInfo {
    /// `Name`: the column name.
    pub name: String,
    /// `Label`: the column label (usually equal to the name).
    pub label: String,
    /// `Type`: Athena's base type name (`varchar`, `bigint`, `decimal`, `array`, ...).
    pub r#type: String,
    /// `Precision`: digits of a decimal, length of a varchar, 0 when not set.
    pub precision: i32,
    /// `Scale`: fraction digits of a decimal, 0 when not set.
    pub scale: i32,
    /// `Nullable`: `NOT_NULL`, `NULLABLE` or `UNKNOWN` (Athena sends `UNKNOWN`).
    pub nullable: Option<String>,
    /// `CaseSensitive`.
    pub case_sensitive: bool,
}

impl ColumnInfo {
    /// A column with a name and a type, everything else unset.
    pub fn new(name: impl Into<String>, r#type: impl Into<String>) -> Self {
        let name = name.into();
        ColumnInfo {
            label: name.clone(),
            name,
            r#type: r#type.into(),
            precision: 0,
            scale: 0,
            nullable: None,
            case_sensitive: false,
        }
    }
}

/// The columns of a result (`ResultSetMetadata`), shared by all of its rows.
#[derive(Clone, PartialEq, Eq)]
pub struct ResultSetMetadata {
    columns: Vec<ColumnInfo>,
    by_name: HashMap<String, usize>,
}

impl ResultSetMetadata {
    /// Metadata over these columns, in result order.
    pub fn new(columns: Vec<ColumnInfo>) -> Self {
        let mut by_name = HashMap::with_capacity(columns.len());
        // The first column of a name wins, as in SQL when a name is repeated.
        for (index, column) in columns.iter().enumerate() {
            by_name.entry(column.name.clone()).or_insert(index);
        }
        ResultSetMetadata { columns, by_name }
    }

    /// The columns, in result order.
    pub fn columns(&self) -> &[ColumnInfo] {
        &self.columns
    }

    /// The index of the (first) column with this name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether the result has no columns (DDL statements).
    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

impl fmt::Debug for ResultSetMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.columns.iter().map(|c| (&c.name, &c.r#type)))
            .finish()
    }
}

/// One data row of a result (never the header row).
///
/// ```
/// use athena_stream::{Row, value::{ColumnInfo, ResultSetMetadata}};
/// use std::sync::Arc;
///
/// let columns = Arc::new(ResultSetMetadata::new(vec![
///     ColumnInfo::new("uri", "varchar"),
///     ColumnInfo::new("referer", "varchar"),
/// ]));
/// let row = Row::new(columns, 0, vec![Some("/index.html".into()), None]);
/// assert_eq!(row.get_str("uri")?, Some("/index.html"));
/// assert_eq!(row.get_str("referer")?, None); // NULL
/// assert!(row.is_null(1)?);
/// assert!(row.get_str("urii").is_err()); // no such column, not NULL
/// # Ok::<(), athena_stream::Error>(())
/// ```
#[derive(Clone)]
pub struct Row {
    columns: Arc<ResultSetMetadata>,
    row_number: u64,
    values: Data,
}

impl Row {
    /// A row over shared column metadata. `row_number` is its 0-based place among
    /// the data rows of the result; `values` holds one value per column (rows from
    /// Athena are checked for that; in a row built with fewer, the columns past its
    /// values read as [`Error::NoSuchColumn`]).
    pub fn new(
        columns: Arc<ResultSetMetadata>,
        row_number: u64,
        values: Vec<Option<String>>,
    ) -> Self {
        Self::from_data(columns, row_number, Data::Strings(values))
    }

    /// A row over values held either way (see [`Data`]).
    pub(crate) fn from_data(
        columns: Arc<ResultSetMetadata>,
        row_number: u64,
        values: Data,
    ) -> Self {
        Row {
            columns,
            row_number,
            values,
        }
    }

    /// The 0-based number of this row among the data rows of the result.
    pub fn row_number(&self) -> u64 {
        self.row_number
    }

    /// The result's column metadata.
    pub fn metadata(&self) -> &Arc<ResultSetMetadata> {
        &self.columns
    }

    /// The columns of the result.
    pub fn columns(&self) -> &[ColumnInfo] {
        self.columns.columns()
    }

    /// The number of values (equal to the number of columns).
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the row has no values.
    pub fn is_empty(&self) -> bool {
        self.values.len() == 0
    }

    /// The raw text of a column, by index (`usize`) or name (`&str`, `String`):
    /// `Ok(None)` for NULL, `Ok(Some(""))` for the empty string.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchColumn`] when the result has no such column (an index out of
    /// range, or a name that no column has), so that a typo is not read as NULL.
    ///
    /// ```
    /// use athena_stream::{Error, Row, value::{ColumnInfo, ResultSetMetadata}};
    /// use std::sync::Arc;
    ///
    /// let columns = Arc::new(ResultSetMetadata::new(vec![ColumnInfo::new("uri", "varchar")]));
    /// let row = Row::new(columns, 0, vec![Some("/index.html".into())]);
    /// assert_eq!(row.get_str(0)?, Some("/index.html"));
    /// assert!(matches!(row.get_str("urii"), Err(Error::NoSuchColumn { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn get_str(&self, column: impl ColumnIndex) -> Result<Option<&str>, Error> {
        let index = self.column_index(&column)?;
        Ok(self.text(index))
    }

    /// Whether the value of a column (by index or name) is NULL (a `Datum` without
    /// `VarCharValue`); the empty string is not NULL.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchColumn`] when the result has no such column.
    pub fn is_null(&self, column: impl ColumnIndex) -> Result<bool, Error> {
        let index = self.column_index(&column)?;
        Ok(self.text(index).is_none())
    }

    /// Moves the row `by` rows further in the result: a reader that parses parts of a
    /// result file in parallel numbers each part's rows from 0 and shifts them once it
    /// knows how many rows came before.
    pub(crate) fn shift_row_number(&mut self, by: u64) {
        self.row_number += by;
    }

    /// The raw text at an index (`None` for NULL, and for an index out of range,
    /// which callers rule out first with [`Row::column_index`]).
    pub(crate) fn text(&self, index: usize) -> Option<&str> {
        self.values.text(index)
    }

    /// The index of `column` in this row's result.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchColumn`] naming the column and the result's columns.
    pub(crate) fn column_index<C: ColumnIndex + ?Sized>(&self, column: &C) -> Result<usize, Error> {
        column
            .index_in(&self.columns)
            // A row built by hand with fewer values than columns has no value
            // there: an error too, rather than a panic or a made-up NULL.
            .filter(|&index| index < self.values.len())
            .ok_or_else(|| self.no_such_column(&column.describe()))
    }

    /// [`Error::NoSuchColumn`] for `column` (as the caller wrote it) in this row.
    pub(crate) fn no_such_column(&self, column: &str) -> Error {
        Error::NoSuchColumn {
            row_number: self.row_number,
            column: column.to_owned(),
            columns: self.columns().iter().map(|c| c.name.clone()).collect(),
        }
    }

    /// The raw values, in column order.
    ///
    /// Rows read from a result file hold their values in one buffer; the first call
    /// makes the `String`s this lends out. [`get_str`](Self::get_str) and
    /// [`iter`](Self::iter) read the values without that.
    pub fn values(&self) -> &[Option<String>] {
        self.values.strings()
    }

    /// The raw values, taken out of the row.
    pub fn into_values(self) -> Vec<Option<String>> {
        self.values.into_strings()
    }

    /// Pairs of column name and raw value, in column order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
        self.columns
            .columns()
            .iter()
            .zip(self.values.texts())
            .map(|(c, v)| (c.name.as_str(), v))
    }
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Row")
            .field("row_number", &self.row_number)
            .field("values", &self.values.texts().collect::<Vec<_>>())
            .finish()
    }
}

/// Rows are equal when their columns, numbers and values are, however each holds
/// its values.
impl PartialEq for Row {
    fn eq(&self, other: &Self) -> bool {
        self.row_number == other.row_number
            && self.columns == other.columns
            && self.values.len() == other.values.len()
            && self.values.texts().eq(other.values.texts())
    }
}

impl Eq for Row {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for str {}
    impl Sealed for String {}
    impl<T: Sealed + ?Sized> Sealed for &T {}
}

/// A way to name a column: its 0-based index (`usize`) or its name (`&str`, `String`).
///
/// Sealed: the three ways above are the only ones, so that every method taking a
/// column treats them alike.
pub trait ColumnIndex: sealed::Sealed {
    /// The index of the column in the result, if there is such a column.
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize>;
    /// The column as written by the caller, for error messages.
    fn describe(&self) -> String;
}

impl ColumnIndex for usize {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        (*self < metadata.len()).then_some(*self)
    }
    fn describe(&self) -> String {
        self.to_string()
    }
}

impl ColumnIndex for str {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        metadata.index_of(self)
    }
    fn describe(&self) -> String {
        self.to_owned()
    }
}

impl ColumnIndex for String {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        metadata.index_of(self)
    }
    fn describe(&self) -> String {
        self.clone()
    }
}

impl<T: ColumnIndex + ?Sized> ColumnIndex for &T {
    fn index_in(&self, metadata: &ResultSetMetadata) -> Option<usize> {
        (**self).index_in(metadata)
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(values: Vec<Option<&str>>) -> Row {
        let columns = Arc::new(ResultSetMetadata::new(vec![
            ColumnInfo::new("uri", "varchar"),
            ColumnInfo::new("referer", "varchar"),
            ColumnInfo::new("query", "varchar"),
        ]));
        Row::new(
            columns,
            3,
            values.into_iter().map(|v| v.map(Into::into)).collect(),
        )
    }

    fn missing(e: Error) -> (u64, String, Vec<String>) {
        match e {
            Error::NoSuchColumn {
                row_number,
                column,
                columns,
            } => (row_number, column, columns),
            other => panic!("not NoSuchColumn: {other:?}"),
        }
    }

    #[test]
    fn get_str_tells_null_the_empty_string_and_a_missing_column_apart() {
        let r = row(vec![Some("/a"), None, Some("")]);
        // By name: every ColumnIndex spelling.
        assert_eq!(r.get_str("uri").unwrap(), Some("/a"));
        let name = String::from("uri");
        assert_eq!(r.get_str(&name).unwrap(), Some("/a"));
        assert_eq!(r.get_str(name).unwrap(), Some("/a"));
        assert_eq!(r.get_str("referer").unwrap(), None);
        assert_eq!(r.get_str("query").unwrap(), Some(""));
        // By index.
        assert_eq!(r.get_str(0).unwrap(), Some("/a"));
        assert_eq!(r.get_str(1).unwrap(), None);
        assert_eq!(r.get_str(2).unwrap(), Some(""));

        let (row_number, column, columns) = missing(r.get_str("urii").unwrap_err());
        assert_eq!((row_number, column.as_str()), (3, "urii"));
        assert_eq!(columns, ["uri", "referer", "query"]);
        let (_, column, _) = missing(r.get_str(3).unwrap_err());
        assert_eq!(column, "3");
        let (_, column, _) = missing(r.get_str(usize::MAX).unwrap_err());
        assert_eq!(column, usize::MAX.to_string());
        // Names are matched exactly, as Athena reports them.
        assert!(r.get_str("URI").is_err());
    }

    #[test]
    fn is_null_is_true_for_null_only_and_an_error_for_a_missing_column() {
        let r = row(vec![Some("/a"), None, Some("")]);
        assert!(!r.is_null("uri").unwrap());
        assert!(r.is_null("referer").unwrap());
        assert!(r.is_null(1).unwrap());
        assert!(!r.is_null("query").unwrap());
        assert!(!r.is_null(2).unwrap());
        assert_eq!(missing(r.is_null("refferer").unwrap_err()).1, "refferer");
        assert_eq!(missing(r.is_null(7).unwrap_err()).1, "7");
    }

    #[test]
    fn no_such_column_names_the_row_the_column_and_the_columns() {
        let r = row(vec![None, None, None]);
        assert_eq!(
            r.get_str("urii").unwrap_err().to_string(),
            "row 3: the result has no column `urii` (its columns: uri, referer, query)"
        );
    }

    #[test]
    fn a_row_with_fewer_values_than_columns_has_no_value_there() {
        // Only a row built by hand can be short (the stream checks each row's
        // shape); reading past its values is an error, not a panic.
        let r = row(vec![Some("/a")]);
        assert_eq!(r.get_str("uri").unwrap(), Some("/a"));
        assert_eq!(missing(r.get_str("query").unwrap_err()).1, "query");
        assert_eq!(missing(r.is_null(2).unwrap_err()).1, "2");
    }
}
