//! Trino's `UNNEST` in FROM, planned with the types of its arguments: a map gives two
//! columns (key, value), an array of rows gives one column per field, several arguments
//! are unnested side by side (the shorter padded with NULLs, as DataFusion does), and
//! `WITH ORDINALITY` adds the 1-based position as a last bigint column.
//!
//! DataFusion plans an UNNEST of arrays itself (also lateral: `CROSS JOIN UNNEST(t.a)`);
//! this planner rewrites the other cases into such an UNNEST (`map_keys(m)`,
//! `map_values(m)`, a `generate_series(1, n)` for the ordinals), has DataFusion plan it in
//! the same context, then splits row columns into their fields. A lateral UNNEST of a
//! table's column is then rewritten by [`LateralUnnest`] into an unnest over the table.

use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::common::{
    Column, DFSchema, JoinType, Result, ScalarValue, TableReference, plan_datafusion_err,
};
use datafusion::functions::core::expr_fn::get_field;
use datafusion::functions::expr_fn::coalesce;
use datafusion::functions_nested::expr_fn::{cardinality, make_array};
use datafusion::logical_expr::planner::{
    PlannedRelation, RelationPlanner, RelationPlannerContext, RelationPlanning,
};
use datafusion::logical_expr::{
    Expr as DfExpr, ExprSchemable, LogicalPlan, LogicalPlanBuilder, col, lit, when,
};
use datafusion::optimizer::AnalyzerRule;
use datafusion::sql::sqlparser::ast::{Expr, Ident, TableAlias, TableAliasColumnDef, TableFactor};
use datafusion::sql::sqlparser::parser::Parser;

use super::dialect::AthenaDialect;

/// The alias of the UNNEST this planner hands back to DataFusion.
const INNER: &str = "__athena_unnest";

/// The relation planner for `UNNEST` (register it on the session).
#[derive(Debug, Default)]
pub(crate) struct TrinoUnnest;

/// What one argument of the UNNEST is.
enum Arg {
    Array,
    Rows(Vec<String>),
    Map,
}

impl RelationPlanner for TrinoUnnest {
    fn plan_relation(
        &self,
        relation: TableFactor,
        context: &mut dyn RelationPlannerContext,
    ) -> Result<RelationPlanning> {
        let TableFactor::UNNEST {
            alias,
            array_exprs,
            with_offset: false,
            with_offset_alias: None,
            with_ordinality,
        } = relation
        else {
            return Ok(RelationPlanning::Original(Box::new(relation)));
        };
        if alias.as_ref().is_some_and(|a| a.name.value == INNER) {
            // The arrays this planner made, for DataFusion's own planning.
            return Ok(original(alias, array_exprs, with_ordinality));
        }
        let args = array_exprs
            .iter()
            .map(|e| Arg::of(e, context))
            .collect::<Result<Vec<_>>>()?;
        // Without an alias, Trino names the columns `_col0`, `_col1`, ... (a named row
        // field keeps its name).
        let alias = alias.or_else(|| Some(default_alias(&args, with_ordinality)));
        if !with_ordinality && args.iter().all(|a| matches!(a, Arg::Array)) {
            return Ok(original(alias, array_exprs, with_ordinality));
        }
        let (arrays, split) = inner_arrays(&array_exprs, args, with_ordinality)?;
        let plan = context.plan(TableFactor::UNNEST {
            alias: Some(TableAlias {
                explicit: true,
                name: Ident::new(INNER),
                columns: vec![],
                at: None,
            }),
            array_exprs: arrays,
            with_offset: false,
            with_offset_alias: None,
            with_ordinality: false,
        })?;
        let plan = split_rows(plan, split)?;
        Ok(RelationPlanning::Planned(Box::new(PlannedRelation::new(
            plan, alias,
        ))))
    }
}

