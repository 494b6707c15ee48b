//! Gateway analytics: the request log and rollups the gateway writes (`write`, `partitions`).

pub mod partitions;
pub mod write;
