//! PostgreSQL DDL: statements as values that print themselves, and the
//! translation of a design into them.

mod ddl;
mod generate;
pub mod keywords;
mod quote;
pub mod script;

pub use ddl::{
    Column, CommentTarget, Constraint, InSchema, Qualified, Sql, Statement, TypeSql,
    write_index_tail,
};
pub use generate::{
    create_script, create_statements, foreign_key, local_search_path, search_path,
    write_create_script,
};
pub use quote::{Ident, IdentList, Literal, needs_quotes};
