//! Convex values, exactly as Convex defines them.
//!
//! This crate owns the value model every other crate speaks:
//! - [`Value`]: the eight Convex types (null, int64, float64, boolean, string, bytes, array,
//!   object) with Convex's total order across types ([`Ord`]);
//! - [`json`]: the Convex JSON wire encoding (`$integer`, `$float`, `$bytes`) both ways;
//! - [`json_text`]: Convex JSON written straight to text, without a `serde_json` tree;
//! - [`sort_key`]: an order-preserving byte encoding of values, used for index keys;
//! - [`names`]: field-name, identifier and table-name rules;
//! - [`limits`]: size, nesting, array-length and field-count limits, and the rules for
//!   top-level document fields, with errors that name the offending path;
//! - [`id`]: document IDs (table number, random bytes, checksum, base32);
//! - [`pending`]: commit-timestamp placeholders (`{"$commitTs": null}`) in written values;
//! - [`validator`]: Convex validators, parsed from their JSON and checked with Convex's messages.
//!
//! It must not know about storage, networking or JavaScript: it is the leaf of the graph.

pub mod id;
pub mod json;
pub mod json_text;
pub mod limits;
pub mod names;
pub mod path;
pub mod pending;
pub mod sort_key;
pub mod validator;
mod value;

pub use id::{DocumentId, IdError, TableNumber};
pub use path::Path;
pub use value::{Object, Value, ValueType};
