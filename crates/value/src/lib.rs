//! Convex values, exactly as Convex defines them.
//!
//! This crate will own the value model every other crate speaks: the eight Convex types
//! (null, int64, float64, boolean, string, bytes, array, object), their JSON wire encoding
//! (`$integer`, `$bytes`, `$float`), the total order across types that indexes sort by,
//! field-name rules, size and nesting limits, document IDs (table number, random bytes,
//! checksum, base32) and validators.
//!
//! It must not know about storage, networking or JavaScript: it is the leaf of the graph.
//! Filled by the local-engine issue; empty until then.
