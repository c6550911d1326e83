//! The largest and smallest values as Trino picks them (trino.io, "Aggregate functions"):
//!
//! - `min(x)`/`max(x)` over doubles and reals: a NaN loses to every number (DataFusion's
//!   total order makes it the largest), and of equal values the first one stays (`-0.0`
//!   and `0.0` are equal);
//! - `min(x, n)`/`max(x, n)`: the n smallest/largest values, in order, NaN last;
//! - `min_by(x, y)`/`max_by(x, y)`: the `x` of the smallest/largest `y` (rows with a NULL
//!   `y` are skipped), and with a third argument `n` the `x` of the n smallest/largest.

use std::cmp::Ordering;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Int64Type};
use datafusion::common::{Result, ScalarValue, exec_err, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};

/// Trino's limit on `n` (`max_n`, `max_by`).
const MAX_N: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    /// `min(x)` of doubles and reals.
    FloatMin,
    /// `max(x)` of doubles and reals.
    FloatMax,
    /// `min(x, n)`.
    MinN,
    /// `max(x, n)`.
    MaxN,
    /// `min_by(x, y[, n])`.
    MinBy,
    /// `max_by(x, y[, n])`.
    MaxBy,
}

impl Kind {
    fn largest(self) -> bool {
        matches!(self, Kind::FloatMax | Kind::MaxN | Kind::MaxBy)
    }
}

/// The UDAFs: `athena_float_min`, `athena_float_max` (the plan rules put them in place of
/// `min`/`max` of floats), `athena_min_n`, `athena_max_n`, `athena_min_by`,
/// `athena_max_by` (the query rewrite calls them).
pub(crate) fn udafs() -> Vec<AggregateUDF> {
    [
        ("athena_float_min", Kind::FloatMin),
        ("athena_float_max", Kind::FloatMax),
        ("athena_min_n", Kind::MinN),
        ("athena_max_n", Kind::MaxN),
        ("athena_min_by", Kind::MinBy),
        ("athena_max_by", Kind::MaxBy),
    ]
    .into_iter()
    .map(|(name, kind)| {
        AggregateUDF::new_from_impl(Extreme {
            name,
            kind,
            signature: Signature::user_defined(Volatility::Immutable),
        })
    })
    .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Extreme {
    name: &'static str,
    kind: Kind,
    signature: Signature,
}

fn list_of(t: &DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(t.clone(), true)))
}

impl AggregateUDFImpl for Extreme {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let ok = match (self.kind, arg_types) {
            (Kind::FloatMin | Kind::FloatMax, [t]) => t.is_floating(),
            (Kind::MinN | Kind::MaxN, [_, n]) => n.is_integer() || n.is_null(),
            (Kind::MinBy | Kind::MaxBy, [_, _]) => true,
            (Kind::MinBy | Kind::MaxBy, [_, _, n]) => n.is_integer() || n.is_null(),
            _ => false,
        };
        if !ok {
            return plan_err!(
                "No function matches the given name and argument types '{}({})'",
                self.name,
                arg_types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let mut types = arg_types.to_vec();
        if matches!(self.kind, Kind::MinN | Kind::MaxN) || types.len() == 3 {
            *types.last_mut().expect("an argument") = DataType::Int64;
        }
        Ok(types)
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match (self.kind, arg_types) {
            (Kind::MinN | Kind::MaxN, [t, _]) | (Kind::MinBy | Kind::MaxBy, [t, _, _]) => {
                list_of(t)
            }
            (_, [t, ..]) => t.clone(),
            _ => return plan_err!("{} needs arguments", self.name),
        })
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if let Some(fields) = super::distinct_state_fields(&args) {
            return Ok(fields);
        }
        let types: Vec<&DataType> = args.input_fields.iter().map(|f| f.data_type()).collect();
        let fields = match (self.kind, types.as_slice()) {
            (Kind::FloatMin | Kind::FloatMax, [t]) => vec![
                Field::new(format_state_name(args.name, "value"), (*t).clone(), true),
                Field::new(format_state_name(args.name, "nan"), DataType::Boolean, true),
            ],
            (Kind::MinN | Kind::MaxN, [t, _]) => vec![
                Field::new(format_state_name(args.name, "values"), list_of(t), true),
                Field::new(format_state_name(args.name, "n"), DataType::Int64, true),
            ],
            (Kind::MinBy | Kind::MaxBy, [v, k]) => vec![
                Field::new(format_state_name(args.name, "value"), (*v).clone(), true),
                Field::new(format_state_name(args.name, "key"), (*k).clone(), true),
            ],
            (Kind::MinBy | Kind::MaxBy, [v, k, _]) => vec![
                Field::new(format_state_name(args.name, "values"), list_of(v), true),
                Field::new(format_state_name(args.name, "keys"), list_of(k), true),
                Field::new(format_state_name(args.name, "n"), DataType::Int64, true),
            ],
            _ => return plan_err!("{}: unexpected arguments", self.name),
        };
        Ok(fields.into_iter().map(Arc::new).collect())
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner: Box<dyn Accumulator> = {
            let types: Vec<DataType> = acc_args
                .expr_fields
                .iter()
                .map(|f| f.data_type().clone())
                .collect();
            match self.kind {
                Kind::FloatMin | Kind::FloatMax => Box::new(FloatExtreme {
                    largest: self.kind.largest(),
                    data_type: types[0].clone(),
                    best: None,
                    nan: false,
                }),
                _ => Box::new(Ranked {
                    kind: self.kind,
                    with_n: types.len() == 3 || matches!(self.kind, Kind::MinN | Kind::MaxN),
                    value_type: types[0].clone(),
                    key_type: types.get(1).cloned().unwrap_or(DataType::Null),
                    n: None,
                    entries: Vec::new(),
                }),
            }
        };
        Ok(super::maybe_distinct(&acc_args, inner))
    }

