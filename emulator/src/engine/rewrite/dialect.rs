//! The SQL dialect queries are parsed in: sqlparser's generic dialect, plus Trino's
//! lambda expressions (`x -> x * 2`, `(k, v) -> v > 0`), which the generic dialect does
//! not parse. It reports itself as the generic dialect, so the parser behaves exactly
//! as with it everywhere else.

use std::any::TypeId;

use datafusion::sql::sqlparser::ast::{
    Expr, Function, FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart,
    TrimWhereField,
};
use datafusion::sql::sqlparser::dialect::{Dialect, GenericDialect};
use datafusion::sql::sqlparser::keywords::Keyword;
use datafusion::sql::sqlparser::parser::{Parser, ParserError};
use datafusion::sql::sqlparser::tokenizer::Token;

/// Trino's SQL/JSON functions (`json_object('a': 1)`, `json_query(j, 'lax $.a' WITH
/// WRAPPER)`) have a syntax of their own, which the emulator does not serve: the call is
/// read whole and left as a call of the function without arguments, which the function
/// gate refuses with NOT_SUPPORTED (rather than a syntax error Trino would not raise).
fn sql_json_function(parser: &mut Parser<'_>) -> Option<Result<Expr, ParserError>> {
    let [name, open] = parser.peek_tokens::<2>();
    let Token::Word(word) = name else {
        return None;
    };
    let lower = word.value.to_ascii_lowercase();
    if open != Token::LParen
        || !matches!(
            lower.as_str(),
            "json_object" | "json_array" | "json_query" | "json_value" | "json_exists"
        )
    {
        return None;
    }
    let start = parser.next_token();
    let mut depth = 0usize;
    loop {
        match parser.next_token().token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::EOF => return Some(parser.expected("')'", start)),
            _ => {}
        }
    }
    let mut ident = Ident::new(lower);
    ident.span = start.span;
    Some(Ok(Expr::Function(Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(ident)]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })))
}

/// The generic dialect with lambdas.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct AthenaDialect;

/// Forwards each of the generic dialect's own answers.
macro_rules! like_generic {
    ($($name:ident,)*) => {
        $(fn $name(&self) -> bool {
            GenericDialect.$name()
        })*
    };
}

impl Dialect for AthenaDialect {
    fn dialect(&self) -> TypeId {
        TypeId::of::<GenericDialect>()
    }

    fn supports_lambda_functions(&self) -> bool {
        true
    }

    /// Trino's `trim(LEADING FROM s)` (whitespace from one side, no characters named),
    /// which the generic parser does not take; anything else parses as generic.
    fn parse_prefix(&self, parser: &mut Parser<'_>) -> Option<Result<Expr, ParserError>> {
        if let Some(refused) = sql_json_function(parser) {
            return Some(refused);
        }
        let [trim, open, side, from] = parser.peek_tokens::<4>();
        let keyword = |t: &Token| match t {
            Token::Word(w) => Some(w.keyword),
            _ => None,
        };
        let trim_where = match keyword(&side) {
            Some(Keyword::LEADING) => TrimWhereField::Leading,
            Some(Keyword::TRAILING) => TrimWhereField::Trailing,
            Some(Keyword::BOTH) => TrimWhereField::Both,
            _ => return None,
        };
        if keyword(&trim) != Some(Keyword::TRIM)
            || open != Token::LParen
            || keyword(&from) != Some(Keyword::FROM)
        {
            return None;
        }
        for _ in 0..4 {
            parser.next_token();
        }
        Some(parser.parse_expr().and_then(|expr| {
            parser.expect_token(&Token::RParen)?;
            Ok(Expr::Trim {
                expr: Box::new(expr),
                trim_where: Some(trim_where),
                trim_what: None,
                trim_characters: None,
            })
        }))
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        GenericDialect.is_delimited_identifier_start(ch)
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        GenericDialect.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        GenericDialect.is_identifier_part(ch)
    }

