//! The `:` command language: one line in, one [`Edit`] (or an app-level
//! action) out, so a user can script and repeat work exactly as they type
//! it in the designer.
//!
//! ```text
//! :entity add NAME            :entity rename OLD NEW      :entity drop NAME
//! :field add ENTITY.FIELD TYPE [not null] [unique] [default EXPR]
//! :field drop ENTITY.FIELD    :field rename ENTITY.OLD NEW
//! :rel add ENTITY.FIELD -> TARGET [on delete cascade|restrict|set null|no action]
//! :rel m2m LEFT RIGHT         :index add ENTITY (FIELD, ...) [unique]
//! :undo  :redo  :w [FILE]  :q  :q!  :wq  :apply  :apply!
//! ```
//!
//! Reading a line ([`parse`]) needs no design; turning a design command
//! into an edit ([`DesignCommand::to_edit`]) resolves names against the
//! design and follows the house style (UUID keys, timestamps, indexed
//! foreign keys). Both fail with one line that says what to write instead.

mod build;
mod complete;
mod lex;
mod parse;

use std::path::PathBuf;

use crate::core::model::{DefaultValue, ReferentialAction, SqlType};

pub use complete::{Completion, complete};
pub use parse::parse;

/// A parsed command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// A change to the design.
    Edit(DesignCommand),
    Undo,
    Redo,
    /// `:w` saves to the design's file; `:w FILE` writes a copy there.
    Write(Option<PathBuf>),
    /// `:q`, or `:q!` to leave without saving.
    Quit {
        force: bool,
    },
    /// `:wq`: save, then quit.
    WriteQuit,
    /// `:apply` plans the design against the database and shows the plan
    /// before applying it; `:apply!` also accepts a plan that drops data.
    Apply {
        allow_destructive: bool,
    },
}

/// A command that changes the design, with names as the user wrote them.
#[derive(Clone, Debug, PartialEq)]
pub enum DesignCommand {
    EntityAdd {
        name: String,
    },
    EntityRename {
        old: String,
        new: String,
    },
    EntityDrop {
        name: String,
    },
    FieldAdd {
        entity: String,
        field: String,
        ty: SqlType,
        not_null: bool,
        unique: bool,
        default: Option<DefaultValue>,
    },
    FieldDrop {
        entity: String,
        field: String,
    },
    FieldRename {
        entity: String,
        old: String,
        new: String,
    },
    RelAdd {
        entity: String,
        field: String,
        target: String,
        on_delete: Option<ReferentialAction>,
    },
    RelManyToMany {
        left: String,
        right: String,
    },
    IndexAdd {
        entity: String,
        fields: Vec<String>,
        unique: bool,
    },
}

/// Why a command line was refused: one line, nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(pub String);

impl CommandError {
    pub fn new(message: impl Into<String>) -> Self {
        CommandError(message.into())
    }
}

/// Every command with what it does, for help screens and usage errors.
pub const USAGE: &[(&str, &str)] = &[
    (
        ":entity add NAME",
        "new entity with a uuid key and timestamps",
    ),
    (":entity rename OLD NEW", "rename an entity"),
    (
        ":entity drop NAME",
        "drop an entity and the keys that touch it",
    ),
    (
        ":field add ENTITY.FIELD TYPE [not null] [unique] [default EXPR]",
        "new field",
    ),
    (":field drop ENTITY.FIELD", "drop a field"),
    (":field rename ENTITY.OLD NEW", "rename a field"),
    (
        ":rel add ENTITY.FIELD -> TARGET [on delete cascade|restrict|set null|no action]",
        "foreign key, with its field and index",
    ),
    (
        ":rel m2m LEFT RIGHT",
        "many-to-many through a junction LEFT_RIGHT",
    ),
    (":index add ENTITY (FIELD, ...) [unique]", "new index"),
    (":undo  :redo", "undo or redo the last change"),
    (":w  :w FILE", "save, or write a copy to FILE"),
    (
        ":q  :q!  :wq",
        "quit, quit discarding changes, save and quit",
    ),
    (
        ":apply  :apply!",
        "plan the design against the database, then apply it (! accepts drops)",
    ),
];

/// The usage line of a command, by its first words ("field add").
fn usage(prefix: &str) -> CommandError {
    let line = USAGE
        .iter()
        .map(|(u, _)| *u)
        .find(|u| u[1..].starts_with(prefix))
        .unwrap_or(":entity, :field, :rel, :index, :undo, :redo, :w, :q");
    CommandError::new(format!("usage: {line}"))
}

#[cfg(test)]
mod tests;
