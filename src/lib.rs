//! plinth: design relational schemas in the terminal and ship them as
//! PostgreSQL changes.
//!
//! [`core`] holds everything that is pure (the model, edits, SQL);
//! [`file`] reads and writes design files; [`cli`] is the command line;
//! [`tui`] is the terminal designer.

pub mod cli;
pub mod core;
pub mod db;
pub mod file;
pub mod tui;
