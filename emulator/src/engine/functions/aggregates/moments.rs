//! Trino's statistical aggregates, computed as Trino computes them so that the doubles
//! agree to the last bit (trino.io, "Aggregate functions", statistical aggregate
//! functions; Trino's `VarianceState`, `CentralMomentsState`, `CovarianceState`,
//! `CorrelationState` and `RegressionState`): Welford's running updates, the same
//! formulas to merge partial states, the same outputs (NULL for too few rows, and for a
//! correlation or regression that is not finite).
//!
//! Types as Trino resolves them: the univariate functions take doubles (integers are
//! converted) and return a double; the bivariate ones return a `real` unless an
//! argument is a double (Trino coerces integers and decimals to `real`, its nearest
//! type), computing in double either way.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type, UInt64Type};
use datafusion::common::{Result, ScalarValue, plan_err};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};

/// Which statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Statistic {
    VarSamp,
    VarPop,
    StddevSamp,
    StddevPop,
    Skewness,
    Kurtosis,
    CovarSamp,
    CovarPop,
    Corr,
    RegrSlope,
    RegrIntercept,
}

impl Statistic {
    /// The emulator's name of the UDAF (the query rewrite calls it).
    fn udaf_name(self) -> &'static str {
        match self {
            Statistic::VarSamp => "athena_var_samp",
            Statistic::VarPop => "athena_var_pop",
            Statistic::StddevSamp => "athena_stddev_samp",
            Statistic::StddevPop => "athena_stddev_pop",
            Statistic::Skewness => "athena_skewness",
            Statistic::Kurtosis => "athena_kurtosis",
            Statistic::CovarSamp => "athena_covar_samp",
            Statistic::CovarPop => "athena_covar_pop",
            Statistic::Corr => "athena_corr",
            Statistic::RegrSlope => "athena_regr_slope",
            Statistic::RegrIntercept => "athena_regr_intercept",
        }
    }

    fn bivariate(self) -> bool {
        matches!(
            self,
            Statistic::CovarSamp
                | Statistic::CovarPop
                | Statistic::Corr
                | Statistic::RegrSlope
                | Statistic::RegrIntercept
        )
    }

    fn moments(self) -> bool {
        matches!(self, Statistic::Skewness | Statistic::Kurtosis)
    }
}

