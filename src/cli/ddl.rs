use std::path::PathBuf;

use super::Failure;
use crate::core::sql::{create_script, write_create_script};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The design file.
    design: PathBuf,
    /// Write the script here instead of standard output.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    schema: super::SchemaArg,
}

pub fn run(args: Args) -> Result<(), Failure> {
    let design = super::load(&args.design)?;
    let schema = &args.schema.schema;
    match args.output {
        Some(path) => {
            crate::file::write_atomically(&path, &create_script(&design, schema))
                .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
        }
        None => super::stdout::stream(|out| write_create_script(&design, schema, out))
            .map_err(|e| Failure::input(format!("standard output: {e}")))?,
    }
    Ok(())
}
