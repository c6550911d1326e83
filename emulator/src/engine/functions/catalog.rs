//! Which functions the emulator serves. A call is checked against this catalog before
//! the query is rewritten for DataFusion (`rewrite/gate.rs`):
//!
//! - a function listed in [`SERVED`] runs; each one is covered by the SQL corpus that
//!   compares the emulator with a real Trino (`emulator/tests/trino/`, emulator/SQL.md);
//! - a function Trino has (its own `SHOW FUNCTIONS`, recorded in `trino_functions.tsv`,
//!   or one of its special forms) that the emulator does not serve is refused with
//!   `NOT_SUPPORTED`, never answered some other way;
//! - any other name fails as Athena fails it, `FUNCTION_NOT_FOUND`, even when DataFusion
//!   has a function of that name (`array_has`, `to_char`): a query that runs here must
//!   run on Athena.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

/// Trino 476's `SHOW FUNCTIONS`, one function signature a line (`tools/trino/record.py`
/// writes it).
const TRINO_FUNCTIONS: &str = include_str!("trino_functions.tsv");

/// Trino's special forms written as calls: its parser turns them into expressions of
/// their own, so they are not in `SHOW FUNCTIONS` (trino.io, "Conditional
/// expressions", "Date and time functions", "JSON functions", "Logical operators").
const SPECIAL_FORMS: &[&str] = &[
    "coalesce",
    "current_catalog",
    "current_path",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "format",
    "grouping",
    "if",
    "json_array",
    "json_exists",
    "json_object",
    "json_query",
    "json_value",
    "localtime",
    "localtimestamp",
    "nullif",
    "row",
    "try",
];

/// The functions the emulator serves, by the family of the SQL corpus that checks them.
pub(crate) const SERVED: &[(&str, &[&str])] = &[
    ("conditional", CONDITIONAL),
    ("strings", STRINGS),
    ("math", MATH),
    ("dates", DATES),
    ("collections", COLLECTIONS),
    ("aggregates", AGGREGATES),
];

/// Conditional expressions and the special forms of row values.
const CONDITIONAL: &[&str] = &[
    "coalesce",
    "current_timestamp",
    "grouping",
    "if",
    "localtimestamp",
    "nullif",
    "row",
    "try",
];

/// Strings, regular expressions, binary values, JSON, URLs.
const STRINGS: &[&str] = &[
    "chr",
    "codepoint",
    "concat",
    "concat_ws",
    "crc32",
    "from_base64",
    "from_base64url",
    "from_big_endian_32",
    "from_big_endian_64",
    "from_hex",
    "from_ieee754_32",
    "from_ieee754_64",
    "from_utf8",
    "hamming_distance",
    "hmac_md5",
    "hmac_sha1",
    "hmac_sha256",
    "hmac_sha512",
    "is_json_scalar",
    "json_array_contains",
    "json_array_get",
    "json_array_length",
    "json_extract",
    "json_extract_scalar",
    "json_format",
    "json_parse",
    "json_size",
    "length",
    "levenshtein_distance",
    "lower",
    "lpad",
    "ltrim",
    "md5",
    "regexp_count",
    "regexp_extract",
    "regexp_extract_all",
    "regexp_like",
    "regexp_position",
    "regexp_replace",
    "regexp_split",
    "replace",
    "reverse",
    "rpad",
    "rtrim",
    "sha1",
    "sha256",
    "sha512",
    "split",
    "split_part",
    "starts_with",
    "strpos",
    "substr",
    "substring",
    "to_base64",
    "to_base64url",
    "to_big_endian_32",
    "to_big_endian_64",
    "to_hex",
    "to_ieee754_32",
    "to_ieee754_64",
    "to_utf8",
    "translate",
    "trim",
    "upper",
    "url_decode",
    "url_encode",
    "url_extract_fragment",
    "url_extract_host",
    "url_extract_parameter",
    "url_extract_path",
    "url_extract_port",
    "url_extract_protocol",
    "url_extract_query",
    "uuid",
    "xxhash64",
];

/// Numbers and their functions (mathematical, bitwise, comparison), and the type of a
/// value.
const MATH: &[&str] = &[
    "abs",
    "acos",
    "asin",
    "atan",
    "atan2",
    "bit_count",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_right_shift_arithmetic",
    "bitwise_xor",
    "cbrt",
    "ceil",
    "ceiling",
    "cos",
    "cosh",
    "cosine_distance",
    "cosine_similarity",
    "degrees",
    "dot_product",
    "e",
    "euclidean_distance",
    "exp",
    "floor",
    "from_base",
    "greatest",
    "infinity",
    "is_finite",
    "is_infinite",
    "is_nan",
    "least",
    "ln",
    "log",
    "log10",
    "log2",
    "mod",
    "nan",
    "pi",
    "pow",
    "power",
    "radians",
    "rand",
    "random",
    "round",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "to_base",
    "truncate",
    "typeof",
    "width_bucket",
    "wilson_interval_lower",
    "wilson_interval_upper",
];

/// Dates, times, time zones and intervals.
const DATES: &[&str] = &[
    "at_timezone",
    "current_date",
    "current_timezone",
    "date",
    "date_add",
    "date_diff",
    "date_format",
    "date_parse",
    "date_trunc",
    "day",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "dow",
    "doy",
    "format_datetime",
    "from_iso8601_date",
    "from_iso8601_timestamp",
    "from_iso8601_timestamp_nanos",
    "from_unixtime",
    "from_unixtime_nanos",
    "hour",
    "human_readable_seconds",
    "last_day_of_month",
    "localtime",
    "millisecond",
    "minute",
    "month",
    "now",
    "parse_datetime",
    "parse_duration",
    "quarter",
    "second",
    "timezone",
    "timezone_hour",
    "timezone_minute",
    "to_iso8601",
    "to_milliseconds",
    "to_unixtime",
    "week",
    "week_of_year",
    "with_timezone",
    "year",
    "year_of_week",
    "yow",
];

