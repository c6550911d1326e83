//! Arrays, maps, rows, lambdas and VALUES in the parsed statement, before DataFusion
//! plans it (emulator/SQL.md, "Arrays, maps and rows"):
//!
//! - [`rewrite_statement`]: `ARRAY[...]` becomes a call of `athena_array` (Trino's
//!   element coercions; DataFusion also plans a bracket literal without the names a
//!   lambda or an outer query gives, so `x -> ARRAY[x]` would not find `x`); a field of a
//!   lambda parameter (`s.total`) becomes a field access (DataFusion looks such names up
//!   as columns only); a VALUES row that is one `ROW(...)` or `(a, b)` becomes its
//!   columns, as Trino reads it, and rows of different sizes fail as in Trino; the
//!   columns of `(VALUES ...) t` without column names are `_col0`, `_col1`, ...
//! - [`collection_call`]: Trino's array and map functions as the emulator's UDFs
//!   (`functions/collections/`), every arity included, so that a wrong call fails as
//!   Trino's does rather than reaching a DataFusion function of the same name.

use std::ops::ControlFlow;

use datafusion::sql::sqlparser::ast::{
    AccessExpr, ArrayElemTypeDef, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, GroupByExpr, Ident, LambdaFunction,
    LambdaFunctionParameter, LambdaSyntax, ObjectName, ObjectNamePart, OneOrManyWithParens, Query,
    SetExpr, Statement, Subscript, TableAlias, TableAliasColumnDef, TableFactor, Value, VisitMut,
    VisitorMut, visit_expressions_mut,
};

use super::ast::{cast, function_name, renamed};
use crate::engine::error::QueryError;

/// Rewrites the array constructors, lambda field accesses and VALUES rows of
/// `statement`; fails on VALUES rows Trino refuses or the emulator cannot read as Trino.
pub(super) fn rewrite_statement(statement: &mut Statement) -> Result<(), QueryError> {
    let mut rewriter = Collections(None);
    let _ = statement.visit(&mut rewriter);
    rewriter.0.map_or(Ok(()), Err)
}

struct Collections(Option<QueryError>);

