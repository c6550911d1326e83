//! A Trino scalar function as a DataFusion UDF, row by row: its signatures in Trino's
//! parameter types, argument checking that fails as Trino's analyzer fails
//! (`FUNCTION_NOT_FOUND` for parameters no signature takes, `AMBIGUOUS_FUNCTION_CALL`
//! for a bare NULL that fits signatures of different results), Trino's implicit
//! coercions only (an integer is a bigint, never a varchar), and NULL in, NULL out unless
//! the function says otherwise.
//!
//! The UDFs are registered under `athena_<name>` (hidden from SHOW FUNCTIONS) and the
//! query rewrite renames Trino's calls to them, so that DataFusion's functions of the same
//! name stay as they are for the emulator's own rewrites (`rpad` of a `char(n)` cast).

use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanBuilder, Float32Builder, Float64Builder,
    Int32Builder, Int64Builder, ListBuilder, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Float32Type, Float64Type, Int64Type};
use datafusion::common::{Result, ScalarValue};
use datafusion::error::DataFusionError;
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

/// A parameter type of a Trino signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum P {
    /// `varchar` (also `varchar(n)`).
    Varchar,
    /// `varbinary`.
    Varbinary,
    /// `bigint`: tinyint, smallint, integer and bigint arguments.
    Bigint,
    /// `double`: any number.
    Double,
    /// `real`: integers and reals.
    Real,
    /// `array(varchar)`.
    ArrayVarchar,
    /// `boolean`.
    Boolean,
}

/// The result type of a Trino signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum R {
    Varchar,
    Varbinary,
    Bigint,
    Integer,
    Boolean,
    Double,
    Real,
    ArrayVarchar,
}

/// One signature: its parameters (the last one repeated when `variadic`), its result.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Sig {
    pub(crate) params: &'static [P],
    pub(crate) variadic: bool,
    pub(crate) ret: R,
}

/// A signature of fixed arity.
pub(crate) const fn sig(params: &'static [P], ret: R) -> Sig {
    Sig {
        params,
        variadic: false,
        ret,
    }
}

/// A signature whose last parameter repeats (at least `params.len()` arguments).
pub(crate) const fn variadic(params: &'static [P], ret: R) -> Sig {
    Sig {
        params,
        variadic: true,
        ret,
    }
}

/// One argument of one row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V<'a> {
    Null,
    Str(&'a str),
    Bytes(&'a [u8]),
    Int(i64),
    F64(f64),
    F32(f32),
    Bool(bool),
    StrList(Vec<Option<String>>),
}

impl<'a> V<'a> {
    /// The string, or `""` for another kind (the signature decides the kind).
    pub(crate) fn str(&self) -> &'a str {
        match self {
            V::Str(s) => s,
            _ => "",
        }
    }

    /// The bytes of a varbinary (or of a varchar).
    pub(crate) fn bytes(&self) -> &'a [u8] {
        match self {
            V::Bytes(b) => b,
            V::Str(s) => s.as_bytes(),
            _ => &[],
        }
    }

    /// The integer, or 0 for another kind.
    pub(crate) fn int(&self) -> i64 {
        match self {
            V::Int(i) => *i,
            _ => 0,
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, V::Null)
    }
}

/// The value of one row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum O {
    Null,
    Str(String),
    Bytes(Vec<u8>),
    Int(i64),
    Bool(bool),
    F64(f64),
    F32(f32),
    StrList(Vec<Option<String>>),
}