impl Arg {
    /// What the UNNEST argument `e` is, from its type.
    fn of(e: &Expr, context: &mut dyn RelationPlannerContext) -> Result<Arg> {
        let empty = DFSchema::empty();
        let planned = context.sql_to_expr(e.clone(), &empty)?;
        Ok(match planned.get_type(&empty)? {
            DataType::Map(..) => Arg::Map,
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                match f.data_type() {
                    DataType::Struct(fields) => {
                        Arg::Rows(fields.iter().map(|f| f.name().clone()).collect())
                    }
                    _ => Arg::Array,
                }
            }
            _ => Arg::Array,
        })
    }
}

/// The alias Trino gives the columns of an UNNEST written without one.
fn default_alias(args: &[Arg], with_ordinality: bool) -> TableAlias {
    let mut names: Vec<String> = Vec::new();
    for arg in args {
        match arg {
            Arg::Array => names.push(format!("_col{}", names.len())),
            Arg::Map => {
                for _ in 0..2 {
                    names.push(format!("_col{}", names.len()));
                }
            }
            Arg::Rows(fields) => {
                let anonymous = fields
                    .iter()
                    .enumerate()
                    .all(|(k, f)| *f == format!("c{k}"));
                for f in fields {
                    let name = if anonymous {
                        format!("_col{}", names.len())
                    } else {
                        f.clone()
                    };
                    names.push(name);
                }
            }
        }
    }
    if with_ordinality {
        names.push(format!("_col{}", names.len()));
    }
    TableAlias {
        explicit: true,
        name: Ident::new("unnest"),
        columns: names
            .into_iter()
            .map(TableAliasColumnDef::from_name)
            .collect(),
        at: None,
    }
}

/// The UNNEST as written, left to DataFusion.
fn original(
    alias: Option<TableAlias>,
    array_exprs: Vec<Expr>,
    with_ordinality: bool,
) -> RelationPlanning {
    RelationPlanning::Original(Box::new(TableFactor::UNNEST {
        alias,
        array_exprs,
        with_offset: false,
        with_offset_alias: None,
        with_ordinality,
    }))
}

/// For each column of the UNNEST DataFusion plans, the fields of its rows to split it
/// into, or `None` to keep it whole.
type Split = Vec<Option<Vec<String>>>;

/// The arrays DataFusion unnests for `array_exprs` (of kinds `args`), and for each of its
/// columns the fields to split it into when it is a column of rows.
fn inner_arrays(
    array_exprs: &[Expr],
    args: Vec<Arg>,
    with_ordinality: bool,
) -> Result<(Vec<Expr>, Split)> {
    let mut arrays = Vec::new();
    let mut split: Split = Vec::new();
    for (e, arg) in array_exprs.iter().zip(args) {
        match arg {
            Arg::Map => {
                arrays.push(sql(&format!("map_keys({e})"))?);
                arrays.push(sql(&format!("map_values({e})"))?);
                split.extend([None, None]);
            }
            Arg::Rows(fields) => {
                arrays.push(e.clone());
                split.push(Some(fields));
            }
            Arg::Array => {
                arrays.push(e.clone());
                split.push(None);
            }
        }
    }
    if with_ordinality {
        // 1..n, n the length of the longest argument (a NULL one counts as empty).
        let lengths: Vec<String> = array_exprs
            .iter()
            .map(|e| format!("coalesce(cardinality({e}), 0)"))
            .collect();
        arrays.push(sql(&format!(
            "generate_series(1, CAST(greatest({}, 0) AS BIGINT))",
            lengths.join(", ")
        ))?);
        split.push(None);
    }
    Ok((arrays, split))
}

