//! Trino's rules for the types of operands, before DataFusion coerces them (trino.io,
//! "Comparison functions and operators", "Conditional expressions", "SELECT"): Trino
//! never converts a varchar to a number, a boolean or a date implicitly, nor a number to
//! a boolean, so comparing, combining or choosing between such values fails with
//! TYPE_MISMATCH where DataFusion would cast one to the other; a decimal next to a
//! double or real becomes that double or real (DataFusion makes a decimal of both); and a
//! bare NULL, whose type Trino calls `unknown`, is an AMBIGUOUS_FUNCTION_CALL where
//! several of Trino's operators could take it.

use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{DFSchema, Result, ScalarValue};
use datafusion::config::ConfigOptions;
use datafusion::error::DataFusionError;
use datafusion::logical_expr::expr::{AggregateFunction, ScalarFunction, WindowFunction};
use datafusion::logical_expr::expr_rewriter::NamePreserver;
use datafusion::logical_expr::utils::merge_schema;
use datafusion::logical_expr::{
    Between, BinaryExpr, Case, Expr, ExprSchemable, LogicalPlan, Operator, Projection, Union, cast,
    lit,
};
use datafusion::optimizer::AnalyzerRule;

use crate::engine::functions::trino_type_name;
use crate::engine::names::ATHENA_TYPE_KEY;

/// The analyzer rule.
#[derive(Debug)]
pub(super) struct TrinoTypes;

