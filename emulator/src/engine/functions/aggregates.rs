//! Trino's aggregate functions where DataFusion has none of the name or computes them
//! otherwise: the UDAFs here are the emulator's own (`athena_*`); the query rewrite
//! (`rewrite/aggregate_calls.rs`) calls them for Trino's names, and the plan rules
//! (`plan_rules/aggregates.rs`) put them in place of DataFusion's `sum`, `avg`, `min`
//! and `max` where Trino's types or semantics differ.

use std::sync::Arc;

use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::AggregateUDF;

mod approximate;
mod extremes;
mod maps;
mod moments;
mod sums;

fn all() -> impl Iterator<Item = AggregateUDF> {
    moments::udafs()
        .into_iter()
        .chain(sums::udafs())
        .chain(extremes::udafs())
        .chain(approximate::udafs())
        .chain(maps::udafs())
}

/// Registers every UDAF of the module.
pub(crate) fn register(ctx: &SessionContext) {
    for udaf in all() {
        ctx.register_udaf(udaf);
    }
}

/// The UDAF of the module called `name`, for the plan rules that put one in place of
/// DataFusion's.
pub(crate) fn udaf(name: &str) -> Option<Arc<AggregateUDF>> {
    all().find(|u| u.name() == name).map(Arc::new)
}

/// `f(DISTINCT x, ...)` of one of the module's aggregates: the distinct rows of
/// arguments, fed to the aggregate's own accumulator when it is evaluated. (DataFusion
/// leaves DISTINCT to each UDAF.) The state is one list per argument, row by row.
#[derive(Debug)]
pub(crate) struct DistinctRows {
    types: Vec<datafusion::arrow::datatypes::DataType>,
    rows: std::collections::HashSet<Vec<datafusion::common::ScalarValue>>,
    inner: Box<dyn datafusion::logical_expr::Accumulator>,
}

impl DistinctRows {
    /// Wraps `inner`, whose arguments have `types`.
    pub(crate) fn new(
        types: Vec<datafusion::arrow::datatypes::DataType>,
        inner: Box<dyn datafusion::logical_expr::Accumulator>,
    ) -> Self {
        DistinctRows {
            types,
            rows: std::collections::HashSet::new(),
            inner,
        }
    }

    /// The state fields of a DISTINCT call: one list per argument.
    pub(crate) fn state_fields(
        name: &str,
        types: &[datafusion::arrow::datatypes::DataType],
    ) -> Vec<datafusion::arrow::datatypes::FieldRef> {
        use datafusion::arrow::datatypes::{DataType, Field};
        types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                Arc::new(Field::new(
                    datafusion::logical_expr::utils::format_state_name(
                        name,
                        &format!("distinct_{i}"),
                    ),
                    DataType::List(Arc::new(Field::new_list_field(t.clone(), true))),
                    true,
                ))
            })
            .collect()
    }

    fn add_rows(
        &mut self,
        columns: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<()> {
        use datafusion::common::ScalarValue;
        let rows = columns.first().map_or(0, |c| c.len());
        for row in 0..rows {
            let values = columns
                .iter()
                .map(|c| ScalarValue::try_from_array(c, row))
                .collect::<datafusion::common::Result<Vec<_>>>()?;
            self.rows.insert(values);
        }
        Ok(())
    }
}

impl datafusion::logical_expr::Accumulator for DistinctRows {
    fn update_batch(
        &mut self,
        values: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<()> {
        self.add_rows(values)
    }

    fn evaluate(&mut self) -> datafusion::common::Result<datafusion::common::ScalarValue> {
        use datafusion::common::ScalarValue;
        if !self.rows.is_empty() {
            let columns = (0..self.types.len())
                .map(|i| ScalarValue::iter_to_array(self.rows.iter().map(|r| r[i].clone())))
                .collect::<datafusion::common::Result<Vec<_>>>()?;
            self.inner.update_batch(&columns)?;
            self.rows.clear();
        }
        self.inner.evaluate()
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.inner.size()
            + self
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(datafusion::common::ScalarValue::size)
                        .sum::<usize>()
                })
                .sum::<usize>()
    }

    fn state(&mut self) -> datafusion::common::Result<Vec<datafusion::common::ScalarValue>> {
        use datafusion::common::ScalarValue;
        Ok(self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let values: Vec<ScalarValue> = self.rows.iter().map(|r| r[i].clone()).collect();
                ScalarValue::List(ScalarValue::new_list_nullable(&values, t))
            })
            .collect())
    }

    fn merge_batch(
        &mut self,
        states: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<()> {
        use datafusion::arrow::array::{Array, AsArray};
        let Some(first) = states.first() else {
            return Ok(());
        };
        for row in 0..first.len() {
            let lists: Vec<_> = states.iter().map(|s| s.as_list::<i32>()).collect();
            if lists[0].is_null(row) {
                continue;
            }
            let columns: Vec<datafusion::arrow::array::ArrayRef> =
                lists.iter().map(|l| l.value(row)).collect();
            self.add_rows(&columns)?;
        }
        Ok(())
    }
}

