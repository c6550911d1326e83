//! Trino's type syntax, rewritten on the tokens before sqlparser sees the statement:
//! `ROW(name type, ...)` and `ARRAY(type)` become `STRUCT<...>` / `ARRAY<...>`,
//! `IPADDRESS '...'` / `UUID '...'` literals become casts, quoted identifiers are
//! lowercased; and types nested deeper than the parser can take are refused.

use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::tokenizer::{Token, Tokenizer};

use crate::engine::error::QueryError;

/// Deepest nesting of types (`ROW(`, `ARRAY(`, `STRUCT<`, `ARRAY<`, `MAP<`) accepted: the
/// parser recurses on types without a limit of its own, so deeper types could exhaust
/// the stack.
const MAX_TYPE_NESTING: usize = 16;

pub(super) fn check_type_nesting(sql: &str) -> Result<(), QueryError> {
    let lower = sql.to_ascii_lowercase();
    if !["row", "array", "struct", "map"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Ok(());
    }
    let dialect = GenericDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize_with_location() else {
        return Ok(()); // the parser reports it
    };
    let sig: Vec<_> = tokens
        .iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_)))
        .collect();
    // Brackets opened right after a type keyword, and every bracket inside them.
    let mut stack: Vec<bool> = Vec::new();
    let mut types = 0usize;
    for (k, t) in sig.iter().enumerate() {
        let after_type_word = k > 0
            && matches!(&sig[k - 1].token, Token::Word(w)
                if ["row", "array", "struct", "map"].iter().any(|x| w.value.eq_ignore_ascii_case(x)));
        match &t.token {
            Token::LParen | Token::Lt | Token::LBracket => {
                stack.push(after_type_word);
                if after_type_word {
                    types += 1;
                    if types > MAX_TYPE_NESTING {
                        return Err(QueryError::Malformed {
                            message: format!(
                                "line {}:{}: Types nested more than {MAX_TYPE_NESTING} levels deep are not supported",
                                t.span.start.line, t.span.start.column
                            ),
                        });
                    }
                }
            }
            Token::RParen | Token::Gt | Token::RBracket if stack.pop() == Some(true) => {
                types -= 1;
            }
            Token::ShiftRight => {
                for _ in 0..2 {
                    if stack.pop() == Some(true) {
                        types -= 1;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Trino's `ROW(name type, ...)` and `ARRAY(type)` types (after `AS`) become the
/// `STRUCT<...>` / `ARRAY<...>` the parser knows. `None` when there is nothing to change.
pub(super) fn trino_types(sql: &str) -> Option<String> {
    let lower = sql.to_ascii_lowercase();
    if !lower.contains("row")
        && !lower.contains("array")
        && !lower.contains("ipaddress")
        && !lower.contains("uuid")
        && !sql.contains('"')
    {
        return None;
    }
    let dialect = GenericDialect {};
    let mut tokens = Tokenizer::new(&dialect, sql).tokenize().ok()?;
    let mut changed = lowercase_quoted_identifiers(&mut tokens);
    let tokens = Significant::new(tokens);
    let mut out: Vec<String> = tokens.all.iter().map(|t| t.to_string()).collect();
    changed |= typed_literals_as_casts(&tokens, &mut out);
    changed |= types_as_parser_types(&tokens, &mut out);
    changed.then(|| out.concat())
}

/// Identifiers are case-insensitive in Trino, quoted or not: "Foo" is foo.
fn lowercase_quoted_identifiers(tokens: &mut [Token]) -> bool {
    let mut changed = false;
    for t in tokens {
        if let Token::Word(w) = t
            && w.quote_style.is_some()
            && w.value.chars().any(char::is_uppercase)
        {
            w.value = w.value.to_lowercase();
            changed = true;
        }
    }
    changed
}

/// A statement's tokens, addressed by their position among the tokens that are not
/// whitespace (`k`); `out` holds the text of every token, whitespace included.
struct Significant {
    all: Vec<Token>,
    /// Indexes into `all` of the tokens that are not whitespace.
    sig: Vec<usize>,
}

impl Significant {
    fn new(all: Vec<Token>) -> Significant {
        let sig: Vec<usize> = (0..all.len())
            .filter(|&i| !matches!(all[i], Token::Whitespace(_)))
            .collect();
        Significant { all, sig }
    }

    /// The `k`th significant token.
    fn token(&self, k: usize) -> &Token {
        &self.all[self.sig[k]]
    }

    /// Whether the `k`th significant token is the unquoted word `w`.
    fn word(&self, k: usize, w: &str) -> bool {
        self.sig
            .get(k)
            .is_some_and(|&i| matches!(&self.all[i], Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w)))
    }

    /// Whether the `k`th significant token is `t`.
    fn is(&self, k: usize, t: &Token) -> bool {
        self.sig.get(k).is_some_and(|&i| &self.all[i] == t)
    }

    /// Whether the `k`th significant token is a word, quoted or not.
    fn is_word(&self, k: usize) -> bool {
        self.sig
            .get(k)
            .is_some_and(|&i| matches!(self.all[i], Token::Word(_)))
    }
}

/// IPADDRESS '10.0.0.1' / UUID '...' literals: CAST('...' AS IPADDRESS).
fn typed_literals_as_casts(t: &Significant, out: &mut [String]) -> bool {
    let mut changed = false;
    for k in 0..t.sig.len().saturating_sub(1) {
        if (t.word(k, "ipaddress") || t.word(k, "uuid"))
            && matches!(t.token(k + 1), Token::SingleQuotedString(_))
            && !(k > 0 && t.word(k - 1, "as"))
        {
            let ty = out[t.sig[k]].to_ascii_uppercase();
            out[t.sig[k]] = "CAST(".to_owned();
            out[t.sig[k + 1]] = format!("{} AS {ty})", t.token(k + 1));
            changed = true;
        }
    }
    changed
}

/// `AS ROW(name type, ...)` / `AS ARRAY(type)`, nested types included.
fn types_as_parser_types(t: &Significant, out: &mut [String]) -> bool {
    let mut changed = false;
    let mut k = 0;
    while k + 2 < t.sig.len() {
        if t.word(k, "as")
            && t.is(k + 2, &Token::LParen)
            && ((t.word(k + 1, "row") && t.is_word(k + 3) && t.is_word(k + 4))
                || (t.word(k + 1, "array") && t.is_word(k + 3)))
        {
            k = convert_type(k + 1, t, out, 0);
            changed = true;
        } else {
            k += 1;
        }
    }
    changed
}

/// Converts the type starting at significant token `k` (ROW or ARRAY followed by '('),
/// recursively; returns the position after it.
fn convert_type(k: usize, t: &Significant, out: &mut [String], nesting: usize) -> usize {
    let open = k + 1;
    if nesting > 16 {
        // Deeper types than anyone writes: leave them to the parser's own limit.
        return k + 1;
    }
    let mut depth = 0usize;
    let mut m = open;
    while m < t.sig.len() {
        match t.token(m) {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        m += 1;
    }
    if m >= t.sig.len() {
        return k + 1;
    }
    out[t.sig[k]] = if t.word(k, "row") {
        "STRUCT".into()
    } else {
        "ARRAY".into()
    };
    out[t.sig[open]] = "<".into();
    out[t.sig[m]] = ">".into();
    let mut j = open + 1;
    while j < m {
        if (t.word(j, "row") || t.word(j, "array")) && t.is(j + 1, &Token::LParen) {
            j = convert_type(j, t, out, nesting + 1);
        } else {
            j += 1;
        }
    }
    m + 1
}