/// Arrays, maps, rows and the lambda functions over them.
const COLLECTIONS: &[&str] = &[
    "all_match",
    "any_match",
    "array_distinct",
    "array_except",
    "array_intersect",
    "array_join",
    "array_max",
    "array_min",
    "array_position",
    "array_remove",
    "array_sort",
    "array_union",
    "arrays_overlap",
    "cardinality",
    "combinations",
    "contains",
    "contains_sequence",
    "element_at",
    "filter",
    "flatten",
    "map",
    "map_concat",
    "map_entries",
    "map_filter",
    "map_from_entries",
    "map_keys",
    "map_values",
    "map_zip_with",
    "multimap_from_entries",
    "ngrams",
    "none_match",
    "reduce",
    "repeat",
    "sequence",
    "shuffle",
    "slice",
    "transform",
    "transform_keys",
    "transform_values",
    "trim_array",
    "zip",
    "zip_with",
];

/// Aggregate and window functions.
const AGGREGATES: &[&str] = &[
    "any_value",
    "approx_distinct",
    "approx_percentile",
    "arbitrary",
    "array_agg",
    "avg",
    "bitwise_and_agg",
    "bitwise_or_agg",
    "bitwise_xor_agg",
    "bool_and",
    "bool_or",
    "corr",
    "count",
    "count_if",
    "covar_pop",
    "covar_samp",
    "cume_dist",
    "dense_rank",
    "every",
    "first_value",
    "geometric_mean",
    "histogram",
    "kurtosis",
    "lag",
    "last_value",
    "lead",
    "listagg",
    "map_agg",
    "max",
    "max_by",
    "min",
    "min_by",
    "multimap_agg",
    "nth_value",
    "ntile",
    "percent_rank",
    "rank",
    "regr_intercept",
    "regr_slope",
    "row_number",
    "skewness",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "sum",
    "var_pop",
    "var_samp",
    "variance",
];

/// What the emulator does with a call of a function of some name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// It runs, as Trino runs it.
    Served,
    /// Trino has it, the emulator does not: refused with `NOT_SUPPORTED`.
    NotServed,
    /// Neither Trino nor the emulator knows it: `FUNCTION_NOT_FOUND`, as on Athena.
    Unknown,
}

/// One row of Trino's `SHOW FUNCTIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TrinoFunction {
    pub(crate) name: &'static str,
    pub(crate) return_type: &'static str,
    pub(crate) argument_types: &'static str,
    pub(crate) function_type: &'static str,
    pub(crate) deterministic: &'static str,
    pub(crate) description: &'static str,
}

/// Trino's functions by name, each with its signatures in Trino's order.
static TRINO: LazyLock<BTreeMap<&'static str, Vec<TrinoFunction>>> = LazyLock::new(|| {
    let mut functions: BTreeMap<&str, Vec<TrinoFunction>> = BTreeMap::new();
    for line in TRINO_FUNCTIONS.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if let [
            name,
            return_type,
            argument_types,
            function_type,
            deterministic,
            description,
        ] = f[..]
        {
            functions.entry(name).or_default().push(TrinoFunction {
                name,
                return_type,
                argument_types,
                function_type,
                deterministic,
                description,
            });
        }
    }
    functions
});

static SERVED_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    SERVED
        .iter()
        .flat_map(|(_, names)| names.iter().copied())
        .collect()
});

/// What the emulator does with a call of `name` (any case).
pub(crate) fn status(name: &str) -> Status {
    let name = name.to_ascii_lowercase();
    if SERVED_NAMES.contains(name.as_str()) {
        Status::Served
    } else if TRINO.contains_key(name.as_str()) || SPECIAL_FORMS.contains(&name.as_str()) {
        Status::NotServed
    } else {
        Status::Unknown
    }
}

/// Whether Trino's function `name` (lowercase) is an aggregate function.
pub(crate) fn is_aggregate(name: &str) -> bool {
    TRINO
        .get(name)
        .is_some_and(|signatures| signatures.iter().any(|s| s.function_type == "aggregate"))
}

/// Trino's `SHOW FUNCTIONS` rows of the functions the emulator serves, in Trino's order
/// (special forms have none, as in Trino).
pub(crate) fn served_signatures() -> Vec<TrinoFunction> {
    TRINO
        .iter()
        .filter(|(name, _)| SERVED_NAMES.contains(*name))
        .flat_map(|(_, signatures)| signatures.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_function_is_trinos() {
        let mut seen = HashSet::new();
        for (family, names) in SERVED {
            for name in *names {
                assert!(
                    TRINO.contains_key(name) || SPECIAL_FORMS.contains(name),
                    "{family}: {name} is not a Trino function"
                );
                assert!(seen.insert(*name), "{name} is served twice");
            }
        }
    }

    #[test]
    fn trinos_list_is_read_whole() {
        // 720 signatures of 312 functions in Trino 476 with these plugins.
        assert_eq!(TRINO.len(), 312);
        assert_eq!(TRINO.values().map(Vec::len).sum::<usize>(), 720);
        assert_eq!(TRINO["abs"][0].description, "Absolute value");
    }

    #[test]
    fn names_are_served_refused_or_unknown() {
        assert_eq!(status("ABS"), Status::Served);
        assert_eq!(status("bar"), Status::NotServed);
        assert_eq!(status("format"), Status::NotServed);
        assert_eq!(status("array_has"), Status::Unknown);
        assert_eq!(status("to_char"), Status::Unknown);
    }
}
