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
    /// `GetQueryRuntimeStatistics`.
    GetQueryRuntimeStatistics,
    /// `CreateWorkGroup`.
    CreateWorkGroup,
    /// `GetWorkGroup`.
    GetWorkGroup,
    /// `ListWorkGroups`.
    ListWorkGroups,
    /// `UpdateWorkGroup`.
    UpdateWorkGroup,
    /// `DeleteWorkGroup`.
    DeleteWorkGroup,
}

impl Operation {
    /// Every operation, in a fixed order.
    pub const ALL: [Operation; 12] = [
        Operation::StartQueryExecution,
        Operation::GetQueryExecution,
        Operation::BatchGetQueryExecution,
        Operation::ListQueryExecutions,
        Operation::GetQueryResults,
        Operation::StopQueryExecution,
        Operation::GetQueryRuntimeStatistics,
        Operation::CreateWorkGroup,
        Operation::GetWorkGroup,
        Operation::ListWorkGroups,
        Operation::UpdateWorkGroup,
        Operation::DeleteWorkGroup,
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
            Operation::GetQueryRuntimeStatistics => "GetQueryRuntimeStatistics",
            Operation::CreateWorkGroup => "CreateWorkGroup",
            Operation::GetWorkGroup => "GetWorkGroup",
            Operation::ListWorkGroups => "ListWorkGroups",
            Operation::UpdateWorkGroup => "UpdateWorkGroup",
            Operation::DeleteWorkGroup => "DeleteWorkGroup",
        }
    }

    /// The operation with this name, if the emulator serves it.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// The operation's position in [`Operation::ALL`], to index per-operation arrays.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_index_all() {
        for (i, op) in Operation::ALL.into_iter().enumerate() {
            assert_eq!(Operation::from_name(op.name()), Some(op));
            assert_eq!(op.index(), i);
        }
        assert_eq!(Operation::from_name("GetObject"), None);
    }
}