/// What a row's arguments give: its value, or the whole error message, starting with
/// Trino's error name (`INVALID_FUNCTION_ARGUMENT: ...`).
pub(crate) type Fun = fn(&[V<'_>]) -> std::result::Result<O, String>;

/// `INVALID_FUNCTION_ARGUMENT: <message>`.
pub(crate) fn invalid(message: impl std::fmt::Display) -> String {
    format!("INVALID_FUNCTION_ARGUMENT: {message}")
}

/// A Trino function as a UDF.
#[derive(Debug)]
pub(crate) struct TrinoFn {
    /// The UDF's name, `athena_<trino name>`.
    udf_name: String,
    /// Trino's name, for messages.
    name: &'static str,
    sigs: Vec<Sig>,
    /// Whether `f` sees NULL arguments; otherwise any NULL argument gives NULL.
    sees_nulls: bool,
    /// At least this many arguments, or Trino's message of the failure.
    min_args: Option<(usize, &'static str)>,
    /// Whether a bare NULL that fits several signatures is ambiguous (Trino's analyzer
    /// finds no most specific one for `substr(NULL, 1)`, but does for `length(NULL)`).
    null_ambiguous: bool,
    /// Whether an array argument is let through to planning: Trino overloads the name for
    /// arrays (`reverse(ARRAY[...])`), and the emulator's array version replaces the call
    /// once the types are known (`collections::planner::ArrayOverloads`).
    array_overload: bool,
    signature: Signature,
    f: Fun,
}

impl PartialEq for TrinoFn {
    fn eq(&self, other: &Self) -> bool {
        self.udf_name == other.udf_name
    }
}

impl Eq for TrinoFn {}

impl std::hash::Hash for TrinoFn {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.udf_name.hash(state);
    }
}

impl TrinoFn {
    /// The function `name` with these signatures, registered as `athena_<name>`.
    pub(crate) fn new(name: &'static str, sigs: Vec<Sig>, f: Fun) -> TrinoFn {
        TrinoFn {
            udf_name: format!("athena_{name}"),
            name,
            sigs,
            sees_nulls: false,
            min_args: None,
            null_ambiguous: false,
            array_overload: false,
            signature: Signature::user_defined(Volatility::Immutable),
            f,
        }
    }

    /// Trino has an array function of the same name: a call with an array argument plans
    /// (typed as that array) and is replaced by the array function before it runs.
    pub(crate) fn array_overload(mut self) -> TrinoFn {
        self.array_overload = true;
        self
    }

    /// The array type of the first array argument, when arrays are let through.
    fn overloaded_array<'t>(&self, types: &'t [DataType]) -> Option<&'t DataType> {
        self.array_overload
            .then(|| {
                types
                    .iter()
                    .find(|t| matches!(t, DataType::List(_) | DataType::LargeList(_)))
            })
            .flatten()
    }

    /// `f` is called with NULL arguments too (`concat_ws` skips them).
    pub(crate) fn sees_nulls(mut self) -> TrinoFn {
        self.sees_nulls = true;
        self
    }

    /// Fewer than `n` arguments fail with INVALID_FUNCTION_ARGUMENT `message`.
    pub(crate) fn min_args(mut self, n: usize, message: &'static str) -> TrinoFn {
        self.min_args = Some((n, message));
        self
    }

    /// A bare NULL fitting several signatures fails with AMBIGUOUS_FUNCTION_CALL.
    pub(crate) fn null_ambiguous(mut self) -> TrinoFn {
        self.null_ambiguous = true;
        self
    }

    /// The signature the arguments take, with their coerced types.
    fn resolve(&self, types: &[DataType]) -> std::result::Result<(&Sig, Vec<DataType>), String> {
        if let Some((n, message)) = self.min_args
            && types.len() < n
        {
            return Err(invalid(message));
        }
        let mut fits: Vec<(&Sig, Vec<DataType>)> = Vec::new();
        for sig in &self.sigs {
            let arity_ok = if sig.variadic {
                types.len() >= sig.params.len()
            } else {
                types.len() == sig.params.len()
            };
            if !arity_ok {
                continue;
            }
            let coerced: Option<Vec<DataType>> = types
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let p = sig.params[i.min(sig.params.len() - 1)];
                    accept(p, t)
                })
                .collect();
            if let Some(coerced) = coerced {
                fits.push((sig, coerced));
            }
        }
        match fits.len() {
            0 => Err(format!(
                "FUNCTION_NOT_FOUND: Unexpected parameters ({}) for function {}. Expected: {}",
                types.iter().map(trino_name).collect::<Vec<_>>().join(", "),
                self.name,
                self.expected()
            )),
            1 => Ok(fits.remove(0)),
            _ if !self.null_ambiguous => Ok(fits.remove(0)),
            _ => Err(
                "AMBIGUOUS_FUNCTION_CALL: Could not choose a best candidate operator. Explicit \
                 type casts must be added."
                    .to_owned(),
            ),
        }
    }

    fn expected(&self) -> String {
        self.sigs
            .iter()
            .map(|s| {
                let mut params: Vec<&str> = s.params.iter().map(|p| param_name(*p)).collect();
                if s.variadic {
                    params.push("...");
                }
                format!("{}({})", self.name, params.join(", "))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn param_name(p: P) -> &'static str {
    match p {
        P::Varchar => "varchar",
        P::Varbinary => "varbinary",
        P::Bigint => "bigint",
        P::Double => "double",
        P::Real => "real",
        P::ArrayVarchar => "array(varchar)",
        P::Boolean => "boolean",
    }
}

/// Trino's name of an argument's type, for messages.
pub(crate) fn trino_name(t: &DataType) -> String {
    match t {
        DataType::Null => "unknown".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Int8 => "tinyint".into(),
        DataType::Int16 => "smallint".into(),
        DataType::Int32 => "integer".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Float32 => "real".into(),
        DataType::Float64 => "double".into(),
        DataType::Decimal128(p, s) | DataType::Decimal256(p, s) => format!("decimal({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "varchar".into(),
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => "varbinary".into(),
        DataType::Date32 | DataType::Date64 => "date".into(),
        DataType::Timestamp(_, None) => "timestamp".into(),
        DataType::Timestamp(_, Some(_)) => "timestamp with time zone".into(),
        DataType::List(f) | DataType::LargeList(f) => {
            format!("array({})", trino_name(f.data_type()))
        }
        DataType::Map(..) => "map".into(),
        DataType::Struct(_) => "row".into(),
        other => other.to_string().to_ascii_lowercase(),
    }
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_integer(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
    )
}

/// The type an argument of type `t` is coerced to for a parameter `p`, or `None` when
/// Trino has no implicit coercion (a bare NULL fits any parameter).
fn accept(p: P, t: &DataType) -> Option<DataType> {
    let ok = match p {
        P::Varchar => is_string(t),
        P::Varbinary => matches!(
            t,
            DataType::Binary | DataType::LargeBinary | DataType::BinaryView
        ),
        P::Bigint => is_integer(t),
        P::Double => {
            is_integer(t)
                || matches!(
                    t,
                    DataType::Float32
                        | DataType::Float64
                        | DataType::Decimal128(..)
                        | DataType::Decimal256(..)
                )
        }
        P::Real => is_integer(t) || matches!(t, DataType::Float32),
        P::ArrayVarchar => {
            matches!(t, DataType::List(f) | DataType::LargeList(f) if is_string(f.data_type()) || f.data_type() == &DataType::Null)
        }
        P::Boolean => t == &DataType::Boolean,
    };
    (ok || t == &DataType::Null).then(|| param_type(p))
}

fn param_type(p: P) -> DataType {
    match p {
        P::Varchar => DataType::Utf8,
        P::Varbinary => DataType::Binary,
        P::Bigint => DataType::Int64,
        P::Double => DataType::Float64,
        P::Real => DataType::Float32,
        P::ArrayVarchar => DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
        P::Boolean => DataType::Boolean,
    }
}

/// The Arrow type of a result.
pub(crate) fn result_type(r: R) -> DataType {
    match r {
        R::Varchar => DataType::Utf8,
        R::Varbinary => DataType::Binary,
        R::Bigint => DataType::Int64,
        R::Integer => DataType::Int32,
        R::Boolean => DataType::Boolean,
        R::Double => DataType::Float64,
        R::Real => DataType::Float32,
        R::ArrayVarchar => DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true))),
    }
}