impl AnalyzerRule for TrinoTypes {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up_with_subqueries(|node| {
            let node = match node {
                LogicalPlan::Union(union) => union_types(union)?,
                other => Transformed::no(other),
            };
            let inputs = node.data.inputs();
            if inputs.is_empty() {
                return Ok(node);
            }
            let schema = merge_schema(&inputs);
            if let LogicalPlan::Join(join) = &node.data {
                for (left, right) in &join.on {
                    check_comparable(
                        "=",
                        type_of(left, join.left.schema()),
                        type_of(right, join.right.schema()),
                    )?;
                }
            }
            node.transform_data(|n| {
                // A rewritten expression keeps its name: the plan above finds it by it.
                let names = NamePreserver::new(&n);
                n.map_expressions(|e| {
                    let saved = names.save(&e);
                    Ok(e.transform_up(|e| expression(e, &schema))?
                        .update_data(|e| saved.restore(e)))
                })
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "trino_types"
    }
}

/// What Trino can convert a type to and from, as far as these rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Number,
    Text,
    Boolean,
    /// Dates and timestamps (Trino converts between them).
    Instant,
    Time,
    Binary,
    Interval,
    /// NULL (Trino's `unknown`): converts to anything.
    Unknown,
    /// Nested values, and strings that hold another Trino type (json, uuid, ...): not
    /// checked.
    Unchecked,
}

fn class(field: &Field) -> Class {
    if field
        .metadata()
        .get(ATHENA_TYPE_KEY)
        .is_some_and(|t| !(t.starts_with("varchar") || t.starts_with("char")))
    {
        return Class::Unchecked;
    }
    match field.data_type() {
        DataType::Null => Class::Unknown,
        t if t.is_numeric() => Class::Number,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Class::Text,
        DataType::Boolean => Class::Boolean,
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(..) => Class::Instant,
        DataType::Time32(_) | DataType::Time64(_) => Class::Time,
        DataType::Binary | DataType::LargeBinary | DataType::BinaryView => Class::Binary,
        DataType::Interval(_) | DataType::Duration(_) => Class::Interval,
        _ => Class::Unchecked,
    }
}

/// The field of `expr` in `schema`, `None` when DataFusion cannot type it yet.
fn type_of(expr: &Expr, schema: &DFSchema) -> Option<Arc<Field>> {
    expr.to_field(schema).ok().map(|(_, f)| f)
}

fn compatible(a: Class, b: Class) -> bool {
    a == b
        || [a, b]
            .iter()
            .any(|c| matches!(c, Class::Unknown | Class::Unchecked))
}

fn name(field: &Field) -> String {
    match field.data_type() {
        DataType::Null => "unknown".to_owned(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => field
            .metadata()
            .get(ATHENA_TYPE_KEY)
            .cloned()
            .unwrap_or_else(|| "varchar".to_owned()),
        t => trino_type_name(t),
    }
}

fn mismatch(message: String) -> DataFusionError {
    DataFusionError::Plan(format!("TYPE_MISMATCH: {message}"))
}

/// Fails unless `left op right` compares values Trino can compare.
fn check_comparable(op: &str, left: Option<Arc<Field>>, right: Option<Arc<Field>>) -> Result<()> {
    if let (Some(l), Some(r)) = (left, right)
        && !compatible(class(&l), class(&r))
    {
        return Err(mismatch(format!(
            "Cannot apply operator: {} {op} {}",
            name(&l),
            name(&r)
        )));
    }
    Ok(())
}

/// Fails unless every field can be converted to one common type; returns the type the
/// numbers among them are to be cast to when Trino's common type of them is a float
/// and DataFusion's would not be (a decimal with a double or real).
fn common_type(what: &str, fields: &[Arc<Field>]) -> Result<Option<DataType>> {
    let known: Vec<&Arc<Field>> = fields
        .iter()
        .filter(|f| !matches!(class(f), Class::Unknown | Class::Unchecked))
        .collect();
    if let Some(first) = known.first() {
        for other in &known[1..] {
            if class(first) != class(other) {
                return Err(mismatch(format!(
                    "All {what} must be the same type or coercible to a common type. Cannot find common type between {} and {}",
                    name(first),
                    name(other)
                )));
            }
        }
    }
    Ok(float_over_decimal(known.iter().map(|f| f.data_type())))
}

/// Trino's common type of numbers that mix decimals with reals or doubles: the float
/// (double when there is a double).
fn float_over_decimal<'a>(types: impl Iterator<Item = &'a DataType> + Clone) -> Option<DataType> {
    let decimal = types
        .clone()
        .any(|t| matches!(t, DataType::Decimal128(..) | DataType::Decimal256(..)));
    if !decimal {
        return None;
    }
    if types.clone().any(|t| t == &DataType::Float64) {
        Some(DataType::Float64)
    } else if types.clone().any(|t| t == &DataType::Float32) {
        Some(DataType::Float32)
    } else {
        None
    }
}

/// `expr` cast to `to` when it is a decimal.
fn widen(expr: Expr, schema: &DFSchema, to: &DataType) -> Expr {
    match expr.get_type(schema) {
        Ok(DataType::Decimal128(..) | DataType::Decimal256(..)) => cast(expr, to.clone()),
        _ => expr,
    }
}

fn is_bare_null(expr: &Expr) -> bool {
    matches!(expr, Expr::Literal(ScalarValue::Null, _))
}

fn ambiguous() -> DataFusionError {
    DataFusionError::Plan(
        "AMBIGUOUS_FUNCTION_CALL: Could not choose a best candidate operator. Explicit type casts must be added."
            .to_owned(),
    )
}

fn expression(expr: Expr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    match expr {
        Expr::BinaryExpr(binary) => binary_expr(binary, schema),
        Expr::Negative(inner) if is_bare_null(&inner) => Err(ambiguous()),
        Expr::Case(case) => case_expr(case, schema),
        Expr::InList(in_list) => {
            let mut fields: Vec<Arc<Field>> = Vec::new();
            for e in std::iter::once(in_list.expr.as_ref()).chain(in_list.list.iter()) {
                if let Some(f) = type_of(e, schema) {
                    fields.push(f);
                }
            }
            let Some(float) = common_type("IN value and list items", &fields)? else {
                return Ok(Transformed::no(Expr::InList(in_list)));
            };
            let mut in_list = in_list;
            in_list.expr = Box::new(widen(*in_list.expr, schema, &float));
            in_list.list = in_list
                .list
                .into_iter()
                .map(|e| widen(e, schema, &float))
                .collect();
            Ok(Transformed::yes(Expr::InList(in_list)))
        }
        Expr::Between(Between {
            expr: value,
            negated,
            low,
            high,
        }) => {
            let fields = [&value, &low, &high].map(|e| type_of(e, schema));
            if let [Some(v), Some(l), Some(h)] = &fields
                && (!compatible(class(v), class(l)) || !compatible(class(v), class(h)))
            {
                return Err(mismatch(format!(
                    "Cannot check if {} is BETWEEN {} and {}",
                    name(v),
                    name(l),
                    name(h)
                )));
            }
            let float = float_over_decimal(fields.iter().flatten().map(|f| f.data_type()));
            let Some(float) = float else {
                return Ok(Transformed::no(Expr::Between(Between {
                    expr: value,
                    negated,
                    low,
                    high,
                })));
            };
            Ok(Transformed::yes(Expr::Between(Between {
                expr: Box::new(widen(*value, schema, &float)),
                negated,
                low: Box::new(widen(*low, schema, &float)),
                high: Box::new(widen(*high, schema, &float)),
            })))
        }
        Expr::Like(like) => {
            if let Some(f) = type_of(&like.expr, schema)
                && !matches!(class(&f), Class::Text | Class::Unknown | Class::Unchecked)
            {
                return Err(mismatch(format!(
                    "Left side of LIKE expression must evaluate to a varchar (actual: {})",
                    name(&f)
                )));
            }
            Ok(Transformed::no(Expr::Like(like)))
        }
        Expr::ScalarFunction(call) if call.func.name() == "coalesce" => coalesce(call, schema),
        Expr::AggregateFunction(call) => aggregate(call, schema),
        Expr::WindowFunction(window) => {
            window_call(&window, schema)?;
            Ok(Transformed::no(Expr::WindowFunction(window)))
        }
        other => Ok(Transformed::no(other)),
    }
}

// layout: long function, because one match over operators and operand types, read as Trino's operator table
fn binary_expr(binary: BinaryExpr, schema: &DFSchema) -> Result<Transformed<Expr>> {
    use Operator::*;
    let BinaryExpr { left, op, right } = &binary;
    let (l_null, r_null) = (is_bare_null(left), is_bare_null(right));
    let (l, r) = (type_of(left, schema), type_of(right, schema));
    let type_is = |f: &Option<Arc<Field>>, types: &[DataType]| {
        f.as_ref().is_some_and(|f| types.contains(f.data_type()))
    };
    match op {
        Eq | NotEq | Lt | LtEq | Gt | GtEq | IsDistinctFrom | IsNotDistinctFrom => {
            if let (Some(lf), Some(rf)) = (&l, &r)
                && !compatible(class(lf), class(rf))
            {
                return Err(mismatch(
                    if matches!(op, IsDistinctFrom | IsNotDistinctFrom) {
                        format!("Cannot check if {} is identical to {}", name(lf), name(rf))
                    } else {
                        format!("Cannot apply operator: {} {op} {}", name(lf), name(rf))
                    },
                ));
            }
            // A decimal compared with a double or real is compared as that float
            // (DataFusion would cast the float to a decimal, failing on NaN and
            // rounding large values).
            if let (Some(lf), Some(rf)) = (&l, &r)
                && let Some(float) =
                    float_over_decimal([lf.data_type(), rf.data_type()].into_iter())
            {
                let BinaryExpr { left, op, right } = binary;
                return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                    Box::new(widen(*left, schema, &float)),
                    op,
                    Box::new(widen(*right, schema, &float)),
                ))));
            }
        }
        Plus | Minus | Multiply | Divide | Modulo => {
            // Which of Trino's operators fit a bare NULL: every one when both are NULL
            // (but %, whose smallest fit is tinyint); one taking an interval too when the
            // other side is a double (*, /) or a bigint (*).
            if l_null && r_null {
                if *op == Modulo {
                    return Ok(Transformed::yes(cast(
                        lit(ScalarValue::Null),
                        DataType::Int8,
                    )));
                }
                return Err(ambiguous());
            }
            let numbers = [DataType::Float64, DataType::Int64];
            if (*op == Multiply
                && ((l_null && type_is(&r, &numbers)) || (r_null && type_is(&l, &numbers))))
                || (*op == Divide && l_null && type_is(&r, &[DataType::Float64]))
            {
                return Err(ambiguous());
            }
            // Trino types a bare NULL next to a decimal as decimal(1,0).
            let decimal = |f: &Option<Arc<Field>>| {
                f.as_ref()
                    .is_some_and(|f| matches!(f.data_type(), DataType::Decimal128(..)))
            };
            if (l_null && decimal(&r)) || (r_null && decimal(&l)) {
                let null = cast(lit(ScalarValue::Null), DataType::Decimal128(1, 0));
                let (left, right) = if l_null {
                    (null, right.as_ref().clone())
                } else {
                    (left.as_ref().clone(), null)
                };
                return Ok(Transformed::yes(Expr::BinaryExpr(BinaryExpr::new(
                    Box::new(left),
                    *op,
                    Box::new(right),
                ))));
            }
            for (a, b) in [(&l, &r), (&r, &l)] {
                if let (Some(a), Some(b)) = (a, b)
                    && class(a) == Class::Text
                    && class(b) != Class::Unknown
                {
                    let (lf, rf) = (l.as_ref().expect("typed"), r.as_ref().expect("typed"));
                    return Err(mismatch(format!(
                        "Cannot apply operator: {} {op} {}",
                        name(lf),
                        name(rf)
                    )));
                }
            }
        }
        StringConcat => {
            // `NULL || x` is Trino's array concatenation when x is a varchar.
            if l_null && r_null {
                return Err(ambiguous());
            }
            let other = if l_null {
                &r
            } else if r_null {
                &l
            } else {
                &None
            };
            if let Some(other) = other
                && class(other) == Class::Text
            {
                let array = DataType::List(Arc::new(Field::new_list_field(
                    other.data_type().clone(),
                    true,
                )));
                return Ok(Transformed::yes(cast(lit(ScalarValue::Null), array)));
            }
        }
        _ => {}
    }
    Ok(Transformed::no(Expr::BinaryExpr(binary)))
}