    // Every other method GenericDialect overrides (sqlparser 0.62), in its order.
    like_generic! {
        supports_unicode_string_literal,
        supports_partition_by_after_order_by,
        supports_array_join_syntax,
        supports_group_by_expr,
        supports_group_by_with_modifier,
        supports_left_associative_joins_without_parens,
        supports_connect_by,
        supports_match_recognize,
        supports_pipe_operator,
        supports_start_transaction_modifier,
        supports_window_function_null_treatment_arg,
        supports_dictionary_syntax,
        supports_window_clause_named_window_reference,
        supports_parenthesized_set_variables,
        supports_select_wildcard_except,
        support_map_literal_syntax,
        allow_extract_custom,
        allow_extract_single_quotes,
        supports_extract_comma_syntax,
        supports_create_view_comment_syntax,
        supports_parens_around_table_factor,
        supports_values_as_table_factor,
        supports_create_index_with_clause,
        supports_explain_with_utility_options,
        supports_limit_comma,
        supports_update_order_by,
        supports_from_first_select,
        supports_projection_trailing_commas,
        supports_asc_desc_in_column_definition,
        supports_try_convert,
        supports_bitwise_shift_operators,
        supports_comment_on,
        supports_load_extension,
        supports_named_fn_args_with_assignment_operator,
        supports_struct_literal,
        supports_empty_projections,
        supports_nested_comments,
        supports_multiline_comment_hints,
        supports_user_host_grantee,
        supports_string_escape_constant,
        supports_array_typedef_with_brackets,
        supports_match_against,
        supports_set_names,
        supports_comma_separated_set_assignments,
        supports_filter_during_aggregation,
        supports_select_wildcard_exclude,
        supports_data_type_signed_suffix,
        supports_interval_options,
        supports_quote_delimited_string,
        supports_select_wildcard_replace,
        supports_select_wildcard_ilike,
        supports_select_wildcard_rename,
        supports_optimize_table,
        supports_install,
        supports_detach,
        supports_prewhere,
        supports_with_fill,
        supports_limit_by,
        supports_interpolate,
        supports_settings,
        supports_select_format,
        supports_comment_optimizer_hint,
        supports_constraint_keyword_without_name,
        supports_key_column_option,
        supports_comma_separated_trim,
        supports_cte_without_as,
        supports_select_item_multi_column_alias,
        supports_xml_expressions,
    }
}

#[cfg(test)]
mod tests {
    use datafusion::sql::sqlparser::parser::Parser;

    use super::*;

    #[test]
    fn lambdas_parse_and_everything_else_parses_as_in_the_generic_dialect() {
        let lambda = "SELECT transform(a, x -> x * 2), map_filter(m, (k, v) -> v > 0) FROM t";
        // The generic dialect reads `x -> x * 2` as a JSON access, not a lambda.
        let generic = Parser::parse_sql(&GenericDialect, lambda);
        assert!(!format!("{generic:?}").contains("Lambda"));
        let parsed = Parser::parse_sql(&AthenaDialect, lambda).unwrap();
        assert!(format!("{parsed:?}").contains("Lambda"));
        assert_eq!(parsed[0].to_string(), lambda);
        for sql in [
            "SELECT a, b FROM t WHERE a > 1 GROUP BY a ORDER BY 1 LIMIT 10",
            "SELECT * FROM t CROSS JOIN UNNEST(t.a) WITH ORDINALITY AS u(x, n)",
            // (`a -> b` is a lambda here: Trino has no JSON arrow operator.)
            "SELECT `quoted`, #x, a ->> 'k' FROM t",
            "SELECT a FROM t1 JOIN t2 USING (id) WHERE b IN (SELECT c FROM t3)",
        ] {
            assert_eq!(
                format!("{:?}", Parser::parse_sql(&AthenaDialect, sql)),
                format!("{:?}", Parser::parse_sql(&GenericDialect, sql)),
                "{sql}"
            );
        }
    }
}
