use std::path::PathBuf;

use super::Failure;
use crate::core::export::sqlmodel;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    format: Format,
}

#[derive(Debug, clap::Subcommand)]
enum Format {
    /// SQLModel classes whose metadata matches `plinth ddl` (for FastAPI
    /// apps, and for `alembic check` through the env.py plinth writes).
    Sqlmodel(SqlmodelArgs),
}

#[derive(Debug, clap::Args)]
struct SqlmodelArgs {
    /// The design file.
    design: PathBuf,
    /// Write the models here (e.g. models.py) instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    schema: super::SchemaArg,
}

pub fn run(args: Args) -> Result<(), Failure> {
    match args.format {
        Format::Sqlmodel(args) => {
            let design = super::load(&args.design)?;
            let source = args.design.display().to_string();
            let text = sqlmodel::models(&design, &source, &args.schema.schema);
            match args.output {
                Some(path) => {
                    crate::file::write_atomically(&path, &text)
                        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
                }
                None => print!("{text}"),
            }
            Ok(())
        }
    }
}
