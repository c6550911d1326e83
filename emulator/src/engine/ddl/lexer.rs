//! The lexer of Athena's DDL: words, quoted identifiers, string literals, numbers and
//! symbols, each with its position, for the Hive statements the emulator parses itself.

use crate::engine::error::QueryError;

/// One lexical token with its 1-based position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: TokenKind,
    pub(crate) line: usize,
    pub(crate) col: usize,
    /// Byte offset in the statement.
    pub(crate) offset: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// A bare word (identifier or keyword), as written.
    Word(String),
    /// A `quoted` or "quoted" identifier.
    QuotedIdentifier(String),
    /// A '...' string literal: the raw text between the quotes (`''` already folded).
    StringLiteral(String),
    /// A number.
    Number(String),
    /// Any other single character.
    Symbol(char),
}

impl Token {
    /// The token as written, for error messages (`mismatched input '...'`).
    pub(crate) fn text(&self) -> String {
        match &self.kind {
            TokenKind::Word(w) | TokenKind::Number(w) => w.clone(),
            TokenKind::QuotedIdentifier(w) => format!("\"{w}\""),
            TokenKind::StringLiteral(s) => format!("'{s}'"),
            TokenKind::Symbol(c) => c.to_string(),
        }
    }

    /// Whether the token is the keyword `kw` (any case).
    pub(crate) fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    /// Whether the token is the symbol `c`.
    pub(crate) fn is_symbol(&self, c: char) -> bool {
        self.kind == TokenKind::Symbol(c)
    }
}

/// Splits `sql` into tokens, skipping whitespace and comments. Stops after `limit` tokens.
pub(crate) fn tokenize(sql: &str, limit: usize) -> Result<Vec<Token>, QueryError> {
    let mut lexer = Lexer::new(sql);
    let mut out = Vec::new();
    while let Some(c) = lexer.peek()
        && out.len() < limit
    {
        let (line, col, offset) = (lexer.line, lexer.col, lexer.offsets[lexer.i]);
        let kind = if c.is_whitespace() {
            lexer.bump();
            continue;
        } else if c == '-' && lexer.peek_second() == Some('-') {
            lexer.skip_line_comment();
            continue;
        } else if c == '/' && lexer.peek_second() == Some('*') {
            lexer.skip_block_comment(line, col)?;
            continue;
        } else if c == '\'' {
            TokenKind::StringLiteral(lexer.string_literal(line, col)?)
        } else if c == '"' || c == '`' {
            TokenKind::QuotedIdentifier(lexer.quoted_identifier(c, line, col)?)
        } else if c.is_alphabetic() || c == '_' {
            TokenKind::Word(lexer.take_while(|c| c.is_alphanumeric() || c == '_' || c == '$'))
        } else if c.is_ascii_digit() {
            TokenKind::Number(lexer.take_while(|c| c.is_ascii_alphanumeric() || c == '.'))
        } else {
            lexer.bump();
            TokenKind::Symbol(c)
        };
        out.push(Token {
            kind,
            line,
            col,
            offset,
        });
    }
    Ok(out)
}

/// A statement's characters, and the position of the next one.
struct Lexer {
    chars: Vec<char>,
    /// Byte offset of each character.
    offsets: Vec<usize>,
    i: usize,
    line: usize,
    col: usize,
}

impl Lexer {
    fn new(sql: &str) -> Lexer {
        Lexer {
            chars: sql.chars().collect(),
            offsets: sql.char_indices().map(|(o, _)| o).collect(),
            i: 0,
            line: 1,
            col: 1,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek_second(&self) -> Option<char> {
        self.chars.get(self.i + 1).copied()
    }

    /// Moves past one character, keeping the line and column.
    fn bump(&mut self) {
        if self.chars[self.i] == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        self.i += 1;
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut s = String::new();
        while let Some(c) = self.peek()
            && keep(c)
        {
            s.push(c);
            self.bump();
        }
        s
    }

    /// `-- ...` up to (not including) the end of the line.
    fn skip_line_comment(&mut self) {
        while self.peek().is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    /// `/* ... */`, which starts at `line`:`col`.
    fn skip_block_comment(&mut self, line: usize, col: usize) -> Result<(), QueryError> {
        self.bump();
        self.bump();
        while self.peek().is_some()
            && !(self.peek() == Some('*') && self.peek_second() == Some('/'))
        {
            self.bump();
        }
        if self.peek().is_none() {
            return Err(malformed(line, col, "unterminated comment"));
        }
        self.bump();
        self.bump();
        Ok(())
    }

    /// `'...'`, which starts at `line`:`col`: backslash escapes are kept as written (Hive
    /// unescapes them later), `''` is one quote.
    fn string_literal(&mut self, line: usize, col: usize) -> Result<String, QueryError> {
        self.bump();
        let mut s = String::new();
        loop {
            let Some(d) = self.peek() else {
                return Err(malformed(line, col, "unterminated string literal"));
            };
            if d == '\\' && self.peek_second().is_some() {
                s.push(d);
                self.bump();
                s.push(self.chars[self.i]);
                self.bump();
            } else if d == '\'' {
                self.bump();
                if self.peek() == Some('\'') {
                    s.push('\'');
                    self.bump();
                } else {
                    return Ok(s);
                }
            } else {
                s.push(d);
                self.bump();
            }
        }
    }

    /// `"..."` or `` `...` `` (quoted by `quote`), which starts at `line`:`col`; a doubled
    /// quote is one quote.
    fn quoted_identifier(
        &mut self,
        quote: char,
        line: usize,
        col: usize,
    ) -> Result<String, QueryError> {
        self.bump();
        let mut s = String::new();
        loop {
            let Some(d) = self.peek() else {
                return Err(malformed(line, col, "unterminated quoted identifier"));
            };
            self.bump();
            if d == quote {
                if self.peek() == Some(quote) {
                    s.push(quote);
                    self.bump();
                } else {
                    return Ok(s);
                }
            } else {
                s.push(d);
            }
        }
    }
}

/// A MALFORMED_QUERY at `line`:`col`.
fn malformed(line: usize, col: usize, what: &str) -> QueryError {
    QueryError::Malformed {
        message: format!("line {line}:{col}: {what}"),
    }
}
