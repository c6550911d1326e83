//! The error inside the deserializers, which becomes an [`Error`] once the
//! column it is about is known.

use std::fmt;

use serde::de;

use crate::error::Error;
use crate::row::Row;
use crate::value::{self, ParseError};

/// The error inside the deserializers: a message until the column is known, then
/// a complete [`Error`] (an [`Error::Decode`], or an [`Error::NoSuchColumn`] for a
/// struct field without a column).
#[derive(Debug)]
pub(super) enum DeError {
    Message(String),
    Complete(Box<Error>),
}

impl DeError {
    pub(super) fn msg(message: impl Into<String>) -> Self {
        DeError::Message(message.into())
    }

    pub(super) fn parse(e: ParseError) -> Self {
        DeError::Message(e.message().to_owned())
    }

    pub(super) fn json(e: serde_json::Error) -> Self {
        DeError::Message(format!("JSON: {e}"))
    }

    pub(super) fn in_element(self, what: fmt::Arguments<'_>) -> Self {
        match self {
            DeError::Message(m) => DeError::Message(format!("{what}: {m}")),
            complete => complete,
        }
    }

    pub(super) fn into_error(self, row: &Row, column: Option<usize>) -> Error {
        match (self, column) {
            (DeError::Complete(e), _) => *e,
            (DeError::Message(m), Some(i)) => {
                value::decode_error(row, i, row.text(i).unwrap_or_default(), m)
            }
            (DeError::Message(m), None) => Error::Decode {
                row_number: row.row_number(),
                column: "(row)".to_owned(),
                athena_type: String::new(),
                text: String::new(),
                message: m,
            },
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeError::Message(m) => f.write_str(m),
            DeError::Complete(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::Message(msg.to_string())
    }
}
