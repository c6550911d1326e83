//! The cursor the DDL parsers walk tokens with: keywords, symbols, identifiers, string
//! literals, numbers and the small shapes every statement shares (table names, property
//! lists, LIKE patterns), with Athena's `mismatched input` errors.

use super::lexer::{Token, TokenKind};
use crate::engine::error::QueryError;

/// `db.table` or `table`, lowercased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableName {
    pub(crate) database: Option<String>,
    pub(crate) table: String,
}

/// A cursor over the tokens of one statement.
pub(crate) struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    /// A parser at the first of `tokens`.
    pub(crate) fn new(tokens: Vec<Token>) -> Parser {
        Parser { tokens, pos: 0 }
    }

    /// The token at the cursor.
    pub(crate) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    /// The token after the one at the cursor.
    pub(crate) fn peek_second(&self) -> Option<&Token> {
        self.tokens.get(self.pos + 1)
    }

    /// Moves past the token at the cursor.
    pub(crate) fn advance(&mut self) {
        self.pos += 1;
    }

    /// Moves back to the token before the cursor.
    pub(crate) fn back(&mut self) {
        self.pos -= 1;
    }

    /// Moves past every token left (for clauses the emulator accepts and ignores).
    pub(crate) fn skip_to_end(&mut self) {
        self.pos = self.tokens.len();
    }

    /// Athena's MALFORMED_QUERY at the cursor: `mismatched input 'x'. Expecting: ...`.
    pub(crate) fn mismatched(&self, expecting: &str) -> QueryError {
        match self.peek() {
            Some(t) => QueryError::Malformed {
                message: format!(
                    "line {}:{}: mismatched input '{}'. Expecting: {expecting}",
                    t.line,
                    t.col,
                    t.text()
                ),
            },
            None => {
                let (line, col) = self
                    .tokens
                    .last()
                    .map(|t| (t.line, t.col + t.text().chars().count()))
                    .unwrap_or((1, 1));
                QueryError::Malformed {
                    message: format!(
                        "line {line}:{col}: mismatched input '<EOF>'. Expecting: {expecting}"
                    ),
                }
            }
        }
    }

    /// Moves past the keyword `kw` if it is at the cursor.
    pub(crate) fn eat_keyword(&mut self, kw: &str) -> bool {
        if self.peek().is_some_and(|t| t.is_keyword(kw)) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Moves past the keywords `kws` if they are all at the cursor, in order.
    pub(crate) fn eat_keywords(&mut self, kws: &[&str]) -> bool {
        let save = self.pos;
        for kw in kws {
            if !self.eat_keyword(kw) {
                self.pos = save;
                return false;
            }
        }
        true
    }

    /// Moves past the keyword `kw`, which must be at the cursor.
    pub(crate) fn expect_keyword(&mut self, kw: &str) -> Result<(), QueryError> {
        if self.eat_keyword(kw) {
            Ok(())
        } else {
            Err(self.mismatched(&format!("'{kw}'")))
        }
    }

    /// Moves past the symbol `c` if it is at the cursor.
    pub(crate) fn eat_symbol(&mut self, c: char) -> bool {
        if self.peek().is_some_and(|t| t.is_symbol(c)) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Moves past the symbol `c`, which must be at the cursor.
    pub(crate) fn expect_symbol(&mut self, c: char) -> Result<(), QueryError> {
        if self.eat_symbol(c) {
            Ok(())
        } else {
            Err(self.mismatched(&format!("'{c}'")))
        }
    }

    /// An identifier, bare or quoted, lowercased.
    pub(crate) fn identifier(&mut self) -> Result<String, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Word(w)) | Some(TokenKind::QuotedIdentifier(w)) => {
                let w = w.to_ascii_lowercase();
                self.advance();
                Ok(w)
            }
            _ => Err(self.mismatched("<identifier>")),
        }
    }

    /// A string literal, with Hive's escapes resolved.
    pub(crate) fn string_literal(&mut self) -> Result<String, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(TokenKind::StringLiteral(s)) => {
                let s = unescape(s);
                self.advance();
                Ok(s)
            }
            _ => Err(self.mismatched("<string>")),
        }
    }

    /// A non-negative integer.
    pub(crate) fn number(&mut self) -> Result<u32, QueryError> {
        match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Number(n)) => match n.parse() {
                Ok(v) => {
                    self.advance();
                    Ok(v)
                }
                Err(_) => Err(self.mismatched("<integer>")),
            },
            _ => Err(self.mismatched("<integer>")),
        }
    }

    /// `table`, `db.table` or `catalog.db.table`.
    pub(crate) fn table_name(&mut self) -> Result<TableName, QueryError> {
        let first = self.identifier()?;
        if self.eat_symbol('.') {
            let second = self.identifier()?;
            if self.eat_symbol('.') {
                // catalog.db.table: the catalog is the only one there is.
                let third = self.identifier()?;
                return Ok(TableName {
                    database: Some(second),
                    table: third,
                });
            }
            Ok(TableName {
                database: Some(first),
                table: second,
            })
        } else {
            Ok(TableName {
                database: None,
                table: first,
            })
        }
    }

    /// Whether only `;`s are left (it moves past them).
    pub(crate) fn at_end(&mut self) -> bool {
        while self.eat_symbol(';') {}
        self.pos >= self.tokens.len()
    }

    /// Nothing but `;`s may be left.
    pub(crate) fn expect_end(&mut self) -> Result<(), QueryError> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.mismatched("<EOF>"))
        }
    }

    /// `('k' = 'v', ...)`, as TBLPROPERTIES and SERDEPROPERTIES are written.
    pub(crate) fn properties(&mut self) -> Result<Vec<(String, String)>, QueryError> {
        self.expect_symbol('(')?;
        let mut props = Vec::new();
        if self.eat_symbol(')') {
            return Ok(props);
        }
        loop {
            let k = self.string_literal()?;
            self.expect_symbol('=')?;
            let v = self.string_literal()?;
            props.push((k, v));
            if !self.eat_symbol(',') {
                break;
            }
        }
        self.expect_symbol(')')?;
        Ok(props)
    }

    /// `[LIKE] 'pattern'` of SHOW statements, when there is one.
    pub(crate) fn like_pattern(&mut self) -> Result<Option<String>, QueryError> {
        if self.eat_keyword("like")
            || matches!(
                self.peek().map(|t| &t.kind),
                Some(TokenKind::StringLiteral(_))
            )
        {
            Ok(Some(self.string_literal()?))
        } else {
            Ok(None)
        }
    }
}

/// Hive string escapes: `\t`, `\n`, `\\`, `\'`, `\001` (octal), `\u0001`.
pub(crate) fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' || i + 1 >= chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let d = chars[i + 1];
        i += 2;
        match d {
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '0'..='7' => {
                let mut v = d.to_digit(8).unwrap_or(0);
                let mut k = 0;
                while k < 2 && i < chars.len() && chars[i].is_digit(8) {
                    v = v * 8 + chars[i].to_digit(8).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                out.push(char::from_u32(v).unwrap_or('\0'));
            }
            'u' if i + 4 <= chars.len() => {
                let hex: String = chars[i..i + 4].iter().collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => {
                        out.push(ch);
                        i += 4;
                    }
                    None => out.push('u'),
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// NOT_SUPPORTED, for a statement or clause Athena has and the emulator does not.
pub(crate) fn not_supported(what: &str) -> QueryError {
    QueryError::user(format!(
        "NOT_SUPPORTED: {what} is not supported by athena-emulator"
    ))
}
