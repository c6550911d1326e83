//! Names the engine's modules agree on: Athena's one catalog, the field metadata key
//! that carries an Athena type Arrow has no type for, and the mark that keeps duplicate
//! output names apart. A leaf: it imports nothing, so whoever writes a marker and
//! whoever reads it depend on this module rather than on each other.

/// The one catalog: Athena's `AwsDataCatalog`, lowercased as DataFusion normalises it.
pub(crate) const CATALOG: &str = "awsdatacatalog";

/// Field metadata key naming the Athena type of a value that Arrow stores as a string:
/// `varchar(10)` / `char(3)` (declared lengths), `json`, `uuid`, `ipaddress`.
pub(crate) const ATHENA_TYPE_KEY: &str = "athena.type";

/// Separates an output name from the suffix that keeps duplicates apart: Trino allows
/// duplicate output names, DataFusion does not, so the query rewrite suffixes later
/// duplicates and ColumnInfo drops the suffix again.
pub(crate) const DUPLICATE_MARK: char = '\u{1}';
