//! The pure core: model, edits and SQL. No terminal, network or files here;
//! the CLI, the TUI and the database layer are adapters around it.

pub mod check;
pub mod command;
pub mod diff;
pub mod edit;
pub mod export;
pub mod history;
pub mod ids;
pub mod model;
pub mod normal;
pub mod sql;
pub mod starter;
pub mod synthetic;
#[cfg(test)]
pub mod testing;
pub mod text;