/// The error of a failed check or call, kept whole (it starts with Trino's error name).
fn error(message: String) -> DataFusionError {
    if message.starts_with("FUNCTION_NOT_FOUND") || message.starts_with("AMBIGUOUS") {
        DataFusionError::Plan(message)
    } else {
        DataFusionError::Execution(message)
    }
}

impl ScalarUDFImpl for TrinoFn {
    fn name(&self) -> &str {
        &self.udf_name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        if self.overloaded_array(arg_types).is_some() {
            return Ok(arg_types.to_vec());
        }
        // Arguments no signature takes stay as they are: `return_type` reports them (an
        // error here would reach the user wrapped in DataFusion's words).
        Ok(self
            .resolve(arg_types)
            .map_or_else(|_| arg_types.to_vec(), |(_, coerced)| coerced))
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        if let Some(array) = self.overloaded_array(arg_types) {
            return Ok(array.clone());
        }
        match self.resolve(arg_types) {
            Ok((sig, _)) => Ok(result_type(sig.ret)),
            Err(message) => Err(error(message)),
        }
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let types: Vec<DataType> = args.args.iter().map(ColumnarValue::data_type).collect();
        if self.overloaded_array(&types).is_some() {
            return Err(DataFusionError::Internal(format!(
                "{} of an array was not replaced by the array function",
                self.udf_name
            )));
        }
        let (sig, _) = self.resolve(&types).map_err(error)?;
        let ret = sig.ret;
        let scalar = args
            .args
            .iter()
            .all(|a| matches!(a, ColumnarValue::Scalar(_)));
        let rows = if scalar { 1 } else { args.number_rows };
        let arrays: Vec<ArrayRef> = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<_>>()?;
        let mut out = Builder::new(ret, rows);
        let mut row: Vec<V<'_>> = Vec::with_capacity(arrays.len());
        for i in 0..rows {
            row.clear();
            for a in &arrays {
                row.push(value(a.as_ref(), i));
            }
            let o = if !self.sees_nulls && row.iter().any(V::is_null) {
                O::Null
            } else {
                (self.f)(&row).map_err(error)?
            };
            out.push(o)?;
        }
        let out = out.finish();
        if scalar {
            Ok(ColumnarValue::Scalar(ScalarValue::try_from_array(&out, 0)?))
        } else {
            Ok(ColumnarValue::Array(out))
        }
    }
}

