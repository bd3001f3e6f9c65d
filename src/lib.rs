//! plinth: design relational schemas in the terminal and ship them as
//! PostgreSQL changes.
//!
//! [`core`] holds everything that is pure (the model, edits, SQL);
//! [`file`] reads and writes design files; [`cli`] is the command line.

pub mod cli;
pub mod core;
pub mod file;
