//! The Athena API operations the emulator serves.

use std::fmt;

/// An Athena API operation the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `StartQueryExecution`.
    StartQueryExecution,
    /// `GetQueryExecution`.
    GetQueryExecution,
    /// `BatchGetQueryExecution`.
    BatchGetQueryExecution,
    /// `ListQueryExecutions`.
    ListQueryExecutions,
    /// `GetQueryResults`.
    GetQueryResults,
    /// `StopQueryExecution`.
    StopQueryExecution,
}

impl Operation {
    /// Every operation, in a fixed order.
    pub const ALL: [Operation; 6] = [
        Operation::StartQueryExecution,
        Operation::GetQueryExecution,
        Operation::BatchGetQueryExecution,
        Operation::ListQueryExecutions,
        Operation::GetQueryResults,
        Operation::StopQueryExecution,
    ];

    /// The operation's name, as in `X-Amz-Target: AmazonAthena.<name>`.
    pub const fn name(self) -> &'static str {
        match self {
            Operation::StartQueryExecution => "StartQueryExecution",
            Operation::GetQueryExecution => "GetQueryExecution",
            Operation::BatchGetQueryExecution => "BatchGetQueryExecution",
            Operation::ListQueryExecutions => "ListQueryExecutions",
            Operation::GetQueryResults => "GetQueryResults",
            Operation::StopQueryExecution => "StopQueryExecution",
        }
    }

    /// The operation with this name, if the emulator serves it.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The operation's position in [`Operation::ALL`], to index per-operation arrays.
    pub(super) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