fn case_expr(mut case: Case, schema: &DFSchema) -> Result<Transformed<Expr>> {
    if let Some(operand) = &case.expr {
        let operand_type = type_of(operand, schema);
        for (when, _) in &case.when_then_expr {
            if let (Some(o), Some(w)) = (&operand_type, type_of(when, schema))
                && !compatible(class(o), class(&w))
            {
                return Err(mismatch(format!(
                    "CASE operand type does not match WHEN clause operand type: {} vs {}",
                    name(o),
                    name(&w)
                )));
            }
        }
    } else {
        for (when, _) in &case.when_then_expr {
            if let Some(w) = type_of(when, schema)
                && !matches!(class(&w), Class::Boolean | Class::Unknown)
            {
                return Err(mismatch(format!(
                    "CASE WHEN clause must evaluate to a boolean (actual: {})",
                    name(&w)
                )));
            }
        }
    }
    let results: Vec<Arc<Field>> = case
        .when_then_expr
        .iter()
        .map(|(_, then)| then.as_ref())
        .chain(case.else_expr.as_deref())
        .filter_map(|e| type_of(e, schema))
        .collect();
    let Some(float) = common_type("CASE results", &results)? else {
        return Ok(Transformed::no(Expr::Case(case)));
    };
    for (_, then) in &mut case.when_then_expr {
        **then = widen(then.as_ref().clone(), schema, &float);
    }
    if let Some(e) = &mut case.else_expr {
        **e = widen(e.as_ref().clone(), schema, &float);
    }
    Ok(Transformed::yes(Expr::Case(case)))
}

