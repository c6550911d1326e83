//! The SQL engine: DataFusion behind the interface the server uses.
