//! The casts as scalar functions in a plan: `CAST`/`TRY_CAST` with Trino's semantics, and
//! the renderings of bounded `VARCHAR(n)`, `CHAR(n)` and timestamps as text.

use super::*;

/// `CAST(x AS to)` / `TRY_CAST(x AS to)` with Trino's semantics, one instance per target
/// type (the plan holds it; it is never looked up by name).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct TrinoCast {
    to: DataType,
    try_cast: bool,
    /// The argument is JSON text.
    json: bool,
    signature: Signature,
}

impl TrinoCast {
    pub(crate) fn new(to: DataType, try_cast: bool, json: bool) -> TrinoCast {
        TrinoCast {
            to,
            try_cast,
            json,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TrinoCast {
    fn name(&self) -> &str {
        if self.try_cast {
            "athena_try_cast"
        } else {
            "athena_cast"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(self.to.clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        // A CAST fails rather than answer NULL: it is NULL only where its argument is, as
        // the cast it replaces (and the schemas planned above it) said. A TRY_CAST, or
        // JSON's null, may be NULL anywhere.
        let nullable =
            self.try_cast || self.json || args.arg_fields.first().is_none_or(|f| f.is_nullable());
        Ok(Arc::new(Field::new(self.name(), self.to.clone(), nullable)))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            if self.json {
                json_array(&arrays[0], &self.to, self.try_cast)
            } else {
                cast_array(&arrays[0], &self.to, self.try_cast)
            }
        })
    }
}

/// `athena_bounded_varchar(x, n)`: `CAST(x AS varchar(n))`. Text is cut to `n`
/// characters; any other value becomes its text (a number as `CAST(x AS varchar)` writes
/// it), which fails with `INVALID_CAST_ARGUMENT` when longer than `n`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct BoundedVarchar {
    /// `TRY_CAST`: a value too long is NULL.
    try_cast: bool,
    signature: Signature,
}

impl BoundedVarchar {
    pub(crate) fn new(try_cast: bool) -> BoundedVarchar {
        BoundedVarchar {
            try_cast,
            signature: Signature::any(2, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for BoundedVarchar {
    fn name(&self) -> &str {
        if self.try_cast {
            "athena_try_bounded_varchar"
        } else {
            "athena_bounded_varchar"
        }
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            let (x, n) = (&arrays[0], &arrays[1]);
            let n = datafusion::arrow::compute::cast(n, &DataType::Int64)?;
            let n = n.as_primitive::<Int64Type>();
            let mut out = StringBuilder::with_capacity(x.len(), 0);
            let mut buf = String::new();
            for i in 0..x.len() {
                if x.is_null(i) || n.is_null(i) {
                    out.append_null();
                    continue;
                }
                let limit = usize::try_from(n.value(i)).unwrap_or(0);
                if is_text(x.data_type()) || matches!(x.data_type(), DataType::Null) {
                    let text = match value(x, i)? {
                        Value::Text(t) => t,
                        _ => "",
                    };
                    let cut: String = text.chars().take(limit).collect();
                    out.append_value(cut);
                    continue;
                }
                buf.clear();
                match value(x, i) {
                    Ok(v) => buf.push_str(&to_text(v)),
                    Err(_) => crate::engine::render::write_value(&mut buf, x.as_ref(), i),
                }
                if buf.chars().count() > limit {
                    if self.try_cast {
                        out.append_null();
                        continue;
                    }
                    // Trino fails a boolean with an internal error of its own.
                    if x.data_type() == &DataType::Boolean {
                        return Err(user_error(
                            "GENERIC_INTERNAL_ERROR",
                            format!("Character count exceeds length limit {limit}"),
                        ));
                    }
                    return Err(invalid_cast(format!(
                        "Value {buf} cannot be represented as varchar({limit})"
                    )));
                }
                out.append_value(&buf);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}

/// `athena_char_text(x)`: the text a `CAST(x AS char(n))` pads, which only text has in
/// Trino (`CAST(1.5e0 AS char(5))` is `TYPE_MISMATCH: Cannot cast double to char(5)`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct CharText {
    signature: Signature,
}

impl CharText {
    pub(crate) fn new() -> CharText {
        CharText {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for CharText {
    fn name(&self) -> &str {
        "athena_char_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [t] if is_text(t) || *t == DataType::Null => Ok(vec![DataType::Utf8]),
            [t] => Err(user_error(
                "TYPE_MISMATCH",
                format!("Cannot cast {} to char", super::super::trino_type(t)),
            )),
            _ => plan_err!("athena_char_text takes one argument"),
        }
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        Ok(args
            .args
            .into_iter()
            .next()
            .unwrap_or(ColumnarValue::Scalar(
                datafusion::common::ScalarValue::Utf8(None),
            )))
    }
}

/// `CAST(x AS varchar)` of a `timestamp(p)` whose Arrow unit has more fraction digits
/// than `p` (a literal's precision is its digits: `TIMESTAMP '... 10:30:00.5'` is a
/// timestamp(1)): the text with `p` fraction digits.
#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct TimestampText {
    precision: usize,
    signature: Signature,
}

impl TimestampText {
    pub(crate) fn new(precision: usize) -> TimestampText {
        TimestampText {
            precision,
            signature: Signature::any(1, Volatility::Immutable),
        }
    }
}

impl ScalarUDFImpl for TimestampText {
    fn name(&self) -> &str {
        "athena_timestamp_text"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        on_arrays(&args.args, |arrays| {
            let x = &arrays[0];
            let mut out = StringBuilder::with_capacity(x.len(), 0);
            let mut buf = String::new();
            for i in 0..x.len() {
                if x.is_null(i) {
                    out.append_null();
                    continue;
                }
                buf.clear();
                crate::engine::render::write_value(&mut buf, x.as_ref(), i);
                // `2024-01-15 10:30:00.500` → `...00.5`: the fraction after the time.
                if let Some(colon) = buf.find(':')
                    && let Some(dot) = buf[colon..].find('.').map(|d| colon + d)
                {
                    let digits = buf[dot + 1..]
                        .bytes()
                        .take_while(u8::is_ascii_digit)
                        .count();
                    if digits > self.precision {
                        let from = if self.precision == 0 {
                            dot
                        } else {
                            dot + 1 + self.precision
                        };
                        buf.replace_range(from..dot + 1 + digits, "");
                    }
                }
                out.append_value(&buf);
            }
            Ok(Arc::new(out.finish()) as ArrayRef)
        })
    }
}
