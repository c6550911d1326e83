//! `TRY(x)`: `x`, or NULL on the rows where evaluating `x` fails with one of the errors
//! Trino's TRY handles (division by zero, an invalid cast or function argument, a value
//! out of range; trino.io, "Conditional expressions").
//!
//! The query rewrite turns `try(x)` into `athena_try(x)`, a marker. After type coercion
//! this rule replaces the marker by a UDF that holds `x` itself and takes the columns
//! `x` reads as its arguments: it evaluates `x` over the whole batch, and when that
//! fails, row by row, with NULL for the rows that fail. (A UDF's arguments are
//! evaluated before it is called, so `x` cannot simply be an argument.)

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions, new_null_array};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Schema};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, DFSchema, Result, exec_err, plan_err};
use datafusion::config::ConfigOptions;
use datafusion::error::DataFusionError;
use datafusion::execution::context::ExecutionProps;
use datafusion::logical_expr::expr::ScalarFunction;
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    ColumnarValue, Expr, ExprSchemable, LogicalPlan, ReturnFieldArgs, ScalarFunctionArgs,
    ScalarUDF, ScalarUDFImpl, Signature, Volatility,
};
use datafusion::optimizer::AnalyzerRule;
use datafusion::physical_expr::{PhysicalExpr, create_physical_expr};

/// The name of the marker the query rewrite writes for `try(x)`.
const MARKER: &str = "athena_try";

