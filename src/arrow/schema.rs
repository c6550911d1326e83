//! From Athena's column metadata to an Arrow schema: one documented mapping
//! (docs/athena.md, "Values"; the README's type table).
//!
//! CONTRACT (skeleton, to be implemented):
//! - `BatchPlan::new(metadata, options)` builds one `ColumnPlan` per column, in order,
//!   with the column's Arrow `Field` (nullable, named as the column) and the
//!   `AthenaType` its text is read as: `AthenaType::of_column(column)`, unless
//!   `options` gives a signature for the column by name (then that type, e.g.
//!   `array(varchar)`), with decimal precision/scale and time/timestamp precision
//!   from `ColumnInfo.precision`/`scale` (or the signature's).
//! - Mapping: boolean Boolean; tinyint Int8; smallint Int16; integer Int32; bigint
//!   Int64; real Float32; double Float64; decimal(p,s) Decimal128(p,s); varchar, char,
//!   string Utf8; date Date32; time(p) and timestamp(p) at the unit of p (0 Second,
//!   1-3 Millisecond, 4-6 Microsecond, 7-9 Nanosecond; Time32 for s/ms, Time64 for
//!   us/ns; timestamp without zone); p > 9 Utf8; varbinary Binary; json Utf8 with field
//!   metadata `ARROW:extension:name` = `arrow.json`; uuid FixedSizeBinary(16) with
//!   `arrow.uuid`; ipaddress, interval, time with time zone, timestamp with time zone,
//!   unknown names: Utf8 (Athena's text); array/map/row whose types are known in full:
//!   List / Map / Struct of the mapped types, else Utf8 (Athena's text).

use std::sync::Arc;

use arrow_schema::{FieldRef, SchemaRef};

use crate::error::Result;
use crate::row::ResultSetMetadata;
use crate::value::AthenaType;

use super::BatchOptions;

/// How one column's text becomes Arrow.
#[derive(Debug, Clone)]
pub(crate) struct ColumnPlan {
    /// The column's name.
    pub(crate) name: String,
    /// `ColumnInfo.Type` as Athena sent it (or the signature given), for errors.
    pub(crate) type_name: String,
    /// The type the text is read as.
    pub(crate) athena_type: AthenaType,
    /// The Arrow field.
    pub(crate) field: FieldRef,
}

/// Every column's plan, and the schema of the batches.
#[derive(Debug, Clone)]
pub(crate) struct BatchPlan {
    pub(crate) schema: SchemaRef,
    pub(crate) columns: Vec<ColumnPlan>,
}

impl BatchPlan {
    /// The plan for a result's columns.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) when a signature in
    /// `options` names no column of the result, or does not parse.
    pub(crate) fn new(metadata: &ResultSetMetadata, options: &BatchOptions) -> Result<Arc<Self>> {
        let _ = (metadata, options);
        Err(crate::error::Error::invalid_config(
            "BatchPlan: not implemented yet",
        ))
    }
}
