//! Other text formats a design or a migration is written in: Alembic
//! revisions, SQLModel classes, and the names of migration files. Pure, like
//! the rest of the core: designs and plans in, text out; the CLI writes the
//! files.

pub mod alembic;
pub mod naming;
pub mod python;
pub mod sqlmodel;