/// The marker: `x` itself until the rule replaces it.
pub(crate) fn try_marker() -> ScalarUDF {
    ScalarUDF::new_from_impl(Marker {
        signature: Signature::any(1, Volatility::Immutable),
    })
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Marker {
    signature: Signature,
}

impl ScalarUDFImpl for Marker {
    fn name(&self) -> &str {
        MARKER
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(arg_types[0].clone())
    }

    fn return_field_from_args(&self, args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(Arc::new(
            args.arg_fields[0].as_ref().clone().with_name(MARKER),
        ))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        // Only reached if the rule did not run: `x` was evaluated already.
        Ok(args.args[0].clone())
    }
}

/// The analyzer rule.
#[derive(Debug)]
pub(super) struct TrinoTry;

impl AnalyzerRule for TrinoTry {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let inputs = node.inputs();
            if inputs.is_empty() {
                return Ok(Transformed::no(node));
            }
            let schema = merge_schema(&inputs);
            // A rewritten expression keeps its name: the plan above finds it by it.
            let names = NamePreserver::new(&node);
            node.map_expressions(|e| {
                let saved = names.save(&e);
                e.transform_up(|e| match e {
                    Expr::ScalarFunction(call) if call.func.name() == MARKER => {
                        let [inner] = <[Expr; 1]>::try_from(call.args).map_err(|_| {
                            DataFusionError::Plan("try takes one argument".to_owned())
                        })?;
                        Ok(Transformed::yes(try_call(inner, &schema)?))
                    }
                    other => Ok(Transformed::no(other)),
                })
                .map(|t| t.update_data(|e| saved.restore(e)))
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "trino_try"
    }
}

/// The call of a [`TryEval`] of `inner` over the columns it reads.
fn try_call(inner: Expr, schema: &DFSchema) -> Result<Expr> {
    let mut unsupported = None;
    inner.apply(|e| {
        let what = match e {
            Expr::ScalarSubquery(_) | Expr::Exists(_) | Expr::InSubquery(_) => "a subquery",
            Expr::OuterReferenceColumn(..) => "a column of an outer query",
            Expr::AggregateFunction(_) | Expr::WindowFunction(_) => "an aggregate",
            _ => return Ok(TreeNodeRecursion::Continue),
        };
        unsupported = Some(what);
        Ok(TreeNodeRecursion::Stop)
    })?;
    if let Some(what) = unsupported {
        return plan_err!("NOT_SUPPORTED: TRY around {what} is not supported by athena-emulator");
    }
    let mut columns: Vec<Column> = inner.column_refs().into_iter().cloned().collect();
    columns.sort_by_key(|c| c.flat_name());
    let mut fields = Vec::with_capacity(columns.len());
    for c in &columns {
        let (qualifier, field) = schema.qualified_field_from_column(c)?;
        fields.push((qualifier.cloned(), Arc::clone(field)));
    }
    let arg_schema = Arc::new(DFSchema::new_with_metadata(fields, HashMap::new())?);
    let return_field = inner.to_field(&arg_schema)?.1;
    let volatility = if inner.is_volatile() {
        Volatility::Volatile
    } else {
        Volatility::Immutable
    };
    let udf = ScalarUDF::new_from_impl(TryEval {
        inner,
        schema: arg_schema,
        return_field,
        signature: if columns.is_empty() {
            Signature::nullary(volatility)
        } else {
            Signature::any(columns.len(), volatility)
        },
        physical: OnceLock::new(),
    });
    Ok(Expr::ScalarFunction(ScalarFunction::new_udf(
        Arc::new(udf),
        columns.into_iter().map(Expr::Column).collect(),
    )))
}

/// `TRY(inner)` over the columns `inner` reads (the UDF's arguments, in `schema`'s order).
#[derive(Debug)]
struct TryEval {
    inner: Expr,
    schema: Arc<DFSchema>,
    return_field: FieldRef,
    signature: Signature,
    physical: OnceLock<Result<Arc<dyn PhysicalExpr>, String>>,
}

impl PartialEq for TryEval {
    fn eq(&self, other: &Self) -> bool {
        self.inner == other.inner && self.schema == other.schema
    }
}

impl Eq for TryEval {}

impl Hash for TryEval {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.hash(state);
    }
}

/// Whether TRY turns `error` into NULL: the errors of evaluating a value, not a refusal
/// of the emulator (NOT_SUPPORTED) nor a failure of the engine.
fn handled(error: &DataFusionError) -> bool {
    let root = error.find_root();
    let text = root.to_string();
    if text.contains("NOT_SUPPORTED") {
        return false;
    }
    match root {
        DataFusionError::ArrowError(..) => true,
        DataFusionError::Execution(_) => [
            "DIVISION_BY_ZERO",
            "INVALID_CAST_ARGUMENT",
            "INVALID_FUNCTION_ARGUMENT",
            "NUMERIC_VALUE_OUT_OF_RANGE",
            "Cannot cast",
            "Division by zero",
            "Overflow",
            "overflow",
        ]
        .iter()
        .any(|m| text.contains(m)),
        _ => false,
    }
}

impl TryEval {
    fn physical(&self) -> Result<Arc<dyn PhysicalExpr>> {
        self.physical
            .get_or_init(|| {
                create_physical_expr(
                    &self.inner,
                    &self.schema,
                    &ExecutionProps::new(),
                    &PhysicalPlanningContext::default(),
                )
                .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(DataFusionError::Plan)
    }

    fn evaluate(&self, physical: &Arc<dyn PhysicalExpr>, batch: &RecordBatch) -> Result<ArrayRef> {
        physical.evaluate(batch)?.into_array(batch.num_rows())
    }
}

impl ScalarUDFImpl for TryEval {
    fn name(&self) -> &str {
        "try"
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(self.return_field.data_type().clone())
    }

    fn return_field_from_args(&self, _args: ReturnFieldArgs<'_>) -> Result<FieldRef> {
        Ok(Arc::new(
            Field::new("try", self.return_field.data_type().clone(), true)
                .with_metadata(self.return_field.metadata().clone()),
        ))
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let columns = args
            .args
            .iter()
            .map(|a| a.to_array(rows))
            .collect::<Result<Vec<_>>>()?;
        let arrow_schema: Arc<Schema> = Arc::new(self.schema.as_arrow().clone());
        let batch = RecordBatch::try_new_with_options(
            arrow_schema,
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?;
        let physical = self.physical()?;
        match self.evaluate(&physical, &batch) {
            Ok(array) => Ok(ColumnarValue::Array(array)),
            Err(e) if !handled(&e) => Err(e),
            Err(_) => {
                let t = self.return_field.data_type();
                let mut parts = Vec::with_capacity(rows);
                for row in 0..rows {
                    match self.evaluate(&physical, &batch.slice(row, 1)) {
                        Ok(one) => parts.push(one),
                        Err(e) if handled(&e) => parts.push(new_null_array(t, 1)),
                        Err(e) => return Err(e),
                    }
                }
                if parts.is_empty() {
                    return exec_err!("try of no rows");
                }
                let refs: Vec<&dyn datafusion::arrow::array::Array> =
                    parts.iter().map(|a| a.as_ref()).collect();
                Ok(ColumnarValue::Array(concat(&refs)?))
            }
        }
    }
}