fn coalesce(mut call: ScalarFunction, schema: &DFSchema) -> Result<Transformed<Expr>> {
    let fields: Vec<Arc<Field>> = call
        .args
        .iter()
        .filter_map(|e| type_of(e, schema))
        .collect();
    let Some(float) = common_type("COALESCE operands", &fields)? else {
        return Ok(Transformed::no(Expr::ScalarFunction(call)));
    };
    call.args = call
        .args
        .into_iter()
        .map(|a| widen(a, schema, &float))
        .collect();
    Ok(Transformed::yes(Expr::ScalarFunction(call)))
}

/// `sum(NULL)` and `avg(NULL)`: Trino has no operator for `unknown` that wins; and
/// `listagg` (planned as `string_agg`) takes varchars only.
fn aggregate(call: AggregateFunction, schema: &DFSchema) -> Result<Transformed<Expr>> {
    if matches!(call.func.name(), "sum" | "avg") && call.params.args.iter().all(is_bare_null) {
        return Err(ambiguous());
    }
    if call.func.name() == "string_agg"
        && let Some(f) = call.params.args.first().and_then(|a| type_of(a, schema))
        && !matches!(class(&f), Class::Text | Class::Unknown)
    {
        return Err(mismatch(format!(
            "Expected expression of varchar, but '{}' has {} type",
            call.params.args[0],
            name(&f)
        )));
    }
    Ok(Transformed::no(Expr::AggregateFunction(call)))
}

