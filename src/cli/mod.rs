//! The command line: one file per subcommand, each a thin layer over the
//! core and the file module.
//!
//! Exit codes: 0 all good, 1 problems found (e.g. `fmt --check`), 2 bad
//! usage or input. Errors go to stderr as one sentence with a location.

mod apply;
mod check;
mod ddl;
mod diff;
mod edit;
mod export;
mod fmt;
mod inspect;
mod migrate;
mod migrate_db;
mod new;
mod report;
mod rules;
mod show;
mod stdout;
mod waiting;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "plinth",
    version,
    about = "Design relational schemas in the terminal and ship them as PostgreSQL changes.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// A design file to open in the designer (its summary when output is
    /// not a terminal).
    file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the terminal designer on a design file, or on a design read from a database.
    Edit(edit::Args),
    /// Write a starter design (users with a UUID key, unique email, timestamps).
    New(new::Args),
    /// Print the PostgreSQL DDL that creates a design.
    Ddl(ddl::Args),
    /// Compare two designs: the migration plan, its safety findings, its SQL.
    Diff(diff::Args),
    /// Read a schema of a live PostgreSQL database into a design.
    Inspect(inspect::Args),
    /// Migrate a live PostgreSQL schema to a design, in one locked transaction.
    Apply(apply::Args),
    /// Write migration files (SQL or Alembic) from the changes to a design.
    Migrate(migrate::Args),
    /// Migrations applied, pending or changed on a database, and its drift
    /// from the design (`plinth migrate status`).
    Status(migrate_db::StatusArgs),
    /// Write a design in another format (SQLModel classes).
    Export(export::Args),
    /// Rewrite design files in canonical form, or check that they are.
    Fmt(fmt::Args),
    /// Print a summary of a design: entities, keys and relationships.
    Show(show::Args),
    /// Check designs: normalization, keys, indexes, types, conventions.
    Check(check::Args),
    /// List every check rule with its id, severity and what it looks for.
    Rules(rules::Args),
}

/// The schema a command's statements name, for commands that write SQL
/// without a database to ask.
#[derive(Debug, clap::Args)]
pub struct SchemaArg {
    /// The schema every statement names (tables and types are qualified
    /// with it, and expressions resolve in it).
    #[arg(long, default_value = "public")]
    pub schema: String,
}

/// A failure that ends the command: the message for stderr and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// Bad usage or input: exit code 2.
    pub fn input(message: impl ToString) -> Self {
        Failure {
            code: 2,
            message: message.to_string(),
        }
    }

    /// Problems were found: exit code 1.
    pub fn found(message: impl ToString) -> Self {
        Failure {
            code: 1,
            message: message.to_string(),
        }
    }
}

pub fn run(cli: Cli) -> ExitCode {
    let result = match (cli.command, cli.file) {
        (Some(Command::Edit(args)), _) => edit::run(args),
        (Some(Command::New(args)), _) => new::run(args),
        (Some(Command::Ddl(args)), _) => ddl::run(args),
        (Some(Command::Diff(args)), _) => diff::run(args),
        (Some(Command::Inspect(args)), _) => inspect::run(args),
        (Some(Command::Apply(args)), _) => apply::run(args),
        (Some(Command::Migrate(args)), _) => migrate::run(args),
        (Some(Command::Status(args)), _) => migrate_db::status(args),
        (Some(Command::Export(args)), _) => export::run(args),
        (Some(Command::Fmt(args)), _) => fmt::run(args),
        (Some(Command::Show(args)), _) => show::run(args),
        (Some(Command::Check(args)), _) => check::run(args),
        (Some(Command::Rules(args)), _) => rules::run(args),
        (None, Some(file)) if std::io::IsTerminal::is_terminal(&std::io::stdout()) => {
            edit::run(edit::Args::file(file))
        }
        (None, Some(file)) => show::run(show::Args { file }),
        (None, None) => Err(Failure::input(
            "no design given; try `plinth new FILE` or `plinth --help`",
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                eprintln!(
                    "plinth: {}",
                    crate::core::text::printable_lines(&failure.message)
                );
            }
            ExitCode::from(failure.code)
        }
    }
}

/// Loads a design or fails with the loader's one-line `file:line:col` error.
fn load(path: &std::path::Path) -> Result<crate::core::model::Design, Failure> {
    crate::file::load(path).map_err(Failure::input)
}