/// The UDAFs of every statistic.
pub(crate) fn udafs() -> Vec<AggregateUDF> {
    use Statistic::*;
    [
        VarSamp,
        VarPop,
        StddevSamp,
        StddevPop,
        Skewness,
        Kurtosis,
        CovarSamp,
        CovarPop,
        Corr,
        RegrSlope,
        RegrIntercept,
    ]
    .into_iter()
    .map(|statistic| {
        AggregateUDF::new_from_impl(TrinoStatistic {
            statistic,
            signature: Signature::user_defined(Volatility::Immutable),
        })
    })
    .collect()
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct TrinoStatistic {
    statistic: Statistic,
    signature: Signature,
}

fn numeric(t: &DataType) -> bool {
    t.is_numeric() || t.is_null()
}

impl AggregateUDFImpl for TrinoStatistic {
    fn name(&self) -> &str {
        self.statistic.udaf_name()
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let arity = if self.statistic.bivariate() { 2 } else { 1 };
        if arg_types.len() != arity || !arg_types.iter().all(numeric) {
            return plan_err!(
                "No function matches the given name and argument types '{}({})'",
                self.name(),
                arg_types
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        // A bivariate statistic of reals (or integers, decimals) is a real in Trino.
        let real = self.statistic.bivariate() && !arg_types.contains(&DataType::Float64);
        let to = if real {
            DataType::Float32
        } else {
            DataType::Float64
        };
        Ok(vec![to; arity])
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(
            if self.statistic.bivariate() && arg_types.iter().all(|t| t == &DataType::Float32) {
                DataType::Float32
            } else {
                DataType::Float64
            },
        )
    }

    fn state_fields(&self, args: StateFieldsArgs<'_>) -> Result<Vec<FieldRef>> {
        if let Some(fields) = super::distinct_state_fields(&args) {
            return Ok(fields);
        }
        let names: &[&str] = if self.statistic.bivariate() {
            &["count", "mean_x", "mean_y", "c2", "m2_x", "m2_y"]
        } else if self.statistic.moments() {
            &["count", "m1", "m2", "m3", "m4"]
        } else {
            &["count", "mean", "m2"]
        };
        Ok(names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let t = if i == 0 {
                    DataType::UInt64
                } else {
                    DataType::Float64
                };
                Arc::new(Field::new(format_state_name(args.name, n), t, true))
            })
            .collect())
    }

    fn accumulator(&self, acc_args: AccumulatorArgs<'_>) -> Result<Box<dyn Accumulator>> {
        let inner: Box<dyn Accumulator> = {
            let real = acc_args.return_field.data_type() == &DataType::Float32;
            Box::new(StatisticAccumulator {
                statistic: self.statistic,
                real,
                state: State::default(),
            })
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

/// The union of Trino's states: `count`, `mean`/`m1` (or the means of x and y), and the
/// sums of powers of differences from the mean.
#[derive(Debug, Default, Clone, Copy)]
struct State {
    count: u64,
    mean_x: f64,
    mean_y: f64,
    /// m2 of x (univariate: m2), and for two variables the co-moment c2.
    m2: f64,
    m3: f64,
    m4: f64,
    c2: f64,
    m2_y: f64,
}

impl State {
    /// VarianceState.update.
    fn update_variance(&mut self, value: f64) {
        self.count += 1;
        let delta = value - self.mean_x;
        self.mean_x += delta / self.count as f64;
        self.m2 += delta * (value - self.mean_x);
    }

    /// VarianceState.merge.
    fn merge_variance(&mut self, count: u64, mean: f64, m2: f64) {
        if count == 0 {
            return;
        }
        let new_count = count + self.count;
        let new_mean =
            ((count as f64 * mean) + (self.count as f64 * self.mean_x)) / new_count as f64;
        let delta = mean - self.mean_x;
        self.m2 += m2 + delta * delta * count as f64 * self.count as f64 / new_count as f64;
        self.count = new_count;
        self.mean_x = new_mean;
    }

    /// CentralMomentsState.update.
    fn update_moments(&mut self, value: f64) {
        let n1 = self.count;
        let n = n1 + 1;
        let (m1, m2, m3) = (self.mean_x, self.m2, self.m3);
        let delta = value - m1;
        let delta_n = delta / n as f64;
        let delta_n2 = delta_n * delta_n;
        let dm2 = delta * delta_n * n1 as f64;
        self.count = n;
        self.mean_x = m1 + delta_n;
        self.m2 = m2 + dm2;
        self.m3 = m3 + dm2 * delta_n * (n as f64 - 2.0) - 3.0 * delta_n * m2;
        self.m4 += dm2 * delta_n2 * (n as f64 * n as f64 - 3.0 * n as f64 + 3.0)
            + 6.0 * delta_n2 * m2
            - 4.0 * delta_n * m3;
    }

    /// CentralMomentsState.merge.
    fn merge_moments(&mut self, other: &State) {
        let (na, nb) = (self.count as f64, other.count as f64);
        if other.count == 0 {
            return;
        }
        let (m1a, m2a, m3a) = (self.mean_x, self.m2, self.m3);
        let (m1b, m2b, m3b) = (other.mean_x, other.m2, other.m3);
        let n = na + nb;
        let delta = m1b - m1a;
        let delta2 = delta * delta;
        let delta3 = delta * delta2;
        let delta4 = delta2 * delta2;
        self.count += other.count;
        self.mean_x = (na * m1a + nb * m1b) / n;
        self.m2 = m2a + m2b + delta2 * na * nb / n;
        self.m3 = m3a
            + m3b
            + delta3 * na * nb * (na - nb) / (n * n)
            + 3.0 * delta * (na * m2b - nb * m2a) / n;
        self.m4 = self.m4
            + other.m4
            + delta4 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6.0 * delta2 * (na * na * m2b + nb * nb * m2a) / (n * n)
            + 4.0 * delta * (na * m3b - nb * m3a) / n;
    }

    /// CorrelationState.update (a superset of the covariance and regression updates).
    fn update_bivariate(&mut self, x: f64, y: f64) {
        let (old_mean_x, old_mean_y) = (self.mean_x, self.mean_y);
        let n = self.count + 1;
        self.count = n;
        self.mean_x = old_mean_x + (x - old_mean_x) / n as f64;
        let new_mean_y = old_mean_y + (y - old_mean_y) / n as f64;
        self.mean_y = new_mean_y;
        self.c2 += (x - old_mean_x) * (y - new_mean_y);
        self.m2 += (x - old_mean_x) * (x - self.mean_x);
        self.m2_y += (y - old_mean_y) * (y - self.mean_y);
    }

    /// CorrelationState.merge: the second moments first, from the means before the merge.
    fn merge_bivariate(&mut self, other: &State) {
        if other.count == 0 {
            return;
        }
        let (na, nb) = (self.count, other.count);
        self.m2 += other.m2 + weighted_square(na, nb, self.mean_x - other.mean_x);
        self.m2_y += other.m2_y + weighted_square(na, nb, self.mean_y - other.mean_y);
        let n = na + nb;
        let delta_x = other.mean_x - self.mean_x;
        let delta_y = other.mean_y - self.mean_y;
        self.c2 += other.c2 + delta_x * delta_y * na as f64 * nb as f64 / n as f64;
        self.mean_x += delta_x * nb as f64 / n as f64;
        self.mean_y += delta_y * nb as f64 / n as f64;
        self.count = n;
    }

    fn output(&self, statistic: Statistic) -> Option<f64> {
        let n = self.count;
        let finite = |v: f64| v.is_finite().then_some(v);
        match statistic {
            Statistic::VarSamp => (n > 1).then(|| self.m2 / (n - 1) as f64),
            Statistic::VarPop => (n > 0).then(|| self.m2 / n as f64),
            Statistic::StddevSamp => (n > 1).then(|| (self.m2 / (n - 1) as f64).sqrt()),
            Statistic::StddevPop => (n > 0).then(|| (self.m2 / n as f64).sqrt()),
            Statistic::Skewness => {
                (n >= 3).then(|| (n as f64).sqrt() * self.m3 / self.m2.powf(1.5))
            }
            Statistic::Kurtosis => (n >= 4).then(|| {
                let n = n as f64;
                let m2 = self.m2;
                ((n - 1.0) * n * (n + 1.0)) / ((n - 2.0) * (n - 3.0)) * self.m4 / (m2 * m2)
                    - 3.0 * ((n - 1.0) * (n - 1.0)) / ((n - 2.0) * (n - 3.0))
            }),
            Statistic::CovarSamp => (n > 1).then(|| self.c2 / (n - 1) as f64),
            Statistic::CovarPop => (n > 0).then(|| self.c2 / n as f64),
            Statistic::Corr => finite(self.c2 / self.m2.sqrt() / self.m2_y.sqrt()),
            Statistic::RegrSlope => finite(self.c2 / self.m2),
            Statistic::RegrIntercept => finite(self.mean_y - self.c2 / self.m2 * self.mean_x),
        }
    }
}

/// `na * nb * Math.pow(delta, 2) / (double) (na + nb)` as Java evaluates it (left to right,
/// the long product first).
fn weighted_square(na: u64, nb: u64, delta: f64) -> f64 {
    (na * nb) as f64 * delta.powi(2) / (na + nb) as f64
}

#[derive(Debug)]
struct StatisticAccumulator {
    statistic: Statistic,
    /// The result is a `real`: inputs are reals widened to doubles, the output narrowed.
    real: bool,
    state: State,
}

impl StatisticAccumulator {
    fn doubles(&self, array: &ArrayRef) -> Result<ArrayRef> {
        Ok(cast(array, &DataType::Float64)?)
    }
}

impl Accumulator for StatisticAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let x = self.doubles(&values[0])?;
        let x = x.as_primitive::<Float64Type>();
        if self.statistic.bivariate() {
            // Trino's input is (dependent, independent) and it updates with (x, y) =
            // (independent, dependent).
            let y = self.doubles(&values[1])?;
            let y = y.as_primitive::<Float64Type>();
            for i in 0..x.len() {
                if x.is_valid(i) && y.is_valid(i) {
                    self.state.update_bivariate(y.value(i), x.value(i));
                }
            }
        } else {
            for v in x.iter().flatten() {
                if self.statistic.moments() {
                    self.state.update_moments(v);
                } else {
                    self.state.update_variance(v);
                }
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        let value = self.state.output(self.statistic);
        Ok(if self.real {
            ScalarValue::Float32(value.map(|v| v as f32))
        } else {
            ScalarValue::Float64(value)
        })
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let s = self.state;
        let count = ScalarValue::UInt64(Some(s.count));
        let f = |v: f64| ScalarValue::Float64(Some(v));
        Ok(if self.statistic.bivariate() {
            vec![count, f(s.mean_x), f(s.mean_y), f(s.c2), f(s.m2), f(s.m2_y)]
        } else if self.statistic.moments() {
            vec![count, f(s.mean_x), f(s.m2), f(s.m3), f(s.m4)]
        } else {
            vec![count, f(s.mean_x), f(s.m2)]
        })
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let counts = states[0].as_primitive::<UInt64Type>();
        let column = |i: usize| states[i].as_primitive::<Float64Type>();
        for row in 0..counts.len() {
            if counts.is_null(row) {
                continue;
            }
            let count = counts.value(row);
            if self.statistic.bivariate() {
                let other = State {
                    count,
                    mean_x: column(1).value(row),
                    mean_y: column(2).value(row),
                    c2: column(3).value(row),
                    m2: column(4).value(row),
                    m2_y: column(5).value(row),
                    ..State::default()
                };
                self.state.merge_bivariate(&other);
            } else if self.statistic.moments() {
                let other = State {
                    count,
                    mean_x: column(1).value(row),
                    m2: column(2).value(row),
                    m3: column(3).value(row),
                    m4: column(4).value(row),
                    ..State::default()
                };
                self.state.merge_moments(&other);
            } else {
                self.state
                    .merge_variance(count, column(1).value(row), column(2).value(row));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bivariate(statistic: Statistic, pairs: &[(f64, f64)]) -> Option<f64> {
        let mut s = State::default();
        for &(dependent, independent) in pairs {
            s.update_bivariate(independent, dependent);
        }
        s.output(statistic)
    }

    #[test]
    fn regression_and_correlation_agree_with_trino_to_the_last_bit() {
        // Trino 476: regr_slope(y, x), regr_intercept(y, x) over (1, 2), (2, 4), (3, 7).
        let yx = [(2.0, 1.0), (4.0, 2.0), (7.0, 3.0)];
        assert_eq!(bivariate(Statistic::RegrSlope, &yx), Some(2.5));
        assert_eq!(
            bivariate(Statistic::RegrIntercept, &yx),
            Some(-0.666666666666667)
        );
        // corr(x, y) over the same points.
        let xy = [(1.0, 2.0), (2.0, 4.0), (3.0, 7.0)];
        assert_eq!(bivariate(Statistic::Corr, &xy), Some(0.9933992677987828));
        assert_eq!(bivariate(Statistic::CovarSamp, &xy), Some(2.5));
        assert_eq!(bivariate(Statistic::CovarSamp, &xy[..1]), None);
        // One point: no variance, so no correlation (NaN is NULL).
        assert_eq!(bivariate(Statistic::Corr, &xy[..1]), None);
    }

    #[test]
    fn merging_halves_gives_the_moments_of_the_whole() {
        let values = [1.0, 2.0, 3.0, 10.0];
        let mut whole = State::default();
        values.iter().for_each(|&v| whole.update_moments(v));
        // Trino 476: kurtosis and skewness of 1, 2, 3, 10.
        assert_eq!(whole.output(Statistic::Kurtosis), Some(3.2280000000000015));
        assert_eq!(whole.output(Statistic::Skewness), Some(1.0182337649086284));
        let (mut a, mut b) = (State::default(), State::default());
        values[..2].iter().for_each(|&v| a.update_moments(v));
        values[2..].iter().for_each(|&v| b.update_moments(v));
        a.merge_moments(&b);
        let close = |x: Option<f64>, y: Option<f64>| (x.unwrap() - y.unwrap()).abs() < 1e-9;
        assert!(close(
            a.output(Statistic::Kurtosis),
            whole.output(Statistic::Kurtosis)
        ));
        let mut v = State::default();
        values.iter().for_each(|&x| v.update_variance(x));
        let (mut c, mut d) = (State::default(), State::default());
        values[..1].iter().for_each(|&x| c.update_variance(x));
        values[1..].iter().for_each(|&x| d.update_variance(x));
        c.merge_variance(d.count, d.mean_x, d.m2);
        assert!(close(
            c.output(Statistic::VarSamp),
            v.output(Statistic::VarSamp)
        ));
        assert_eq!(v.output(Statistic::VarPop).map(|x| x > 0.0), Some(true));
    }
}