/// `plan` with its columns of rows split into their `split` fields, the columns renamed
/// `_u0`, `_u1`, ...
fn split_rows(plan: LogicalPlan, split: Split) -> Result<LogicalPlan> {
    let mut columns = Vec::new();
    for (column, fields) in plan.schema().columns().into_iter().zip(split) {
        match fields {
            None => columns.push(DfExpr::Column(column)),
            Some(fields) => columns.extend(
                fields
                    .into_iter()
                    .map(|f| get_field(DfExpr::Column(column.clone()), f)),
            ),
        }
    }
    let columns = columns
        .into_iter()
        .enumerate()
        .map(|(i, e)| e.alias(format!("_u{i}")));
    LogicalPlanBuilder::from(plan).project(columns)?.build()
}

/// One SQL expression (built from expressions already parsed, printed back as SQL).
fn sql(text: &str) -> Result<Expr> {
    Parser::new(&AthenaDialect)
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| plan_datafusion_err!("UNNEST: {e}"))
}

/// `FROM t CROSS JOIN UNNEST(t.col) AS u(x)`: DataFusion plans the UNNEST as a lateral
/// subquery over outer references, which it cannot execute. This analyzer rule unnests
/// over the left side instead: the subquery's bottom (one empty row) becomes the left
/// input, its outer references become columns of it, and the left columns pass through
/// each step, so every row is joined with its own array's elements.
#[derive(Debug, Default)]
pub(crate) struct LateralUnnest;