    fn create_sliding_accumulator(
        &self,
        acc_args: AccumulatorArgs<'_>,
    ) -> Result<Box<dyn Accumulator>> {
        super::SlidingRecompute::for_udaf(self.name(), &acc_args)
    }
}

/// The value of a float ScalarValue.
fn float(v: &ScalarValue) -> Option<f64> {
    match v {
        ScalarValue::Float64(Some(f)) => Some(*f),
        ScalarValue::Float32(Some(f)) => Some(f64::from(*f)),
        ScalarValue::Float16(Some(f)) => Some(f64::from(*f)),
        _ => None,
    }
}

/// `min`/`max` of floats.
#[derive(Debug)]
struct FloatExtreme {
    largest: bool,
    data_type: DataType,
    /// The best number so far (never NaN).
    best: Option<ScalarValue>,
    /// Whether a NaN was seen: the result when there is no number.
    nan: bool,
}

impl FloatExtreme {
    fn offer(&mut self, value: ScalarValue) {
        let Some(f) = float(&value) else {
            return;
        };
        if f.is_nan() {
            self.nan = true;
            return;
        }
        let better = match self.best.as_ref().and_then(float) {
            None => true,
            Some(b) if self.largest => f > b,
            Some(b) => f < b,
        };
        if better {
            self.best = Some(value);
        }
    }
}