impl VisitorMut for Collections {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        if let Err(e) = values_rows(query.body.as_mut()) {
            self.0 = Some(e);
            return ControlFlow::Break(());
        }
        group_by_lists(query.body.as_mut());
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Derived {
            subquery, alias, ..
        } = factor
            && let SetExpr::Values(values) = subquery.body.as_ref()
        {
            let width = values
                .rows
                .first()
                .map_or(0, |row| match row.content.as_slice() {
                    [single] => row_items(single)
                        .ok()
                        .flatten()
                        .map_or(1, |columns| columns.len()),
                    columns => columns.len(),
                });
            let columns: Vec<TableAliasColumnDef> = (0..width)
                .map(|i| TableAliasColumnDef::from_name(format!("_col{i}")))
                .collect();
            match alias {
                Some(a) if a.columns.is_empty() => a.columns = columns,
                None => {
                    *alias = Some(TableAlias {
                        explicit: true,
                        name: Ident::new("__athena_values"),
                        columns,
                        at: None,
                    });
                }
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match rewrite_expr(expr) {
            Ok(Some(new)) => *expr = new,
            Ok(None) => {}
            Err(e) => {
                self.0 = Some(e);
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// The rewrite of one expression (its parts already rewritten), `None` to keep it.
fn rewrite_expr(expr: &mut Expr) -> Result<Option<Expr>, QueryError> {
    Ok(match expr {
        Expr::Array(array) => Some(call("athena_array", std::mem::take(&mut array.elem))),
        // `(a, b)` is a row, as `ROW(a, b)` (DataFusion's tuples take only literals).
        Expr::Tuple(items) => Some(call("row", std::mem::take(items))),
        Expr::Lambda(lambda) => {
            let params: Vec<String> = match &lambda.params {
                OneOrManyWithParens::One(p) => vec![p.name.value.to_lowercase()],
                OneOrManyWithParens::Many(ps) => {
                    ps.iter().map(|p| p.name.value.to_lowercase()).collect()
                }
            };
            if has_subquery(&mut lambda.body) {
                return Err(QueryError::user(
                    "NOT_SUPPORTED: Lambda expression cannot contain subqueries",
                ));
            }
            lambda_fields(&mut lambda.body, &params);
            None
        }
        // `(expr).field`: DataFusion takes a field by name only as `['field']`.
        Expr::CompoundFieldAccess { access_chain, .. } => {
            for access in access_chain.iter_mut() {
                if let AccessExpr::Dot(Expr::Identifier(field)) = access {
                    *access = AccessExpr::Subscript(Subscript::Index {
                        index: Expr::value(Value::SingleQuotedString(field.value.to_lowercase())),
                    });
                }
            }
            None
        }
        Expr::Cast {
            kind,
            expr: inner,
            data_type,
            ..
        } => cast_collection(kind, inner, data_type)?,
        // `x IN (VALUES ...)`: DataFusion takes a subquery's column from a SELECT only.
        Expr::InSubquery { subquery, .. } if matches!(*subquery.body, SetExpr::Values(_)) => {
            let wrapped = format!("SELECT * FROM ({subquery}) AS __athena_in");
            let parsed =
                datafusion::sql::sqlparser::parser::Parser::new(&super::dialect::AthenaDialect)
                    .try_with_sql(&wrapped)
                    .and_then(|mut p| p.parse_query());
            if let Ok(query) = parsed {
                *subquery = query;
            }
            None
        }
        _ => None,
    })
}

/// Casts to array, map and row types DataFusion cannot make itself.
fn cast_collection(
    kind: &CastKind,
    inner: &mut Expr,
    data_type: &DataType,
) -> Result<Option<Expr>, QueryError> {
    match data_type {
        // CAST(ROW(1, 2) AS ROW(a INTEGER)): Trino refuses rows of another size.
        DataType::Struct(fields, _) => {
            if let Some(items) = row_constructor(inner)
                && items.len() != fields.len()
            {
                return Err(QueryError::user(format!(
                    "TYPE_MISMATCH: Cannot cast a row of {} fields to a row of {} fields",
                    items.len(),
                    fields.len()
                )));
            }
            Ok(None)
        }
        // CAST(ARRAY[ROW(..), ..] AS ARRAY(ROW(..))): each element cast (DataFusion casts
        // no row to a row of other field names; the rows' casts name the fields).
        DataType::Array(
            ArrayElemTypeDef::AngleBracket(element)
            | ArrayElemTypeDef::SquareBracket(element, _)
            | ArrayElemTypeDef::Parenthesis(element),
        ) if contains_row(element) => {
            let Expr::Function(f) = inner else {
                return Ok(None);
            };
            if function_name(&f.name).as_deref() != Some("athena_array") {
                return Ok(None);
            }
            let Some(items) = super::ast::plain_args(&f.args) else {
                return Ok(None);
            };
            if items.is_empty() {
                return Ok(None);
            }
            let cast_items = items
                .into_iter()
                .map(|e| Expr::Cast {
                    kind: kind.clone(),
                    expr: Box::new(e),
                    data_type: element.as_ref().clone(),
                    array: false,
                    format: None,
                })
                .collect();
            Ok(Some(call("athena_array", cast_items)))
        }
        // CAST(json AS MAP(K, V)) is left to the cast from JSON (rewrite/strings.rs).
        DataType::Map(..) if is_json_valued(inner) => Ok(None),
        // CAST(x AS MAP(K, V)): the keys and values cast, the map built again (a cast may
        // make two keys equal, which fails as in Trino).
        DataType::Map(key, value) => {
            let (keys, values) = if matches!(inner, Expr::Value(v) if v.value == Value::Null) {
                (Expr::value(Value::Null), Expr::value(Value::Null))
            } else {
                (
                    call("map_keys", vec![inner.clone()]),
                    call("map_values", vec![inner.clone()]),
                )
            };
            let array =
                |t: &DataType| DataType::Array(ArrayElemTypeDef::AngleBracket(Box::new(t.clone())));
            let typed = |e: Expr, t: &DataType| Expr::Cast {
                kind: kind.clone(),
                expr: Box::new(e),
                data_type: array(t),
                array: false,
                format: None,
            };
            Ok(Some(call(
                "athena_map",
                vec![typed(keys, key), typed(values, value)],
            )))
        }
        _ => Ok(None),
    }
}

/// Whether `expr`, as written, is a JSON value: a JSON literal, a cast to JSON, or a call
/// of a function that answers JSON.
fn is_json_valued(expr: &Expr) -> bool {
    match expr {
        Expr::TypedString(ts) => matches!(ts.data_type, DataType::JSON),
        Expr::Cast { data_type, .. } => matches!(data_type, DataType::JSON),
        Expr::Nested(inner) => is_json_valued(inner),
        Expr::Function(f) => matches!(
            function_name(&f.name).as_deref(),
            Some("json_parse" | "json_extract" | "json_array_get")
        ),
        _ => false,
    }
}

/// Whether a type is or holds a row type.
fn contains_row(t: &DataType) -> bool {
    match t {
        DataType::Struct(..) => true,
        DataType::Array(
            ArrayElemTypeDef::AngleBracket(e)
            | ArrayElemTypeDef::SquareBracket(e, _)
            | ArrayElemTypeDef::Parenthesis(e),
        ) => contains_row(e),
        DataType::Map(k, v) => contains_row(k) || contains_row(v),
        _ => false,
    }
}

/// The fields of a `ROW(...)` constructor.
fn row_constructor(e: &Expr) -> Option<Vec<Expr>> {
    match e {
        Expr::Nested(inner) => row_constructor(inner),
        Expr::Tuple(items) => Some(items.clone()),
        Expr::Function(f) if function_name(&f.name).as_deref() == Some("row") => {
            super::ast::plain_args(&f.args)
        }
        _ => None,
    }
}

/// A call of `name` with `args`.
fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// Whether `e` holds a subquery (Trino refuses one in a lambda).
fn has_subquery(e: &mut Expr) -> bool {
    let mut found = false;
    let _ = visit_expressions_mut(e, |e: &mut Expr| {
        if matches!(
            e,
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }
        ) {
            found = true;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    });
    found
}

/// `p.f.g` in a lambda's body, `p` one of its parameters: the field access `p['f']['g']`
/// DataFusion plans on the lambda's variable.
fn lambda_fields(body: &mut Expr, params: &[String]) {
    let _ = visit_expressions_mut(body, |e: &mut Expr| {
        if let Expr::CompoundIdentifier(ids) = e
            && ids.len() >= 2
            && params.contains(&ids[0].value.to_lowercase())
        {
            let root = Expr::Identifier(ids[0].clone());
            let access_chain = ids[1..]
                .iter()
                .map(|f| {
                    AccessExpr::Subscript(Subscript::Index {
                        index: Expr::value(Value::SingleQuotedString(f.value.to_lowercase())),
                    })
                })
                .collect();
            *e = Expr::CompoundFieldAccess {
                root: Box::new(root),
                access_chain,
            };
        }
        ControlFlow::<()>::Continue(())
    });
}

/// The VALUES rows of `body` as Trino reads them: a row that is a single `ROW(...)` or
/// `(a, b, ...)` is that many columns; every row must then have the same size.
fn values_rows(body: &mut SetExpr) -> Result<(), QueryError> {
    match body {
        SetExpr::SetOperation { left, right, .. } => {
            values_rows(left)?;
            values_rows(right)
        }
        SetExpr::Values(values) => {
            for row in &mut values.rows {
                if let [single] = row.content.as_slice()
                    && let Some(columns) = row_items(single)?
                {
                    row.content = columns;
                }
            }
            let mut sizes = values.rows.iter().map(|r| r.content.len());
            if let Some(first) = sizes.next()
                && let Some(other) = sizes.find(|&n| n != first)
            {
                return Err(QueryError::user(format!(
                    "TYPE_MISMATCH: Values rows have mismatched sizes: {first} vs {other}"
                )));
            }
            let rows: Vec<Vec<Expr>> = values.rows.iter().map(|r| r.content.clone()).collect();
            check_literal_types(&rows)
        }
        _ => Ok(()),
    }
}

/// `GROUP BY (a, b)` groups by `a` and `b` in Trino (a grouping set), not by the row
/// `(a, b)` that the expression rewrite would make of it.
fn group_by_lists(body: &mut SetExpr) {
    match body {
        SetExpr::SetOperation { left, right, .. } => {
            group_by_lists(left);
            group_by_lists(right);
        }
        SetExpr::Select(select) => {
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                let flattened: Vec<Expr> = std::mem::take(exprs)
                    .into_iter()
                    .flat_map(|e| match e {
                        Expr::Tuple(items) => items,
                        other => vec![other],
                    })
                    .collect();
                *exprs = flattened;
            }
        }
        _ => {}
    }
}

/// The columns of a VALUES row made of the one expression `e`, when it is a row.
fn row_items(e: &Expr) -> Result<Option<Vec<Expr>>, QueryError> {
    if let Some(items) = row_constructor(e) {
        return Ok(Some(items));
    }
    match e {
        Expr::Cast {
            data_type: DataType::Struct(..),
            ..
        } => Err(QueryError::user(
            "NOT_SUPPORTED: a VALUES row that is a value of a ROW type other than ROW(...) \
             is not supported by athena-emulator",
        )),
        _ => Ok(None),
    }
}

/// The family of types of a literal (`None`: not a literal, or NULL): literals of two
/// families in one VALUES column have no common type in Trino, where DataFusion would
/// cast one to the other.
fn literal_family(e: &Expr) -> Option<&'static str> {
    match e {
        Expr::Nested(inner) => literal_family(inner),
        Expr::UnaryOp { expr, .. } => literal_family(expr).filter(|f| *f == "number"),
        Expr::Value(v) => match &v.value {
            Value::Number(..) => Some("number"),
            Value::SingleQuotedString(_) => Some("string"),
            Value::Boolean(_) => Some("boolean"),
            _ => None,
        },
        Expr::TypedString(ts) => match ts.data_type {
            DataType::Date | DataType::Timestamp(..) | DataType::Datetime(_) => Some("datetime"),
            _ => None,
        },
        _ => None,
    }
}

/// Fails when a VALUES column holds literals of two families.
fn check_literal_types(rows: &[Vec<Expr>]) -> Result<(), QueryError> {
    let width = rows.first().map_or(0, Vec::len);
    for column in 0..width {
        let mut families = rows
            .iter()
            .filter_map(|r| r.get(column).and_then(literal_family));
        if let Some(first) = families.next()
            && let Some(other) = families.find(|f| *f != first)
        {
            return Err(QueryError::user(format!(
                "TYPE_MISMATCH: Values rows have mismatched types: a {first} and a {other} in column {}",
                column + 1
            )));
        }
    }
    Ok(())
}

/// The rewrite of a call of one of Trino's array and map functions (`expr` the call, `a`
/// its arguments), or `None` for another function.
pub(super) fn collection_call(expr: &Expr, name: &str, a: &[Expr]) -> Option<Expr> {
    let to = match name {
        "element_at" => "athena_element_at",
        "cardinality" => "athena_cardinality",
        "slice" => "athena_slice",
        "contains" => "athena_contains",
        "array_position" => "athena_array_position",
        "array_remove" => "athena_array_remove",
        "arrays_overlap" => "athena_arrays_overlap",
        "array_max" => "athena_array_max",
        "array_min" => "athena_array_min",
        "map" => "athena_map",
        "map_from_entries" => "athena_map_from_entries",
        "map_entries" => "athena_map_entries",
        "map_concat" => "athena_map_concat",
        "multimap_from_entries" => "athena_multimap_from_entries",
        "contains_sequence" => "athena_contains_sequence",
        "combinations" => "athena_combinations",
        "ngrams" => "athena_ngrams",
        "shuffle" => "athena_shuffle",
        "sequence" => "athena_sequence",
        "repeat" => "athena_repeat",
        "trim_array" => "athena_trim_array",
        "zip" => "athena_zip",
        "array_join" if !a.is_empty() => return array_join(a),
        "array_intersect" => "athena_array_intersect",
        "array_union" => "athena_array_union",
        "array_except" => "athena_array_except",
        "flatten" => "athena_flatten",
        "array_sort" if a.len() == 1 => "athena_sort_array",
        // DataFusion's array_sort takes a direction, not a comparator.
        "array_sort" if a.len() == 2 && matches!(a[1], Expr::Lambda(_)) => "athena_array_sort",
        _ => return None,
    };
    Some(renamed(expr, to))
}

/// `array_join(a, delimiter[, null_replacement])`: each element as `CAST(x AS VARCHAR)`
/// writes it (Trino joins the elements' varchar casts), joined by `athena_array_join`.
fn array_join(a: &[Expr]) -> Option<Expr> {
    let name = Ident::new("__athena_element");
    let mut text = cast(Expr::Identifier(name.clone()), DataType::Varchar(None));
    super::trino::rewrite_tree(&mut text);
    let lambda = Expr::Lambda(LambdaFunction {
        params: OneOrManyWithParens::One(LambdaFunctionParameter {
            name,
            data_type: None,
        }),
        body: Box::new(text),
        syntax: LambdaSyntax::Arrow,
    });
    let mut args = vec![a[0].clone(), call("transform", vec![a[0].clone(), lambda])];
    args.extend(a[1..].iter().cloned());
    Some(call("athena_array_join", args))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rewrite::dialect::AthenaDialect;
    use datafusion::sql::sqlparser::parser::Parser;

    fn rewritten(sql: &str) -> Result<String, String> {
        let mut statement = Parser::new(&AthenaDialect)
            .try_with_sql(sql)
            .unwrap()
            .parse_statement()
            .unwrap();
        rewrite_statement(&mut statement).map_err(|e| e.message().to_owned())?;
        Ok(statement.to_string())
    }

    #[test]
    fn array_constructors_become_calls() {
        assert_eq!(
            rewritten("SELECT ARRAY[1, 2], transform(a, x -> ARRAY[x])").unwrap(),
            "SELECT athena_array(1, 2), transform(a, x -> athena_array(x))"
        );
    }

    #[test]
    fn lambda_parameters_fields_are_field_accesses() {
        assert_eq!(
            rewritten("SELECT transform(a, r -> r.name || t.c)").unwrap(),
            "SELECT transform(a, r -> r['name'] || t.c)"
        );
    }

    #[test]
    fn tuples_are_rows_but_grouping_lists_are_columns() {
        assert_eq!(
            rewritten("SELECT a FROM t WHERE (a, b) = (1, 2) GROUP BY (a, b)").unwrap(),
            "SELECT a FROM t WHERE row(a, b) = row(1, 2) GROUP BY a, b"
        );
        assert_eq!(
            rewritten("SELECT transform(a, x -> (SELECT 1))").unwrap_err(),
            "NOT_SUPPORTED: Lambda expression cannot contain subqueries"
        );
    }

    #[test]
    fn values_rows_are_trinos() {
        assert_eq!(
            rewritten("SELECT * FROM (VALUES (ROW(1, 'a')), ((2, 'b'))) t(x, y)").unwrap(),
            "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t (x, y)"
        );
        assert_eq!(
            rewritten("SELECT * FROM (VALUES (1, 2)) t").unwrap(),
            "SELECT * FROM (VALUES (1, 2)) t (_col0, _col1)"
        );
        assert_eq!(
            rewritten("SELECT * FROM (VALUES (1, 2), (3)) t(a, b)").unwrap_err(),
            "TYPE_MISMATCH: Values rows have mismatched sizes: 2 vs 1"
        );
        let refused = rewritten("VALUES (CAST(ROW(1) AS STRUCT<a INT>))").unwrap_err();
        assert!(refused.starts_with("NOT_SUPPORTED: "), "{refused}");
    }
}