/// `lag`/`lead` with a default: Trino's signature is `(T, bigint, T)`.
fn window_call(window: &WindowFunction, schema: &DFSchema) -> Result<()> {
    let fname = window.fun.name();
    if matches!(fname, "lag" | "lead")
        && let [value, offset, default] = window.params.args.as_slice()
    {
        let fields = [value, offset, default].map(|e| type_of(e, schema));
        if let [Some(v), Some(o), Some(d)] = &fields
            && !compatible(class(v), class(d))
        {
            return Err(DataFusionError::Plan(format!(
                "FUNCTION_NOT_FOUND: Unexpected parameters ({}, {}, {}) for function {fname}. Expected: {fname}(t) T, {fname}(t, bigint) T, {fname}(t, bigint, t) T",
                name(v),
                name(o),
                name(d)
            )));
        }
    }
    Ok(())
}

/// The columns of a UNION: of one class each, and a decimal mixed with a float is that
/// float (DataFusion would make it a decimal).
fn union_types(union: Union) -> Result<Transformed<LogicalPlan>> {
    let columns = union.schema.fields().len();
    let mut casts: Vec<Option<DataType>> = vec![None; columns];
    for (i, cast_to) in casts.iter_mut().enumerate() {
        let fields: Vec<Arc<Field>> = union
            .inputs
            .iter()
            .filter_map(|input| input.schema().fields().get(i).cloned())
            .collect();
        if fields.len() != union.inputs.len() {
            continue;
        }
        let known: Vec<&Arc<Field>> = fields
            .iter()
            .filter(|f| !matches!(class(f), Class::Unknown | Class::Unchecked))
            .collect();
        if let Some(first) = known.first()
            && let Some(other) = known.iter().find(|f| class(f) != class(first))
        {
            return Err(mismatch(format!(
                "column {} in UNION query has incompatible types: {}, {}",
                i + 1,
                name(first),
                name(other)
            )));
        }
        *cast_to = float_over_decimal(fields.iter().map(|f| f.data_type()));
    }
    if casts.iter().all(Option::is_none) {
        return Ok(Transformed::no(LogicalPlan::Union(union)));
    }
    let mut inputs = Vec::with_capacity(union.inputs.len());
    for input in union.inputs {
        let exprs: Vec<Expr> = input
            .schema()
            .columns()
            .into_iter()
            .zip(&casts)
            .map(|(column, to)| {
                let name = column.name.clone();
                let e = Expr::Column(column);
                match (to, e.get_type(input.schema())) {
                    (Some(to), Ok(DataType::Decimal128(..) | DataType::Decimal256(..))) => {
                        cast(e, to.clone()).alias(name)
                    }
                    _ => e,
                }
            })
            .collect();
        inputs.push(Arc::new(LogicalPlan::Projection(Projection::try_new(
            exprs, input,
        )?)));
    }
    Ok(Transformed::yes(LogicalPlan::Union(
        Union::try_new_with_loose_types(inputs)?,
    )))
}