impl Accumulator for FloatExtreme {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for i in 0..values[0].len() {
            if values[0].is_valid(i) {
                self.offer(ScalarValue::try_from_array(&values[0], i)?);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        match (&self.best, self.nan) {
            (Some(best), _) => Ok(best.clone()),
            (None, true) => ScalarValue::try_from_string("NaN".to_owned(), &self.data_type),
            (None, false) => ScalarValue::try_from(&self.data_type),
        }
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let best = match &self.best {
            Some(b) => b.clone(),
            None => ScalarValue::try_from(&self.data_type)?,
        };
        Ok(vec![best, ScalarValue::Boolean(Some(self.nan))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let nans = states[1].as_boolean();
        for i in 0..states[0].len() {
            if states[0].is_valid(i) {
                self.offer(ScalarValue::try_from_array(&states[0], i)?);
            }
            if nans.is_valid(i) && nans.value(i) {
                self.nan = true;
            }
        }
        Ok(())
    }
}

/// Trino's order of two values for `min(x, n)`/`max(x, n)` and the keys of
/// `min_by`/`max_by`: numbers as numbers, a NaN after every number whichever the
/// direction; other values by DataFusion's order of scalars.
fn compare(a: &ScalarValue, b: &ScalarValue, largest: bool) -> Ordering {
    let ordering = match (float(a), float(b)) {
        (Some(x), Some(y)) => match (x.is_nan(), y.is_nan()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        },
        _ => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    };
    // Best first: ascending for the smallest, descending for the largest.
    if largest {
        ordering.reverse()
    } else {
        ordering
    }
}

/// `min(x, n)`, `max(x, n)`, `min_by`, `max_by`: the best entries (key, value) so far,
/// best first; the key of `min(x, n)` is the value itself.
#[derive(Debug)]
struct Ranked {
    kind: Kind,
    with_n: bool,
    value_type: DataType,
    key_type: DataType,
    n: Option<usize>,
    entries: Vec<(ScalarValue, ScalarValue)>,
}

impl Ranked {
    fn by(&self) -> bool {
        matches!(self.kind, Kind::MinBy | Kind::MaxBy)
    }

    fn capacity(&self) -> usize {
        if self.with_n { self.n.unwrap_or(0) } else { 1 }
    }

    /// Reads and checks `n` (Trino's messages).
    fn set_n(&mut self, n: i64) -> Result<()> {
        if self.n.is_some() {
            return Ok(());
        }
        let name = match self.kind {
            Kind::MinN => "min_n",
            Kind::MaxN => "max_n",
            Kind::MinBy => "min_by",
            _ => "max_by",
        };
        let which = if self.by() { "third" } else { "second" };
        if n <= 0 {
            return if self.by() {
                exec_err!(
                    "INVALID_FUNCTION_ARGUMENT: {which} argument of {name} must be a positive integer"
                )
            } else {
                exec_err!("INVALID_FUNCTION_ARGUMENT: {which} argument of {name} must be positive")
            };
        }
        if n > MAX_N {
            return exec_err!(
                "INVALID_FUNCTION_ARGUMENT: {which} argument of {name} must be less than or equal to {MAX_N}; found {n}"
            );
        }
        self.n = Some(n as usize);
        Ok(())
    }

    /// Offers one entry; keeps the first of equal keys.
    fn offer(&mut self, key: ScalarValue, value: ScalarValue) -> Result<()> {
        if self.with_n && self.by() && value.is_null() {
            // Trino 476 returns other rows' values in place of a NULL value here (its
            // heap of keys and values gets out of step), which cannot be reproduced.
            return exec_err!(
                "NOT_SUPPORTED: {} with a count over NULL values is not supported by athena-emulator",
                if self.kind == Kind::MaxBy {
                    "max_by"
                } else {
                    "min_by"
                }
            );
        }
        let largest = self.kind.largest();
        let at = self
            .entries
            .partition_point(|(k, _)| compare(k, &key, largest) != Ordering::Greater);
        if at < self.capacity() {
            self.entries.insert(at, (key, value));
            self.entries.truncate(self.capacity());
        }
        Ok(())
    }

    fn list(values: Vec<ScalarValue>, t: &DataType) -> ScalarValue {
        ScalarValue::List(ScalarValue::new_list_nullable(&values, t))
    }

    /// The elements of row `row` of a list array.
    fn elements(array: &ArrayRef, row: usize) -> Result<Vec<ScalarValue>> {
        let lists = array.as_list::<i32>();
        if lists.is_null(row) {
            return Ok(Vec::new());
        }
        let values = lists.value(row);
        (0..values.len())
            .map(|i| ScalarValue::try_from_array(&values, i))
            .collect()
    }
}

impl Accumulator for Ranked {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let rows = values[0].len();
        if self.with_n {
            let ns = values.last().expect("n").as_primitive::<Int64Type>();
            if let Some(n) = (0..rows).find(|&i| ns.is_valid(i)).map(|i| ns.value(i)) {
                self.set_n(n)?;
            }
        }
        for i in 0..rows {
            let (key_array, value_array) = if self.by() {
                (&values[1], &values[0])
            } else {
                (&values[0], &values[0])
            };
            if key_array.is_null(i) {
                continue;
            }
            let key = ScalarValue::try_from_array(key_array, i)?;
            let value = ScalarValue::try_from_array(value_array, i)?;
            self.offer(key, value)?;
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        if self.entries.is_empty() {
            let t = if self.with_n {
                list_of(&self.value_type)
            } else {
                self.value_type.clone()
            };
            return ScalarValue::try_from(&t);
        }
        let values: Vec<ScalarValue> = self.entries.iter().map(|(_, v)| v.clone()).collect();
        Ok(if self.with_n {
            Self::list(values, &self.value_type)
        } else {
            values[0].clone()
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .entries
                .iter()
                .map(|(k, v)| k.size() + v.size())
                .sum::<usize>()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let keys: Vec<ScalarValue> = self.entries.iter().map(|(k, _)| k.clone()).collect();
        let values: Vec<ScalarValue> = self.entries.iter().map(|(_, v)| v.clone()).collect();
        let n = ScalarValue::Int64(self.n.map(|n| n as i64));
        Ok(match (self.kind, self.with_n) {
            (Kind::MinN | Kind::MaxN, _) => vec![Self::list(values, &self.value_type), n],
            (_, false) => match self.entries.first() {
                Some((k, v)) => vec![v.clone(), k.clone()],
                None => vec![
                    ScalarValue::try_from(&self.value_type)?,
                    ScalarValue::try_from(&self.key_type)?,
                ],
            },
            (_, true) => vec![
                Self::list(values, &self.value_type),
                Self::list(keys, &self.key_type),
                n,
            ],
        })
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        for row in 0..states[0].len() {
            match (self.kind, self.with_n) {
                (Kind::MinN | Kind::MaxN, _) => {
                    let ns = states[1].as_primitive::<Int64Type>();
                    if ns.is_valid(row) {
                        self.set_n(ns.value(row))?;
                    }
                    for v in Self::elements(&states[0], row)? {
                        self.offer(v.clone(), v)?;
                    }
                }
                (_, false) => {
                    if states[1].is_valid(row) {
                        let key = ScalarValue::try_from_array(&states[1], row)?;
                        let value = ScalarValue::try_from_array(&states[0], row)?;
                        self.offer(key, value)?;
                    }
                }
                (_, true) => {
                    let ns = states[2].as_primitive::<Int64Type>();
                    if ns.is_valid(row) {
                        self.set_n(ns.value(row))?;
                    }
                    let values = Self::elements(&states[0], row)?;
                    let keys = Self::elements(&states[1], row)?;
                    for (k, v) in keys.into_iter().zip(values) {
                        self.offer(k, v)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(kind: Kind, n: usize) -> Ranked {
        Ranked {
            kind,
            with_n: true,
            value_type: DataType::Float64,
            key_type: DataType::Float64,
            n: Some(n),
            entries: Vec::new(),
        }
    }

    #[test]
    fn nan_comes_after_every_number_in_both_directions() {
        // Trino 476: max(x, 3) and min(x, 3) over 1, NaN, 3 are [3, 1, NaN] and [1, 3, NaN].
        for (kind, want) in [(Kind::MaxN, [3.0, 1.0]), (Kind::MinN, [1.0, 3.0])] {
            let mut r = ranked(kind, 3);
            for v in [1.0, f64::NAN, 3.0] {
                let v = ScalarValue::Float64(Some(v));
                r.offer(v.clone(), v).unwrap();
            }
            let got: Vec<f64> = r.entries.iter().map(|(_, v)| float(v).unwrap()).collect();
            assert_eq!(&got[..2], &want);
            assert!(got[2].is_nan());
        }
    }

    #[test]
    fn float_max_skips_nan_and_keeps_the_first_of_equals() {
        let mut m = FloatExtreme {
            largest: true,
            data_type: DataType::Float64,
            best: None,
            nan: false,
        };
        for v in [-0.0, f64::NAN, 0.0] {
            m.offer(ScalarValue::Float64(Some(v)));
        }
        let best = float(&m.evaluate().unwrap()).unwrap();
        assert!(best == 0.0 && best.is_sign_negative());
        let mut only_nan = FloatExtreme {
            largest: false,
            data_type: DataType::Float64,
            best: None,
            nan: false,
        };
        only_nan.offer(ScalarValue::Float64(Some(f64::NAN)));
        assert!(float(&only_nan.evaluate().unwrap()).unwrap().is_nan());
    }

    #[test]
    fn n_is_checked_as_trino_checks_it() {
        let mut r = ranked(Kind::MaxBy, 1);
        r.n = None;
        let err = r.set_n(0).unwrap_err().to_string();
        assert!(
            err.contains("third argument of max_by must be a positive integer"),
            "{err}"
        );
        let err = r.set_n(10_001).unwrap_err().to_string();
        assert!(
            err.contains("less than or equal to 10000; found 10001"),
            "{err}"
        );
    }
}