/// `inner`, or for a DISTINCT call `inner` behind [`DistinctRows`].
pub(crate) fn maybe_distinct(
    acc_args: &datafusion::logical_expr::function::AccumulatorArgs<'_>,
    inner: Box<dyn datafusion::logical_expr::Accumulator>,
) -> Box<dyn datafusion::logical_expr::Accumulator> {
    if acc_args.is_distinct {
        let types = acc_args
            .expr_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        Box::new(DistinctRows::new(types, inner))
    } else {
        inner
    }
}

/// The state fields of a DISTINCT call, `None` for another.
pub(crate) fn distinct_state_fields(
    args: &datafusion::logical_expr::function::StateFieldsArgs<'_>,
) -> Option<Vec<datafusion::arrow::datatypes::FieldRef>> {
    args.is_distinct.then(|| {
        let types: Vec<_> = args
            .input_fields
            .iter()
            .map(|f| f.data_type().clone())
            .collect();
        DistinctRows::state_fields(args.name, &types)
    })
}

/// One of the module's aggregates over a sliding window frame (`ROWS BETWEEN 1 PRECEDING
/// AND 1 FOLLOWING`): the frame's rows are kept, and each value is computed afresh over
/// them in order, as Trino computes an aggregate that cannot remove inputs. (DataFusion
/// slides a frame by retracting the rows that leave it.)
pub(crate) struct SlidingRecompute {
    types: Vec<datafusion::arrow::datatypes::DataType>,
    rows: std::collections::VecDeque<Vec<datafusion::common::ScalarValue>>,
    #[allow(clippy::type_complexity)]
    fresh: Box<
        dyn Fn() -> datafusion::common::Result<Box<dyn datafusion::logical_expr::Accumulator>>
            + Send
            + Sync,
    >,
}

impl std::fmt::Debug for SlidingRecompute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlidingRecompute")
            .field("types", &self.types)
            .field("rows", &self.rows.len())
            .finish()
    }
}

impl SlidingRecompute {
    /// A sliding frame of the module's UDAF `name` called with `acc_args`: a fresh
    /// accumulator of the UDAF, with the same arguments, for each value.
    pub(crate) fn for_udaf(
        name: &str,
        acc_args: &datafusion::logical_expr::function::AccumulatorArgs<'_>,
    ) -> datafusion::common::Result<Box<dyn datafusion::logical_expr::Accumulator>> {
        let Some(udaf) = udaf(name) else {
            return datafusion::common::exec_err!("no aggregate {name}");
        };
        let return_field = Arc::clone(&acc_args.return_field);
        let schema = acc_args.schema.clone();
        let ignore_nulls = acc_args.ignore_nulls;
        let order_bys = acc_args.order_bys.to_vec();
        let is_reversed = acc_args.is_reversed;
        let call_name = acc_args.name.to_owned();
        let is_distinct = acc_args.is_distinct;
        let exprs = acc_args.exprs.to_vec();
        let expr_fields = acc_args.expr_fields.to_vec();
        let types = expr_fields.iter().map(|f| f.data_type().clone()).collect();
        Ok(Box::new(SlidingRecompute {
            types,
            rows: std::collections::VecDeque::new(),
            fresh: Box::new(move || {
                udaf.accumulator(datafusion::logical_expr::function::AccumulatorArgs {
                    return_field: Arc::clone(&return_field),
                    schema: &schema,
                    ignore_nulls,
                    order_bys: &order_bys,
                    is_reversed,
                    name: &call_name,
                    is_distinct,
                    exprs: &exprs,
                    expr_fields: &expr_fields,
                })
            }),
        }))
    }

    fn rows_of(
        values: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<Vec<Vec<datafusion::common::ScalarValue>>> {
        let n = values.first().map_or(0, |v| v.len());
        (0..n)
            .map(|row| {
                values
                    .iter()
                    .map(|v| datafusion::common::ScalarValue::try_from_array(v, row))
                    .collect()
            })
            .collect()
    }
}

impl datafusion::logical_expr::Accumulator for SlidingRecompute {
    fn update_batch(
        &mut self,
        values: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<()> {
        self.rows.extend(Self::rows_of(values)?);
        Ok(())
    }

    fn retract_batch(
        &mut self,
        values: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<()> {
        let n = values.first().map_or(0, |v| v.len());
        for _ in 0..n {
            self.rows.pop_front();
        }
        Ok(())
    }

    fn supports_retract_batch(&self) -> bool {
        true
    }

    fn evaluate(&mut self) -> datafusion::common::Result<datafusion::common::ScalarValue> {
        let mut accumulator = (self.fresh)()?;
        if !self.rows.is_empty() {
            let columns = (0..self.types.len())
                .map(|i| {
                    datafusion::common::ScalarValue::iter_to_array(
                        self.rows.iter().map(|r| r[i].clone()),
                    )
                })
                .collect::<datafusion::common::Result<Vec<_>>>()?;
            accumulator.update_batch(&columns)?;
        }
        accumulator.evaluate()
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self
                .rows
                .iter()
                .flatten()
                .map(datafusion::common::ScalarValue::size)
                .sum::<usize>()
    }

    fn state(&mut self) -> datafusion::common::Result<Vec<datafusion::common::ScalarValue>> {
        datafusion::common::exec_err!("a sliding window frame has no partial state")
    }

    fn merge_batch(
        &mut self,
        _states: &[datafusion::arrow::array::ArrayRef],
    ) -> datafusion::common::Result<()> {
        datafusion::common::exec_err!("a sliding window frame is not merged")
    }
}
