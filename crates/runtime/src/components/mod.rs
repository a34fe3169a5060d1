//! Components: a project's tree of component instances (`app.use(shardedCounter)` in
//! `convex.config.ts`), how a function address names a function in one of them, and how an
//! instance's tables are named in the engine's catalog.
//!
//! An instance is addressed by its path, the names it was installed under from the app
//! down (`""` is the app, `aggregate/batchWorker` a grandchild). Its tables live in the one
//! catalog under `<path>/<table>` (`atrium_value::names::COMPONENT_SEPARATOR`), so two
//! instances never share a table, and the runtime translates names at the op boundary: a
//! function only ever names, reads and receives IDs of its own instance's tables.
//!
//! Function handles are `function://<component path>;<module>:<export>`: opaque to
//! functions, stable across pushes while the function exists.
//!
//! It must not run functions (the runner does) nor load definitions (`definition`).

pub mod definition;
pub mod names;
pub mod schema;
pub mod tree;