impl AnalyzerRule for LateralUnnest {
    fn analyze(&self, plan: LogicalPlan, _config: &ConfigOptions) -> Result<LogicalPlan> {
        plan.transform_up(|node| {
            Ok(match lateral_unnest(&node)? {
                Some(rewritten) => Transformed::yes(rewritten),
                None => Transformed::no(node),
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "athena_lateral_unnest"
    }
}

/// The rewrite of a cross join with a lateral UNNEST subquery, if `node` is one.
fn lateral_unnest(node: &LogicalPlan) -> Result<Option<LogicalPlan>> {
    let LogicalPlan::Join(join) = node else {
        return Ok(None);
    };
    // `CROSS JOIN UNNEST(...)`, or `LEFT JOIN UNNEST(...) ON true`, which keeps a row
    // whose arrays are all empty or NULL, with NULLs for the unnested columns.
    let always = match &join.filter {
        None => true,
        Some(DfExpr::Literal(ScalarValue::Boolean(Some(true)), _)) => true,
        Some(_) => false,
    };
    let keep_empty = match join.join_type {
        JoinType::Inner if join.filter.is_none() => false,
        JoinType::Left if always => true,
        _ => return Ok(None),
    };
    if !join.on.is_empty() {
        return Ok(None);
    }
    let subquery = match join.right.as_ref() {
        LogicalPlan::SubqueryAlias(alias) => match alias.input.as_ref() {
            LogicalPlan::Subquery(s) => &s.subquery,
            _ => return Ok(None),
        },
        LogicalPlan::Subquery(s) => &s.subquery,
        _ => return Ok(None),
    };
    let left: Vec<(Option<TableReference>, String)> = join
        .left
        .schema()
        .iter()
        .map(|(q, f)| (q.cloned(), f.name().clone()))
        .collect();
    let Some((grafted, _)) = graft(subquery, &join.left, &left, keep_empty)? else {
        return Ok(None);
    };
    let mut columns = Vec::with_capacity(left.len() + join.right.schema().fields().len());
    for (i, (qualifier, name)) in left.iter().enumerate() {
        columns.push(col(passed(i)).alias_qualified(qualifier.clone(), name));
    }
    for i in 0..join.right.schema().fields().len() {
        let (q_new, f_new) = grafted.schema().qualified_field(i);
        let (q_right, f_right) = join.right.schema().qualified_field(i);
        columns.push(
            DfExpr::Column(Column::new(q_new.cloned(), f_new.name()))
                .alias_qualified(q_right.cloned(), f_right.name()),
        );
    }
    Ok(Some(
        LogicalPlanBuilder::from(grafted)
            .project(columns)?
            .build()?,
    ))
}

/// `input` with each array of `arrays` that is empty or NULL replaced by one NULL
/// element, so that unnesting it gives one row of NULLs (LEFT JOIN UNNEST).
fn one_null_when_empty(input: LogicalPlan, arrays: &[Column]) -> Result<LogicalPlan> {
    let schema = Arc::clone(input.schema());
    let mut exprs = Vec::with_capacity(schema.fields().len());
    for (qualifier, field) in schema.iter() {
        let column = Column::new(qualifier.cloned(), field.name());
        let element = match field.data_type() {
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _)
                if arrays.contains(&column) =>
            {
                f.data_type().clone()
            }
            _ => {
                exprs.push(DfExpr::Column(column));
                continue;
            }
        };
        let value = DfExpr::Column(column.clone());
        let one_null = make_array(vec![DfExpr::Literal(
            ScalarValue::try_from(&element)?,
            None,
        )]);
        let length = coalesce(vec![cardinality(value.clone()), lit(0u64)]);
        exprs.push(
            when(length.gt(lit(0u64)), value)
                .otherwise(one_null)?
                .alias_qualified(qualifier.cloned(), field.name()),
        );
    }
    LogicalPlanBuilder::from(input).project(exprs)?.build()
}

/// The name a left column passes through the unnest under.
fn passed(i: usize) -> Column {
    Column::new_unqualified(format!("__athena_lateral_{i}"))
}

/// `node` (a chain of projections, aliases and one-level unnests down to one empty row)
/// over `left` instead, passing `left`'s columns through; the flag says whether they go
/// by their pass-through names yet. `None` for any other shape.
fn graft(
    node: &LogicalPlan,
    left: &Arc<LogicalPlan>,
    columns: &[(Option<TableReference>, String)],
    keep_empty: bool,
) -> Result<Option<(LogicalPlan, bool)>> {
    let outer_to_column = |e: DfExpr| {
        e.transform_up(|e| {
            Ok(match e {
                DfExpr::OuterReferenceColumn(_, c) => Transformed::yes(DfExpr::Column(c)),
                other => Transformed::no(other),
            })
        })
        .map(|t| t.data)
    };
    Ok(Some(match node {
        LogicalPlan::EmptyRelation(e) if e.produce_one_row => (left.as_ref().clone(), false),
        LogicalPlan::Projection(p) => {
            let Some((input, renamed)) = graft(&p.input, left, columns, keep_empty)? else {
                return Ok(None);
            };
            let mut exprs = p
                .expr
                .iter()
                .cloned()
                .map(outer_to_column)
                .collect::<Result<Vec<_>>>()?;
            for (i, (qualifier, name)) in columns.iter().enumerate() {
                exprs.push(if renamed {
                    col(passed(i))
                } else {
                    DfExpr::Column(Column::new(qualifier.clone(), name)).alias(passed(i).name)
                });
            }
            (
                LogicalPlanBuilder::from(input).project(exprs)?.build()?,
                true,
            )
        }
        LogicalPlan::Unnest(u) if u.list_type_columns.iter().all(|(_, l)| l.depth == 1) => {
            let Some((input, renamed)) = graft(&u.input, left, columns, keep_empty)? else {
                return Ok(None);
            };
            let input = if keep_empty {
                one_null_when_empty(input, &u.exec_columns)?
            } else {
                input
            };
            let plan = LogicalPlanBuilder::from(input)
                .unnest_columns_with_options(u.exec_columns.clone(), u.options.clone())?
                .build()?;
            (plan, renamed)
        }
        LogicalPlan::SubqueryAlias(a) => {
            let Some((input, renamed)) = graft(&a.input, left, columns, keep_empty)? else {
                return Ok(None);
            };
            if !renamed {
                return Ok(None);
            }
            let plan = LogicalPlanBuilder::from(input)
                .alias(a.alias.clone())?
                .build()?;
            (plan, renamed)
        }
        _ => return Ok(None),
    }))
}