/// The value at row `i` of a coerced argument.
fn value(a: &dyn Array, i: usize) -> V<'_> {
    if a.is_null(i) {
        return V::Null;
    }
    match a.data_type() {
        DataType::Utf8 => V::Str(a.as_string::<i32>().value(i)),
        DataType::Binary => V::Bytes(a.as_binary::<i32>().value(i)),
        DataType::Int64 => V::Int(a.as_primitive::<Int64Type>().value(i)),
        DataType::Float64 => V::F64(a.as_primitive::<Float64Type>().value(i)),
        DataType::Float32 => V::F32(a.as_primitive::<Float32Type>().value(i)),
        DataType::Boolean => V::Bool(a.as_boolean().value(i)),
        DataType::List(_) => {
            let list = a.as_list::<i32>().value(i);
            let strings = list.as_string_opt::<i32>();
            V::StrList(
                (0..list.len())
                    .map(|j| {
                        strings
                            .filter(|s| s.is_valid(j))
                            .map(|s| s.value(j).to_owned())
                    })
                    .collect(),
            )
        }
        _ => V::Null,
    }
}

/// The builder of a result column.
enum Builder {
    Str(StringBuilder),
    Bytes(BinaryBuilder),
    Int(Int64Builder),
    Int32(Int32Builder),
    Bool(BooleanBuilder),
    F64(Float64Builder),
    F32(Float32Builder),
    List(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(r: R, rows: usize) -> Builder {
        match r {
            R::Varchar => Builder::Str(StringBuilder::with_capacity(rows, 0)),
            R::Varbinary => Builder::Bytes(BinaryBuilder::with_capacity(rows, 0)),
            R::Bigint => Builder::Int(Int64Builder::with_capacity(rows)),
            R::Integer => Builder::Int32(Int32Builder::with_capacity(rows)),
            R::Boolean => Builder::Bool(BooleanBuilder::with_capacity(rows)),
            R::Double => Builder::F64(Float64Builder::with_capacity(rows)),
            R::Real => Builder::F32(Float32Builder::with_capacity(rows)),
            R::ArrayVarchar => Builder::List(ListBuilder::new(StringBuilder::new())),
        }
    }

    fn push(&mut self, o: O) -> Result<()> {
        match (self, o) {
            (Builder::Str(b), O::Null) => b.append_null(),
            (Builder::Str(b), O::Str(s)) => b.append_value(s),
            (Builder::Bytes(b), O::Null) => b.append_null(),
            (Builder::Bytes(b), O::Bytes(v)) => b.append_value(v),
            (Builder::Int(b), O::Null) => b.append_null(),
            (Builder::Int(b), O::Int(v)) => b.append_value(v),
            (Builder::Int32(b), O::Null) => b.append_null(),
            (Builder::Int32(b), O::Int(v)) => b.append_value(i32::try_from(v).map_err(|_| {
                DataFusionError::Execution(format!("NUMERIC_VALUE_OUT_OF_RANGE: {v}"))
            })?),
            (Builder::Bool(b), O::Null) => b.append_null(),
            (Builder::Bool(b), O::Bool(v)) => b.append_value(v),
            (Builder::F64(b), O::Null) => b.append_null(),
            (Builder::F64(b), O::F64(v)) => b.append_value(v),
            (Builder::F32(b), O::Null) => b.append_null(),
            (Builder::F32(b), O::F32(v)) => b.append_value(v),
            (Builder::List(b), O::Null) => b.append_null(),
            (Builder::List(b), O::StrList(items)) => {
                for item in items {
                    b.values().append_option(item);
                }
                b.append(true);
            }
            (_, o) => {
                return Err(DataFusionError::Internal(format!(
                    "a Trino function's value {o:?} does not fit its result type"
                )));
            }
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            Builder::Str(mut b) => Arc::new(b.finish()),
            Builder::Bytes(mut b) => Arc::new(b.finish()),
            Builder::Int(mut b) => Arc::new(b.finish()),
            Builder::Int32(mut b) => Arc::new(b.finish()),
            Builder::Bool(mut b) => Arc::new(b.finish()),
            Builder::F64(mut b) => Arc::new(b.finish()),
            Builder::F32(mut b) => Arc::new(b.finish()),
            Builder::List(mut b) => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn echo(args: &[V<'_>]) -> std::result::Result<O, String> {
        Ok(O::Str(args[0].str().to_owned()))
    }

    #[test]
    fn arguments_are_checked_as_trino_checks_them() {
        let f = TrinoFn::new(
            "f",
            vec![
                sig(&[P::Varchar], R::Varchar),
                sig(&[P::Varbinary], R::Varbinary),
            ],
            echo,
        )
        .null_ambiguous();
        assert_eq!(
            f.resolve(&[DataType::Utf8View]).unwrap().1,
            vec![DataType::Utf8]
        );
        let err = f.resolve(&[DataType::Int32]).unwrap_err();
        assert!(
            err.starts_with("FUNCTION_NOT_FOUND: Unexpected parameters (integer)"),
            "{err}"
        );
        let err = f.resolve(&[DataType::Null]).unwrap_err();
        assert!(err.starts_with("AMBIGUOUS_FUNCTION_CALL"), "{err}");
        let g = TrinoFn::new("g", vec![variadic(&[P::Bigint], R::Bigint)], echo)
            .min_args(2, "two or more");
        assert_eq!(
            g.resolve(&[DataType::Int8]).unwrap_err(),
            invalid("two or more")
        );
        assert_eq!(
            g.resolve(&[DataType::Int8, DataType::Null, DataType::Int32])
                .unwrap()
                .1,
            vec![DataType::Int64; 3]
        );
    }
}
