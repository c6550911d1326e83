//! The Athena service: HTTP, protocol, query lifecycle, result pages, faults.
