//! The protocol crate's integration tests, as one binary (a module per surface): the
//! dashboard system functions' wire types, and agreement with the official Convex crates.

mod dashboard;
mod official;
